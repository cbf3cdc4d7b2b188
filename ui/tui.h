/* tui: the live view as a sink of the app. It owns the keys (a uv_poll on
 * stdin), the drawing (one uv_prepare draws once per loop turn when
 * something changed), the terminal's own signals (WINCH, TSTP, CONT) and
 * the view state. It reads snapshots and posts wants; it never calls into
 * the collector. */
#ifndef CW_TUI_H
#define CW_TUI_H

#include "opts.h"
#include "sink.h"

/* The live view as a sink. NULL with a one-line *cause for a bad -s. */
struct cw_sink *cw_tui_sink_new(const struct cw_opts *o, char **cause);

#endif
