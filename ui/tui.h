/* tui: the interactive view's entry point and event loop. */
#ifndef CW_TUI_H
#define CW_TUI_H

#include "../src/opts.h"

/* Runs the interactive view until the user quits. Returns the exit code. */
int cw_tui_run(const struct cw_opts *o);

#endif
