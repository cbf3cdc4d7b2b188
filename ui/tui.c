/* tui: the interactive view's event loop. libuv drives everything: a tick
 * timer queues collection on the thread pool (so a long walk never blocks
 * the keys), stdin is a uv_poll, signals come through uv_signal, and one
 * uv_prepare draws once per loop turn when something changed. */
#include "config.h"
#include "tui.h"
#include "collect.h"
#include "draw.h"
#include "keys.h"
#include "screen.h"
#include "term.h"
#include "ticker.h"
#include "util.h"
#include "app.h"

#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uv.h>

enum { SIG_WINCH, SIG_INT, SIG_TERM, SIG_HUP, SIG_TSTP, SIG_CONT, SIG_N };
static const int signums[SIG_N] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT};

struct tui {
	uv_loop_t loop;
	struct cw_ticker ticker;
	uv_poll_t input;
	uv_prepare_t draw;
	uv_signal_t sig[SIG_N];
	bool stopping;
	struct cw_collector *col;
	struct cw_view view;
	struct cw_draw_geom geom;
	int rc;
};

static void close_all(struct tui *t);

static void want(void *arg, struct cw_wants *w)
{
	struct tui *t = arg;

	cw_view_wants(&t->view, w);
}

static void done(void *arg, struct cw_snapshot *s)
{
	struct tui *t = arg;

	cw_view_set_snapshot(&t->view, s);
}

/* A key that changes what the view needs (a drill-down) gets a tick now
 * rather than at the next timer. */
static void wants_changed(struct tui *t)
{
	const struct cw_wants *q = cw_ticker_wants(&t->ticker);
	struct cw_wants w;

	cw_view_wants(&t->view, &w);
	if (w.sockets_inode != q->sockets_inode || w.sockets_info != q->sockets_info)
		cw_ticker_kick(&t->ticker);
}

static void on_mouse(struct tui *t)
{
	MEVENT ev;
	struct cw_view *v = &t->view;
	struct cw_frame *f = cw_view_top(v);
	const struct cw_screen *s = cw_screen_get(f->id);

	if (getmouse(&ev) != OK || f->id == CW_SCR_HELP)
		return;
	if (ev.y == t->geom.table_y) {
		int c = cw_table_column_at(&t->geom.layout, ev.x);

		if (c >= 0)
			cw_view_sort_by(v, s->cols[c].title);
	} else if (ev.y > t->geom.table_y && ev.y < t->geom.table_y + t->geom.table_h) {
		cw_view_select(v, f->top + (size_t)(ev.y - t->geom.table_y - 1));
	}
}

static void on_input(uv_poll_t *h, int status, int events)
{
	struct tui *t = h->data;
	int ch;

	while ((ch = getch()) != ERR) {
		if (ch == KEY_MOUSE)
			on_mouse(t);
		else if (ch != KEY_RESIZE)
			cw_keys_dispatch(&t->view, ch);
		if (t->view.quit)
			break;
	}
	if (t->view.quit) {
		close_all(t);
		return;
	}
	wants_changed(t);
}

static void on_draw(uv_prepare_t *h)
{
	struct tui *t = h->data;

	if (!t->view.dirty || !cw_term_active())
		return;
	cw_draw_frame(&t->view, &t->geom);
	refresh();
	t->view.dirty = false;
}

static void resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct tui *t = h->data;

	switch (signum) {
	case SIGWINCH:
		resize();
		t->view.dirty = true;
		break;
	case SIGTSTP:
		cw_term_suspend();
		kill(getpid(), SIGSTOP);
		break;
	case SIGCONT:
		cw_term_resume();
		resize();
		t->view.dirty = true;
		break;
	default:
		t->rc = 128 + signum;
		close_all(t);
		break;
	}
}

/* Closes every handle; the loop ends when the last close and any running
 * tick have finished. */
static void close_all(struct tui *t)
{
	int i;

	if (!t->stopping) {
		t->stopping = true;
		cw_ticker_stop(&t->ticker, NULL);
		uv_close((uv_handle_t *)&t->input, NULL);
		uv_close((uv_handle_t *)&t->draw, NULL);
		for (i = 0; i < SIG_N; i++)
			uv_close((uv_handle_t *)&t->sig[i], NULL);
	}
}

/* Applies -s and -F; an unknown column is a usage error. */
static int apply_opts(struct cw_view *v, const struct cw_opts *o)
{
	if (o->sort && !cw_view_sort_by(v, o->sort)) {
		const struct cw_screen *s = cw_screen_get(CW_SCR_PODS);
		size_t i;

		fprintf(stderr, "connwatch: --sort: no column '%s' (columns:", o->sort);
		for (i = 0; i < s->ncols; i++)
			fprintf(stderr, " %s", s->cols[i].title);
		fprintf(stderr, ")\n");
		return 2;
	}
	if (o->filter)
		cw_view_set_filter(v, o->filter);
	return 0;
}

int cw_tui_run(const struct cw_opts *o)
{
	struct tui t;
	struct cw_collector_cfg cfg;
	struct cw_view_cfg vcfg;
	struct cw_term_cfg tcfg;
	const char *nc = getenv("NO_COLOR");
	char *cause = NULL;
	uint64_t ms = (uint64_t)(o->delay_s * 1000.0 + 0.5);
	int i, r;

	memset(&t, 0, sizeof(t));
	memset(&vcfg, 0, sizeof(vcfg));
	vcfg.warn_close_wait = o->warn_close_wait;
	vcfg.warn_time_wait = o->warn_time_wait;
	vcfg.warn_syn_sent = o->warn_syn_sent;
	vcfg.delay_s = o->delay_s;
	vcfg.utf8 = cw_term_utf8();
	cw_view_init(&t.view, &vcfg);
	r = apply_opts(&t.view, o);
	if (r) {
		cw_view_done(&t.view);
		return r;
	}
	cw_app_collector_cfg(o, &cfg);
	cfg.max_peers = o->peers > 1000 ? o->peers : 1000; /* the peers screen lists them all */
	r = cw_collector_new(&t.col, &cfg, &cause);
	if (r < 0) {
		fprintf(stderr, "connwatch: %s\n", cause);
		free(cause);
		cw_view_done(&t.view);
		return 1;
	}

	uv_loop_init(&t.loop);
	/* Signals first, so curses does not install its own SIGWINCH handler. */
	for (i = 0; i < SIG_N; i++) {
		uv_signal_init(&t.loop, &t.sig[i]);
		t.sig[i].data = &t;
		uv_signal_start(&t.sig[i], on_signal, signums[i]);
	}
	cw_ticker_init(&t.ticker, &t.loop, t.col, ms, want, done, &t);
	uv_prepare_init(&t.loop, &t.draw);
	uv_poll_init(&t.loop, &t.input, STDIN_FILENO);
	t.draw.data = t.input.data = &t;

	memset(&tcfg, 0, sizeof(tcfg));
	tcfg.color = o->color && !(nc && nc[0]);
	tcfg.mouse = o->mouse;
	if (cw_term_start(&tcfg, &cause) < 0) {
		fprintf(stderr, "connwatch: %s\n", cause);
		free(cause);
		t.rc = 1;
		close_all(&t);
	} else {
		uv_poll_start(&t.input, UV_READABLE, on_input);
		uv_prepare_start(&t.draw, on_draw);
		cw_ticker_start(&t.ticker);
	}
	uv_run(&t.loop, UV_RUN_DEFAULT);
	cw_term_stop();
	r = uv_loop_close(&t.loop);
	cw_collector_free(t.col);
	cw_view_done(&t.view);
	if (r != 0) {
		fprintf(stderr, "connwatch: event loop left open handles: %s\n", uv_strerror(r));
		return 1;
	}
	return t.rc;
}
