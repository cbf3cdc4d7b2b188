/* snapshot: allocation, references and lookups. */
#include "config.h"
#include "snapshot.h"
#include "util.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct cw_snapshot *cw_snapshot_new(void)
{
	struct cw_snapshot *s = cw_xcalloc(1, sizeof(*s));

	atomic_init(&s->refs, 1);
	s->schema = CW_SNAPSHOT_SCHEMA;
	return s;
}

/* Snapshots are built on the collector's thread and read on the UI's, so
 * the count is atomic. */
struct cw_snapshot *cw_snapshot_ref(struct cw_snapshot *s)
{
	if (s)
		atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

void cw_snapshot_unref(struct cw_snapshot *s)
{
	if (!s)
		return;
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	cw_arena_done(&s->arena);
	free(s);
}

const struct cw_ns_row *cw_snapshot_find(const struct cw_snapshot *s, uint64_t inode)
{
	size_t i;

	for (i = 0; i < s->nrows; i++)
		if (s->rows[i].inode == inode)
			return &s->rows[i];
	return NULL;
}

void cw_snapshot_totals(const struct cw_snapshot *s, struct cw_tcpcount *out)
{
	size_t i, k;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < s->nrows; i++) {
		if (!s->rows[i].has_exact)
			continue;
		for (k = 0; k < CW_TCP_NSTATES; k++)
			out->tcp[k] += s->rows[i].tcp.tcp[k];
		out->total += s->rows[i].tcp.total;
	}
}
