/* json_sink: snapshots as JSON lines. */
#include "config.h"
#include "json_sink.h"
#include "json_out.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct json_sink {
	struct cw_sink sink;
	const struct cw_sink_host *host;
	FILE *out;
	const char *sockets;      /* --sockets: a label or an inode */
	uint64_t sockets_id;   /* ... resolved */
	bool sockets_info;
	long remaining;
	bool published;         /* a document went out */
};

static int start(void *self, const struct cw_sink_host *host, char **cause)
{
	struct json_sink *j = self;

	j->host = host;
	return 0;
}

static void wants(void *self, struct cw_wants *w)
{
	struct json_sink *j = self;

	w->sockets_id = j->sockets_id;
	w->sockets_info = j->sockets_info;
	/* The first document is exact everywhere, whatever the budget. */
	w->exact_all = !j->published;
}

/* --sockets takes an inode or a label; a label is known only after a tick,
 * so that snapshot is taken again with it. */
static bool resolve_sockets(struct json_sink *j, const struct cw_snapshot *s)
{
	size_t i;

	if (!j->sockets || j->sockets_id)
		return false;
	for (i = 0; i < s->nrows; i++)
		if (!s->rows[i].vanished && strcmp(s->rows[i].label, j->sockets) == 0)
			j->sockets_id = s->rows[i].id;
	return j->sockets_id != 0;
}

static void publish(void *self, struct cw_snapshot *s)
{
	struct json_sink *j = self;
	int e;

	if (resolve_sockets(j, s)) {
		j->host->kick(j->host->app);
		return;
	}
	/* Row by row: a huge node never needs the whole text in memory. A
	 * reader that went away (| head) ends us quietly. */
	j->published = true;
	e = -cw_json_write(j->out, s);
	if (e == EPIPE) {
		j->host->quit(j->host->app, 0);
		return;
	}
	if (e) {
		char msg[200];

		snprintf(msg, sizeof(msg), "writing output: %s", strerror(e));
		j->host->fail(j->host->app, msg);
		return;
	}
	if (j->remaining > 0 && --j->remaining == 0)
		j->host->quit(j->host->app, 0);
}

static void stop(void *self)
{
}

static void sink_free(void *self)
{
	free(self);
}

static const struct cw_sink_ops ops = {
	.name = "json",
	.start = start,
	.wants = wants,
	.publish = publish,
	.stop = stop,
	.free = sink_free,
};

struct cw_sink *cw_json_sink_new(const struct cw_opts *o, FILE *out)
{
	struct json_sink *j = cw_xcalloc(1, sizeof(*j));
	uint64_t inode;

	j->sink.ops = &ops;
	j->sink.self = j;
	j->sink.max_peers = o->peers;
	j->out = out;
	/* A replay prints the whole recording unless told how many. */
	j->remaining = o->replay && !o->count_set ? -1 : o->count;
	j->sockets = o->sockets;
	j->sockets_info = o->sockets_info;
	if (j->sockets && cw_parse_u64(j->sockets, &inode))
		j->sockets_id = inode;
	return &j->sink;
}
