/* rule node-limit: a figure close to the kernel limit that stops it.
 *
 * Four limits, each held for 30 s before it fires (a short peak that the
 * kernel absorbed is no incident) and kept while a lower bar holds:
 *   - file handles, node-wide: fs/file-nr's allocated handles against
 *     fs/file-max. At the limit, open(), socket() and accept() fail with
 *     ENFILE for every unprivileged process on the node. Fires at 90%,
 *     kept at 85%, crit at 97%.
 *   - conntrack, node-wide: the host's nf_conntrack_count against
 *     nf_conntrack_max. A full table drops the packets of every new flow
 *     ("nf_conntrack: table full, dropping packet"), for every pod. Fires
 *     at 90%, kept at 85%, crit at 97%.
 *   - conntrack, per namespace: nf_conntrack_max is one limit for the whole
 *     node (only the host namespace sets it; the table is shared), while
 *     nf_conntrack_count read inside a namespace counts that namespace's
 *     own entries. A pod holding half the node's table can fill it alone:
 *     fires at 50%, kept at 40%, crit at 80%. Host and hostNetwork rows are
 *     the node-wide figure and are left to it.
 *   - ephemeral ports toward one destination: every outgoing connection to
 *     one (address, port) needs its own local port from ip_local_port_range
 *     (the namespace's, else the node's, else the default 32768-60999), so
 *     the sockets toward it, in any state, against the size of the range.
 *     Past it, connect() fails with EADDRNOTAVAIL. Fires at 70%, kept at
 *     60%, crit at 90%.
 * Node-wide findings have no row (label "node"). Unknown figures (-1, a
 * kernel without conntrack, a namespace not read) give no finding.
 *
 * What it reports: the figure, its limit and the percentage ("what",
 * "value", "limit", "pct"), plus the range and the states for ports.
 *
 * State: the two node holds; per row, the conntrack hold; per (row,
 * destination), the ports hold, created only at 60% of the range. Rows and
 * destinations not in the snapshot are forgotten. */
#include "config.h"
#include "map.h"
#include "rulekit.h"
#include "rules.h"
#include "rules_net.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NL_NODE_ON 0.90
#define NL_NODE_KEEP 0.85
#define NL_NODE_CRIT 0.97
#define NL_NS_CT_ON 0.50
#define NL_NS_CT_KEEP 0.40
#define NL_NS_CT_CRIT 0.80
#define NL_PORTS_ON 0.70
#define NL_PORTS_KEEP 0.60
#define NL_PORTS_CRIT 0.90

struct nl_held {
	int64_t last_ms;          /* first: see cw_rules_net_sweep_imap/smap */
	struct cw_hold hold;
};

struct nl_state {
	struct cw_hold files, conntrack;
	struct cw_imap rows;      /* row id -> struct nl_held (its conntrack) */
	struct cw_smap ports;     /* struct cw_peer_key -> struct nl_held */
};

static void *state_new(const struct cw_findings_conf *conf)
{
	(void)conf;
	return cw_xcalloc(1, sizeof(struct nl_state));
}

static void state_free(void *p)
{
	struct nl_state *st = p;

	if (!st)
		return;
	cw_imap_done(&st->rows, free);
	cw_smap_done(&st->ports, free);
	free(st);
}

/* Feeds a ratio through a hold; false for unknown figures. */
static bool level(struct cw_hold *h, int64_t v, int64_t lim, double on, double keep, int64_t now,
		  double *pct)
{
	double x;

	if (v < 0 || lim <= 0) {
		*h = (struct cw_hold){0};
		return false;
	}
	x = (double)v / (double)lim;
	*pct = x * 100.0;
	return cw_rules_net_hold(h, x >= on, x >= keep, now, CW_RULES_NET_HOLD_MS);
}

static struct cw_finding *emit(struct cw_rule_out *out, const struct cw_ns_row *r, const struct cw_hold *h,
			       double pct, double crit_pct, const char *what, int64_t v, int64_t lim)
{
	struct cw_finding *f = cw_rule_emit(out, CW_RULE_NODE_LIMIT,
					    pct >= crit_pct ? CW_SEV_CRIT : CW_SEV_WARN, r);

	f->since_ms = h->since_ms;
	cw_rule_str(out, f, "what", what);
	cw_rule_num(out, f, "value", (double)v);
	cw_rule_num(out, f, "limit", (double)lim);
	cw_rule_num(out, f, "pct", cw_rulekit_round(pct, 0.1));
	return f;
}

static void node_wide(struct nl_state *st, const struct cw_snapshot *s, struct cw_rule_out *out)
{
	const struct cw_node *n = &s->node;
	char a[32], b[32];
	struct cw_finding *f;
	double pct = 0;

	if (level(&st->files, n->valid ? n->file_nr : -1, n->valid ? n->file_max : -1, NL_NODE_ON,
		  NL_NODE_KEEP, s->time_ms, &pct)) {
		f = emit(out, NULL, &st->files, pct, NL_NODE_CRIT * 100, "file-nr", n->file_nr, n->file_max);
		cw_rule_text(out, f, "node limit: file-nr %s of file-max %s (%.1f%%)",
			     cw_rulekit_thousands((uint64_t)n->file_nr, a, sizeof(a)),
			     cw_rulekit_thousands((uint64_t)n->file_max, b, sizeof(b)), pct);
		cw_rule_next(out, f,
			     "find who holds the files (the pods' fd counts, pool-leak findings) before "
			     "raising fs.file-max: at the limit open() and socket() fail with ENFILE");
	}
	if (level(&st->conntrack, n->valid ? n->sysctl.conntrack_count : -1,
		  n->valid ? n->conntrack_max : -1, NL_NODE_ON, NL_NODE_KEEP, s->time_ms, &pct)) {
		f = emit(out, NULL, &st->conntrack, pct, NL_NODE_CRIT * 100, "nf_conntrack_count",
			 n->sysctl.conntrack_count, n->conntrack_max);
		cw_rule_text(out, f, "node limit: conntrack %s of nf_conntrack_max %s (%.1f%%)",
			     cw_rulekit_thousands((uint64_t)n->sysctl.conntrack_count, a, sizeof(a)),
			     cw_rulekit_thousands((uint64_t)n->conntrack_max, b, sizeof(b)), pct);
		cw_rule_next(out, f,
			     "find the pods with the most entries (their nf_conntrack_count), then raise "
			     "net.netfilter.nf_conntrack_max or shorten its TCP timeouts: a full table drops "
			     "new flows");
	}
}

static void row_conntrack(struct nl_state *st, const struct cw_snapshot *s, const struct cw_ns_row *r,
			  struct cw_rule_out *out)
{
	int64_t lim = s->node.valid ? s->node.conntrack_max : -1;
	struct nl_held *e;
	char a[32], b[32];
	struct cw_finding *f;
	double pct = 0;

	if (r->kind == CW_KIND_HOST || r->kind == CW_KIND_HOSTNET_POD || !r->has_sysctl ||
	    r->sysctl.conntrack_count < 0 || lim <= 0)
		return;
	e = cw_imap_get(&st->rows, r->id);
	if (!e) {
		if ((double)r->sysctl.conntrack_count < NL_NS_CT_KEEP * (double)lim)
			return;
		e = cw_xcalloc(1, sizeof(*e));
		cw_imap_put(&st->rows, r->id, e);
	}
	e->last_ms = s->time_ms;
	if (!level(&e->hold, r->sysctl.conntrack_count, lim, NL_NS_CT_ON, NL_NS_CT_KEEP, s->time_ms, &pct))
		return;
	f = emit(out, r, &e->hold, pct, NL_NS_CT_CRIT * 100, "nf_conntrack_count", r->sysctl.conntrack_count,
		 lim);
	cw_rule_text(out, f, "node limit: %s conntrack entries in this namespace, %.1f%% of the node's "
			     "nf_conntrack_max %s",
		     cw_rulekit_thousands((uint64_t)r->sysctl.conntrack_count, a, sizeof(a)), pct,
		     cw_rulekit_thousands((uint64_t)lim, b, sizeof(b)));
	cw_rule_next(out, f,
		     "this pod alone can fill the node's conntrack table: look for connection churn or a "
		     "scan from it (its opens per second, its peers)");
}

static void row_ports(struct nl_state *st, const struct cw_snapshot *s, const struct cw_ns_row *r,
		      struct cw_rule_out *out)
{
	enum cw_setting_from from;
	int64_t lo, hi, size;
	size_t i;

	if (!r->has_exact)
		return;
	from = cw_rules_net_port_range(s, r, &lo, &hi);
	size = hi - lo + 1;
	for (i = 0; i < r->npeers; i++) {
		const struct cw_peer *p = &r->peers[i];
		struct cw_peer_key key;
		struct nl_held *e;
		struct cw_finding *f;
		char a[32], b[32], dest[80];
		double pct = 0;

		if (p->dir != CW_PEER_OUT || (double)p->total < NL_PORTS_KEEP * (double)size)
			continue;
		cw_rules_net_peer_key(&key, r->id, p);
		e = cw_smap_getb(&st->ports, &key, sizeof(key));
		if (!e) {
			e = cw_xcalloc(1, sizeof(*e));
			cw_smap_putb(&st->ports, &key, sizeof(key), e);
		}
		e->last_ms = s->time_ms;
		if (!level(&e->hold, p->total, size, NL_PORTS_ON, NL_PORTS_KEEP, cw_rules_net_sample_ms(s, r),
			   &pct))
			continue;
		cw_rules_net_endpoint(&p->addr, p->port, dest, sizeof(dest));
		f = emit(out, r, &e->hold, pct, NL_PORTS_CRIT * 100, "ephemeral_ports", p->total, size);
		cw_rule_peer(f, p);
		cw_rule_num(out, f, "port_lo", (double)lo);
		cw_rule_num(out, f, "port_hi", (double)hi);
		cw_rule_str(out, f, "port_range_from", cw_rules_net_from_name(from));
		cw_rule_num(out, f, "estab", p->tcp[CW_TCP_ESTABLISHED]);
		cw_rule_num(out, f, "time_wait", p->tcp[CW_TCP_TIME_WAIT]);
		cw_rule_text(out, f, "node limit: %s sockets to %s use %.1f%% of ports %lld-%lld (%s, %s ports)",
			     cw_rulekit_thousands(p->total, a, sizeof(a)), dest, pct, (long long)lo,
			     (long long)hi, cw_rules_net_from_name(from),
			     cw_rulekit_thousands((uint64_t)size, b, sizeof(b)));
		cw_rule_next(out, f,
			     "reuse connections to %s (a pool, keep-alive) or widen ip_local_port_range in "
			     "the pod: past the range connect() fails with EADDRNOTAVAIL",
			     dest);
	}
}

static void run(void *state, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		struct cw_rule_out *out)
{
	struct nl_state *st = state;
	size_t i;

	(void)conf;
	node_wide(st, s, out);
	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *r = &s->rows[i];

		if (r->vanished)
			continue;
		row_conntrack(st, s, r, out);
		row_ports(st, s, r, out);
	}
	cw_rules_net_sweep_imap(&st->rows, s->time_ms);
	cw_rules_net_sweep_smap(&st->ports, s->time_ms);
}

const struct cw_rule_def cw_rule_node_limit = {CW_RULE_NODE_LIMIT, state_new, state_free, run};
