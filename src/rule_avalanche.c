/* rule_avalanche: a service avalanche. Most pods of one workload (rows with
 * the same pod namespace and workload, at least 3 pods) rise together,
 * as opposed to one outlier: something they share (a dependency that
 * slowed down, a deploy, a traffic surge, retries) and not one pod's bug.
 * A pod rises when its socket total
 *   - is at least 20 sockets and 50% above its level before (the lowest of
 *     its 10-s trend between 3 and 1 minute ago): small pods wobbling by
 *     a few sockets, or a big pod's noise, are not rises;
 *   - and has stayed there for 30 s: a 20-s burst is not.
 * It fires when at least 3 pods, and more than half of the workload's
 * pods that have that much history, began rising within the same 60 s.
 * It holds while at least 3 of them, and more than half, stay above their
 * level before plus half the rise they needed, so it does not flicker.
 *
 * One finding per workload, about the first involved pod row (kept while
 * it stays involved); the others are in its evidence. It reports the pods
 * involved and their common peers: the remote endpoints they connected to
 * that are in the peer lists of every involved pod (else of at least half
 * of them), busiest first.
 * Evidence keys: workload, pods, pods_total, pod_names, rise_min,
 * spread_s, common_peers. The state is per workload, forgotten a minute
 * after the workload's last row went. */
#include "config.h"
#include "rulekit.h"
#include "rules.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_PODS 3
#define MIN_RISE 20.0
#define RISE_SHARE 0.5
#define SUSTAIN_MS 30000
#define SAME_MINUTE_MS 60000
#define BEFORE_FROM_MS 180000
#define BEFORE_TO_MS 60000
#define FORGET_MS 60000
#define MAX_COMMON 3

/* A workload's state while its finding holds. */
struct wl_state {
	bool firing;
	uint64_t row_id;          /* the row the finding is about */
	int64_t since_ms;
	int64_t spread_ms;        /* between the first and last rise, when it fired */
	int64_t seen_ms;
	struct cw_imap before;    /* row id -> CW_MAP_IDX(level before, rounded) */
};

struct av_state {
	struct cw_smap wl;        /* "ns\0workload" -> struct wl_state */
};

/* One pod of a workload, this snapshot. */
struct pod {
	const struct cw_ns_row *r;
	bool known;               /* has a level before */
	double before, rise;
	int64_t from;             /* when it rose; -1: it did not */
	bool in;                  /* involved */
};

static void wl_free(void *p)
{
	struct wl_state *w = p;

	cw_imap_done(&w->before, NULL);
	free(w);
}

static void *av_new(const struct cw_findings_conf *conf)
{
	(void)conf;
	return cw_xcalloc(1, sizeof(struct av_state));
}

static void av_free(void *p)
{
	struct av_state *st = p;

	if (!st)
		return;
	cw_smap_done(&st->wl, wl_free);
	free(st);
}

static bool level_before(const struct cw_ns_row *r, int64_t now, double *out)
{
	bool any = false;
	size_t i;

	if (!r->trend)
		return false;
	for (i = 0; i < r->trend->n; i++) {
		int64_t t = r->trend->t[i];

		if (t < now - BEFORE_FROM_MS || t > now - BEFORE_TO_MS)
			continue;
		if (!any || r->trend->v[i][0] < *out)
			*out = r->trend->v[i][0];
		any = true;
	}
	return any;
}

static double need_rise(double before)
{
	return before * RISE_SHARE > MIN_RISE ? before * RISE_SHARE : MIN_RISE;
}

struct rise {
	int64_t from;
	size_t pod;
};

static int cmp_rise(const void *a, const void *b)
{
	int64_t x = ((const struct rise *)a)->from, y = ((const struct rise *)b)->from;

	return (x > y) - (x < y);
}

/* Marks the largest set of rising pods whose rises began within
 * SAME_MINUTE_MS of each other; returns its size. */
static size_t same_minute(struct pod *p, size_t n, int64_t *spread)
{
	struct rise *r = cw_xcalloc(n ? n : 1, sizeof(*r));
	size_t i, j, k = 0, best = 0, at = 0;

	for (i = 0; i < n; i++)
		if (p[i].from >= 0) {
			r[k].from = p[i].from;
			r[k++].pod = i;
		}
	qsort(r, k, sizeof(*r), cmp_rise);
	for (i = 0, j = 0; i < k; i++) {
		while (r[i].from - r[j].from > SAME_MINUTE_MS)
			j++;
		if (i - j + 1 > best) {
			best = i - j + 1;
			at = j;
		}
	}
	*spread = best ? r[at + best - 1].from - r[at].from : 0;
	for (i = at; i < at + best; i++)
		p[r[i].pod].in = true;
	free(r);
	return best;
}

struct common {
	struct cw_endpoint ep;
	size_t pods;
	uint64_t total;
};

static int cmp_common(const void *a, const void *b)
{
	const struct common *x = a, *y = b;

	if (x->pods != y->pods)
		return x->pods > y->pods ? -1 : 1;
	return (x->total < y->total) - (x->total > y->total);
}

/* The endpoints in the peer lists of the involved pods, by how many pods
 * have them; returns how many, best first, in *out (malloc'd). */
static size_t common_peers(const struct pod *p, size_t n, struct common **out)
{
	struct common *c = NULL;
	size_t nc = 0, cap = 0, i, j, k;

	for (i = 0; i < n; i++) {
		if (!p[i].in)
			continue;
		for (j = 0; j < p[i].r->npeers; j++) {
			struct cw_endpoint ep;

			/* What they depend on: the peers they connected to. */
			if (p[i].r->peers[j].dir != CW_PEER_OUT)
				continue;
			cw_rulekit_endpoint_of(&p[i].r->peers[j], &ep);
			for (k = 0; k < nc && !cw_rulekit_endpoint_eq(&c[k].ep, &ep); k++)
				;
			if (k == nc) {
				cw_xgrow((void **)&c, &cap, nc + 1, sizeof(*c));
				memset(&c[nc], 0, sizeof(*c));
				c[nc++].ep = ep;
			}
			c[k].pods++;
			c[k].total += p[i].r->peers[j].total;
		}
	}
	if (nc)
		qsort(c, nc, sizeof(*c), cmp_common);
	*out = c;
	return nc;
}

static void report(struct cw_rule_out *out, struct wl_state *w, const struct pod *p, size_t n,
		   size_t involved, size_t known, int64_t spread, const char *wlname)
{
	const struct cw_ns_row *about = NULL;
	struct cw_finding *f;
	struct common *c = NULL;
	size_t nc, i, ncommon = 0, need;
	char names[1024] = "", peers[400] = "", ep[96];
	double rise_min = -1, rise_max = 0;

	for (i = 0; i < n; i++)
		if (p[i].in && p[i].r->id == w->row_id)
			about = p[i].r;
	for (i = 0; i < n && !about; i++)
		if (p[i].in)
			about = p[i].r;
	w->row_id = about->id;
	for (i = 0; i < n; i++) {
		if (!p[i].in)
			continue;
		if (strlen(names) + strlen(p[i].r->label) + 3 < sizeof(names))
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 names[0] ? ", " : "", p[i].r->label);
		if (rise_min < 0 || p[i].rise < rise_min)
			rise_min = p[i].rise;
		if (p[i].rise > rise_max)
			rise_max = p[i].rise;
	}
	/* Common: in every involved pod's peers; failing that, in half. */
	nc = common_peers(p, n, &c);
	need = nc && c[0].pods >= involved ? involved : (involved + 1) / 2;
	if (need < 2)
		need = 2;
	for (i = 0; i < nc && ncommon < MAX_COMMON && c[i].pods >= need; i++, ncommon++) {
		cw_rulekit_endpoint_str(&c[i].ep, ep, sizeof(ep));
		snprintf(peers + strlen(peers), sizeof(peers) - strlen(peers), "%s%s", ncommon ? ", " : "",
			 ep);
	}
	f = cw_rule_emit(out, CW_RULE_AVALANCHE, CW_SEV_WARN, about);
	if (ncommon) {
		struct cw_peer pe;

		cw_rulekit_peer_of(&c[0].ep, &pe);
		cw_rule_peer(f, &pe);
	}
	f->since_ms = w->since_ms;
	cw_rule_text(out, f,
		     "avalanche: %zu of %zu pods of %s rose together within %lld s (+%.0f to +%.0f sockets)%s%s",
		     involved, known, wlname, (long long)(spread / 1000), rise_min, rise_max,
		     ncommon ? "; common peers " : "; no common peer", peers);
	cw_rule_str(out, f, "workload", wlname);
	cw_rule_num(out, f, "pods", involved);
	cw_rule_num(out, f, "pods_total", known);
	cw_rule_str(out, f, "pod_names", names);
	cw_rule_num(out, f, "rise_min", rise_min);
	cw_rule_num(out, f, "spread_s", (double)spread / 1000.0);
	cw_rule_str(out, f, "common_peers", peers);
	if (ncommon)
		cw_rule_next(out, f,
			     "the whole workload rose at once: look at what its pods share (%s, a deploy, "
			     "traffic), not at one pod",
			     peers);
	else
		cw_rule_next(out, f,
			     "the whole workload rose at once: look for a deploy, a traffic surge or "
			     "retries, not at one pod");
	free(c);
}

/* One workload's pods (n >= MIN_PODS) this snapshot. */
static void workload_run(struct av_state *st, const char *key, size_t klen, const char *wlname,
			 struct pod *p, size_t n, int64_t now, struct cw_rule_out *out)
{
	struct wl_state *w = cw_smap_getb(&st->wl, key, klen);
	size_t i, known = 0, involved = 0;
	int64_t spread = 0;

	if (!w) {
		w = cw_xcalloc(1, sizeof(*w));
		cw_smap_putb(&st->wl, key, klen, w);
	}
	w->seen_ms = now;
	for (i = 0; i < n; i++) {
		const struct cw_ns_row *r = p[i].r;
		double cur = r->tcp.total;
		void *was = w->firing ? cw_imap_get(&w->before, r->id) : NULL;

		p[i].from = -1;
		if (w->firing) {
			/* Held: against the level each had when it fired. */
			if (!was)
				continue;
			p[i].known = true;
			p[i].before = (double)CW_MAP_IDX_OF(was);
			p[i].rise = cur - p[i].before;
			p[i].in = cur >= p[i].before + need_rise(p[i].before) / 2;
			known++;
			involved += p[i].in;
			continue;
		}
		if (!r->has_exact || !level_before(r, now, &p[i].before))
			continue;
		p[i].known = true;
		known++;
		p[i].rise = cur - p[i].before;
		p[i].from = cw_rulekit_above_since(r, 0, p[i].before + need_rise(p[i].before), NULL);
		if (p[i].from >= 0 && now - p[i].from < SUSTAIN_MS)
			p[i].from = -1;
	}
	if (!w->firing)
		involved = same_minute(p, n, &spread);
	if (involved < MIN_PODS || involved * 2 <= known) {
		w->firing = false;
		cw_imap_clear(&w->before, NULL);
		return;
	}
	if (!w->firing) {
		w->firing = true;
		w->row_id = 0;
		w->since_ms = now;
		for (i = 0; i < n; i++) {
			if (!p[i].known)
				continue;
			cw_imap_put(&w->before, p[i].r->id, CW_MAP_IDX((size_t)(p[i].before + 0.5)));
			if (p[i].in && p[i].from < w->since_ms)
				w->since_ms = p[i].from;
		}
		w->spread_ms = spread;
	}
	report(out, w, p, n, involved, known, w->spread_ms, wlname);
}

static void av_run(void *ps, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		   struct cw_rule_out *out)
{
	struct av_state *st = ps;
	struct cw_smap groups = {0};
	struct cw_smap_iter it;
	size_t i, *rows = cw_xcalloc(s->nrows + 1, sizeof(*rows)), nrows = 0;
	struct pod *p = cw_xcalloc(s->nrows + 1, sizeof(*p));
	char **stale = NULL;
	size_t *stalelen = NULL, nstale = 0, cap = 0, cap2 = 0;

	(void)conf;
	/* Group live pod rows by "namespace\0workload", in row order. */
	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *r = &s->rows[i];
		char key[512];
		size_t nl, wl;
		size_t *cnt;

		if (r->vanished || !r->is_pod || !r->pod_ns || !r->workload || !r->workload[0])
			continue;
		nl = strlen(r->pod_ns);
		wl = strlen(r->workload);
		if (nl + wl + 2 > sizeof(key))
			continue;
		memcpy(key, r->pod_ns, nl + 1);
		memcpy(key + nl + 1, r->workload, wl + 1);
		cnt = cw_smap_getb(&groups, key, nl + wl + 2);
		if (!cnt) {
			cnt = cw_xcalloc(1, sizeof(*cnt));
			cw_smap_putb(&groups, key, nl + wl + 2, cnt);
		}
		(*cnt)++;
		rows[nrows++] = i;
	}
	for (cw_smap_iter_init(&it, &groups); cw_smap_next(&it);) {
		size_t want = *(size_t *)it.val, n = 0, j;
		char wlname[520];

		if (want < MIN_PODS)
			continue;
		for (j = 0; j < nrows; j++) {
			const struct cw_ns_row *r = &s->rows[rows[j]];
			size_t nl = strlen(r->pod_ns);

			if (nl + strlen(r->workload) + 2 == it.len && memcmp(r->pod_ns, it.key, nl + 1) == 0 &&
			    strcmp(r->workload, it.key + nl + 1) == 0) {
				memset(&p[n], 0, sizeof(p[n]));
				p[n++].r = r;
			}
		}
		snprintf(wlname, sizeof(wlname), "%s/%s", it.key, it.key + strlen(it.key) + 1);
		workload_run(st, it.key, it.len, wlname, p, n, s->time_ms, out);
	}
	cw_smap_done(&groups, free);
	free(rows);
	free(p);
	/* Workloads whose rows are gone. */
	for (cw_smap_iter_init(&it, &st->wl); cw_smap_next(&it);) {
		const struct wl_state *w = it.val;

		if (s->time_ms - w->seen_ms > FORGET_MS || (w->firing && w->seen_ms != s->time_ms)) {
			cw_xgrow((void **)&stale, &cap, nstale + 1, sizeof(*stale));
			cw_xgrow((void **)&stalelen, &cap2, nstale + 1, sizeof(*stalelen));
			stale[nstale] = cw_xmalloc(it.len);
			memcpy(stale[nstale], it.key, it.len);
			stalelen[nstale++] = it.len;
		}
	}
	for (i = 0; i < nstale; i++) {
		wl_free(cw_smap_delb(&st->wl, stale[i], stalelen[i]));
		free(stale[i]);
	}
	free(stale);
	free(stalelen);
}

const struct cw_rule_def cw_rule_avalanche = {
	.rule = CW_RULE_AVALANCHE,
	.state_new = av_new,
	.state_free = av_free,
	.run = av_run,
};
