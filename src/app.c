/* app: the --json loop. A ticker collects on the thread pool; each snapshot
 * is printed whole, as one line, on the loop's thread, so SIGINT/SIGTERM
 * stop it between documents and stdout never holds a partial one. */
#include "config.h"
#include "app.h"
#include "json_out.h"
#include "ticker.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

struct json_app {
	uv_loop_t loop;
	struct cw_ticker ticker;
	uv_signal_t sigint, sigterm;
	struct cw_collector *col;
	const char *sockets;      /* --sockets: a label or an inode */
	uint64_t sockets_inode;   /* ... resolved */
	bool sockets_info;
	bool retry;               /* the label was resolved after a tick: tick again */
	long remaining;
	bool stopping;
	int rc;
};

void cw_app_collector_cfg(const struct cw_opts *o, struct cw_collector_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->procfs = o->procfs;
	cfg->rootfs = o->rootfs;
	cfg->budget_pct = o->budget_pct;
	cfg->interval_s = o->delay_s;
	cfg->max_peers = o->peers;
	cfg->diag_mode = o->diag_mode;
}

static void stop(struct json_app *a)
{
	if (a->stopping)
		return;
	a->stopping = true;
	cw_ticker_stop(&a->ticker, NULL);
	uv_close((uv_handle_t *)&a->sigint, NULL);
	uv_close((uv_handle_t *)&a->sigterm, NULL);
}

static void want(void *arg, struct cw_wants *w)
{
	struct json_app *a = arg;

	w->sockets_inode = a->sockets_inode;
	w->sockets_info = a->sockets_info;
}

/* --sockets takes an inode or a label; a label is known only after a tick,
 * so the first snapshot is taken again with it. */
static bool resolve_sockets(struct json_app *a, const struct cw_snapshot *s)
{
	size_t i;

	if (!a->sockets || a->sockets_inode)
		return false;
	for (i = 0; i < s->nrows; i++)
		if (strcmp(s->rows[i].label, a->sockets) == 0)
			a->sockets_inode = s->rows[i].inode;
	return a->sockets_inode != 0;
}

static void done(void *arg, struct cw_snapshot *s)
{
	struct json_app *a = arg;
	char *text;

	if (a->stopping)
		return;
	if (resolve_sockets(a, s)) {
		cw_ticker_kick(&a->ticker);
		return;
	}
	text = cw_json_snapshot(s);
	if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		if (errno != EPIPE) {
			fprintf(stderr, "connwatch: writing output: %s\n", strerror(errno));
			a->rc = 1;
		}
		free(text);
		stop(a);
		return;
	}
	free(text);
	if (--a->remaining <= 0)
		stop(a);
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct json_app *a = s->data;

	a->rc = 128 + signum;
	stop(a);
}

int cw_app_run_json(const struct cw_opts *o)
{
	struct json_app a;
	struct cw_collector_cfg cfg;
	char *cause = NULL;
	uint64_t inode;
	int r;

	memset(&a, 0, sizeof(a));
	cw_app_collector_cfg(o, &cfg);
	r = cw_collector_new(&a.col, &cfg, &cause);
	if (r < 0) {
		fprintf(stderr, "connwatch: %s\n", cause);
		free(cause);
		return 1;
	}
	a.remaining = o->count;
	a.sockets = o->sockets;
	a.sockets_info = o->sockets_info;
	if (a.sockets && cw_parse_u64(a.sockets, &inode))
		a.sockets_inode = inode;
	signal(SIGPIPE, SIG_IGN);
	uv_loop_init(&a.loop);
	cw_ticker_init(&a.ticker, &a.loop, a.col, (uint64_t)(o->delay_s * 1000.0 + 0.5), want, done, &a);
	uv_signal_init(&a.loop, &a.sigint);
	uv_signal_init(&a.loop, &a.sigterm);
	a.sigint.data = a.sigterm.data = &a;
	uv_signal_start(&a.sigint, on_signal, SIGINT);
	uv_signal_start(&a.sigterm, on_signal, SIGTERM);
	cw_ticker_start(&a.ticker);
	uv_run(&a.loop, UV_RUN_DEFAULT);
	r = uv_loop_close(&a.loop);
	if (r != 0)
		cw_fatal("event loop left open handles: %s", uv_strerror(r));
	cw_collector_free(a.col);
	return a.rc;
}
