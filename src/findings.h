/* findings: the pipeline stage after history. It runs every rule (rules.h)
 * over each snapshot, keeps when each finding's episode began, and writes
 * the snapshot's findings, worst first, and each row's worst finding. It
 * runs on every snapshot whatever the sinks do, with time from
 * s->time_ms, so a test or a replay feeds it the same way as the live
 * collector. */
#ifndef CW_FINDINGS_H
#define CW_FINDINGS_H

#include "rules.h"
#include "snapshot.h"

struct cw_findings;

struct cw_findings *cw_findings_new(const struct cw_findings_conf *conf);
void cw_findings_free(struct cw_findings *f);
/* Call once per snapshot, in time order, after cw_history_apply(). */
void cw_findings_apply(struct cw_findings *f, struct cw_snapshot *s);

#endif
