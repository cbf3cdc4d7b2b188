/* ticker: runs the pipeline (collection, then history) on the libuv thread
 * pool, one tick at a time, every delay. The loop's own thread stays free
 * for keys, signals and output while a large node is walked. A tick that
 * overruns the delay is followed at once by the next (so the rate and the
 * budget hold), never by a pile-up. The app owns one. */
#ifndef CW_TICKER_H
#define CW_TICKER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "snapshot.h"

struct cw_ticker;

/* Makes one snapshot, on a worker thread; NULL when the source has no more
 * (the end of a replayed recording). */
typedef struct cw_snapshot *(*cw_ticker_produce_fn)(void *arg, const struct cw_wants *w,
						    int64_t now_ms);
/* Fills what the next tick should collect (may be NULL: nothing). */
typedef void (*cw_ticker_want_fn)(void *arg, struct cw_wants *w);
/* Receives each snapshot on the loop's thread; it is borrowed. NULL: the
 * producer had no more. */
typedef void (*cw_ticker_done_fn)(void *arg, struct cw_snapshot *s);

struct cw_ticker {
	uv_timer_t timer;
	uv_work_t work;
	bool working, missed, stopping, closed;
	cw_ticker_produce_fn produce;
	struct cw_wants wants;          /* what the running tick was asked */
	struct cw_snapshot *result;     /* written by the worker */
	cw_ticker_want_fn want;
	cw_ticker_done_fn done;
	void (*stopped)(void *arg);     /* after cw_ticker_stop: all finished */
	void *arg;
	uint64_t delay_ms;
};

void cw_ticker_init(struct cw_ticker *t, uv_loop_t *loop, uint64_t delay_ms,
		    cw_ticker_produce_fn produce, cw_ticker_want_fn want, cw_ticker_done_fn done,
		    void *arg);
/* The first tick at once, then every delay. */
void cw_ticker_start(struct cw_ticker *t);
/* A tick now, unless one is running: for a view that just asked for more. */
void cw_ticker_kick(struct cw_ticker *t);
/* Stops ticking and closes the timer; stopped(arg) is called once the timer
 * is closed and no tick runs any more. */
void cw_ticker_stop(struct cw_ticker *t, void (*stopped)(void *arg));
/* The wants of the running (or last) tick. */
const struct cw_wants *cw_ticker_wants(const struct cw_ticker *t);

#endif
