/* record_sink: snapshots into a recording file. */
#include "config.h"
#include "record_sink.h"
#include "recfile.h"
#include "util.h"

#include <stdlib.h>

struct record_sink {
	struct cw_sink sink;
	const struct cw_sink_host *host;
	const char *path;
	uint64_t max_bytes;
	unsigned keep;
	struct cw_recw *w;
	bool failing;          /* the last write failed: the note stands */
	bool wrote;            /* a snapshot went out */
};

/* A recording starts exact everywhere, as --json does. */
static void wants(void *self, struct cw_wants *w)
{
	struct record_sink *r = self;

	w->exact_all = !r->wrote;
}

static int start(void *self, const struct cw_sink_host *host, char **cause)
{
	struct record_sink *r = self;

	r->host = host;
	return cw_recw_open(&r->w, r->path, r->max_bytes, r->keep, cause);
}

static void publish(void *self, struct cw_snapshot *s)
{
	struct record_sink *r = self;
	char *cause = NULL;

	r->wrote = true;
	if (cw_recw_write(r->w, s, &cause) < 0) {
		r->host->note(r->host->app, "recording", cause);
		r->failing = true;
		free(cause);
		return;
	}
	if (r->failing) {
		r->host->note(r->host->app, "recording", NULL);
		r->failing = false;
	}
}

static void stop(void *self)
{
	struct record_sink *r = self;

	cw_recw_close(r->w);
	r->w = NULL;
}

static void sink_free(void *self)
{
	struct record_sink *r = self;

	cw_recw_close(r->w);
	free(r);
}

static const struct cw_sink_ops ops = {
	.name = "record",
	.start = start,
	.wants = wants,
	.publish = publish,
	.stop = stop,
	.free = sink_free,
};

struct cw_sink *cw_record_sink_new(const struct cw_opts *o)
{
	struct record_sink *r = cw_xcalloc(1, sizeof(*r));

	r->sink.ops = &ops;
	r->sink.self = r;
	r->path = o->record;
	r->max_bytes = (uint64_t)o->record_size_mb << 20;
	r->keep = o->record_keep;
	return &r->sink;
}
