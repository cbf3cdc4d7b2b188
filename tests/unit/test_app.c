/* test_app: the app runs the real pipeline over this machine's /proc and
 * hands every snapshot to every sink: two sinks in one process see the same
 * snapshots, in the same order; a sink ends the run; a signal ends it with
 * 128 + the signal; a sink that fails to start stops the others; the
 * wants of several sinks are merged. Every run must close its loop. */
#include "config.h"
#include "app.h"
#include "tap.h"
#include "util.h"

#include <signal.h>

#define MAXSEEN 16

struct rec {
	struct cw_sink sink;
	const struct cw_sink_host *host;
	struct cw_snapshot *seen[MAXSEEN];
	size_t nseen;
	int quit_after;      /* 0: never */
	int raise_after;     /* raise(SIGTERM) after this many; 0: never */
	int fail_start;      /* start fails with this -errno */
	bool started, stopped;
	uint64_t want_focus;
	int signals_seen;
};

static int rec_start(void *self, const struct cw_sink_host *host, char **cause)
{
	struct rec *r = self;

	r->host = host;
	if (r->fail_start)
		return cw_cause(cause, r->fail_start, "sink refuses to start");
	r->started = true;
	return 0;
}

static void rec_wants(void *self, struct cw_wants *w)
{
	struct rec *r = self;

	w->focus_id = r->want_focus;
	/* As --json does: the first snapshot exact everywhere. */
	w->exact_all = r->nseen == 0;
}

static void rec_publish(void *self, struct cw_snapshot *s)
{
	struct rec *r = self;

	if (r->nseen < MAXSEEN)
		r->seen[r->nseen++] = cw_snapshot_ref(s);
	if (r->quit_after && (int)r->nseen == r->quit_after)
		r->host->quit(r->host->app, 0);
	if (r->raise_after && (int)r->nseen == r->raise_after)
		raise(SIGTERM);
}

static void rec_stop(void *self)
{
	struct rec *r = self;

	r->stopped = true;
}

static void rec_free(void *self)
{
	(void)self; /* owned by the test */
}

static const struct cw_sink_ops rec_ops = {
	.name = "rec",
	.start = rec_start,
	.wants = rec_wants,
	.publish = rec_publish,
	.stop = rec_stop,
	.free = rec_free,
};

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->sink.ops = &rec_ops;
	r->sink.self = r;
}

static void rec_done(struct rec *r)
{
	size_t i;

	for (i = 0; i < r->nseen; i++)
		cw_snapshot_unref(r->seen[i]);
}

static struct cw_app *new_app(void)
{
	struct cw_opts o;

	cw_opts_defaults(&o);
	o.delay_s = 0.05;
	return cw_app_new(&o);
}

int main(void)
{
	struct rec a, b;
	struct cw_app *app;
	char *cause = NULL;
	size_t i;
	int rc;
	bool same = true;

	/* Two sinks, one process. */
	rec_init(&a);
	rec_init(&b);
	a.quit_after = 3;
	app = new_app();
	cw_app_add_sink(app, &a.sink);
	cw_app_add_sink(app, &b.sink);
	rc = cw_app_run(app, &cause);
	is_int(rc, 0, "a sink ends the run with status 0 (%s)", cause ? cause : "no cause");
	is_int(a.nseen, 3, "the first sink got 3 snapshots");
	is_int(b.nseen, 3, "the second sink got the same number");
	for (i = 0; i < a.nseen && i < b.nseen; i++)
		same &= a.seen[i] == b.seen[i];
	ok(same, "both got the very same snapshots, in the same order");
	ok(a.nseen == 3 && a.seen[0]->time_ms < a.seen[1]->time_ms &&
	   a.seen[1]->time_ms < a.seen[2]->time_ms, "in time order");
	/* A sink asked for an exact first snapshot: every row then has a
	 * series, and the history stage dated it. */
	ok(a.nseen == 3 && a.seen[0]->nrows >= 1 && a.seen[0]->rows[0].series != NULL &&
	   a.seen[0]->rows[0].first_seen_ms == a.seen[0]->time_ms && a.seen[0]->collector.exact_all,
	   "snapshots went through the history stage");
	ok(a.stopped && b.stopped, "both sinks were stopped");
	cw_app_free(app);
	free(cause);
	cause = NULL;
	rec_done(&a);
	rec_done(&b);

	/* A signal ends the run with 128 + the signal, and the loop closes. */
	rec_init(&a);
	a.raise_after = 2;
	app = new_app();
	cw_app_add_sink(app, &a.sink);
	rc = cw_app_run(app, &cause);
	is_int(rc, 128 + SIGTERM, "SIGTERM ends the run with 143 (%s)", cause ? cause : "clean");
	ok(a.nseen >= 2 && a.stopped, "the sink saw its snapshots and was stopped");
	cw_app_free(app);
	free(cause);
	cause = NULL;
	rec_done(&a);

	/* A sink that cannot start: the run ends with 1 and its cause; a sink
	 * started before it is stopped, and no snapshot is published. */
	rec_init(&a);
	rec_init(&b);
	b.fail_start = -ENOTTY;
	app = new_app();
	cw_app_add_sink(app, &a.sink);
	cw_app_add_sink(app, &b.sink);
	rc = cw_app_run(app, &cause);
	is_int(rc, 1, "a failed start: status 1");
	is_str(cause, "sink refuses to start", "... with the sink's cause");
	ok(a.started && a.stopped && !b.started, "the started sink was stopped");
	is_int(a.nseen, 0, "no snapshot was published");
	cw_app_free(app);
	free(cause);
	cause = NULL;
	rec_done(&a);
	rec_done(&b);

	/* Wants of several sinks are merged. */
	{
		struct cw_wants w = {0}, x = {.focus_id = 7, .sockets_id = 9, .sockets_info = false},
				y = {.focus_id = 8, .sockets_id = 9, .sockets_info = true},
				z = {.sockets_id = 11, .sockets_info = false};

		cw_wants_merge(&w, &x);
		cw_wants_merge(&w, &y);
		cw_wants_merge(&w, &z);
		is_int(w.focus_id, 7, "merge: the first focus is kept");
		is_int(w.sockets_id, 9, "merge: the first socket list asked is kept");
		ok(w.sockets_info, "merge: tcp_info when any sink wants it for that namespace");
		ok(!w.exact_all, "merge: nobody asked for all exact");
		z.exact_all = true;
		cw_wants_merge(&w, &z);
		ok(w.exact_all, "merge: all exact when any sink asks");
	}
	return tap_done();
}
