/* app: the loop, the ticker, the signals, the sinks and the shutdown. */
#include "config.h"
#include "app.h"
#include "findings.h"
#include "history.h"
#include "replay.h"
#include "privs.h"
#include "ticker.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CW_APP_MAXSIGS 8

struct cw_app {
	uv_loop_t loop;
	bool loop_ready;
	struct cw_ticker ticker;
	bool ticker_ready;
	uv_signal_t sig[CW_APP_MAXSIGS];
	int signum[CW_APP_MAXSIGS];
	size_t nsig;
	struct cw_sink *sinks[CW_APP_MAXSINKS];
	bool started[CW_APP_MAXSINKS];
	size_t nsinks;
	struct cw_collector_cfg cfg;
	uint64_t delay_ms;
	unsigned history_min;
	struct cw_collector *col;
	struct cw_history *hist;
	struct cw_findings_conf fconf;
	struct cw_findings *findings;
	const char *replay_path;       /* --replay: the source is a recording */
	struct cw_replay *replay;
	size_t replay_next;            /* the next line, when no view steers */
	bool replay_end;               /* the last line was given */
	char *replay_err;              /* why the recording could not be read on, or NULL */
	char *out_note;                /* a sink's standing problem, or NULL */
	bool stopping, publishing;
	int rc;
	char *fail;            /* why a sink ended the run, or NULL */
	struct cw_sink_host host;
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
	cfg->events = o->bpf;
}

struct cw_app *cw_app_new(const struct cw_opts *o)
{
	struct cw_app *a = cw_xcalloc(1, sizeof(*a));

	cw_app_collector_cfg(o, &a->cfg);
	a->delay_ms = (uint64_t)(o->delay_s * 1000.0 + 0.5);
	a->history_min = o->history_min;
	a->fconf.procfs = o->procfs;
	a->fconf.close_wait = o->warn_close_wait;
	a->fconf.time_wait = o->warn_time_wait;
	a->fconf.syn_sent = o->warn_syn_sent;
	a->replay_path = o->replay;
	if (a->replay_path && o->mode != CW_MODE_TUI)
		a->delay_ms = 1; /* as fast as the outputs take it; the view plays at --delay */
	return a;
}

void cw_app_add_sink(struct cw_app *a, struct cw_sink *s)
{
	if (a->nsinks == CW_APP_MAXSINKS)
		cw_fatal("too many outputs (at most %d)", CW_APP_MAXSINKS);
	a->sinks[a->nsinks++] = s;
	if (s->max_peers > a->cfg.max_peers)
		a->cfg.max_peers = s->max_peers;
	a->cfg.fd_reserve += s->fds;
}

/* The recorded snapshot to show next: the one a view asks for, or else the
 * next in order; NULL at the end or on an error (then replay_err names
 * the line). The recording already holds what the history and findings
 * stages wrote, so they do not run again. */
static struct cw_snapshot *replay_next(struct cw_app *a, const struct cw_wants *w)
{
	struct cw_snapshot *s;
	size_t i;
	char *cause = NULL;

	if (a->replay_err)
		return NULL;
	if (w->replay_steer && w->replay_time_ms) {
		i = cw_replay_find(a->replay, w->replay_time_ms);
	} else if (w->replay_steer) {
		i = w->replay_index < cw_replay_count(a->replay) ? w->replay_index
								 : cw_replay_count(a->replay) - 1;
	} else {
		if (a->replay_next >= cw_replay_count(a->replay))
			return NULL;
		i = a->replay_next++;
	}
	s = cw_replay_read(a->replay, i, &cause);
	if (!s)
		a->replay_err = cause;
	else
		s->replay.gen = w->replay_gen;
	return s;
}

/* Runs on a worker thread: one tick of the pipeline. */
static struct cw_snapshot *produce(void *arg, const struct cw_wants *w, int64_t now_ms)
{
	struct cw_app *a = arg;
	struct cw_snapshot *s;

	if (a->replay)
		return replay_next(a, w);
	s = cw_collector_tick(a->col, w, now_ms);

	cw_history_apply(a->hist, s);
	cw_findings_apply(a->findings, s);
	return s;
}

static void merged_wants(struct cw_app *a, struct cw_wants *w)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < a->nsinks; i++) {
		struct cw_wants one;

		if (!a->started[i] || !a->sinks[i]->ops->wants)
			continue;
		memset(&one, 0, sizeof(one));
		a->sinks[i]->ops->wants(a->sinks[i]->self, &one);
		cw_wants_merge(w, &one);
	}
}

static void want(void *arg, struct cw_wants *w)
{
	merged_wants(arg, w);
}

static void app_quit(void *arg, int rc);
static void app_fail(void *arg, const char *cause);

static void stop_sinks(struct cw_app *a)
{
	size_t i;

	/* In reverse: the live view, started last, gives the terminal back first. */
	for (i = a->nsinks; i-- > 0;)
		if (a->started[i]) {
			a->started[i] = false;
			a->sinks[i]->ops->stop(a->sinks[i]->self);
		}
}

/* Every started sink gets the snapshot, even when one of them ends the run
 * on it: a recorder keeps the last tick the screen showed. */
static void publish(void *arg, struct cw_snapshot *s)
{
	struct cw_app *a = arg;
	size_t i;

	if (!s) {
		/* The recording is over, or cannot be read on. */
		if (a->replay_err)
			app_fail(a, a->replay_err);
		else
			app_quit(a, 0);
		return;
	}
	if (a->out_note)
		s->output_note = cw_arena_strdup(&s->arena, a->out_note);
	a->publishing = true;
	for (i = 0; i < a->nsinks; i++)
		if (a->started[i])
			a->sinks[i]->ops->publish(a->sinks[i]->self, s);
	a->publishing = false;
	if (a->stopping)
		stop_sinks(a);
}

static void app_kick(void *arg)
{
	struct cw_app *a = arg;
	const struct cw_wants *q = cw_ticker_wants(&a->ticker);
	struct cw_wants w;

	if (a->stopping || !a->ticker_ready)
		return;
	merged_wants(a, &w);
	if (w.focus_id != q->focus_id || w.sockets_id != q->sockets_id ||
	    w.sockets_info != q->sockets_info || w.exact_all != q->exact_all ||
	    w.replay_steer != q->replay_steer ||
	    w.replay_index != q->replay_index || w.replay_time_ms != q->replay_time_ms ||
	    w.replay_gen != q->replay_gen)
		cw_ticker_kick(&a->ticker);
}

static void app_quit(void *arg, int rc)
{
	struct cw_app *a = arg;
	size_t i;

	if (a->stopping)
		return;
	a->stopping = true;
	a->rc = rc;
	if (a->ticker_ready)
		cw_ticker_stop(&a->ticker, NULL);
	for (i = 0; i < a->nsig; i++)
		uv_close((uv_handle_t *)&a->sig[i], NULL);
	if (!a->publishing)
		stop_sinks(a);
}

static void app_fail(void *arg, const char *cause)
{
	struct cw_app *a = arg;

	if (a->stopping)
		return;
	a->fail = cw_xstrdup(cause);
	app_quit(a, 1);
}

static void app_note(void *arg, const char *sink, const char *msg)
{
	struct cw_app *a = arg;

	free(a->out_note);
	a->out_note = msg ? cw_xasprintf("%s: %s", sink, msg) : NULL;
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct cw_app *a = h->data;
	size_t i;

	if (signum == SIGINT || signum == SIGTERM || signum == SIGHUP) {
		app_quit(a, 128 + signum);
		return;
	}
	for (i = 0; i < a->nsinks; i++) {
		const struct cw_sink_ops *ops = a->sinks[i]->ops;
		const int *p;

		if (!a->started[i] || !ops->signal || !ops->signals)
			continue;
		for (p = ops->signals; *p; p++)
			if (*p == signum)
				ops->signal(a->sinks[i]->self, signum);
	}
}

static void add_signal(struct cw_app *a, int signum)
{
	size_t i;

	for (i = 0; i < a->nsig; i++)
		if (a->signum[i] == signum)
			return;
	if (a->nsig == CW_APP_MAXSIGS)
		cw_fatal("too many signals");
	uv_signal_init(&a->loop, &a->sig[a->nsig]);
	a->sig[a->nsig].data = a;
	uv_signal_start(&a->sig[a->nsig], on_signal, signum);
	a->signum[a->nsig++] = signum;
}

int cw_app_run(struct cw_app *a, char **cause)
{
	size_t i;
	const int *p;
	int r;

	if (a->replay_path)
		r = cw_replay_open(&a->replay, a->replay_path, cause);
	else
		r = cw_collector_new(&a->col, &a->cfg, cause);
	if (r < 0)
		return 1;
	/* The collector is set up; keep only what new namespaces will need,
	 * before the thread pool starts so its threads inherit the reduced
	 * sets. Reducing them needs no privilege, so this cannot leave us
	 * with too few; on an error the run goes on with what it has. */
	cw_privs_drop(a->col && cw_collector_events_wanted(a->col), NULL);
	a->hist = cw_history_new(CW_HISTORY_LINGER_MS, a->history_min);
	a->findings = cw_findings_new(&a->fconf);
	/* A closed pipe is an error from write(), not a signal that kills. */
	signal(SIGPIPE, SIG_IGN);
	if (uv_loop_init(&a->loop) != 0) {
		cw_cause(cause, -EIO, "cannot start the event loop");
		return 1;
	}
	a->loop_ready = true;
	/* Signals before the sinks start, so curses does not install its own
	 * SIGWINCH handler. */
	add_signal(a, SIGINT);
	add_signal(a, SIGTERM);
	add_signal(a, SIGHUP);
	for (i = 0; i < a->nsinks; i++)
		for (p = a->sinks[i]->ops->signals; p && *p; p++)
			add_signal(a, *p);
	a->host.loop = &a->loop;
	a->host.app = a;
	a->host.quit = app_quit;
	a->host.fail = app_fail;
	a->host.kick = app_kick;
	a->host.note = app_note;
	cw_ticker_init(&a->ticker, &a->loop, a->delay_ms, produce, want, publish, a);
	a->ticker_ready = true;
	for (i = 0; i < a->nsinks; i++) {
		r = a->sinks[i]->ops->start(a->sinks[i]->self, &a->host, cause);
		if (r < 0) {
			app_quit(a, 1);
			break;
		}
		a->started[i] = true;
	}
	if (!a->stopping)
		cw_ticker_start(&a->ticker);
	uv_run(&a->loop, UV_RUN_DEFAULT);
	r = uv_loop_close(&a->loop);
	a->loop_ready = false;
	if (r != 0) {
		if (cause) {
			free(*cause);
			*cause = NULL;
		}
		cw_cause(cause, -EBUSY, "event loop left open handles: %s", uv_strerror(r));
		return 1;
	}
	if (a->fail && cause) {
		free(*cause);
		*cause = a->fail;
		a->fail = NULL;
	} else if (a->replay && cw_replay_partial(a->replay) && cause && !*cause) {
		/* Not an error: a recording killed mid-line is read to its last
		 * whole one. Said once, after the output. */
		*cause = cw_xasprintf("%s: the last line was cut short (%zu bytes ignored)",
				      a->replay_path, cw_replay_partial(a->replay));
	}
	return a->rc;
}

void cw_app_free(struct cw_app *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nsinks; i++)
		a->sinks[i]->ops->free(a->sinks[i]->self);
	cw_history_free(a->hist);
	cw_findings_free(a->findings);
	cw_collector_free(a->col);
	cw_replay_close(a->replay);
	free(a->replay_err);
	free(a->out_note);
	free(a->fail);
	free(a);
}
