/* tui: placeholder until the interactive view lands (issue 3). */
#include "config.h"
#include "tui.h"

#include <stdio.h>

int cw_tui_run(const struct cw_opts *o)
{
	(void)o;
	fputs("connwatch: the interactive view is not built yet; use --json\n", stderr);
	return 2;
}
