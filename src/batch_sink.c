/* batch_sink: snapshots as text tables. */
#include "config.h"
#include "batch_sink.h"
#include "json_schema.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The states in the order of the columns: the incident states first, as
 * in the live view, then the rest in the kernel's order. */
static const unsigned columns[] = {
	CW_TCP_ESTABLISHED, CW_TCP_SYN_SENT, CW_TCP_TIME_WAIT, CW_TCP_CLOSE_WAIT,
	CW_TCP_SYN_RECV,    CW_TCP_FIN_WAIT1, CW_TCP_FIN_WAIT2, CW_TCP_CLOSE,
	CW_TCP_LAST_ACK,    CW_TCP_LISTEN,   CW_TCP_CLOSING,
};

/* A state column is as wide as its name, and at least 7. */
static int width(size_t k)
{
	size_t n = strlen(cw_tcp_state_name(columns[k]));

	return n > 7 ? (int)n : 7;
}

/* One field: the text with every blank (and anything the sanitiser left
 * that is not printable ASCII or UTF-8) made '_'; "-" when empty. */
static void field(char *dst, size_t n, const char *src)
{
	size_t i;

	cw_sanitize(dst, n, src && *src ? src : "-");
	for (i = 0; dst[i]; i++)
		if ((unsigned char)dst[i] <= ' ' || dst[i] == 0x7f)
			dst[i] = '_';
}

int cw_batch_write(FILE *f, const struct cw_snapshot *s)
{
	char when[40], label[512];
	size_t i, k;
	int bad;

	errno = 0;
	cw_json_time(s->time_ms, when, sizeof(when));
	bad = fprintf(f, "%-24s %-11s %-12s", "TIME", "KIND", "INODE") < 0;
	for (k = 0; k < CW_ARRAY_LEN(columns) && !bad; k++)
		bad = fprintf(f, " %*s", width(k), cw_tcp_state_name(columns[k])) < 0;
	bad = bad || fprintf(f, " %10s %7s %9s %-15s %s\n", "TOTAL", "AGE_MS", "TW_AGE_MS", "FINDING",
			     "LABEL") < 0;
	for (i = 0; i < s->nrows && !bad; i++) {
		const struct cw_ns_row *r = &s->rows[i];
		const char *finding = r->finding ? cw_rule_name(s->findings[r->finding - 1].rule)
						 : "-";

		field(label, sizeof(label), r->label);
		bad = fprintf(f, "%s %-11s %-12" PRIu64, when,
			      r->vanished ? "vanished" : cw_kind_name(r->kind), r->inode) < 0;
		for (k = 0; k < CW_ARRAY_LEN(columns) && !bad; k++) {
			if (r->has_exact)
				bad = fprintf(f, " %*" PRIu32, width(k), r->tcp.tcp[columns[k]]) < 0;
			else
				bad = fprintf(f, " %*s", width(k), "-") < 0;
		}
		if (bad)
			break;
		/* TIME_WAIT's own age: 0 when it came from this tick's
		 * counters, though the other states are AGE_MS old. */
		if (r->has_exact)
			bad = fprintf(f, " %10" PRIu32 " %7" PRId64 " %9" PRId64, r->tcp.total,
				      r->exact_age_ms, r->tw_current ? 0 : r->exact_age_ms) < 0;
		else
			bad = fprintf(f, " %10s %7s %9s", "-", "-", "-") < 0;
		bad = bad || fprintf(f, " %-15s %s\n", finding, label) < 0;
	}
	bad = bad || fputc('\n', f) == EOF || fflush(f) == EOF;
	return bad ? -(errno ? errno : EIO) : 0;
}

struct batch_sink {
	struct cw_sink sink;
	const struct cw_sink_host *host;
	FILE *out;
	long remaining;         /* -1: until stopped */
	bool published;         /* a table went out */
};

/* The first table is exact everywhere, whatever the budget. */
static void wants(void *self, struct cw_wants *w)
{
	struct batch_sink *b = self;

	w->exact_all = !b->published;
}

static int start(void *self, const struct cw_sink_host *host, char **cause)
{
	struct batch_sink *b = self;

	(void)cause;
	b->host = host;
	return 0;
}

static void publish(void *self, struct cw_snapshot *s)
{
	struct batch_sink *b = self;
	int e;

	b->published = true;
	e = -cw_batch_write(b->out, s);

	if (e == EPIPE) {
		b->host->quit(b->host->app, 0);
		return;
	}
	if (e) {
		char msg[200];

		snprintf(msg, sizeof(msg), "writing output: %s", strerror(e));
		b->host->fail(b->host->app, msg);
		return;
	}
	if (b->remaining > 0 && --b->remaining == 0)
		b->host->quit(b->host->app, 0);
}

static void stop(void *self)
{
	(void)self;
}

static void sink_free(void *self)
{
	free(self);
}

static const struct cw_sink_ops ops = {
	.name = "batch",
	.start = start,
	.wants = wants,
	.publish = publish,
	.stop = stop,
	.free = sink_free,
};

struct cw_sink *cw_batch_sink_new(const struct cw_opts *o, FILE *out)
{
	struct batch_sink *b = cw_xcalloc(1, sizeof(*b));

	b->sink.ops = &ops;
	b->sink.self = b;
	b->sink.max_peers = 0;
	b->out = out;
	b->remaining = o->count_set ? o->count : -1;
	return &b->sink;
}
