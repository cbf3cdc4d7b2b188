/* main: parses the command line and hands over to a mode. */
#include "config.h"
#include "app.h"
#include "opts.h"
#include "util.h"
#include "../ui/tui.h"

#include <stdio.h>
#include <locale.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	struct cw_opts o;
	char *cause = NULL;

	cw_opts_defaults(&o);
	if (cw_opts_parse(&o, argc, argv, &cause) < 0) {
		fprintf(stderr, "connwatch: %s\n", cause);
		free(cause);
		return 2;
	}
	if (o.help) {
		cw_opts_usage(stdout);
		return 0;
	}
	if (o.version) {
		printf("connwatch %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (o.mode == CW_MODE_JSON)
		return cw_app_run_json(&o);
	setlocale(LC_ALL, ""); /* UTF-8 blocks and wide names where the terminal has them */
	return cw_tui_run(&o);
}
