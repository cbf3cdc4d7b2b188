/* history: rings of recent counts. */
#include "config.h"
#include "history.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cw_history_init(struct cw_history *h)
{
	memset(h, 0, sizeof(*h));
}

void cw_history_done(struct cw_history *h)
{
	cw_strmap_done(&h->ns, free);
}

uint32_t cw_tcpcount_get(const struct cw_tcpcount *c, unsigned slot)
{
	if (slot == CW_HIST_TOTAL)
		return c->total;
	return slot < CW_TCP_NSTATES ? c->tcp[slot] : 0;
}

static void ring_push(struct cw_hist_ring *r, int64_t t, const struct cw_tcpcount *c)
{
	unsigned k;

	r->t[r->head] = t;
	for (k = 0; k < CW_TCP_NSTATES; k++)
		r->v[r->head][k] = cw_tcpcount_get(c, k);
	r->head = (r->head + 1) % CW_HISTORY_LEN;
	if (r->n < CW_HISTORY_LEN)
		r->n++;
}

static void key_of(uint64_t inode, char *buf, size_t n)
{
	snprintf(buf, n, "%" PRIu64, inode);
}

const struct cw_hist_ns *cw_history_get(const struct cw_history *h, uint64_t inode)
{
	char key[32];

	key_of(inode, key, sizeof(key));
	return cw_strmap_get(&h->ns, key);
}

void cw_history_push(struct cw_history *h, const struct cw_snapshot *s, int64_t forget_ms)
{
	struct cw_tcpcount totals;
	char key[32];
	size_t i, ndel = 0, capdel = 0;
	uint64_t *del = NULL;

	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *r = &s->rows[i];
		struct cw_hist_ns *n;

		key_of(r->inode, key, sizeof(key));
		n = cw_strmap_get(&h->ns, key);
		if (!n) {
			n = cw_xcalloc(1, sizeof(*n));
			n->inode = r->inode;
			n->first_ms = s->time_ms;
			cw_strmap_put(&h->ns, key, n);
		}
		n->last_ms = s->time_ms;
		n->kind = r->kind;
		snprintf(n->label, sizeof(n->label), "%s", r->label ? r->label : "");
		if (r->has_exact) {
			n->last = r->tcp;
			ring_push(&n->ring, s->time_ms, &r->tcp);
		}
	}
	cw_snapshot_totals(s, &totals);
	ring_push(&h->node, s->time_ms, &totals);
	h->last_ms = s->time_ms;

	for (i = 0; i < h->ns.cap; i++) {
		const struct cw_hist_ns *n = h->ns.slots[i].val;

		if (h->ns.slots[i].key && s->time_ms - n->last_ms > forget_ms) {
			cw_xgrow((void **)&del, &capdel, ndel + 1, sizeof(*del));
			del[ndel++] = n->inode;
		}
	}
	for (i = 0; i < ndel; i++) {
		key_of(del[i], key, sizeof(key));
		free(cw_strmap_del(&h->ns, key));
	}
	free(del);
}

size_t cw_hist_series(const struct cw_hist_ring *r, unsigned slot, uint32_t *out, size_t max)
{
	size_t i, n = r->n < max ? r->n : max;
	size_t start = (r->head + CW_HISTORY_LEN - n) % CW_HISTORY_LEN;

	if (slot >= CW_TCP_NSTATES)
		return 0;
	for (i = 0; i < n; i++)
		out[i] = r->v[(start + i) % CW_HISTORY_LEN][slot];
	return n;
}

double cw_hist_rate(const struct cw_hist_ring *r, unsigned slot)
{
	size_t a, b;
	int64_t dt;

	if (r->n < 2 || slot >= CW_TCP_NSTATES)
		return 0;
	b = (r->head + CW_HISTORY_LEN - 1) % CW_HISTORY_LEN;
	a = (r->head + CW_HISTORY_LEN - 2) % CW_HISTORY_LEN;
	dt = r->t[b] - r->t[a];
	if (dt <= 0)
		return 0;
	return ((double)r->v[b][slot] - (double)r->v[a][slot]) * 1000.0 / (double)dt;
}

void cw_history_each_gone(const struct cw_history *h, const struct cw_snapshot *s, int64_t linger_ms,
			  void (*fn)(const struct cw_hist_ns *ns, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < h->ns.cap; i++) {
		const struct cw_hist_ns *n = h->ns.slots[i].val;

		if (h->ns.slots[i].key && n->last_ms < s->time_ms && s->time_ms - n->last_ms <= linger_ms)
			fn(n, arg);
	}
}
