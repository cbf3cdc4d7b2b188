/* rule dns-storm: a pod flooding its resolver.
 *
 * What it counts: the row's sockets toward port 53, TCP SYN_SENT and
 * ESTABLISHED from the peers list and connected UDP sockets (peer.udp, and
 * the row's udp_dns, which covers resolvers past the cut of the peers list).
 *
 * When it fires: at least 20 such sockets, of which at least 10 are lookups
 * in flight (SYN_SENT, or connected UDP) or while the namespace opens at
 * least 10 connections/s; held for 30 s. A healthy pod resolves over UDP in
 * milliseconds, so a sample catches 0 to 2 sockets to port 53: twenty at
 * once means lookups pile up (the resolver is slow or drops them) or the
 * application fires them in floods (ndots:5 multiplies every external name
 * by its search list). ESTABLISHED alone, with no opens, is a DNS forwarder
 * (node-local-dns, CoreDNS forwarding over TCP) keeping its pooled
 * connections: steady, not a storm, so it is not enough. The 30 s hold lets
 * a burst (a rollout resolving everything at once) pass. Once on, it stays
 * while 10 sockets and 5 in flight (or 5 opens/s) remain. crit at 200.
 *
 * What it reports: the count by kind, its change per second, the
 * namespace's opens per second, the resolver (the busiest port-53 peer)
 * and, from the pod's own files (podfiles), the settings that multiply
 * lookups: resolv.conf's ndots, search list and options, and GODEBUG netdns
 * from the environment. Those files are read only for a row with a finding,
 * at most once per 10 s per row, from the pod's newest process (the highest
 * of its pids: the pause process starts first and has no resolver of its
 * own to speak of); the environment of up to 3 of its processes is read
 * for GODEBUG. A failure is a note in the evidence (files_note), never a
 * stop; the finding names the process it read (pid).
 *
 * State: per row, its hold, the previous count (for the change) and the
 * cached hints; rows not in the snapshot are forgotten. */
#include "config.h"
#include "map.h"
#include "podfiles.h"
#include "rulekit.h"
#include "rules.h"
#include "rules_net.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DNS_ON_SOCKETS 20
#define DNS_ON_INFLIGHT 10
#define DNS_ON_OPENS 10.0
#define DNS_KEEP_SOCKETS 10
#define DNS_KEEP_INFLIGHT 5
#define DNS_KEEP_OPENS 5.0
#define DNS_CRIT_SOCKETS 200
/* Pod files are read again after this long. */
#define DNS_HINTS_EVERY_MS 10000
/* Processes whose environment is read for GODEBUG, newest first. */
#define DNS_ENV_PIDS 3
/* Dots in the external name the hint counts lookups for
 * ("api.example.com"). */
#define DNS_HINT_DOTS 2

/* What the pod's files say, read for a row with a finding. */
struct dns_hints {
	int64_t read_ms;          /* 0: never read */
	int32_t pid;              /* the process whose files these are */
	bool has_resolv;
	struct cw_resolv resolv;  /* with the environment's RES_OPTIONS, LOCALDOMAIN */
	struct cw_podenv env;     /* the newest process's */
	bool has_netdns;
	char netdns[64];          /* GODEBUG netdns, from the first of DNS_ENV_PIDS with it */
	char note[200];           /* what could not be read */
};

struct dns_row {
	int64_t last_ms;          /* first: see cw_rules_net_sweep_imap */
	struct cw_hold hold;
	int64_t sample_ms;        /* the exact sample the count is from */
	uint32_t count;
	bool has_change;
	double change;            /* per second, between the last two samples */
	double opens;             /* the last valid opens/s */
	struct dns_hints *hints;  /* once it had a finding */
};

struct dns_state {
	struct cw_imap rows;      /* row id -> struct dns_row */
};

static void *state_new(const struct cw_findings_conf *conf)
{
	(void)conf;
	return cw_xcalloc(1, sizeof(struct dns_state));
}

static void row_free(void *p)
{
	struct dns_row *e = p;

	free(e->hints);
	free(e);
}

static void state_free(void *p)
{
	struct dns_state *st = p;

	if (!st)
		return;
	cw_imap_done(&st->rows, row_free);
	free(st);
}

/* Reads the pod's resolver settings, at most once per DNS_HINTS_EVERY_MS
 * or when its newest process changed. */
static void read_hints(struct dns_row *e, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		       const struct cw_ns_row *r)
{
	struct dns_hints *h;
	int32_t pid = r->npids ? r->pids[r->npids - 1] : 0;
	char *cause = NULL;
	size_t i;
	int err;

	if (!e->hints)
		e->hints = cw_xcalloc(1, sizeof(*e->hints));
	h = e->hints;
	if (h->read_ms && h->pid == pid && s->time_ms - h->read_ms < DNS_HINTS_EVERY_MS &&
	    s->time_ms >= h->read_ms)
		return;
	memset(h, 0, sizeof(*h));
	h->read_ms = s->time_ms;
	h->pid = pid;
	if (!pid || !conf->procfs) {
		snprintf(h->note, sizeof(h->note), "no process to read the pod's files from");
		return;
	}
	for (i = 0; i < DNS_ENV_PIDS && i < r->npids; i++) {
		int32_t p = r->pids[r->npids - 1 - i];
		struct cw_podenv env;

		err = cw_podfiles_read_environ(conf->procfs, p, &env, i ? NULL : &cause);
		if (err < 0) {
			if (!i)
				snprintf(h->note, sizeof(h->note), "environ of pid %d: %s", (int)p,
					 cause ? cause : "unreadable");
			free(cause);
			cause = NULL;
			continue;
		}
		if (!i)
			h->env = env;
		if (env.has_netdns) {
			h->has_netdns = true;
			snprintf(h->netdns, sizeof(h->netdns), "%s", env.netdns);
			break;
		}
	}
	err = cw_podfiles_read_resolv(conf->procfs, pid, &h->resolv, &cause);
	if (err < 0) {
		size_t len = strlen(h->note);

		snprintf(h->note + len, sizeof(h->note) - len, "%sresolv.conf of pid %d: %s",
			 len ? "; " : "", (int)pid, cause ? cause : "unreadable");
		free(cause);
		return;
	}
	cw_podfiles_apply_env(&h->resolv, &h->env);
	h->has_resolv = true;
}

/* The options in force, as words ("timeout:2 attempts:3 single-request"). */
static void options_text(const struct cw_resolv *r, char *buf, size_t n)
{
	size_t len = 0;
	unsigned bit;

	buf[0] = 0;
	if (r->timeout >= 0)
		len += (size_t)snprintf(buf + len, n - len, "timeout:%d ", r->timeout);
	if (r->attempts >= 0 && len < n)
		len += (size_t)snprintf(buf + len, n - len, "attempts:%d ", r->attempts);
	for (bit = 1; bit && len < n; bit <<= 1) {
		const char *name = (r->flags & bit) ? cw_podfiles_flag_name(bit) : NULL;

		if (name)
			len += (size_t)snprintf(buf + len, n - len, "%s ", name);
	}
	if (len >= n)
		len = n - 1;
	while (len && buf[len - 1] == ' ')
		len--;
	buf[len] = 0;
}

static bool sized(uint32_t total, uint32_t inflight, double opens, unsigned sockets, unsigned flight,
		  double min_opens)
{
	return total >= sockets && (inflight >= flight || opens >= min_opens);
}

bool cw_rule_dns_storm_sized(const struct cw_ns_row *r, const struct cw_dns_count *d)
{
	double opens = r->rates.valid ? r->rates.active_opens : 0;

	return sized(d->total, d->syn_sent + d->udp, opens, DNS_ON_SOCKETS, DNS_ON_INFLIGHT, DNS_ON_OPENS);
}

/* Follows the count's change between exact samples. */
static void track(struct dns_row *e, const struct cw_snapshot *s, const struct cw_ns_row *r,
		  const struct cw_dns_count *d)
{
	int64_t t = cw_rules_net_sample_ms(s, r);

	if (r->rates.valid)
		e->opens = r->rates.active_opens;
	if (!r->has_exact || t == e->sample_ms)
		return;
	if (e->sample_ms && t > e->sample_ms) {
		e->change = ((double)d->total - (double)e->count) * 1000.0 / (double)(t - e->sample_ms);
		e->has_change = true;
	}
	e->sample_ms = t;
	e->count = d->total;
}

static void report(struct cw_rule_out *out, const struct cw_snapshot *s, const struct cw_ns_row *r,
		   const struct dns_row *e, const struct cw_dns_count *d)
{
	const struct dns_hints *h = e->hints;
	struct cw_finding *f;
	char res[80] = "port 53", n1[32], hint[160] = "", opts[160], summary[256];
	int64_t held = (s->time_ms - e->hold.since_ms) / 1000;
	unsigned names = 0;

	if (d->resolver)
		cw_rules_net_endpoint(&d->resolver->addr, d->resolver->port, res, sizeof(res));
	f = cw_rule_emit(out, CW_RULE_DNS_STORM, d->total >= DNS_CRIT_SOCKETS ? CW_SEV_CRIT : CW_SEV_WARN,
			 r);
	f->since_ms = e->hold.since_ms;
	if (d->resolver)
		cw_rule_peer(f, d->resolver);
	if (h && h->has_resolv) {
		int ndots = h->resolv.ndots >= 0 ? h->resolv.ndots : 1;

		f->pid = h->pid;
		names = cw_podfiles_names_per_lookup(&h->resolv, DNS_HINT_DOTS);
		if (names > 1)
			snprintf(hint, sizeof(hint),
				 "; ndots:%d with %zu search domains: each lookup of an external name "
				 "tries %u names",
				 ndots, h->resolv.nsearch_all, names);
	}
	if (h && h->has_netdns) {
		size_t len = strlen(hint);

		snprintf(hint + len, sizeof(hint) - len, "; GODEBUG netdns=%s", h->netdns);
	}
	cw_rule_text(out, f,
		     "dns storm: %s sockets to %s (%u SYN_SENT, %u ESTAB, %u UDP) for %lld s; "
		     "%.1f opens/s, %+.1f sockets/s%s",
		     cw_rulekit_thousands(d->total, n1, sizeof(n1)), res, d->syn_sent, d->estab, d->udp,
		     (long long)held, e->opens, e->has_change ? e->change : 0.0, hint);
	cw_rule_num(out, f, "sockets", d->total);
	cw_rule_num(out, f, "syn_sent", d->syn_sent);
	cw_rule_num(out, f, "estab", d->estab);
	cw_rule_num(out, f, "udp", d->udp);
	cw_rule_num(out, f, "change_per_s", cw_rulekit_round(e->has_change ? e->change : 0.0, 0.1));
	cw_rule_num(out, f, "opens_per_s", cw_rulekit_round(e->opens, 0.1));
	cw_rule_str(out, f, "resolver", d->resolver ? res : "");
	if (h && h->has_resolv) {
		cw_rule_num(out, f, "ndots", h->resolv.ndots >= 0 ? h->resolv.ndots : 1);
		cw_rule_num(out, f, "search", (double)h->resolv.nsearch_all);
		options_text(&h->resolv, opts, sizeof(opts));
		cw_rule_str(out, f, "options", opts);
		cw_rule_num(out, f, "names_per_lookup", names);
		cw_podfiles_summary(&h->resolv, &h->env, summary, sizeof(summary));
		cw_rule_str(out, f, "resolv_conf", summary);
	}
	if (h && h->has_netdns)
		cw_rule_str(out, f, "netdns", h->netdns);
	if (h && h->note[0])
		cw_rule_str(out, f, "files_note", h->note);
	if (d->syn_sent + d->udp >= d->total / 2)
		cw_rule_next(out, f,
			     "lookups go unanswered: check that %s answers from this pod (its endpoints, "
			     "NetworkPolicy, conntrack), then cut lookups (FQDNs with a trailing dot, a "
			     "lower ndots, caching)",
			     res);
	else
		cw_rule_next(out, f,
			     "the pod resolves in floods: cut lookups (FQDNs with a trailing dot, a lower "
			     "ndots, caching in the app) or add node-local-dns");
}

static void run(void *state, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		struct cw_rule_out *out)
{
	struct dns_state *st = state;
	size_t i;

	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *r = &s->rows[i];
		struct cw_dns_count d;
		struct dns_row *e;
		double opens;
		bool up, keep;

		if (r->vanished)
			continue;
		cw_rules_net_dns(r, &d);
		e = cw_imap_get(&st->rows, r->id);
		if (!e) {
			if (!d.total)
				continue; /* no state for rows that never talk to port 53 */
			e = cw_xcalloc(1, sizeof(*e));
			cw_imap_put(&st->rows, r->id, e);
		}
		e->last_ms = s->time_ms;
		track(e, s, r, &d);
		/* A tick without counters keeps the last rate it had. */
		opens = e->opens;
		up = sized(d.total, d.syn_sent + d.udp, opens, DNS_ON_SOCKETS, DNS_ON_INFLIGHT,
			   DNS_ON_OPENS);
		keep = sized(d.total, d.syn_sent + d.udp, opens, DNS_KEEP_SOCKETS, DNS_KEEP_INFLIGHT,
			     DNS_KEEP_OPENS);
		if (cw_rules_net_hold(&e->hold, up, up || keep, cw_rules_net_sample_ms(s, r),
				      CW_RULES_NET_HOLD_MS)) {
			read_hints(e, conf, s, r);
			report(out, s, r, e, &d);
		}
	}
	cw_rules_net_sweep_imap_fn(&st->rows, s->time_ms, row_free);
}

const struct cw_rule_def cw_rule_dns_storm = {CW_RULE_DNS_STORM, state_new, state_free, run};
