/* app: the --json loop. A libuv timer drives ticks; SIGINT/SIGTERM stop it
 * between snapshots, so stdout never holds a partial document. */
#include "config.h"
#include "app.h"
#include "json_out.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

struct json_app {
	uv_loop_t loop;
	uv_timer_t timer;
	uv_signal_t sigint, sigterm;
	struct cw_collector *col;
	struct cw_wants wants;
	const char *sockets;      /* a label to resolve into wants.sockets_inode */
	long remaining;
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
	uv_timer_stop(&a->timer);
	uv_close((uv_handle_t *)&a->timer, NULL);
	uv_close((uv_handle_t *)&a->sigint, NULL);
	uv_close((uv_handle_t *)&a->sigterm, NULL);
}

/* --sockets takes an inode or a label; a label is resolved against the
 * previous snapshot, so the first one may go without. */
static void resolve_sockets(struct json_app *a, const struct cw_snapshot *s)
{
	uint64_t inode;
	size_t i;

	if (!a->sockets || a->wants.sockets_inode)
		return;
	if (cw_parse_u64(a->sockets, &inode)) {
		a->wants.sockets_inode = inode;
		return;
	}
	for (i = 0; s && i < s->nrows; i++)
		if (strcmp(s->rows[i].label, a->sockets) == 0)
			a->wants.sockets_inode = s->rows[i].inode;
}

static void on_tick(uv_timer_t *t)
{
	struct json_app *a = t->data;
	struct cw_snapshot *snap;
	char *text;

	resolve_sockets(a, NULL);
	snap = cw_collector_tick(a->col, &a->wants, cw_now_ms());
	if (a->sockets && !a->wants.sockets_inode) {
		/* A label is known only after a tick: tick again with it. */
		resolve_sockets(a, snap);
		if (a->wants.sockets_inode) {
			cw_snapshot_unref(snap);
			snap = cw_collector_tick(a->col, &a->wants, cw_now_ms());
		}
	}
	text = cw_json_snapshot(snap);
	cw_snapshot_unref(snap);
	if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		free(text);
		if (errno != EPIPE) {
			fprintf(stderr, "connwatch: writing output: %s\n", strerror(errno));
			a->rc = 1;
		}
		stop(a);
		return;
	}
	free(text);
	if (--a->remaining <= 0)
		stop(a);
	/* libuv does not refresh its clock after a slow callback: without
	 * this, the next tick would come a whole tick late. */
	uv_update_time(&a->loop);
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
	uint64_t ms = (uint64_t)(o->delay_s * 1000.0 + 0.5);
	int r;

	memset(&a, 0, sizeof(a));
	cw_app_collector_cfg(o, &cfg);
	cfg.max_peers = o->peers;
	r = cw_collector_new(&a.col, &cfg, &cause);
	if (r < 0) {
		fprintf(stderr, "connwatch: %s\n", cause);
		free(cause);
		return 1;
	}
	a.remaining = o->count;
	a.sockets = o->sockets;
	a.wants.sockets_info = o->sockets_info;
	signal(SIGPIPE, SIG_IGN);
	uv_loop_init(&a.loop);
	uv_timer_init(&a.loop, &a.timer);
	uv_signal_init(&a.loop, &a.sigint);
	uv_signal_init(&a.loop, &a.sigterm);
	a.timer.data = a.sigint.data = a.sigterm.data = &a;
	uv_signal_start(&a.sigint, on_signal, SIGINT);
	uv_signal_start(&a.sigterm, on_signal, SIGTERM);
	uv_timer_start(&a.timer, on_tick, 0, ms ? ms : 1);
	uv_run(&a.loop, UV_RUN_DEFAULT);
	r = uv_loop_close(&a.loop);
	if (r != 0)
		cw_fatal("event loop left open handles: %s", uv_strerror(r));
	cw_collector_free(a.col);
	return a.rc;
}
