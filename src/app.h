/* app: the event loops that wire the collector to its sinks. The JSON sink
 * lives here; the interactive view's loop lives in ui/tui.c. */
#ifndef CW_APP_H
#define CW_APP_H

#include "collect.h"
#include "opts.h"

/* Fills a collector configuration from the options. */
void cw_app_collector_cfg(const struct cw_opts *o, struct cw_collector_cfg *cfg);
/* --json: prints o->count snapshots, o->delay_s apart. Returns the exit code. */
int cw_app_run_json(const struct cw_opts *o);

#endif
