/* ticker: collection on the thread pool, at a fixed delay. */
#include "config.h"
#include "ticker.h"
#include "util.h"

#include <string.h>

static void start(struct cw_ticker *t);

static void maybe_stopped(struct cw_ticker *t)
{
	if (t->stopping && t->closed && !t->working && t->stopped) {
		void (*cb)(void *) = t->stopped;

		t->stopped = NULL;
		cb(t->arg);
	}
}

static void work_cb(uv_work_t *w)
{
	struct cw_ticker *t = w->data;

	t->result = t->produce(t->arg, &t->wants, cw_now_ms());
}

static void after_work_cb(uv_work_t *w, int status)
{
	struct cw_ticker *t = w->data;
	struct cw_snapshot *s = t->result;

	t->working = false;
	t->result = NULL;
	if (status == 0 && !t->stopping)
		t->done(t->arg, s);
	cw_snapshot_unref(s);
	if (t->stopping) {
		maybe_stopped(t);
		return;
	}
	if (t->missed)
		start(t);
}

static void start(struct cw_ticker *t)
{
	if (t->stopping)
		return;
	if (t->working) {
		t->missed = true;
		return;
	}
	t->missed = false;
	memset(&t->wants, 0, sizeof(t->wants));
	if (t->want)
		t->want(t->arg, &t->wants);
	t->working = true;
	uv_queue_work(t->timer.loop, &t->work, work_cb, after_work_cb);
}

static void on_timer(uv_timer_t *h)
{
	start(h->data);
}

void cw_ticker_init(struct cw_ticker *t, uv_loop_t *loop, uint64_t delay_ms,
		    cw_ticker_produce_fn produce, cw_ticker_want_fn want, cw_ticker_done_fn done,
		    void *arg)
{
	memset(t, 0, sizeof(*t));
	t->produce = produce;
	t->delay_ms = delay_ms ? delay_ms : 1;
	t->want = want;
	t->done = done;
	t->arg = arg;
	uv_timer_init(loop, &t->timer);
	t->timer.data = t->work.data = t;
}

void cw_ticker_start(struct cw_ticker *t)
{
	uv_timer_start(&t->timer, on_timer, 0, t->delay_ms);
}

/* While a tick runs, the next one is marked to follow it at once, so new
 * wants wait for one tick, not for a whole delay. */
void cw_ticker_kick(struct cw_ticker *t)
{
	start(t);
}

static void on_close(uv_handle_t *h)
{
	struct cw_ticker *t = h->data;

	t->closed = true;
	maybe_stopped(t);
}

void cw_ticker_stop(struct cw_ticker *t, void (*stopped)(void *arg))
{
	if (t->stopping)
		return;
	t->stopping = true;
	t->stopped = stopped;
	uv_close((uv_handle_t *)&t->timer, on_close);
}

const struct cw_wants *cw_ticker_wants(const struct cw_ticker *t)
{
	return &t->wants;
}
