/* history: rings of recent counts and the previous counters, per namespace. */
#include "config.h"
#include "history.h"
#include "map.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct ring {
	int64_t t[CW_SERIES_LEN];
	uint32_t v[CW_SERIES_LEN][CW_TCP_NSTATES];
	size_t head, n;   /* head: next write; n: samples held */
};

/* The longer history: one sample per CW_TREND_STEP_MS, the latest exact
 * count of that step; cap samples (--history minutes). */
struct trend {
	size_t head, n, cap;
	int64_t *t;
	uint32_t (*v)[CW_TCP_NSTATES];
};

/* What a namespace's history holds once it had an exact count. */
struct exact_hist {
	struct ring ring;              /* one sample per tick with exact counts */
	struct trend trend;
	int64_t ex_t[2];               /* the last two distinct exact samples: */
	struct cw_tcpcount ex[2];      /* [1] the latest */
	size_t nex;
};

/* Kept small: there is one per row, and a node may have a great many rows
 * that are never dumped or whose counters cannot be read. */
struct hist_ns {
	uint64_t inode;                /* the row id (cw_ns_row.id) */
	int64_t first_ms, last_ms;     /* first and latest snapshot it was in */
	struct exact_hist *ex;         /* NULL before the first exact count */
	struct cw_counters *counters;  /* the last counters read (NULL before any), */
	int64_t counters_ms;           /* ... and when */
	size_t last_row;               /* its row in the previous snapshot, while live */
	struct cw_arena keep;          /* once gone: its last row, copied, */
	struct cw_ns_row *gone;        /* ... for the linger time */
};

struct cw_history {
	struct cw_imap ns;             /* row id -> struct hist_ns */
	struct ring node;
	int64_t linger_ms;
	size_t trend_cap;              /* samples of the longer history */
	struct cw_snapshot *prev;      /* the previous snapshot: a row that vanishes is copied
	                                  from there once, so no old snapshot is kept */
};

static void ns_free(void *v)
{
	struct hist_ns *n = v;

	cw_arena_done(&n->keep);
	if (n->ex) {
		free(n->ex->trend.t);
		free(n->ex->trend.v);
	}
	free(n->ex);
	free(n->counters);
	free(n);
}

struct cw_history *cw_history_new(int64_t linger_ms, unsigned history_min)
{
	struct cw_history *h = cw_xcalloc(1, sizeof(*h));

	h->linger_ms = linger_ms;
	h->trend_cap = (size_t)history_min * 60000 / CW_TREND_STEP_MS;
	if (h->trend_cap < 2)
		h->trend_cap = 2;
	return h;
}

void cw_history_free(struct cw_history *h)
{
	if (!h)
		return;
	cw_imap_done(&h->ns, ns_free);
	cw_snapshot_unref(h->prev);
	free(h);
}

static void ring_push(struct ring *r, int64_t t, const struct cw_tcpcount *c)
{
	unsigned k;


	r->t[r->head] = t;
	for (k = 0; k < CW_TCP_NSTATES; k++)
		r->v[r->head][k] = cw_tcpcount_get(c, k);
	r->head = (r->head + 1) % CW_SERIES_LEN;
	if (r->n < CW_SERIES_LEN)
		r->n++;
}

/* The ring, oldest first, in the snapshot's arena: only the samples it
 * holds, so a row with little history costs little. */
static const struct cw_series *ring_copy(struct cw_arena *a, const struct ring *r)
{
	struct cw_series *s;
	int64_t *t;
	uint32_t (*v)[CW_TCP_NSTATES];
	size_t i, start;

	if (!r || !r->n)
		return NULL;
	s = cw_arena_alloc(a, sizeof(*s));
	t = cw_arena_alloc(a, r->n * sizeof(*t));
	v = cw_arena_alloc(a, r->n * sizeof(*v));
	start = (r->head + CW_SERIES_LEN - r->n) % CW_SERIES_LEN;
	for (i = 0; i < r->n; i++) {
		size_t j = (start + i) % CW_SERIES_LEN;

		t[i] = r->t[j];
		memcpy(v[i], r->v[j], sizeof(v[i]));
	}
	s->n = r->n;
	s->t = t;
	s->v = (const uint32_t (*)[CW_TCP_NSTATES])v;
	return s;
}

static void trend_init(struct trend *tr, size_t cap)
{
	tr->cap = cap;
	tr->t = cw_xcalloc(cap, sizeof(*tr->t));
	tr->v = cw_xcalloc(cap, sizeof(*tr->v));
}

/* Keeps the latest exact count of each step: a sample in the same step as
 * the newest replaces it. */
static void trend_push(struct trend *tr, int64_t t, const struct cw_tcpcount *c)
{
	size_t at;
	unsigned k;

	if (tr->n && cw_floor_div(tr->t[(tr->head + tr->cap - 1) % tr->cap], CW_TREND_STEP_MS) ==
			     cw_floor_div(t, CW_TREND_STEP_MS)) {
		at = (tr->head + tr->cap - 1) % tr->cap;
	} else {
		at = tr->head;
		tr->head = (tr->head + 1) % tr->cap;
		if (tr->n < tr->cap)
			tr->n++;
	}
	tr->t[at] = t;
	for (k = 0; k < CW_TCP_NSTATES; k++)
		tr->v[at][k] = cw_tcpcount_get(c, k);
}

static const struct cw_series *trend_copy(struct cw_arena *a, const struct trend *tr)
{
	struct cw_series *s;
	int64_t *t;
	uint32_t (*v)[CW_TCP_NSTATES];
	size_t i, start;

	if (!tr->n)
		return NULL;
	s = cw_arena_alloc(a, sizeof(*s));
	t = cw_arena_alloc(a, tr->n * sizeof(*t));
	v = cw_arena_alloc(a, tr->n * sizeof(*v));
	start = (tr->head + tr->cap - tr->n) % tr->cap;
	for (i = 0; i < tr->n; i++) {
		t[i] = tr->t[(start + i) % tr->cap];
		memcpy(v[i], tr->v[(start + i) % tr->cap], sizeof(v[i]));
	}
	s->n = tr->n;
	s->t = t;
	s->v = (const uint32_t (*)[CW_TCP_NSTATES])v;
	return s;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The median of each slot over the trend, once it covers a third of the
 * history window (5 minutes by default): a younger namespace has no
 * baseline rather than one made of its first moments. */
static bool trend_baseline(const struct trend *tr, double *out)
{
	uint32_t vals[CW_HISTORY_MAX_MIN * 60000 / CW_TREND_STEP_MS];
	size_t need = tr->cap / 3 > 6 ? tr->cap / 3 : 6, i;
	unsigned k;

	if (tr->n < need || tr->n > CW_ARRAY_LEN(vals))
		return false;
	for (k = 0; k < CW_TCP_NSTATES; k++) {
		for (i = 0; i < tr->n; i++)
			vals[i] = tr->v[i][k];
		qsort(vals, tr->n, sizeof(vals[0]), cmp_u32);
		out[k] = tr->n % 2 ? vals[tr->n / 2]
				   : ((double)vals[tr->n / 2 - 1] + (double)vals[tr->n / 2]) / 2.0;
	}
	return true;
}

/* Records an exact sample taken at t, unless it is the one already held
 * (a row not dumped this tick carries its previous counts). */
static void exact_push(struct exact_hist *n, int64_t t, const struct cw_tcpcount *c)
{
	if (n->nex && n->ex_t[1] == t)
		return;
	n->ex_t[0] = n->ex_t[1];
	n->ex[0] = n->ex[1];
	n->ex_t[1] = t;
	n->ex[1] = *c;
	if (n->nex < 2)
		n->nex++;
}

/* Change per second of every slot between the last two exact samples: the
 * dump budget may leave several ticks between them. */
static bool exact_change(const struct exact_hist *n, double *out)
{
	int64_t dt;
	unsigned k;

	if (!n)
		return false;
	dt = n->ex_t[1] - n->ex_t[0];
	if (n->nex < 2 || dt <= 0)
		return false;
	for (k = 0; k < CW_TCP_NSTATES; k++)
		out[k] = ((double)cw_tcpcount_get(&n->ex[1], k) - (double)cw_tcpcount_get(&n->ex[0], k)) *
			 1000.0 / (double)dt;
	return true;
}

/* Per second; a counter that went backwards (a namespace reused, a reset)
 * gives no rate rather than a wrapped one. */
static bool rate(uint64_t now, uint64_t before, double secs, double *out)
{
	if (now < before)
		return false;
	*out = (double)(now - before) / secs;
	return true;
}

static void rates(const struct cw_counters *now, const struct cw_counters *before, int64_t dt_ms,
		  struct cw_rates *out)
{
	double s = (double)dt_ms / 1000.0;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!now->valid || !before->valid || dt_ms <= 0)
		return;
	ok = rate(now->active_opens, before->active_opens, s, &out->active_opens);
	ok &= rate(now->passive_opens, before->passive_opens, s, &out->passive_opens);
	ok &= rate(now->attempt_fails, before->attempt_fails, s, &out->attempt_fails);
	ok &= rate(now->estab_resets, before->estab_resets, s, &out->estab_resets);
	ok &= rate(now->in_errs, before->in_errs, s, &out->in_errs);
	ok &= rate(now->out_rsts, before->out_rsts, s, &out->out_rsts);
	ok &= rate(now->listen_overflows, before->listen_overflows, s, &out->listen_overflows);
	ok &= rate(now->listen_drops, before->listen_drops, s, &out->listen_drops);
	if (!ok)
		memset(out, 0, sizeof(*out));
	out->valid = ok;
}

/* Copies a row into another snapshot's arena, without its socket list. */
static void row_copy(struct cw_arena *a, struct cw_ns_row *d, const struct cw_ns_row *s)
{
	size_t i;

	*d = *s;
	d->label = cw_arena_strdup(a, s->label);
	d->netns_name = cw_arena_strdup(a, s->netns_name);
	d->runtime = cw_arena_strdup(a, s->runtime);
	d->id_source = cw_arena_strdup(a, s->id_source);
	d->pod_ns = cw_arena_strdup(a, s->pod_ns);
	d->pod_name = cw_arena_strdup(a, s->pod_name);
	d->pod_uid = cw_arena_strdup(a, s->pod_uid);
	d->workload = cw_arena_strdup(a, s->workload);
	d->comm = cw_arena_strdup(a, s->comm);
	d->status = cw_arena_strdup(a, s->status);
	d->containers = NULL;
	if (s->ncontainers) {
		d->containers = cw_arena_alloc(a, s->ncontainers * sizeof(*d->containers));
		for (i = 0; i < s->ncontainers; i++)
			d->containers[i] = cw_arena_strdup(a, s->containers[i]);
	}
	d->peers = cw_arena_memdup(a, s->peers, s->npeers * sizeof(*s->peers));
	d->listeners = cw_arena_memdup(a, s->listeners, s->nlisteners * sizeof(*s->listeners));
	d->addrs = cw_arena_memdup(a, s->addrs, s->naddrs * sizeof(*s->addrs));
	d->socks = NULL;
	d->owners = NULL;
	d->nsocks = 0;
	d->series = NULL;
	d->trend = NULL;
	d->finding = 0;
	/* A vanished namespace changes no state any more. */
	d->transitions = NULL;
	d->ntransitions = 0;
}

static struct hist_ns *ns_get(struct cw_history *h, uint64_t inode, int64_t now)
{
	struct hist_ns *n = cw_imap_get(&h->ns, inode);

	/* Missing from the previous snapshot and back now: the kernel reused
	 * a vanished namespace's inode for a new one, which must not inherit
	 * its history (a live namespace is in every snapshot). */
	if (n && h->prev && n->last_ms < h->prev->time_ms) {
		cw_imap_del(&h->ns, inode);
		ns_free(n);
		n = NULL;
	}
	if (!n) {
		n = cw_xcalloc(1, sizeof(*n));
		n->inode = inode;
		n->first_ms = now;
		cw_imap_put(&h->ns, inode, n);
	}
	return n;
}

/* Rows of namespaces gone within the linger time, from the snapshot each
 * was last in; forgets those gone longer. */
static void add_vanished(struct cw_history *h, struct cw_snapshot *s)
{
	struct cw_imap_iter it;
	struct hist_ns **gone = NULL, **forget = NULL;
	size_t i, ngone = 0, capgone = 0, nforget = 0, capforget = 0;
	struct cw_ns_row *rows;

	for (cw_imap_iter_init(&it, &h->ns); cw_imap_next(&it);) {
		struct hist_ns *n = it.val;

		if (n->last_ms >= s->time_ms)
			continue;
		/* Gone since the previous snapshot: keep a copy of its last row. */
		if (!n->gone && h->prev && n->last_ms == h->prev->time_ms &&
		    n->last_row < h->prev->nrows) {
			n->gone = cw_arena_alloc(&n->keep, sizeof(*n->gone));
			row_copy(&n->keep, n->gone, &h->prev->rows[n->last_row]);
		}
		if (s->time_ms - n->last_ms <= h->linger_ms && n->gone) {
			cw_xgrow((void **)&gone, &capgone, ngone + 1, sizeof(*gone));
			gone[ngone++] = n;
		} else {
			cw_xgrow((void **)&forget, &capforget, nforget + 1, sizeof(*forget));
			forget[nforget++] = n;
		}
	}
	for (i = 0; i < nforget; i++)
		ns_free(cw_imap_del(&h->ns, forget[i]->inode));
	free(forget);
	if (!ngone)
		return;
	rows = cw_arena_alloc(&s->arena, (s->nrows + ngone) * sizeof(*rows));
	memcpy(rows, s->rows, s->nrows * sizeof(*rows));
	for (i = 0; i < ngone; i++) {
		const struct hist_ns *n = gone[i];
		const struct cw_ns_row *last = n->gone;
		struct cw_ns_row *r = &rows[s->nrows + i];

		row_copy(&s->arena, r, last);
		r->vanished = true;
		r->dumped = false;
		r->tw_current = false;
		if (r->has_exact)
			r->exact_age_ms += s->time_ms - n->last_ms;
		r->has_change = false;
		memset(r->change, 0, sizeof(r->change));
		memset(&r->rates, 0, sizeof(r->rates));
		r->first_seen_ms = n->first_ms;
		r->series = n->ex ? ring_copy(&s->arena, &n->ex->ring) : NULL;
		r->trend = n->ex ? trend_copy(&s->arena, &n->ex->trend) : NULL;
		r->has_baseline = n->ex && trend_baseline(&n->ex->trend, r->baseline);
	}
	s->rows = rows;
	s->nrows += ngone;
	free(gone);
}

void cw_history_apply(struct cw_history *h, struct cw_snapshot *s)
{
	struct cw_tcpcount totals;
	size_t i, live = s->nrows;

	for (i = 0; i < live; i++) {
		struct cw_ns_row *r = &s->rows[i];
		struct hist_ns *n;

		if (r->vanished)
			continue; /* a replayed snapshot's lingering row: not seen now */
		n = ns_get(h, r->id, s->time_ms);
		if (r->has_exact) {
			/* Rings are made on the first exact count: a namespace
			 * that is never dumped costs no history. */
			int64_t taken = s->time_ms - (r->exact_age_ms > 0 ? r->exact_age_ms : 0);

			if (!n->ex) {
				n->ex = cw_xcalloc(1, sizeof(*n->ex));
				trend_init(&n->ex->trend, h->trend_cap);
			}
			ring_push(&n->ex->ring, s->time_ms, &r->tcp);
			/* The trend takes each exact count once, at the time it
			 * was taken. */
			if (!n->ex->nex || n->ex->ex_t[1] != taken)
				trend_push(&n->ex->trend, taken, &r->tcp);
			exact_push(n->ex, taken, &r->tcp);
		}
		r->has_change = exact_change(n->ex, r->change);
		if (!r->has_change)
			memset(r->change, 0, sizeof(r->change));
		/* Over the time since the counters were last read: a tick that
		 * could not read them (a shortage) widens the interval. */
		if (n->counters)
			rates(&r->counters, n->counters, s->time_ms - n->counters_ms, &r->rates);
		else
			memset(&r->rates, 0, sizeof(r->rates));
		r->first_seen_ms = n->first_ms;
		r->series = n->ex ? ring_copy(&s->arena, &n->ex->ring) : NULL;
		r->trend = n->ex ? trend_copy(&s->arena, &n->ex->trend) : NULL;
		r->has_baseline = n->ex && trend_baseline(&n->ex->trend, r->baseline);
		if (r->counters.valid) {
			if (!n->counters)
				n->counters = cw_xmalloc(sizeof(*n->counters));
			*n->counters = r->counters;
			n->counters_ms = s->time_ms;
		}
		n->last_ms = s->time_ms;
		n->last_row = i;
	}
	cw_snapshot_totals(s, &totals);
	ring_push(&h->node, s->time_ms, &totals);
	s->node_series = ring_copy(&s->arena, &h->node);
	add_vanished(h, s);
	cw_snapshot_unref(h->prev);
	h->prev = cw_snapshot_ref(s);
}
