/* batch_sink: the -b/--batch output, a plain-text table per refresh like
 * `top -b`, for logs and tickets. Each snapshot is one header line and one
 * line per row, in fixed column order and the collector's row order, then
 * a blank line; fields are separated by spaces and never contain one (a
 * label's blanks become '_'), so grep and awk can rely on it. The label
 * comes last so that a long one never shifts the numbers. Ends the run
 * after -n snapshots (or runs until stopped), quietly when stdout is a
 * closed pipe. */
#ifndef CW_BATCH_SINK_H
#define CW_BATCH_SINK_H

#include <stdio.h>

#include "opts.h"
#include "sink.h"
#include "snapshot.h"

/* Writes one snapshot's table. 0, or -errno. */
int cw_batch_write(FILE *f, const struct cw_snapshot *s);

struct cw_sink *cw_batch_sink_new(const struct cw_opts *o, FILE *out);

#endif
