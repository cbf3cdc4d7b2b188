/* rulekit: endpoints as text, series as numbers, per-peer history, the
 * process behind a finding. */
#include "config.h"
#include "rulekit.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

const char *cw_rulekit_endpoint_str(const struct cw_endpoint *e, char *buf, size_t n)
{
	char a[64];

	cw_addr_str(&e->addr, a, sizeof(a));
	/* An inbound peer's port is ours (the one it connected to). */
	snprintf(buf, n, e->addr.family == AF_INET6 ? "[%s]:%u%s" : "%s:%u%s", a, (unsigned)e->port,
		 e->dir == CW_PEER_IN ? " (in)" : "");
	return buf;
}

void cw_rulekit_endpoint_of(const struct cw_peer *p, struct cw_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->addr = p->addr;
	e->port = p->port;
	e->dir = p->dir;
}

bool cw_rulekit_endpoint_eq(const struct cw_endpoint *a, const struct cw_endpoint *b)
{
	return a->port == b->port && a->dir == b->dir && cw_addr_equal(&a->addr, &b->addr);
}

void cw_rulekit_peer_of(const struct cw_endpoint *e, struct cw_peer *p)
{
	memset(p, 0, sizeof(*p));
	p->addr = e->addr;
	p->port = e->port;
	p->dir = e->dir;
}

const char *cw_rulekit_in_ns(const struct cw_ns_row *r, int32_t pid, char *buf, size_t n)
{
	if (!pid && r->npids)
		pid = r->pids[0];
	if (pid > 0)
		snprintf(buf, n, "nsenter -t %d -n", (int)pid);
	else if (r->netns_name && r->netns_name[0])
		snprintf(buf, n, "ip netns exec %s", r->netns_name);
	else
		snprintf(buf, n, "(in its namespace)");
	return buf;
}

double cw_rulekit_round(double v, double step)
{
	/* Divide by the whole inverse of a fractional step: 599 / 10 is the
	 * double nearest 59.9, while 599 * 0.1 is not (and prints long). */
	double inv = step < 1 ? (double)(int64_t)(1.0 / step + 0.5) : 0;
	double k = inv ? v * inv : v / step;

	if (k > 9e15 || k < -9e15)
		return v;
	k = (double)(int64_t)(k + (k >= 0 ? 0.5 : -0.5));
	return inv ? k / inv : k * step;
}

size_t cw_rulekit_slot(const struct cw_series *s, unsigned slot, int64_t *t, double *v, size_t max)
{
	size_t i, from, n;

	if (!s || !s->n || slot >= CW_TCP_NSTATES)
		return 0;
	from = s->n > max ? s->n - max : 0;
	for (i = from, n = 0; i < s->n; i++, n++) {
		t[n] = s->t[i];
		v[n] = s->v[i][slot];
	}
	return n;
}

int64_t cw_rulekit_above_since(const struct cw_ns_row *r, unsigned slot, double level, double *min)
{
	const struct cw_series *se = r->series, *tr = r->trend;
	int64_t since = -1;
	double lo = 0;
	size_t i;

	if (slot >= CW_TCP_NSTATES)
		return -1;
	if (se && se->n) {
		for (i = se->n; i-- > 0;) {
			if (se->v[i][slot] < level)
				goto done;
			if (since < 0 || se->v[i][slot] < lo)
				lo = se->v[i][slot];
			since = se->t[i];
		}
	}
	/* The whole series held: go on in the trend's older samples. */
	if (tr) {
		for (i = tr->n; i-- > 0;) {
			if (since >= 0 && tr->t[i] >= since)
				continue;
			if (tr->v[i][slot] < level)
				break;
			if (since < 0 || tr->v[i][slot] < lo)
				lo = tr->v[i][slot];
			since = tr->t[i];
		}
	}
done:
	if (min)
		*min = lo;
	return since;
}

int64_t cw_rulekit_taken_ms(const struct cw_snapshot *s, const struct cw_ns_row *r)
{
	if (!r->has_exact)
		return -1;
	return s->time_ms - (r->exact_age_ms > 0 ? r->exact_age_ms : 0);
}

/* One sample per trend step: a sample in the newest one's step replaces it. */
static void peer_push(struct cw_rulekit_peer *p, int64_t t, double v)
{
	size_t last = (p->head + CW_RULEKIT_STEPS - 1) % CW_RULEKIT_STEPS;

	if (p->n && cw_floor_div(p->t[last], CW_TREND_STEP_MS) == cw_floor_div(t, CW_TREND_STEP_MS)) {
		p->t[last] = t;
		p->v[last] = v;
		return;
	}
	p->t[p->head] = t;
	p->v[p->head] = v;
	p->head = (p->head + 1) % CW_RULEKIT_STEPS;
	if (p->n < CW_RULEKIT_STEPS)
		p->n++;
}

static double peer_latest(const struct cw_rulekit_peer *p)
{
	return p->n ? p->v[(p->head + CW_RULEKIT_STEPS - 1) % CW_RULEKIT_STEPS] : 0;
}

size_t cw_rulekit_peer_series(const struct cw_rulekit_peer *p, int64_t *t, double *v)
{
	size_t i, start = (p->head + CW_RULEKIT_STEPS - p->n) % CW_RULEKIT_STEPS;

	for (i = 0; i < p->n; i++) {
		t[i] = p->t[(start + i) % CW_RULEKIT_STEPS];
		v[i] = p->v[(start + i) % CW_RULEKIT_STEPS];
	}
	return p->n;
}

static void peers_free(void *v)
{
	struct cw_rulekit_peers *h = v;

	if (h)
		free(h->p);
	free(h);
}

/* A place for a new peer with count v: a free one, a forgotten one, or
 * the quietest if it is quieter than v. */
static struct cw_rulekit_peer *peer_place(struct cw_rulekit_peers *h, int64_t now, double v)
{
	struct cw_rulekit_peer *low = NULL;
	size_t i;

	if (!h->p)
		h->p = cw_xcalloc(CW_RULEKIT_PEERS, sizeof(*h->p));
	for (i = 0; i < CW_RULEKIT_PEERS; i++) {
		struct cw_rulekit_peer *p = &h->p[i];

		if (!p->used || now - p->seen_ms > CW_RULEKIT_FORGET_MS)
			return p;
		if (!low || peer_latest(p) < peer_latest(low))
			low = p;
	}
	return low && peer_latest(low) < v ? low : NULL;
}

struct cw_rulekit_peers *cw_rulekit_peers_update(struct cw_imap *rows, const struct cw_snapshot *s,
						 const struct cw_ns_row *r, unsigned slot, int64_t prev_ms)
{
	struct cw_rulekit_peers *h = cw_imap_get(rows, r->id);
	int64_t taken = cw_rulekit_taken_ms(s, r);
	bool seen[CW_RULEKIT_PEERS] = {false};
	size_t i, k;

	/* Missing from the previous snapshot: a new namespace that got a
	 * vanished one's inode, which must not inherit its peers. */
	if (h && h->seen_ms < prev_ms) {
		peers_free(cw_imap_del(rows, r->id));
		h = NULL;
	}
	if (!h) {
		h = cw_xcalloc(1, sizeof(*h));
		h->id = r->id;
		h->sampled_ms = -1;
		cw_imap_put(rows, r->id, h);
	}
	h->seen_ms = s->time_ms;
	if (taken < 0 || taken == h->sampled_ms)
		return h;
	h->sampled_ms = taken;
	for (i = 0; i < r->npeers; i++) {
		const struct cw_peer *pe = &r->peers[i];
		struct cw_endpoint ep;
		struct cw_rulekit_peer *p = NULL;

		cw_rulekit_endpoint_of(pe, &ep);
		for (k = 0; h->p && k < CW_RULEKIT_PEERS; k++)
			if (h->p[k].used && cw_rulekit_endpoint_eq(&h->p[k].ep, &ep)) {
				p = &h->p[k];
				break;
			}
		if (!p) {
			if (!pe->tcp[slot])
				continue;
			p = peer_place(h, s->time_ms, pe->tcp[slot]);
			if (!p)
				continue;
			memset(p, 0, sizeof(*p));
			p->used = true;
			p->ep = ep;
			k = (size_t)(p - h->p);
		}
		seen[k] = true;
		p->seen_ms = s->time_ms;
		peer_push(p, taken, pe->tcp[slot]);
	}
	/* A tracked peer missing from a complete list has none left; from a
	 * truncated one, its count is unknown: no sample. */
	for (k = 0; h->p && k < CW_RULEKIT_PEERS; k++) {
		if (!h->p[k].used || seen[k])
			continue;
		if (s->time_ms - h->p[k].seen_ms > CW_RULEKIT_FORGET_MS)
			h->p[k].used = false;
		else if (r->peers_all <= r->npeers)
			peer_push(&h->p[k], taken, 0);
	}
	return h;
}

void cw_rulekit_peers_expire(struct cw_imap *rows, int64_t now)
{
	struct cw_imap_iter it;
	uint64_t *old = NULL;
	size_t n = 0, cap = 0, i;

	for (cw_imap_iter_init(&it, rows); cw_imap_next(&it);) {
		const struct cw_rulekit_peers *h = it.val;

		if (now - h->seen_ms > CW_RULEKIT_FORGET_MS) {
			cw_xgrow((void **)&old, &cap, n + 1, sizeof(*old));
			old[n++] = it.key;
		}
	}
	for (i = 0; i < n; i++)
		peers_free(cw_imap_del(rows, old[i]));
	free(old);
}

void cw_rulekit_peers_free(struct cw_imap *rows)
{
	cw_imap_done(rows, peers_free);
}

/* ---- the process behind a finding ---- */

void cw_rulekit_proc_read(const char *procfs, const struct cw_ns_row *r, int64_t now,
			  struct cw_rulekit_proc *p)
{
	size_t i, best = 0;
	bool any = false;
	char *cause = NULL;
	int e;

	if (p->read_ms && now - p->read_ms < CW_RULEKIT_PROC_MS && now >= p->read_ms)
		return;
	memset(p, 0, sizeof(*p));
	p->read_ms = now ? now : 1;
	if (!procfs || !r->npids) {
		snprintf(p->note, sizeof(p->note), "no process known in the namespace");
		return;
	}
	/* The one holding the most descriptors: sockets are descriptors, so
	 * a leak or a pile-up is in the biggest holder, not in pause. */
	for (i = 0; i < r->npids && i < CW_ROW_MAXPIDS; i++) {
		size_t n = 0;
		bool capped = false;

		e = cw_podfiles_count_fds(procfs, r->pids[i], CW_PODFILES_FD_CAP, &n, &capped,
					  cause ? NULL : &cause);
		if (e < 0)
			continue;
		if (!any || n > best) {
			best = n;
			p->pid = r->pids[i];
			p->fds_capped = capped;
		}
		any = true;
	}
	if (!any) {
		/* No process named: which one holds them is not known. */
		snprintf(p->note, sizeof(p->note), "fds not read: %s", cause ? cause : "?");
		free(cause);
		return;
	}
	free(cause);
	cause = NULL;
	p->has_fds = true;
	p->fds = best;
	cw_proc_comm(procfs, p->pid, p->comm, sizeof(p->comm));
	e = cw_podfiles_read_limits(procfs, p->pid, &p->nofile, &cause);
	if (e < 0)
		snprintf(p->note, sizeof(p->note), "limit not read: %s", cause ? cause : "?");
	else
		p->has_limit = true;
	free(cause);
}

/* 65536 -> "65,536". */
const char *cw_rulekit_thousands(uint64_t v, char *buf, size_t n)
{
	char raw[32];
	size_t len, i, o = 0;

	snprintf(raw, sizeof(raw), "%llu", (unsigned long long)v);
	len = strlen(raw);
	for (i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	buf[o] = '\0';
	return buf;
}
