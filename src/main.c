/* main: parses the command line, registers the sinks the options ask for,
 * and runs the app. The only file under src/ that knows the live view. */
#include "config.h"
#include "app.h"
#include "batch_sink.h"
#include "exporter.h"
#include "json_sink.h"
#include "opts.h"
#include "record_sink.h"
#include "util.h"
#include "tui.h"

#include <stdio.h>
#include <locale.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	struct cw_opts o;
	struct cw_app *app;
	struct cw_sink *tui;
	char *cause = NULL;
	int rc;

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
	app = cw_app_new(&o);
	/* The recorder first: sinks see each snapshot in order, and a
	 * recording keeps the last tick the others showed. */
	if (o.record)
		cw_app_add_sink(app, cw_record_sink_new(&o));
	if (o.listen)
		cw_app_add_sink(app, cw_exporter_sink_new(&o));
	if (o.daemon) {
		/* nothing on the terminal */
	} else if (o.mode == CW_MODE_JSON) {
		cw_app_add_sink(app, cw_json_sink_new(&o, stdout));
	} else if (o.mode == CW_MODE_BATCH) {
		setlocale(LC_ALL, "");
		cw_app_add_sink(app, cw_batch_sink_new(&o, stdout));
	} else {
		setlocale(LC_ALL, ""); /* UTF-8 blocks and wide names where the terminal has them */
		tui = cw_tui_sink_new(&o, &cause);
		if (!tui) {
			fprintf(stderr, "connwatch: %s\n", cause);
			free(cause);
			cw_app_free(app);
			return 2;
		}
		cw_app_add_sink(app, tui);
	}
	rc = cw_app_run(app, &cause);
	cw_app_free(app);
	if (cause) {
		/* Printed only now: the terminal is back. */
		fprintf(stderr, "connwatch: %s\n", cause);
		free(cause);
	}
	return rc;
}
