/* app: owns the program's run. One libuv loop, the ticker that drives the
 * pipeline (collector, then history) on the thread pool, the signals
 * (INT, TERM and HUP end the run with 128 + the signal; sinks may ask for
 * more), the sinks, and the shutdown: every handle closed and the loop
 * closed cleanly. Data flows one way: collector -> history -> snapshot ->
 * every sink. */
#ifndef CW_APP_H
#define CW_APP_H

#include <stdint.h>

#include "collect.h"
#include "opts.h"
#include "sink.h"

#define CW_APP_MAXSINKS 4

struct cw_app;

/* Fills a collector configuration from the options. */
void cw_app_collector_cfg(const struct cw_opts *o, struct cw_collector_cfg *cfg);

struct cw_app *cw_app_new(const struct cw_opts *o);
/* Adds a sink; the app frees it. At most CW_APP_MAXSINKS. */
void cw_app_add_sink(struct cw_app *a, struct cw_sink *s);
/* Creates the collector, starts the sinks and runs until a sink or a signal
 * ends it. Returns the exit status; on a failure to start, 1 with *cause. */
int cw_app_run(struct cw_app *a, char **cause);
/* Frees the app and its sinks. */
void cw_app_free(struct cw_app *a);

#endif
