/* sink: the one interface every output implements (the live view, JSON,
 * and later the recorder and the exporter). The app calls, on its loop's
 * thread:
 *   start    once, before the first tick: set up handles on the app's loop;
 *   wants    before each tick: add what the sink needs collected;
 *   publish  for each snapshot, in order: it is borrowed, so a sink that
 *            keeps it takes a reference;
 *   signal   for the extra signals the sink listed (SIGWINCH, ...);
 *   stop     once, when the app stops: close the sink's handles;
 *   free     after the loop has ended.
 * Several sinks run in one process and see the same snapshots. A sink ends
 * the run, or asks for an early tick, through the host it is started with. */
#ifndef CW_SINK_H
#define CW_SINK_H

#include <stddef.h>
#include <uv.h>

#include "snapshot.h"

/* What a sink may ask of the app that runs it, handed to start(). Sinks
 * reach the app only through this, so they depend on this header alone. */
struct cw_sink_host {
	uv_loop_t *loop;
	void *app;
	/* Ends the run with status rc (the first caller's status is kept). */
	void (*quit)(void *app, int rc);
	/* Ends the run with status 1 and a one-line cause, printed by the
	 * program once the terminal is back. */
	void (*fail)(void *app, const char *cause);
	/* The sink's wants changed: tick now if what the next tick needs differs. */
	void (*kick)(void *app);
	/* A problem the sink has that does not end the run (a full disk
	 * under the recorder), or NULL once it is over: the app puts it into
	 * the next snapshots (output_note) for the other sinks to show. */
	void (*note)(void *app, const char *sink, const char *msg);
};

struct cw_sink_ops {
	const char *name;
	/* 0, or -errno with a one-line *cause: the app then stops. The host
	 * outlives the sink's run. */
	int (*start)(void *self, const struct cw_sink_host *host, char **cause);
	void (*wants)(void *self, struct cw_wants *w);      /* optional */
	void (*publish)(void *self, struct cw_snapshot *s);
	void (*signal)(void *self, int signum);             /* optional */
	void (*stop)(void *self);
	void (*free)(void *self);
	const int *signals;   /* extra signals to deliver to signal(), 0-terminated; or NULL */
};

struct cw_sink {
	const struct cw_sink_ops *ops;
	void *self;
	size_t max_peers;     /* peers per namespace this sink needs; the app keeps the most asked */
	size_t fds;           /* descriptors the sink may hold at most (the exporter's
	                         connections): kept clear of the collector's fd budget */
};

#endif
