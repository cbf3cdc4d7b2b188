/* rule connect-fail: connects to one peer that never complete.
 *
 * When it fires: an outgoing peer has SYN_SENT sockets in every exact
 * sample over at least 30 s (two samples or more: the dump budget may space
 * them), and the namespace's failed connects (AttemptFails) rose within the
 * last 30 s, at 5% of its opens or more (both smoothed over the last few
 * ticks). A pod that connects thousands of times a second to one peer has
 * a SYN_SENT toward it in every sample and the odd failure: with 5% of its
 * connects failing it is in trouble; with 0.01% it is not. SYN retransmits back off 1, 2, 4, 8, 16 s, so a peer that
 * restarts or a route that flaps for 20 s recovers within the hold; 30 s of
 * unanswered SYNs to the same place, with connects giving up, is an
 * outage. AttemptFails counts SYN_SENT (and SYN_RECV) sockets the kernel
 * gave up on (timeout or reset); it is per namespace, not per peer, so
 * the peer comes from the SYN_SENT sockets. warn; crit when the SYN_SENT
 * toward the peer reach --warn-syn-sent (default 100). It stays on while
 * SYN_SENT toward the peer remain and connects failed within 90 s.
 *
 * Port 53: a row whose port-53 sockets meet dns-storm's bar has its
 * resolvers reported by dns-storm, which says more (the rate, the
 * resolver settings that multiply lookups): connect-fail leaves those peers
 * alone, so one cause gives one finding. Below that bar a resolver that
 * does not answer is reported here like any other peer.
 *
 * What it reports: the peer, SYN_SENT and ESTABLISHED toward it, how long
 * its SYNs have gone unanswered, failed connects and opens per second.
 *
 * State: per row, the last time connects failed; per (row, peer), the
 * start of its run of samples with SYN_SENT, for at most 16 peers per row
 * (the most SYN_SENT first). A sample without SYN_SENT toward a peer ends
 * its run; rows and peers not in the snapshot are forgotten. */
#include "config.h"
#include "map.h"
#include "rulekit.h"
#include "rules.h"
#include "rules_net.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CF_FAIL_WINDOW_MS 30000
#define CF_KEEP_FAIL_WINDOW_MS 90000
#define CF_MAX_PEERS 16
#define CF_MIN_FAIL_SHARE 0.05
/* Smoothing of the rates: each valid tick weighs this much. */
#define CF_ALPHA 0.2

struct cf_row {
	int64_t last_ms;          /* first: see cw_rules_net_sweep_imap */
	int64_t sample_ms;        /* the row's last exact sample seen */
	int64_t fail_ms;          /* the last tick when connects failed; 0: none */
	bool has_rates;
	double fails, opens;      /* per second, smoothed */
};

struct cf_peer {
	int64_t last_ms;          /* first: see cw_rules_net_sweep_smap */
	int64_t since_ms;         /* the first sample of the run */
	int64_t sample_ms;        /* the run's latest sample */
	unsigned samples;
	bool on;
};

struct cf_state {
	struct cw_imap rows;      /* row id -> struct cf_row */
	struct cw_smap peers;     /* struct cw_peer_key -> struct cf_peer */
};

static void *state_new(const struct cw_findings_conf *conf)
{
	(void)conf;
	return cw_xcalloc(1, sizeof(struct cf_state));
}

static void state_free(void *p)
{
	struct cf_state *st = p;

	if (!st)
		return;
	cw_imap_done(&st->rows, free);
	cw_smap_done(&st->peers, free);
	free(st);
}

/* Indexes of the outgoing peers with SYN_SENT, most first, at most max:
 * one pass, keeping a short sorted list. */
static size_t syn_peers(const struct cw_ns_row *r, size_t *idx, size_t max)
{
	size_t n = 0, i, j;

	for (i = 0; i < r->npeers; i++) {
		const struct cw_peer *p = &r->peers[i];
		uint32_t v = p->tcp[CW_TCP_SYN_SENT];

		if (p->dir != CW_PEER_OUT || !v)
			continue;
		if (n == max && v <= r->peers[idx[n - 1]].tcp[CW_TCP_SYN_SENT])
			continue;
		j = n < max ? n++ : max - 1;
		for (; j > 0 && r->peers[idx[j - 1]].tcp[CW_TCP_SYN_SENT] < v; j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
	}
	return n;
}

static void report(struct cw_rule_out *out, const struct cw_findings_conf *conf,
		   const struct cw_snapshot *s, const struct cw_ns_row *r, const struct cf_row *e,
		   const struct cf_peer *c, const struct cw_peer *p)
{
	uint32_t syn = p->tcp[CW_TCP_SYN_SENT];
	struct cw_finding *f;
	char dest[80], ns[300];

	cw_rules_net_endpoint(&p->addr, p->port, dest, sizeof(dest));
	f = cw_rule_emit(out, CW_RULE_CONNECT_FAIL,
			 conf->syn_sent && syn >= conf->syn_sent ? CW_SEV_CRIT : CW_SEV_WARN, r);
	f->since_ms = c->since_ms;
	cw_rule_peer(f, p);
	cw_rule_text(out, f, "failing connects: %u SYN_SENT to %s unanswered for %lld s; %.1f failed connects/s, %u ESTAB to it",
		     syn, dest, (long long)((s->time_ms - c->since_ms) / 1000), e->fails,
		     p->tcp[CW_TCP_ESTABLISHED]);
	cw_rule_num(out, f, "syn_sent", syn);
	cw_rule_num(out, f, "estab", p->tcp[CW_TCP_ESTABLISHED]);
	cw_rule_num(out, f, "unanswered_s", cw_rulekit_round((double)(s->time_ms - c->since_ms) / 1000.0, 0.1));
	cw_rule_num(out, f, "fails_per_s", cw_rulekit_round(e->fails, 0.1));
	cw_rule_num(out, f, "opens_per_s", cw_rulekit_round(e->opens, 0.1));
	cw_rule_next(out, f,
		     "check that %s is up and reachable from this pod (its endpoints, NetworkPolicy, a "
		     "firewall dropping SYNs): %s ss -tnp state syn-sent dst %s shows who waits",
		     dest, cw_rulekit_in_ns(r, 0, ns, sizeof(ns)), dest);
}

static void run(void *state, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		struct cw_rule_out *out)
{
	struct cf_state *st = state;
	size_t i, k;

	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *r = &s->rows[i];
		struct cw_dns_count d;
		size_t idx[CF_MAX_PEERS], n;
		struct cf_row *e;
		int64_t t;
		bool fresh;

		if (r->vanished)
			continue;
		e = cw_imap_get(&st->rows, r->id);
		/* A row with neither rates nor exact counts has nothing to
		 * remember yet: an entry made later starts the same, and a node
		 * with a great many such rows costs none. */
		if (!e && !r->rates.valid && !r->has_exact)
			continue;
		if (!e) {
			e = cw_xcalloc(1, sizeof(*e));
			cw_imap_put(&st->rows, r->id, e);
		}
		e->last_ms = s->time_ms;
		/* A counter that went backwards gives no rate (history), so a
		 * reset never counts as failures. */
		if (r->rates.valid) {
			if (e->has_rates) {
				e->opens += CF_ALPHA * (r->rates.active_opens - e->opens);
				e->fails += CF_ALPHA * (r->rates.attempt_fails - e->fails);
			} else {
				e->opens = r->rates.active_opens;
				e->fails = r->rates.attempt_fails;
				e->has_rates = true;
			}
			if (r->rates.attempt_fails > 0)
				e->fail_ms = s->time_ms;
		}
		if (!r->has_exact)
			continue;
		t = cw_rules_net_sample_ms(s, r);
		fresh = t != e->sample_ms;
		e->sample_ms = t;
		cw_rules_net_dns(r, &d);
		n = syn_peers(r, idx, CF_MAX_PEERS);
		for (k = 0; k < n; k++) {
			const struct cw_peer *p = &r->peers[idx[k]];
			struct cw_peer_key key;
			struct cf_peer *c;
			bool up, keep;

			if (p->port == 53 && cw_rule_dns_storm_sized(r, &d))
				continue;
			cw_rules_net_peer_key(&key, r->id, p);
			c = cw_smap_getb(&st->peers, &key, sizeof(key));
			if (!c) {
				c = cw_xcalloc(1, sizeof(*c));
				c->since_ms = c->sample_ms = t;
				c->samples = 1;
				cw_smap_putb(&st->peers, &key, sizeof(key), c);
			} else if (fresh && t > c->sample_ms) {
				c->sample_ms = t;
				c->samples++;
			}
			c->last_ms = s->time_ms;
			up = c->samples >= 2 && c->sample_ms - c->since_ms >= CW_RULES_NET_HOLD_MS &&
			     e->fail_ms && s->time_ms - e->fail_ms <= CF_FAIL_WINDOW_MS &&
			     e->fails >= CF_MIN_FAIL_SHARE * e->opens;
			keep = e->fail_ms && s->time_ms - e->fail_ms <= CF_KEEP_FAIL_WINDOW_MS;
			c->on = c->on ? keep : up;
			if (c->on)
				report(out, conf, s, r, e, c, p);
		}
	}
	/* A peer without SYN_SENT in its row's sample (or past the 16 kept)
	 * was not touched: its run is over. */
	cw_rules_net_sweep_smap(&st->peers, s->time_ms);
	cw_rules_net_sweep_imap(&st->rows, s->time_ms);
}

const struct cw_rule_def cw_rule_connect_fail = {CW_RULE_CONNECT_FAIL, state_new, state_free, run};
