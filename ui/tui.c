/* tui: the live view's sink: keys, drawing and terminal signals. */
#include "config.h"
#include "tui.h"
#include "draw.h"
#include "keys.h"
#include "screen.h"
#include "term.h"
#include "util.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uv.h>

static const int tui_signals[] = {SIGWINCH, SIGTSTP, SIGCONT, 0};

struct tui {
	struct cw_sink sink;
	const struct cw_sink_host *host;
	uv_poll_t input;
	uv_prepare_t draw;
	bool input_ready, draw_ready;
	struct cw_view view;
	struct cw_draw_geom geom;
	struct cw_term_cfg tcfg;
};

static void wants(void *self, struct cw_wants *w)
{
	struct tui *t = self;

	cw_view_wants(&t->view, w);
}

static void publish(void *self, struct cw_snapshot *s)
{
	struct tui *t = self;

	cw_view_set_snapshot(&t->view, s);
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

static bool hung_up(void)
{
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};

	return poll(&p, 1, 0) < 0 || (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

static void on_input(uv_poll_t *h, int status, int events)
{
	struct tui *t = h->data;
	int ch, keys = 0;

	if (status < 0) {
		/* The terminal went away (hangup): nothing more can be read. */
		t->host->quit(t->host->app, 128 + SIGHUP);
		return;
	}
	while ((ch = getch()) != ERR) {
		keys++;
		if (ch == KEY_MOUSE)
			on_mouse(t);
		else if (ch != KEY_RESIZE)
			cw_keys_dispatch(&t->view, ch);
		if (t->view.quit)
			break;
	}
	if (t->view.quit) {
		t->host->quit(t->host->app, 0);
		return;
	}
	/* Readable with no key: a terminal that hung up reads as end of file
	 * for ever, and the poll would spin. */
	if (!keys && hung_up()) {
		t->host->quit(t->host->app, 128 + SIGHUP);
		return;
	}
	/* A drill-down may need more than the running tick collects. */
	t->host->kick(t->host->app);
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

static void on_signal(void *self, int signum)
{
	struct tui *t = self;

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
		break;
	}
}

static int start(void *self, const struct cw_sink_host *host, char **cause)
{
	struct tui *t = self;
	uv_loop_t *loop = host->loop;
	int flags, r;

	t->host = host;
	/* The terminal check comes first: nothing is set up on a stdin that
	 * is not one. */
	r = cw_term_start(&t->tcfg, cause);
	if (r < 0)
		return r;
	/* uv_poll_init makes the descriptor non-blocking, and stdin's open
	 * file is the shell's too: put its flags back at once. curses reads
	 * only when the poll says there is input, in nodelay mode. */
	flags = fcntl(STDIN_FILENO, F_GETFL);
	r = uv_poll_init(loop, &t->input, STDIN_FILENO);
	if (flags >= 0)
		fcntl(STDIN_FILENO, F_SETFL, flags);
	if (r < 0) {
		cw_term_stop();
		return cw_cause(cause, -EINVAL, "cannot watch the terminal for keys: %s",
				uv_strerror(r));
	}
	t->input_ready = true;
	t->input.data = t;
	uv_prepare_init(loop, &t->draw);
	t->draw_ready = true;
	t->draw.data = t;
	uv_poll_start(&t->input, UV_READABLE, on_input);
	uv_prepare_start(&t->draw, on_draw);
	return 0;
}

static void stop(void *self)
{
	struct tui *t = self;

	if (t->input_ready)
		uv_close((uv_handle_t *)&t->input, NULL);
	if (t->draw_ready)
		uv_close((uv_handle_t *)&t->draw, NULL);
	t->input_ready = t->draw_ready = false;
	cw_term_stop();
}

static void sink_free(void *self)
{
	struct tui *t = self;

	cw_view_done(&t->view);
	free(t);
}

static const struct cw_sink_ops ops = {
	.name = "tui",
	.start = start,
	.wants = wants,
	.publish = publish,
	.signal = on_signal,
	.stop = stop,
	.free = sink_free,
	.signals = tui_signals,
};

/* Applies -s and -F; an unknown column is a usage error. */
static int apply_opts(struct cw_view *v, const struct cw_opts *o, char **cause)
{
	if (o->sort && !cw_view_sort_by(v, o->sort)) {
		const struct cw_screen *s = cw_screen_get(CW_SCR_PODS);
		char cols[512] = "";
		size_t i, len = 0;

		for (i = 0; i < s->ncols && len < sizeof(cols); i++)
			len += (size_t)snprintf(cols + len, sizeof(cols) - len, " %s", s->cols[i].title);
		return cw_cause(cause, -EINVAL, "--sort: no column '%s' (columns:%s)", o->sort, cols);
	}
	if (o->filter)
		cw_view_set_filter(v, o->filter);
	return 0;
}

struct cw_sink *cw_tui_sink_new(const struct cw_opts *o, char **cause)
{
	struct tui *t = cw_xcalloc(1, sizeof(*t));
	struct cw_view_cfg vcfg;
	const char *nc = getenv("NO_COLOR");

	memset(&vcfg, 0, sizeof(vcfg));
	vcfg.warn_close_wait = o->warn_close_wait;
	vcfg.warn_time_wait = o->warn_time_wait;
	vcfg.warn_syn_sent = o->warn_syn_sent;
	vcfg.delay_s = o->delay_s;
	vcfg.bundle_dir = o->bundle_dir;
	vcfg.utf8 = cw_term_utf8();
	cw_view_init(&t->view, &vcfg);
	if (apply_opts(&t->view, o, cause) < 0) {
		sink_free(t);
		return NULL;
	}
	t->tcfg.color = o->color && !(nc && nc[0]);
	t->tcfg.mouse = o->mouse;
	t->sink.ops = &ops;
	t->sink.self = t;
	t->sink.max_peers = 1000; /* the peers screen lists the busiest 1000 */
	return &t->sink;
}
