/* rule time-wait: TIME_WAIT piling up toward one destination.
 *
 * Each outgoing connection that we close first leaves a TIME_WAIT socket
 * that keeps its local port for 60 s (TCP_TIMEWAIT_LEN, fixed in the
 * kernel: tcp_fin_timeout is FIN_WAIT2's timeout, not this one, though it
 * is often tuned as if it were). Toward one destination (address, port)
 * every connection needs its own local port, so the ephemeral range
 * (ip_local_port_range) is the budget: share = TIME_WAIT toward the
 * destination / the size of the range. Only outgoing peers count: a
 * server's TIME_WAIT (clients closing last) spends none of our ports.
 *
 * When it fires, held for 30 s:
 *   - the share is at least 5% (1,411 ports of the default range: about 24
 *     new connections a second to one place without reuse): info; warn at
 *     25%, crit at 50% (connects fail with EADDRNOTAVAIL at 100%, sooner
 *     under bind() or with several sockets per connection);
 *   - or the namespace holds at least --warn-time-wait TIME_WAIT sockets
 *     (default 5000) and one destination has half of them: warn.
 * Both also need the churn to be going on now: opens per second (smoothed)
 * times 60 s must cover half of the pile. A burst that ended leaves its
 * TIME_WAIT for a minute, with no opens feeding it; that is no finding.
 * It stays on while the share is 3.5% (or the count 70% of the threshold,
 * with 40% on one destination) and the opens cover a quarter.
 *
 * The range is the namespace's own (a new namespace starts from the
 * kernel default, not the host's), else the node's, else the default
 * 32768-60999, and the finding says which. It reports tcp_tw_reuse (1 lets
 * outgoing connects take a TIME_WAIT port; 2, the default, only on
 * loopback), tcp_fin_timeout and tcp_max_tw_buckets (past it the kernel
 * drops new TIME_WAIT sockets early), -1 where unknown.
 *
 * State: per row, its hold, the smoothed opens and the destination last
 * reported (kept while it stays close to the top, so the finding does not
 * hop between two similar peers); rows not in the snapshot are forgotten. */
#include "config.h"
#include "map.h"
#include "rulekit.h"
#include "rules.h"
#include "rules_net.h"
#include "util.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TW_ON_SHARE 0.05
#define TW_KEEP_SHARE 0.035
#define TW_WARN_SHARE 0.25
#define TW_CRIT_SHARE 0.50
#define TW_TIMEWAIT_S 60.0
/* Smoothing of the opens per second: each valid rate weighs this much. */
#define TW_OPENS_ALPHA 0.3

struct tw_row {
	int64_t last_ms;          /* first: see cw_rules_net_sweep_imap */
	struct cw_hold hold;
	bool has_opens;
	double opens;             /* smoothed active opens per second */
	bool has_peer;
	struct cw_endpoint peer;  /* the destination last reported */
};

struct tw_state {
	struct cw_imap rows;      /* row id -> struct tw_row */
};

static void *state_new(const struct cw_findings_conf *conf)
{
	(void)conf;
	return cw_xcalloc(1, sizeof(struct tw_state));
}

static void state_free(void *p)
{
	struct tw_state *st = p;

	if (!st)
		return;
	cw_imap_done(&st->rows, free);
	free(st);
}

static bool same_peer(const struct cw_endpoint *e, const struct cw_peer *p)
{
	return e->port == p->port && e->dir == p->dir && cw_addr_equal(&e->addr, &p->addr);
}

/* The outgoing peer with the most TIME_WAIT; the one reported before while
 * it has at least 80% of that. */
static const struct cw_peer *top_peer(const struct cw_ns_row *r, const struct tw_row *e)
{
	const struct cw_peer *best = NULL, *prev = NULL;
	size_t i;

	for (i = 0; i < r->npeers; i++) {
		const struct cw_peer *p = &r->peers[i];

		if (p->dir != CW_PEER_OUT || !p->tcp[CW_TCP_TIME_WAIT])
			continue;
		if (!best || p->tcp[CW_TCP_TIME_WAIT] > best->tcp[CW_TCP_TIME_WAIT])
			best = p;
		if (e->has_peer && same_peer(&e->peer, p))
			prev = p;
	}
	if (prev && (uint64_t)prev->tcp[CW_TCP_TIME_WAIT] * 5 >= (uint64_t)best->tcp[CW_TCP_TIME_WAIT] * 4)
		return prev;
	return best;
}

static void report(struct cw_rule_out *out, const struct cw_findings_conf *conf,
		   const struct cw_snapshot *s, const struct cw_ns_row *r, const struct tw_row *e,
		   const struct cw_peer *p, double share, int64_t lo, int64_t hi,
		   enum cw_setting_from from, bool by_count)
{
	int64_t reuse = cw_rules_net_sysctl(s, r, offsetof(struct cw_sysctls, tcp_tw_reuse));
	int64_t fin = cw_rules_net_sysctl(s, r, offsetof(struct cw_sysctls, tcp_fin_timeout));
	int64_t buckets = cw_rules_net_sysctl(s, r, offsetof(struct cw_sysctls, tcp_max_tw_buckets));
	uint32_t tw = p->tcp[CW_TCP_TIME_WAIT], row_tw = r->tcp.tcp[CW_TCP_TIME_WAIT];
	enum cw_severity sev = CW_SEV_INFO;
	char dest[80], n1[32], n2[32], extra[96] = "";
	struct cw_finding *f;

	(void)conf;
	if (share >= TW_CRIT_SHARE)
		sev = CW_SEV_CRIT;
	else if (share >= TW_WARN_SHARE || by_count)
		sev = CW_SEV_WARN;
	cw_rules_net_endpoint(&p->addr, p->port, dest, sizeof(dest));
	f = cw_rule_emit(out, CW_RULE_TIME_WAIT, sev, r);
	f->since_ms = e->hold.since_ms;
	cw_rule_peer(f, p);
	if (buckets > 0 && (double)row_tw >= 0.9 * (double)buckets)
		snprintf(extra, sizeof(extra), "; at tcp_max_tw_buckets %s: new TIME_WAIT dropped early",
			 cw_rulekit_thousands((uint64_t)buckets, n2, sizeof(n2)));
	else if (reuse >= 0)
		snprintf(extra, sizeof(extra), "; tcp_tw_reuse %lld", (long long)reuse);
	cw_rule_text(out, f, "TIME_WAIT pile-up: %s to %s hold %.1f%% of ports %lld-%lld (%s); %.1f opens/s%s",
		     cw_rulekit_thousands(tw, n1, sizeof(n1)), dest, share * 100.0, (long long)lo,
		     (long long)hi, cw_rules_net_from_name(from), e->opens, extra);
	cw_rule_num(out, f, "time_wait", tw);
	cw_rule_num(out, f, "time_wait_total", row_tw);
	cw_rule_num(out, f, "ports_in_use", p->total);
	cw_rule_num(out, f, "share_pct", cw_rulekit_round(share * 100.0, 0.1));
	cw_rule_num(out, f, "port_lo", (double)lo);
	cw_rule_num(out, f, "port_hi", (double)hi);
	cw_rule_str(out, f, "port_range_from", cw_rules_net_from_name(from));
	cw_rule_num(out, f, "opens_per_s", cw_rulekit_round(e->opens, 0.1));
	cw_rule_num(out, f, "tcp_tw_reuse", (double)reuse);
	cw_rule_num(out, f, "tcp_fin_timeout", (double)fin);
	cw_rule_num(out, f, "tcp_max_tw_buckets", (double)buckets);
	if (reuse == 1)
		cw_rule_next(out, f,
			     "reuse connections to %s (keep-alive, a pool); tcp_tw_reuse=1 already lets new "
			     "connects take TIME_WAIT ports, so widen ip_local_port_range if it keeps growing",
			     dest);
	else
		cw_rule_next(out, f,
			     "reuse connections to %s (keep-alive, a pool), or set net.ipv4.tcp_tw_reuse=1 in "
			     "the pod so connects can take TIME_WAIT ports; tcp_fin_timeout does not shorten "
			     "TIME_WAIT",
			     dest);
}

static void run(void *state, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		struct cw_rule_out *out)
{
	struct tw_state *st = state;
	size_t i;

	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *r = &s->rows[i];
		const struct cw_peer *p;
		struct tw_row *e;
		enum cw_setting_from from;
		int64_t lo, hi;
		double share, pile, fed;
		uint32_t tw, row_tw;
		bool by_count, keep_count, up, keep;

		if (r->vanished || !r->has_exact)
			continue;
		e = cw_imap_get(&st->rows, r->id);
		if (!e) {
			e = cw_xcalloc(1, sizeof(*e));
			cw_imap_put(&st->rows, r->id, e);
		}
		e->last_ms = s->time_ms;
		if (r->rates.valid) {
			e->opens = e->has_opens ? e->opens + TW_OPENS_ALPHA * (r->rates.active_opens - e->opens)
						: r->rates.active_opens;
			e->has_opens = true;
		}
		p = top_peer(r, e);
		if (!p) {
			cw_rules_net_hold(&e->hold, false, false, cw_rules_net_sample_ms(s, r),
					  CW_RULES_NET_HOLD_MS);
			continue;
		}
		tw = p->tcp[CW_TCP_TIME_WAIT];
		row_tw = r->tcp.tcp[CW_TCP_TIME_WAIT];
		from = cw_rules_net_port_range(s, r, &lo, &hi);
		share = (double)tw / (double)(hi - lo + 1);
		by_count = conf->time_wait && row_tw >= conf->time_wait && (uint64_t)tw * 2 >= row_tw;
		keep_count = conf->time_wait && (double)row_tw >= 0.7 * conf->time_wait &&
			     (uint64_t)tw * 10 >= (uint64_t)row_tw * 4;
		pile = e->opens * TW_TIMEWAIT_S;
		fed = (double)tw;
		up = (share >= TW_ON_SHARE || by_count) && pile >= fed / 2;
		keep = (share >= TW_KEEP_SHARE || keep_count) && pile >= fed / 4;
		if (cw_rules_net_hold(&e->hold, up, up || keep, cw_rules_net_sample_ms(s, r),
				      CW_RULES_NET_HOLD_MS)) {
			report(out, conf, s, r, e, p, share, lo, hi, from, by_count);
			e->has_peer = true;
			e->peer.addr = p->addr;
			e->peer.port = p->port;
			e->peer.dir = p->dir;
		} else {
			e->has_peer = false;
		}
	}
	cw_rules_net_sweep_imap(&st->rows, s->time_ms);
}

const struct cw_rule_def cw_rule_time_wait = {CW_RULE_TIME_WAIT, state_new, state_free, run};
