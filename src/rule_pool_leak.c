/* rule_pool_leak: a connection-pool leak. ESTABLISHED of a pod, or toward
 * one peer, rises steadily: a straight line fits its 10-s trend (least
 * squares, trendfit.c) over at least 2 minutes, with
 *   - R^2 >= 0.8: a steady rise, not noise around a level;
 *   - a rise of at least 20 sockets, 2/min and 10% of the count it rose
 *     from: a pool warming up by a few connections, or a big pod's traffic
 *     drifting up by a few percent, is not a leak;
 *   - each third of the window rising, no single 10-s step carrying more
 *     than half of the rise, and the last minute still rising: a jump (a
 *     20-s burst, a deploy that opens its pool at once) or a rise that
 *     stopped is not a leak.
 * Once found, it holds while a looser bar does (R^2 0.6, 10 sockets, the
 * last minute not falling back), so it does not flicker.
 * Why 2 minutes: a leak of one socket per second shows in 2 minutes,
 * while bursts and retries settle within one.
 *
 * Per-peer ESTABLISHED is not in the snapshot's history: this rule keeps
 * it (rulekit.c), for at most 8 peers per row over 5 minutes, and forgets
 * rows and peers unseen for a minute. A peer whose own ESTABLISHED fits
 * the bar fires the rule even when the pod's total does not. Only
 * outbound connections count as this pod's leak: when the peer whose
 * ESTABLISHED rose most is inbound (a server whose clients leak), it is
 * their leak, found in their own pods, and this pod has no finding.
 *
 * It reports the slope per minute, the peer (the one that fits, else the
 * one whose ESTABLISHED rose most over the window), since = the start of
 * the fitted rise, and the process: of the pod's processes, the one
 * holding the most descriptors (each socket is one), with its
 * RLIMIT_NOFILE soft limit and when it reaches it at that slope (crit
 * within the hour). Those are read inside the pod (podfiles) only for a
 * row with a finding, at most every 5 s; a failure is process_note.
 * Evidence keys: slope_per_min, estab, rise, r2, window_s, peer,
 * peer_estab, peer_slope_per_min, pid, comm, fds, nofile_soft,
 * limit_in_s, process_note. */
#include "config.h"
#include "rulekit.h"
#include "rules.h"
#include "trendfit.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cw_trendfit_bar bar_on = {
	.min_span_ms = 120000, .min_samples = 6, .min_r2 = 0.8, .min_rise = 20, .min_rise_share = 0.1,
	.min_slope = 2, .thirds = 0.7, .max_jump = 0.5, .tail = 0.3,
};
static const struct cw_trendfit_bar bar_keep = {
	.min_span_ms = 120000, .min_samples = 6, .min_r2 = 0.6, .min_rise = 10, .min_rise_share = 0.05,
	.min_slope = 1, .thirds = 0.25, .max_jump = 0.7, .tail = 0.1,
};

struct leak_state {
	struct cw_imap peers;     /* row id -> struct cw_rulekit_peers */
	int64_t prev_ms;
};

static void *leak_new(const struct cw_findings_conf *conf)
{
	struct leak_state *st = cw_xcalloc(1, sizeof(*st));

	(void)conf;
	st->prev_ms = -1;
	return st;
}

static void leak_free(void *p)
{
	struct leak_state *st = p;

	if (!st)
		return;
	cw_rulekit_peers_free(&st->peers);
	free(st);
}

/* The rise of a tracked peer between t0 and its newest sample. */
static bool peer_rise(const struct cw_rulekit_peer *p, int64_t t0, double *rise, double *now)
{
	int64_t t[CW_RULEKIT_STEPS];
	double v[CW_RULEKIT_STEPS];
	size_t n = cw_rulekit_peer_series(p, t, v), i;

	for (i = 0; i < n && t[i] < t0; i++)
		;
	if (n < 2 || i >= n - 1)
		return false;
	*rise = v[n - 1] - v[i];
	*now = v[n - 1];
	return true;
}

/* "~4.5 h", "~20 min". */
static void eta_str(double mins, char *buf, size_t n)
{
	if (mins < 120)
		snprintf(buf, n, "~%.0f min", mins < 1 ? 1 : mins);
	else if (mins < 48 * 60)
		snprintf(buf, n, "~%.1f h", mins / 60);
	else
		snprintf(buf, n, "~%.0f d", mins / 1440);
}

/* The process part of the text ("; java[4123] holds 1,920 of 65,536 fds
 * (limit in ~4.5 h)"); *eta_s gets the seconds to the soft limit at
 * slope (per minute), or -1. */
static void proc_text(const struct cw_rulekit_proc *pr, double slope, char *buf, size_t n,
		      double *eta_s)
{
	char fds[32], lim[32], eta[32];

	*eta_s = -1;
	buf[0] = '\0';
	if (!pr->pid || !pr->has_fds)
		return;
	cw_rulekit_thousands(pr->fds, fds, sizeof(fds));
	if (!pr->has_limit || pr->nofile.soft == CW_NOFILE_UNLIMITED) {
		snprintf(buf, n, "; %s[%d] holds %s%s fds%s", pr->comm, (int)pr->pid,
			 pr->fds_capped ? "at least " : "", fds,
			 pr->has_limit ? " (no limit)" : "");
		return;
	}
	cw_rulekit_thousands(pr->nofile.soft, lim, sizeof(lim));
	if (pr->fds >= pr->nofile.soft) {
		*eta_s = 0;
		snprintf(buf, n, "; %s[%d] holds %s of %s fds (at its limit)", pr->comm, (int)pr->pid,
			 fds, lim);
		return;
	}
	*eta_s = (double)(pr->nofile.soft - pr->fds) / slope * 60.0;
	eta_str(*eta_s / 60.0, eta, sizeof(eta));
	snprintf(buf, n, "; %s[%d] holds %s of %s fds (limit in %s)", pr->comm, (int)pr->pid, fds, lim,
		 eta);
}

static void report(struct cw_rule_out *out, const struct cw_ns_row *r, const struct cw_trendfit *pod,
		   const struct cw_rulekit_peer *peer, const struct cw_trendfit *pfit,
		   const struct cw_rulekit_proc *pr, int64_t now)
{
	const struct cw_trendfit *use = pod ? pod : pfit;
	char ep[96] = "", to[112] = "", ptext[200], in_ns[300];
	double mins = (double)(now - use->start_ms) / 60000.0, eta_s;
	int32_t pid = pr->pid ? pr->pid : r->npids ? r->pids[0] : 0;
	struct cw_finding *f;

	proc_text(pr, use->slope, ptext, sizeof(ptext), &eta_s);
	/* crit when the process runs out of descriptors within the hour */
	f = cw_rule_emit(out, CW_RULE_POOL_LEAK, eta_s >= 0 && eta_s < 3600 ? CW_SEV_CRIT : CW_SEV_WARN,
			 r);
	f->pid = pr->pid;

	if (peer) {
		struct cw_peer p;

		cw_rulekit_endpoint_str(&peer->ep, ep, sizeof(ep));
		snprintf(to, sizeof(to), " %s %s", peer->ep.dir == CW_PEER_IN ? "from" : "to", ep);
		cw_rulekit_peer_of(&peer->ep, &p);
		cw_rule_peer(f, &p);
	}
	f->since_ms = use->start_ms;
	cw_rule_text(out, f, "pool leak: %+.0f ESTAB/min%s for %.0f min%s", use->slope, to,
		     mins < 1 ? 1 : mins, ptext);
	cw_rule_num(out, f, "slope_per_min", cw_rulekit_round(use->slope, 0.1));
	cw_rule_num(out, f, "estab", r->tcp.tcp[CW_TCP_ESTABLISHED]);
	cw_rule_num(out, f, "rise", cw_rulekit_round(use->rise, 0.1));
	cw_rule_num(out, f, "r2", cw_rulekit_round(use->r2, 0.001));
	cw_rule_num(out, f, "window_s", (double)(use->end_ms - use->start_ms) / 1000.0);
	if (peer) {
		double rise, cur;

		cw_rule_str(out, f, "peer", ep);
		if (peer_rise(peer, use->start_ms, &rise, &cur))
			cw_rule_num(out, f, "peer_estab", cur);
		if (pfit)
			cw_rule_num(out, f, "peer_slope_per_min", cw_rulekit_round(pfit->slope, 0.1));
	}
	if (pr->pid) {
		cw_rule_num(out, f, "pid", pr->pid);
		cw_rule_str(out, f, "comm", pr->comm);
	}
	if (pr->has_fds)
		cw_rule_num(out, f, "fds", (double)pr->fds);
	if (pr->has_limit && pr->nofile.soft != CW_NOFILE_UNLIMITED)
		cw_rule_num(out, f, "nofile_soft", (double)pr->nofile.soft);
	if (eta_s >= 0)
		cw_rule_num(out, f, "limit_in_s", cw_rulekit_round(eta_s, 1));
	if (pr->note[0])
		cw_rule_str(out, f, "process_note", pr->note);
	cw_rulekit_in_ns(r, pid, in_ns, sizeof(in_ns));
	if (peer && peer->ep.dir == CW_PEER_OUT)
		cw_rule_next(out, f,
			     "%s ss -tnp state established dst %s: which process opens them; "
			     "check its pool returns connections to %s",
			     in_ns, ep, ep);
	else
		cw_rule_next(out, f,
			     "%s ss -tnp state established: which process holds them, and to whom", in_ns);
}

static void leak_run(void *p, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		     struct cw_rule_out *out)
{
	struct leak_state *st = p;
	int64_t t[CW_SERIES_LEN > CW_TRENDFIT_MAX ? CW_SERIES_LEN : CW_TRENDFIT_MAX];
	double v[CW_ARRAY_LEN(t)];
	size_t i, k;

	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *r = &s->rows[i];
		const struct cw_trendfit_bar *bar;
		struct cw_rulekit_peers *h;
		struct cw_trendfit pod, pfit, best = {0};
		const struct cw_rulekit_peer *bestp = NULL, *named = NULL;
		bool pod_ok;
		size_t n;

		/* Without exact counts there is nothing to record: no state
		 * is kept for the row (on a big node, most rows at first). */
		if (r->vanished || !r->has_exact)
			continue;
		h = cw_rulekit_peers_update(&st->peers, s, r, CW_TCP_ESTABLISHED, st->prev_ms);
		bar = h->firing ? &bar_keep : &bar_on;
		h->firing = false;
		if (!r->trend)
			continue;
		n = cw_rulekit_slot(r->trend, CW_TCP_ESTABLISHED, t, v, CW_TRENDFIT_MAX);
		pod_ok = cw_trendfit_rise(t, v, n, bar, &pod);
		for (k = 0; h->p && k < CW_RULEKIT_PEERS; k++) {
			const struct cw_rulekit_peer *pe = &h->p[k];

			/* Only connections this pod opened: a server whose
			 * clients leak sees its inbound ESTABLISHED rise, but the
			 * leak is theirs (found in their pods). */
			if (!pe->used || pe->ep.dir != CW_PEER_OUT)
				continue;
			n = cw_rulekit_peer_series(pe, t, v);
			if (cw_trendfit_rise(t, v, n, bar, &pfit) && (!bestp || pfit.slope > best.slope)) {
				best = pfit;
				bestp = pe;
			}
		}
		if (!pod_ok && !bestp)
			continue;
		named = bestp;
		if (!named) {
			/* The pod fits and no single peer does: name the one
			 * whose ESTABLISHED rose most over the pod's window. */
			double most = 0;

			for (k = 0; h->p && k < CW_RULEKIT_PEERS; k++) {
				double rise, cur;

				if (h->p[k].used && peer_rise(&h->p[k], pod.start_ms, &rise, &cur) &&
				    rise > most) {
					most = rise;
					named = &h->p[k];
				}
			}
		}
		if (!bestp && named && named->ep.dir != CW_PEER_OUT)
			continue; /* the pod's rise is inbound: its clients' leak */
		h->firing = true;
		/* Inside the pod only for a row with a finding, at most every
		 * few seconds (cached). */
		cw_rulekit_proc_read(conf->procfs, r, s->time_ms, &h->proc);
		report(out, r, pod_ok ? &pod : NULL, named, bestp ? &best : NULL, &h->proc, s->time_ms);
	}
	cw_rulekit_peers_expire(&st->peers, s->time_ms);
	st->prev_ms = s->time_ms;
}

const struct cw_rule_def cw_rule_pool_leak = {
	.rule = CW_RULE_POOL_LEAK,
	.state_new = leak_new,
	.state_free = leak_free,
	.run = leak_run,
};
