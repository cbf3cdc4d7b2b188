/* test_rules_trend: the trend rules (pool-leak, close-wait, off-baseline,
 * avalanche) on synthetic pods fed tick by tick through the history stage
 * and the findings stage, with explicit times. Each fires when it should,
 * within the time it promises, about the right row and peer, and stays
 * quiet on noise, a 20-second spike, a busy steady pod, a big pod,
 * counters that wrap, and a namespace that vanishes mid-trend. */
#include "config.h"
#include "findings.h"
#include "fstree.h"
#include "history.h"
#include "map.h"
#include "rulekit.h"
#include "rules.h"
#include "tap.h"
#include "trendfit.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1800000000000LL
#define NPOD 24
#define NPEER 4

struct pspec {
	const char *addr;
	uint16_t port;
	uint8_t dir;
	uint32_t estab, cwait;
};

struct pod {
	bool live;
	uint64_t id;
	const char *ns, *name, *wl;
	uint32_t tcp[CW_TCP_NSTATES];
	struct pspec peer[NPEER];
	size_t npeer;
	uint64_t opens;       /* a cumulative counter */
};

struct world {
	struct pod pod[NPOD];
	size_t n;
	struct cw_history *h;
	struct cw_findings *f;
};

/* A fake procfs: row 0's processes are pid 4000 ("pause", 3 fds) and
 * 5000 ("java", 120 fds, soft limit 1024); other rows' are not there. */
static char procfs[] = "/tmp/cwt-rulesu.XXXXXX";

static void fake_procfs(void)
{
	static const char *limits =
		"Limit                     Soft Limit           Hard Limit           Units     \n"
		"Max open files            1024                 4096                 files     \n";
	char path[256];
	int i;

	if (!mkdtemp(procfs)) {
		printf("Bail out! mkdtemp\n");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/4000/fd", procfs);
	fstree_mkdirs(path);
	snprintf(path, sizeof(path), "%s/5000/fd", procfs);
	fstree_mkdirs(path);
	for (i = 0; i < 123; i++) {
		snprintf(path, sizeof(path), "%s/%d/fd/%d", procfs, i < 3 ? 4000 : 5000, i < 3 ? i : i - 3);
		fstree_write(path, "");
	}
	snprintf(path, sizeof(path), "%s/4000/comm", procfs);
	fstree_write(path, "pause\n");
	snprintf(path, sizeof(path), "%s/5000/comm", procfs);
	fstree_write(path, "java\n");
	snprintf(path, sizeof(path), "%s/4000/limits", procfs);
	fstree_write(path, limits);
	snprintf(path, sizeof(path), "%s/5000/limits", procfs);
	fstree_write(path, limits);
}

static void world_init(struct world *w, const struct cw_rule_def *rule, unsigned history_min,
		       unsigned close_wait)
{
	static const struct cw_rule_def *one[2];
	struct cw_findings_conf conf = {.procfs = procfs, .close_wait = close_wait,
					.time_wait = 5000, .syn_sent = 100};

	memset(w, 0, sizeof(*w));
	one[0] = rule;
	one[1] = NULL;
	w->h = cw_history_new(5000, history_min);
	w->f = cw_findings_new_with(&conf, one);
}

static void world_done(struct world *w)
{
	cw_history_free(w->h);
	cw_findings_free(w->f);
}

static struct pod *add_pod(struct world *w, uint64_t id, const char *ns, const char *name,
			   const char *wl)
{
	struct pod *p;

	if (w->n == NPOD) {
		printf("Bail out! more than %d pods\n", NPOD);
		nftw(procfs, fstree_rm, 16, FTW_DEPTH | FTW_PHYS);
		exit(1);
	}
	p = &w->pod[w->n++];
	memset(p, 0, sizeof(*p));
	p->live = true;
	p->id = id;
	p->ns = ns;
	p->name = name;
	p->wl = wl;
	return p;
}

static void add_peer(struct pod *p, const char *addr, uint16_t port)
{
	p->peer[p->npeer].addr = addr;
	p->peer[p->npeer++].port = port;
}

static struct cw_snapshot *tick(struct world *w, int64_t t)
{
	struct cw_snapshot *s = cw_snapshot_new();
	size_t i, j, n = 0;

	s->time_ms = t;
	s->rows = cw_arena_alloc(&s->arena, (w->n + 1) * sizeof(*s->rows));
	for (i = 0; i < w->n; i++) {
		struct pod *p = &w->pod[i];
		struct cw_ns_row *r;
		char label[128];
		unsigned k;

		if (!p->live)
			continue;
		r = &s->rows[n++];
		snprintf(label, sizeof(label), "%s/%s", p->ns, p->name);
		r->id = r->inode = p->id;
		r->kind = CW_KIND_POD;
		r->is_pod = true;
		r->label = cw_arena_strdup(&s->arena, label);
		r->pod_ns = cw_arena_strdup(&s->arena, p->ns);
		r->pod_name = cw_arena_strdup(&s->arena, p->name);
		r->workload = cw_arena_strdup(&s->arena, p->wl);
		r->pids[0] = 4000 + (int32_t)i;
		r->pids[1] = 5000 + (int32_t)i;
		r->npids = r->nprocs = 2;
		r->has_exact = true;
		r->dumped = true;
		for (k = 1; k < CW_TCP_NSTATES; k++) {
			r->tcp.tcp[k] = p->tcp[k];
			r->tcp.total += p->tcp[k];
		}
		r->counters.valid = true;
		r->counters.active_opens = p->opens;
		r->counters.curr_estab = p->tcp[CW_TCP_ESTABLISHED];
		r->peers = cw_arena_alloc(&s->arena, (p->npeer + 1) * sizeof(*r->peers));
		for (j = 0; j < p->npeer; j++) {
			struct cw_peer *pe = &r->peers[j];

			cw_addr_parse(p->peer[j].addr, &pe->addr);
			pe->port = p->peer[j].port;
			pe->dir = p->peer[j].dir;
			pe->tcp[CW_TCP_ESTABLISHED] = p->peer[j].estab;
			pe->tcp[CW_TCP_CLOSE_WAIT] = p->peer[j].cwait;
			pe->total = p->peer[j].estab + p->peer[j].cwait;
		}
		r->npeers = r->peers_all = p->npeer;
	}
	s->nrows = n;
	cw_history_apply(w->h, s);
	cw_findings_apply(w->f, s);
	return s;
}

static const struct cw_finding *of(const struct cw_snapshot *s, enum cw_rule rule, uint64_t id)
{
	size_t i;

	for (i = 0; i < s->nfindings; i++)
		if (s->findings[i].rule == rule && s->findings[i].id == id)
			return &s->findings[i];
	return NULL;
}

static size_t count_rule(const struct cw_snapshot *s, enum cw_rule rule)
{
	size_t i, n = 0;

	for (i = 0; i < s->nfindings; i++)
		n += s->findings[i].rule == rule;
	return n;
}

static bool ev_num(const struct cw_finding *f, const char *key, double *v)
{
	size_t i;

	for (i = 0; f && i < f->nevidence; i++)
		if (strcmp(f->evidence[i].key, key) == 0 && !f->evidence[i].str) {
			*v = f->evidence[i].num;
			return true;
		}
	return false;
}

static const char *ev_str(const struct cw_finding *f, const char *key)
{
	size_t i;

	for (i = 0; f && i < f->nevidence; i++)
		if (strcmp(f->evidence[i].key, key) == 0 && f->evidence[i].str)
			return f->evidence[i].str;
	return NULL;
}

static bool peer_is(const struct cw_finding *f, const char *addr, uint16_t port)
{
	struct cw_addr a;

	cw_addr_parse(addr, &a);
	return f && f->has_peer && f->peer.port == port && cw_addr_equal(&f->peer.addr, &a);
}

/* Deterministic noise in [-amp, amp]. */
static int noise(unsigned *seed, int amp)
{
	*seed = *seed * 1103515245u + 12345u;
	return (int)((*seed >> 16) % (unsigned)(2 * amp + 1)) - amp;
}

/* ---- trendfit ---- */

static void test_trendfit(void)
{
	static const struct cw_trendfit_bar bar = {
		.min_span_ms = 120000, .min_samples = 6, .min_r2 = 0.8, .min_rise = 20, .min_slope = 2,
		.thirds = 0.7, .max_jump = 0.5, .tail = 0.3,
	};
	int64_t t[40];
	double v[40];
	struct cw_trendfit fit;
	size_t i;

	/* Flat for 100 s, then +6 per 10-s step for 200 s. */
	for (i = 0; i < 31; i++) {
		t[i] = T0 + (int64_t)i * 10000;
		v[i] = i < 10 ? 100 : 100 + 6.0 * (double)(i - 10);
	}
	ok(cw_trendfit_rise(t, v, 31, &bar, &fit), "a steady rise fits");
	ok(fit.slope > 33 && fit.slope < 39, "slope %.1f/min (36)", fit.slope);
	ok(fit.start_ms >= T0 + 60000 && fit.start_ms <= T0 + 100000,
	   "the rise starts near its knee (%lld s)", (long long)((fit.start_ms - T0) / 1000));
	/* A step: flat, then +120 in one step. */
	for (i = 0; i < 31; i++)
		v[i] = i < 25 ? 100 : 220;
	ok(!cw_trendfit_rise(t, v, 31, &bar, &fit), "a step does not fit");
	/* A rise that stopped a minute and a half ago. */
	for (i = 0; i < 31; i++)
		v[i] = i < 22 ? 100 + 6.0 * (double)i : 100 + 6.0 * 22;
	ok(!cw_trendfit_rise(t, v, 31, &bar, &fit), "a rise that stopped does not fit");
	/* Too short. */
	ok(!cw_trendfit_rise(t, v, 10, &bar, &fit), "90 s is too short");
	ok(cw_rulekit_round(59.93, 0.1) == 59.9 && cw_rulekit_round(0.99997, 0.001) == 1.0 &&
	   cw_rulekit_round(-2.25, 0.1) == -2.3 && cw_rulekit_round(19824.1, 1) == 19824,
	   "evidence rounds to the nearest step, as the double a reader would write");
}

/* ---- rulekit's per-peer history: bounded ---- */

static size_t tracked(const struct cw_rulekit_peers *h, const char **addrs, size_t n)
{
	size_t k, i, found = 0;

	for (k = 0; h->p && k < CW_RULEKIT_PEERS; k++) {
		char buf[80];

		if (!h->p[k].used)
			continue;
		cw_rulekit_endpoint_str(&h->p[k].ep, buf, sizeof(buf));
		for (i = 0; i < n; i++)
			if (strcmp(buf, addrs[i]) == 0)
				found++;
	}
	return found;
}

static void test_rulekit_peers(void)
{
	struct cw_imap rows = {0};
	struct cw_rulekit_peers *h = NULL;
	const char *busy[] = {"10.0.0.30:80", "10.0.0.31:80"};
	size_t k, used, most = 0;
	int64_t t, prev = -1;
	int i, j;

	/* 40 peers over 5 minutes, the 12 busiest listed each tick, a
	 * different set every 10 s; two get busier than all. */
	for (i = 0; i < 300; i++) {
		struct cw_snapshot *s = cw_snapshot_new();
		struct cw_ns_row *r = cw_arena_alloc(&s->arena, sizeof(*r));

		t = T0 + (int64_t)i * 1000;
		s->time_ms = t;
		r->id = 77;
		r->has_exact = true;
		r->peers = cw_arena_alloc(&s->arena, 12 * sizeof(*r->peers));
		r->npeers = 12;
		r->peers_all = 40;
		for (j = 0; j < 12; j++) {
			char a[32];
			int who = j < 2 && i >= 200 ? 30 + j : (i / 10 + j) % 40;

			snprintf(a, sizeof(a), "10.0.0.%d", who);
			cw_addr_parse(a, &r->peers[j].addr);
			r->peers[j].port = 80;
			r->peers[j].tcp[CW_TCP_ESTABLISHED] = j < 2 && i >= 200 ? 500 : 12 - (uint32_t)j;
		}
		h = cw_rulekit_peers_update(&rows, s, r, CW_TCP_ESTABLISHED, prev);
		for (k = used = 0; h->p && k < CW_RULEKIT_PEERS; k++)
			used += h->p[k].used;
		if (used > most)
			most = used;
		prev = t;
		cw_rulekit_peers_expire(&rows, t);
		cw_snapshot_unref(s);
	}
	ok(most <= CW_RULEKIT_PEERS, "at most %d peers tracked per row (%zu)", CW_RULEKIT_PEERS, most);
	is_int(tracked(h, busy, 2), 2, "the busiest take the quietest's places");
	is_int(cw_imap_count(&rows), 1, "one row");
	cw_rulekit_peers_expire(&rows, T0 + 300000 + CW_RULEKIT_FORGET_MS + 1);
	is_int(cw_imap_count(&rows), 0, "a row not seen for a minute is forgotten");
	cw_rulekit_peers_free(&rows);
}

/* ---- pool-leak ---- */

static void test_pool_leak(void)
{
	struct world w;
	struct pod *leak, *busy, *big, *spike, *step, *peerleak, *gone, *wrap, *srv;
	unsigned seed = 7;
	int64_t first = -1, ended = -1, gone_fired = 0, quiet_fired = 0;
	const struct cw_finding *f = NULL;
	struct cw_snapshot *s, *at_first = NULL;
	char text[512] = "";
	double slope = 0, pslope = 0;
	int64_t since = 0, peer_first = -1;
	bool peer_right = false, peerleak_peer = false;
	int i;

	world_init(&w, &cw_rule_pool_leak, 15, 50);
	leak = add_pod(&w, 101, "shop", "api-1", "api");
	add_peer(leak, "10.96.3.4", 5432);
	add_peer(leak, "10.96.0.10", 53);
	busy = add_pod(&w, 102, "shop", "busy-1", "busy");
	add_peer(busy, "10.96.9.9", 443);
	big = add_pod(&w, 103, "shop", "big-1", "big");
	spike = add_pod(&w, 104, "shop", "spike-1", "spike");
	step = add_pod(&w, 105, "shop", "step-1", "step");
	peerleak = add_pod(&w, 106, "shop", "pl-1", "pl");
	add_peer(peerleak, "10.96.7.7", 6379);
	add_peer(peerleak, "10.96.8.8", 9092);
	gone = add_pod(&w, 107, "shop", "gone-1", "gone");
	wrap = add_pod(&w, 108, "shop", "wrap-1", "wrap");
	wrap->opens = UINT64_MAX - 100;
	srv = add_pod(&w, 109, "shop", "db-0", "db");
	add_peer(srv, "10.244.1.9", 5432);
	srv->peer[0].dir = CW_PEER_IN;

	/* 8 minutes, a tick a second. The leak: +1 ESTABLISHED/s toward
	 * 10.96.3.4:5432 from 120 s to 420 s, then it stops. */
	for (i = 0; i <= 600; i++) {
		int64_t t = T0 + (int64_t)i * 1000;
		uint32_t le = 10 + (uint32_t)(i < 120 ? 0 : i < 420 ? i - 120 : 300);

		leak->peer[0].estab = le;
		leak->peer[1].estab = 2;
		leak->tcp[CW_TCP_ESTABLISHED] = le + 2;
		busy->tcp[CW_TCP_ESTABLISHED] = (uint32_t)(500 + noise(&seed, 40));
		busy->peer[0].estab = busy->tcp[CW_TCP_ESTABLISHED];
		busy->tcp[CW_TCP_TIME_WAIT] = (uint32_t)(2000 + noise(&seed, 300));
		/* big, its traffic growing by 0.3%/min */
		big->tcp[CW_TCP_ESTABLISHED] = (uint32_t)(20000 + i + noise(&seed, 5));
		/* a 20-s spike of +200 at 200 s */
		spike->tcp[CW_TCP_ESTABLISHED] = i >= 200 && i < 220 ? 250 : 50;
		/* a pool opened at once (+150 at 300 s) and kept */
		step->tcp[CW_TCP_ESTABLISHED] = i < 300 ? 30 : 180;
		/* one peer leaks 0.5/s from 60 s while another swings by +-30 */
		peerleak->peer[0].estab = 20 + (uint32_t)(i < 60 ? 0 : (i - 60) / 2);
		peerleak->peer[1].estab = (uint32_t)(300 + noise(&seed, 30));
		peerleak->tcp[CW_TCP_ESTABLISHED] = peerleak->peer[0].estab + peerleak->peer[1].estab;
		/* leaks for 100 s and vanishes at 160 s; back at 170 s as a new
		 * namespace with the same inode, at a level */
		gone->live = i < 160 || i >= 170;
		gone->tcp[CW_TCP_ESTABLISHED] = i < 60 ? 10 : i < 160 ? 10 + (uint32_t)(i - 60) : 110;
		/* counters that wrap, ESTABLISHED steady */
		wrap->opens += 50;
		wrap->tcp[CW_TCP_ESTABLISHED] = 40;
		/* the server side of the leak: inbound, +1/s */
		srv->peer[0].estab = leak->peer[0].estab;
		srv->tcp[CW_TCP_ESTABLISHED] = srv->peer[0].estab;

		s = tick(&w, t);
		f = of(s, CW_RULE_POOL_LEAK, 101);
		if (f && first < 0) {
			first = i;
			snprintf(text, sizeof(text), "%s", f->text);
			ev_num(f, "slope_per_min", &slope);
			since = f->since_ms;
			peer_right = peer_is(f, "10.96.3.4", 5432) &&
				     ev_str(f, "peer") && strcmp(ev_str(f, "peer"), "10.96.3.4:5432") == 0;
			at_first = cw_snapshot_ref(s);
		}
		if (!f && first >= 0 && ended < 0)
			ended = i;
		f = of(s, CW_RULE_POOL_LEAK, 106);
		if (f && peer_first < 0) {
			peer_first = i;
			peerleak_peer = peer_is(f, "10.96.7.7", 6379) && f->pid == 0 &&
					ev_str(f, "process_note") && f->severity == CW_SEV_WARN;
			ev_num(f, "peer_slope_per_min", &pslope);
		}
		if (of(s, CW_RULE_POOL_LEAK, 107))
			gone_fired++;
		quiet_fired += of(s, CW_RULE_POOL_LEAK, 102) || of(s, CW_RULE_POOL_LEAK, 103) ||
			       of(s, CW_RULE_POOL_LEAK, 104) || of(s, CW_RULE_POOL_LEAK, 105) ||
			       of(s, CW_RULE_POOL_LEAK, 108) || of(s, CW_RULE_POOL_LEAK, 109);
		cw_snapshot_unref(s);
	}
	/* The window may take the last flat 10-s sample before the rise. */
	ok(first >= 225 && first <= 260, "the leak is found 2 min after it starts (at %lld s, leak from 120 s)",
	   (long long)first);
	ok(slope > 54 && slope < 66, "its slope is about 60/min (%.1f)", slope);
	ok(since >= T0 + 105000 && since <= T0 + 140000, "since is the start of the rise (%lld s)",
	   (long long)((since - T0) / 1000));
	ok(peer_right, "the peer is the one it leaks to (10.96.3.4:5432)");
	ok(strncmp(text, "pool leak: +", 12) == 0 && atoi(text + 12) >= 55 && atoi(text + 12) <= 65 &&
	   strstr(text, " ESTAB/min to 10.96.3.4:5432 for 2 min") != NULL, "text: %s", text);
	f = at_first ? of(at_first, CW_RULE_POOL_LEAK, 101) : NULL;
	ok(f && f->severity == CW_SEV_CRIT && f->inode == 101 && f->pid == 5000 && f->next &&
	   strstr(f->next, "nsenter -t 5000 "), "crit, about the row, naming the process holding most fds (%s)",
	   f && f->next ? f->next : "");
	{
		double fds = 0, soft = 0, eta = 0;
		const char *comm = ev_str(f, "comm");

		ev_num(f, "fds", &fds);
		ev_num(f, "nofile_soft", &soft);
		ev_num(f, "limit_in_s", &eta);
		ok(comm && strcmp(comm, "java") == 0 && fds == 120 && soft == 1024 && eta > 820 && eta < 1000,
		   "java holds 120 of 1024 fds: the limit in %.0f s at the slope (904)", eta);
		ok(f && strstr(f->text, "; java[5000] holds 120 of 1,024 fds (limit in ~1") != NULL,
		   "... in the text: %s", f ? f->text : "");
	}
	cw_snapshot_unref(at_first);
	ok(ended > 420 && ended <= 500, "it ends once the leak stopped for a minute or so (at %lld s)",
	   (long long)ended);
	ok(peer_first > 0 && peer_first <= 60 + 150 && peerleak_peer,
	   "a leak toward one peer inside a noisy pod is found by the per-peer history (at %lld s); "
	   "its process unread, a note",
	   (long long)peer_first);
	ok(pslope > 25 && pslope < 35, "... at its peer's slope (%.1f/min, 30)", pslope);
	is_int(gone_fired, 0, "a namespace that vanishes mid-trend, and a new one with its inode: none");
	is_int(quiet_fired, 0,
	       "busy steady, big and growing slowly, a 20-s spike, a step, wrapping counters, "
	       "a server whose client leaks: none");
	world_done(&w);
}

/* ---- close-wait ---- */

static void test_close_wait(void)
{
	struct world w;
	struct pod *pile, *slow, *spike, *steady, *gone, *noisy, *wrap;
	unsigned seed = 11;
	int64_t first = -1, ended = -1, slow_first = -1;
	double age = 0, slope = 0, held_min = -1;
	bool peer_right = false, lower = false, quiet = true, gone_quiet = true, slow_peer = false;
	char text[512] = "";
	int i;

	world_init(&w, &cw_rule_close_wait, 15, 50);
	pile = add_pod(&w, 201, "shop", "cw-1", "cw");
	add_peer(pile, "10.96.5.5", 8080);
	add_peer(pile, "10.96.6.6", 8080);
	slow = add_pod(&w, 202, "shop", "slow-1", "slow");
	add_peer(slow, "10.96.1.1", 443);
	spike = add_pod(&w, 203, "shop", "spike-1", "spike");
	steady = add_pod(&w, 204, "shop", "steady-1", "steady");
	gone = add_pod(&w, 205, "shop", "gone-1", "gone");
	noisy = add_pod(&w, 206, "shop", "noisy-1", "noisy");
	wrap = add_pod(&w, 207, "shop", "wrap-1", "wrap");
	wrap->opens = UINT64_MAX - 1000;
	for (i = 0; i <= 400; i++) {
		struct cw_snapshot *s;
		const struct cw_finding *f;

		/* 80 CLOSE_WAIT from 60 s (70 from one peer); at 200 s down to
		 * 30 (held: above half the threshold), at 260 s down to 10 */
		pile->peer[0].cwait = i < 60 ? 0 : i < 200 ? 70 : i < 260 ? 25 : 8;
		pile->peer[1].cwait = i < 60 ? 0 : i < 200 ? 10 : i < 260 ? 5 : 2;
		pile->tcp[CW_TCP_CLOSE_WAIT] = pile->peer[0].cwait + pile->peer[1].cwait;
		pile->tcp[CW_TCP_ESTABLISHED] = 20;
		/* +12/min from 30 s, below the threshold all along */
		slow->peer[0].cwait = i < 30 ? 0 : (uint32_t)((i - 30) / 5);
		slow->tcp[CW_TCP_CLOSE_WAIT] = slow->peer[0].cwait;
		/* 100 for 20 s */
		spike->tcp[CW_TCP_CLOSE_WAIT] = i >= 100 && i < 120 ? 100 : 0;
		steady->tcp[CW_TCP_CLOSE_WAIT] = 10;
		steady->tcp[CW_TCP_ESTABLISHED] = 3000;
		/* 60 CLOSE_WAIT from 10 s, gone for good at 30 s */
		gone->live = i < 30;
		gone->tcp[CW_TCP_CLOSE_WAIT] = i < 10 ? 0 : 60;
		/* 0 to 40, at random: CLOSE_WAIT that is closed soon enough */
		noisy->tcp[CW_TCP_CLOSE_WAIT] = (uint32_t)(20 + noise(&seed, 20));
		noisy->tcp[CW_TCP_ESTABLISHED] = 800;
		wrap->opens += 100;
		wrap->tcp[CW_TCP_CLOSE_WAIT] = 12;
		s = tick(&w, T0 + (int64_t)i * 1000);
		f = of(s, CW_RULE_CLOSE_WAIT, 201);
		if (f && first < 0) {
			first = i;
			peer_right = peer_is(f, "10.96.5.5", 8080) && f->pid == 5000 &&
				     strstr(f->text, "; held by java[5000] (120 fds)") != NULL;
		}
		if (f && i == 190) {
			snprintf(text, sizeof(text), "%s", f->text);
			ev_num(f, "oldest_age_min_s", &age);
			ev_num(f, "held_min", &held_min);
			lower = strstr(f->text, "lower bound") != NULL;
		}
		if (!f && first >= 0 && ended < 0)
			ended = i;
		f = of(s, CW_RULE_CLOSE_WAIT, 202);
		if (f && slow_first < 0) {
			slow_first = i;
			ev_num(f, "slope_per_min", &slope);
			slow_peer = peer_is(f, "10.96.1.1", 443);
		}
		if (of(s, CW_RULE_CLOSE_WAIT, 203) || of(s, CW_RULE_CLOSE_WAIT, 204) ||
		    of(s, CW_RULE_CLOSE_WAIT, 206) || of(s, CW_RULE_CLOSE_WAIT, 207))
			quiet = false;
		if (of(s, CW_RULE_CLOSE_WAIT, 205))
			gone_quiet = false;
		cw_snapshot_unref(s);
	}
	ok(first >= 89 && first <= 92, "80 CLOSE_WAIT (threshold 50) held 30 s is found (at %lld s, from 60)",
	   (long long)first);
	ok(peer_right, "the peer with the most CLOSE_WAIT is named, and the process");
	/* The trend keeps each 10-s step's last sample: the run's start is
	 * known to a step, and the age errs short. */
	ok(age >= 120 && age <= 130 && held_min == 80 && lower,
	   "oldest >= 120 s of the 130, a lower bound (age %.0f, held at %.0f): %s", age, held_min, text);
	ok(ended >= 260 && ended <= 262, "held at 30 (half the threshold), over at 10 (at %lld s)",
	   (long long)ended);
	ok(slow_first >= 140 && slow_first <= 175 && slow_peer,
	   "a steady growth below the threshold is found in 2 min (at %lld s, from 30)",
	   (long long)slow_first);
	ok(slope > 10 && slope < 14, "... with its slope (%.1f/min, 12)", slope);
	ok(quiet, "a 20-s spike, a busy pod with a few, noise from 0 to 40, wrapping counters: none");
	ok(gone_quiet, "a namespace that vanishes before 30 s: none");
	world_done(&w);
}

/* ---- off-baseline ---- */

static void test_off_baseline(void)
{
	struct world w;
	struct pod *up, *big, *spike, *small, *gone, *wrap;
	unsigned seed = 3;
	int64_t first = -1, ended = -1;
	double ratio = 0, base = 0;
	const char *state = NULL;
	char st[32] = "", text[512] = "";
	bool quiet = true, gone_quiet = true;
	int64_t since = 0;
	int i;

	/* --history 3: baselines from 60 s on, the median of 3 minutes. */
	world_init(&w, &cw_rule_off_baseline, 3, 50);
	up = add_pod(&w, 301, "shop", "up-1", "up");
	big = add_pod(&w, 302, "shop", "big-1", "big");
	spike = add_pod(&w, 303, "shop", "spike-1", "spike");
	small = add_pod(&w, 304, "shop", "small-1", "small");
	gone = add_pod(&w, 305, "shop", "gone-1", "gone");
	wrap = add_pod(&w, 306, "shop", "wrap-1", "wrap");
	wrap->opens = UINT64_MAX - 10;
	for (i = 0; i <= 420; i++) {
		struct cw_snapshot *s;
		const struct cw_finding *f;

		/* 20 ESTABLISHED, then 120 from 120 s on (a new level) */
		up->tcp[CW_TCP_ESTABLISHED] = (uint32_t)((i < 120 ? 20 : 120) + noise(&seed, 2));
		up->tcp[CW_TCP_TIME_WAIT] = 300;
		big->tcp[CW_TCP_ESTABLISHED] = (uint32_t)(8000 + noise(&seed, 400));
		big->tcp[CW_TCP_TIME_WAIT] = (uint32_t)(3000 + noise(&seed, 500));
		spike->tcp[CW_TCP_ESTABLISHED] = i >= 150 && i < 170 ? 400 : 30;
		small->tcp[CW_TCP_SYN_SENT] = i < 100 ? 2 : 12;
		gone->live = i < 120;
		gone->tcp[CW_TCP_ESTABLISHED] = i < 100 ? 10 : 200;
		wrap->opens += 7;
		wrap->tcp[CW_TCP_ESTABLISHED] = 25;
		s = tick(&w, T0 + (int64_t)i * 1000);
		f = of(s, CW_RULE_OFF_BASELINE, 301);
		if (f && first < 0) {
			first = i;
			ev_num(f, "ratio", &ratio);
			ev_num(f, "baseline", &base);
			state = ev_str(f, "state");
			snprintf(st, sizeof(st), "%s", state ? state : "");
			snprintf(text, sizeof(text), "%s", f->text);
			since = f->since_ms;
		}
		if (!f && first >= 0 && ended < 0)
			ended = i;
		if (of(s, CW_RULE_OFF_BASELINE, 302) || of(s, CW_RULE_OFF_BASELINE, 303) ||
		    of(s, CW_RULE_OFF_BASELINE, 304) || of(s, CW_RULE_OFF_BASELINE, 306))
			quiet = false;
		if (of(s, CW_RULE_OFF_BASELINE, 305))
			gone_quiet = false;
		cw_snapshot_unref(s);
	}
	ok(first >= 150 && first <= 152, "6 times its baseline for 30 s is found (at %lld s, from 120)",
	   (long long)first);
	is_str(st, "ESTABLISHED", "the state is named");
	ok(ratio > 5 && ratio < 7 && base >= 18 && base <= 22, "ratio %.1f against a baseline of %.0f",
	   ratio, base);
	ok(since >= T0 + 119000 && since <= T0 + 121000, "since is when it rose (%lld s)",
	   (long long)((since - T0) / 1000));
	ok(strstr(text, "off baseline: ESTABLISHED") != NULL, "text: %s", text);
	ok(ended >= 195 && ended < 240, "it ends when the baseline has caught up (half the history) (at %lld s)",
	   (long long)ended);
	ok(quiet, "a big noisy pod, a 20-s spike, small counts, wrapping counters: none");
	ok(gone_quiet, "a namespace that vanishes 20 s after rising: none");
	world_done(&w);
}

/* ---- avalanche ---- */

static void test_avalanche(void)
{
	struct world w;
	struct pod *web[5];
	static const char *names[] = {"web-a", "web-b", "web-c", "web-d", "web-e"};
	int64_t first = -1, ended = -1;
	double pods = 0, total = 0, pods0 = 0, total0 = 0;
	char podnames[512] = "", common[256] = "";
	uint64_t about = 0;
	bool peer_right = false, one_finding = true;
	int i, k;

	world_init(&w, &cw_rule_avalanche, 15, 50);
	for (k = 0; k < 5; k++) {
		web[k] = add_pod(&w, 400 + (uint64_t)k, "shop", names[k], "web");
		add_peer(web[k], "10.96.3.4", 5432);
		add_peer(web[k], k % 2 ? "10.96.1.1" : "10.96.2.2", 443);
	}
	for (i = 0; i <= 420; i++) {
		struct cw_snapshot *s;
		const struct cw_finding *f;

		for (k = 0; k < 5; k++) {
			/* web-a..d rise from 30 to 110 between 200 and 215 s; web-e
			 * stays */
			bool up = k < 4 && i >= 200 + 5 * k;

			web[k]->peer[0].estab = up ? 100 : 20;
			web[k]->peer[1].estab = 10;
			web[k]->tcp[CW_TCP_ESTABLISHED] = web[k]->peer[0].estab + web[k]->peer[1].estab;
		}
		s = tick(&w, T0 + (int64_t)i * 1000);
		if (count_rule(s, CW_RULE_AVALANCHE) > 1)
			one_finding = false;
		f = s->nfindings ? &s->findings[0] : NULL;
		if (f && first < 0) {
			first = i;
			about = f->id;
			ev_num(f, "pods", &pods0);
			ev_num(f, "pods_total", &total0);
		}
		if (f && i == 300) {
			about = f->id;
			ev_num(f, "pods", &pods);
			ev_num(f, "pods_total", &total);
			snprintf(podnames, sizeof(podnames), "%s", ev_str(f, "pod_names") ? ev_str(f, "pod_names") : "");
			snprintf(common, sizeof(common), "%s", ev_str(f, "common_peers") ? ev_str(f, "common_peers") : "");
			peer_right = peer_is(f, "10.96.3.4", 5432);
		}
		if (!f && first >= 0 && ended < 0)
			ended = i;
		cw_snapshot_unref(s);
	}
	ok(first >= 240 && first <= 242, "3 of 5 pods up for 30 s are found (at %lld s)",
	   (long long)first);
	ok(one_finding && about == 400, "one finding, about the first pod row");
	ok(pods0 == 3 && total0 == 5, "3 of 5 pods at first (%.0f of %.0f)", pods0, total0);
	ok(about == 400 && pods == 4 && total == 5, "a minute later: still about the first row, 4 of 5 pods (%.0f of %.0f)", pods, total);
	is_str(podnames, "shop/web-a, shop/web-b, shop/web-c, shop/web-d", "the pods are named");
	is_str(common, "10.96.3.4:5432", "their common peer");
	ok(peer_right, "the finding's peer is the common one");
	ok(ended < 0, "it holds while they stay up (ended at %lld)", (long long)ended);
	world_done(&w);
}

/* One outlier, a 20-s burst of all, rises spread over minutes, a workload
 * that loses a pod: no avalanche. */
static void test_avalanche_quiet(void)
{
	struct world w;
	struct pod *a[4], *b[3], *c[4], *d[3], *e[3];
	unsigned seed = 5;
	static const char *an[] = {"a-1", "a-2", "a-3", "a-4"}, *bn[] = {"b-1", "b-2", "b-3"},
			  *cn[] = {"c-1", "c-2", "c-3", "c-4"}, *dn[] = {"d-1", "d-2", "d-3"};
	size_t fired = 0;
	int i, k;

	world_init(&w, &cw_rule_avalanche, 15, 50);
	for (k = 0; k < 4; k++)
		a[k] = add_pod(&w, 500 + (uint64_t)k, "shop", an[k], "a");
	for (k = 0; k < 3; k++)
		b[k] = add_pod(&w, 510 + (uint64_t)k, "shop", bn[k], "b");
	for (k = 0; k < 4; k++)
		c[k] = add_pod(&w, 520 + (uint64_t)k, "shop", cn[k], "c");
	for (k = 0; k < 3; k++)
		d[k] = add_pod(&w, 530 + (uint64_t)k, "shop", dn[k], "d");
	for (k = 0; k < 3; k++) {
		static const char *en[] = {"e-1", "e-2", "e-3"};

		e[k] = add_pod(&w, 540 + (uint64_t)k, "shop", en[k], "e");
		e[k]->opens = UINT64_MAX - 50;
	}
	for (i = 0; i <= 600; i++) {
		struct cw_snapshot *s;

		for (k = 0; k < 4; k++) /* one outlier */
			a[k]->tcp[CW_TCP_ESTABLISHED] = k == 0 && i >= 200 ? 300 : 40;
		for (k = 0; k < 3; k++) /* all up for 20 s */
			b[k]->tcp[CW_TCP_ESTABLISHED] = i >= 200 && i < 220 ? 300 : 40;
		for (k = 0; k < 4; k++) /* one a minute and a half after another */
			c[k]->tcp[CW_TCP_ESTABLISHED] = i >= 200 + 90 * k ? 300 : 40;
		for (k = 0; k < 3; k++) { /* big and noisy, counters wrapping */
			e[k]->tcp[CW_TCP_ESTABLISHED] = (uint32_t)(10000 + noise(&seed, 300));
			e[k]->tcp[CW_TCP_TIME_WAIT] = (uint32_t)(4000 + noise(&seed, 300));
			e[k]->opens += 1000;
		}
		for (k = 0; k < 3; k++) { /* all up, but one vanishes before */
			d[k]->live = k != 2 || i < 190;
			d[k]->tcp[CW_TCP_ESTABLISHED] = i >= 200 ? 300 : 40;
		}
		s = tick(&w, T0 + (int64_t)i * 1000);
		fired += count_rule(s, CW_RULE_AVALANCHE);
		cw_snapshot_unref(s);
	}
	is_int(fired, 0,
	       "an outlier, a 20-s burst, rises spread out, a workload down to 2, big noisy pods: none");
	world_done(&w);
}

/* A count that hovers about a rule's threshold once it fired: one
 * episode, not a finding that comes and goes. */
static void test_no_flicker(void)
{
	struct world w;
	struct pod *cw, *ob;
	int i, on_cw = 0, on_ob = 0;
	bool was_cw = false, was_ob = false;

	world_init(&w, &cw_rule_close_wait, 3, 50);
	cw = add_pod(&w, 601, "shop", "cw-1", "cw");
	for (i = 0; i <= 300; i++) {
		struct cw_snapshot *s;
		bool now;

		/* 55 for 40 s, then 44 and 56 in turn every 3 s */
		cw->tcp[CW_TCP_CLOSE_WAIT] = i < 40 ? 55 : (i / 3) % 2 ? 44 : 56;
		s = tick(&w, T0 + (int64_t)i * 1000);
		now = of(s, CW_RULE_CLOSE_WAIT, 601) != NULL;
		on_cw += now && !was_cw;
		was_cw = now;
		cw_snapshot_unref(s);
	}
	world_done(&w);
	is_int(on_cw, 1, "close-wait hovering about its threshold: one episode");

	world_init(&w, &cw_rule_off_baseline, 3, 50);
	ob = add_pod(&w, 602, "shop", "ob-1", "ob");
	for (i = 0; i <= 200; i++) {
		struct cw_snapshot *s;
		bool now;

		/* 30, then 130 from 90 s, then 80 and 100 in turn (2.7x, 3.3x) */
		ob->tcp[CW_TCP_ESTABLISHED] = i < 90 ? 30 : i < 125 ? 130 : (i / 2) % 2 ? 80 : 100;
		s = tick(&w, T0 + (int64_t)i * 1000);
		now = of(s, CW_RULE_OFF_BASELINE, 602) != NULL;
		on_ob += now && !was_ob;
		was_ob = now;
		cw_snapshot_unref(s);
	}
	world_done(&w);
	is_int(on_ob, 1, "off-baseline hovering about 3x: one episode");
}

int main(void)
{
	fake_procfs();
	fstree_guard(procfs, "reading the fake procfs");
	alarm(60);
	test_trendfit();
	test_rulekit_peers();
	test_pool_leak();
	test_close_wait();
	test_off_baseline();
	test_avalanche();
	test_avalanche_quiet();
	test_no_flicker();
	alarm(0);
	nftw(procfs, fstree_rm, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
