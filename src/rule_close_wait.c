/* rule_close_wait: a CLOSE_WAIT pile-up. The peer closed, the kernel
 * acknowledged its FIN, and the application never called close(): the
 * socket stays in CLOSE_WAIT, with its descriptor, for as long as the
 * process lives (the kernel has no timer for that state). It fires when
 *   - CLOSE_WAIT has stayed at or above --warn-close-wait (default 50)
 *     for 30 s: a server handles a peer's close within milliseconds, so
 *     that many sockets held that long are not being closed, while a
 *     burst of closes that drains (a 20-s spike) is not a pile-up; or
 *   - CLOSE_WAIT grows steadily below that: a straight line fits its 10-s
 *     trend over 2 minutes (R^2 >= 0.8, at least +10 and 2/min, spread
 *     out; trendfit.c): a slow leak long before it reaches the threshold.
 * It holds while CLOSE_WAIT stays at or above half the threshold, or the
 * growth still fits a looser bar (R^2 0.6, +5), so it does not flicker.
 * Severity crit at 5 times the threshold.
 *
 * It reports the process (of the pod's processes, the one holding the most
 * descriptors, read inside the pod through podfiles only for a row with a
 * finding, at most every 5 s; a failure is process_note), the peer with
 * the most CLOSE_WAIT, and the oldest socket's
 * age as far as counts allow: how long CLOSE_WAIT has not fallen to zero
 * (in the last minute's samples, then the trend). Sockets in CLOSE_WAIT
 * that are never closed stay, so the oldest is at least that old; it is a
 * lower bound, and the history's span caps it. Evidence keys:
 * close_wait, threshold, slope_per_min (when growing), peer,
 * peer_close_wait, held_min, oldest_age_min_s, pid, comm, fds,
 * process_note. */
#include "config.h"
#include "rulekit.h"
#include "rules.h"
#include "trendfit.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

#define SUSTAIN_MS 30000
#define DEFAULT_THRESHOLD 50

static const struct cw_trendfit_bar grow_on = {
	.min_span_ms = 120000, .min_samples = 6, .min_r2 = 0.8, .min_rise = 10, .min_slope = 2,
	.thirds = 0.7, .max_jump = 0.5, .tail = 0.3,
};
static const struct cw_trendfit_bar grow_keep = {
	.min_span_ms = 120000, .min_samples = 6, .min_r2 = 0.6, .min_rise = 5, .min_slope = 1,
	.thirds = 0.25, .max_jump = 0.7, .tail = 0.1,
};

/* A row whose finding holds. */
struct cwait_row {
	int64_t seen_ms;          /* the last snapshot it fired in */
	struct cw_rulekit_proc proc;
};

struct cwait_state {
	struct cw_imap firing;    /* row id -> struct cwait_row */
};

static void *cwait_new(const struct cw_findings_conf *conf)
{
	(void)conf;
	return cw_xcalloc(1, sizeof(struct cwait_state));
}

static void cwait_free(void *p)
{
	struct cwait_state *st = p;

	if (!st)
		return;
	cw_imap_done(&st->firing, free);
	free(st);
}

static const struct cw_peer *top_peer(const struct cw_ns_row *r)
{
	const struct cw_peer *best = NULL;
	size_t i;

	for (i = 0; i < r->npeers; i++)
		if (r->peers[i].tcp[CW_TCP_CLOSE_WAIT] &&
		    (!best || r->peers[i].tcp[CW_TCP_CLOSE_WAIT] > best->tcp[CW_TCP_CLOSE_WAIT]))
			best = &r->peers[i];
	return best;
}

/* "6 min", "45 s", "2.5 h". */
static void span_str(int64_t ms, char *buf, size_t n)
{
	if (ms < 120000)
		snprintf(buf, n, "%lld s", (long long)(ms / 1000));
	else if (ms < 2 * 3600000)
		snprintf(buf, n, "%lld min", (long long)(ms / 60000));
	else
		snprintf(buf, n, "%.1f h", (double)ms / 3600000.0);
}

static void report(struct cw_rule_out *out, const struct cw_ns_row *r, unsigned thr,
		   const struct cw_trendfit *grow, const struct cw_rulekit_proc *pr, int64_t since,
		   int64_t now)
{
	uint32_t cw = r->tcp.tcp[CW_TCP_CLOSE_WAIT];
	struct cw_finding *f = cw_rule_emit(out, CW_RULE_CLOSE_WAIT,
					    cw >= 5ull * thr ? CW_SEV_CRIT : CW_SEV_WARN, r);
	const struct cw_peer *peer = top_peer(r);
	char ep[96] = "", frm[128] = "", grew[64] = "", age[32] = "";
	double held_min = 0;
	int64_t held = cw_rulekit_above_since(r, CW_TCP_CLOSE_WAIT, 1, &held_min);
	int32_t pid = pr->pid ? pr->pid : r->npids ? r->pids[0] : 0;
	char held_by[160] = "", fds[32], in_ns[300];

	f->pid = pr->pid;
	if (pr->pid && pr->has_fds)
		snprintf(held_by, sizeof(held_by), "; held by %s[%d] (%s%s fds)", pr->comm, (int)pr->pid,
			 pr->fds_capped ? "at least " : "", cw_rulekit_thousands(pr->fds, fds, sizeof(fds)));
	if (peer) {
		struct cw_endpoint e;

		cw_rulekit_endpoint_of(peer, &e);
		cw_rulekit_endpoint_str(&e, ep, sizeof(ep));
		snprintf(frm, sizeof(frm), ", %u from %s", peer->tcp[CW_TCP_CLOSE_WAIT], ep);
		cw_rule_peer(f, peer);
	}
	if (grow)
		snprintf(grew, sizeof(grew), ", %+.0f/min", grow->slope);
	if (held >= 0)
		span_str(now - held, age, sizeof(age));
	f->since_ms = since;
	cw_rule_text(out, f, "CLOSE_WAIT pile-up: %u sockets%s%s%s; oldest >= %s (lower bound)", cw, grew,
		     frm, held_by, held >= 0 ? age : "?");
	cw_rule_num(out, f, "close_wait", cw);
	cw_rule_num(out, f, "threshold", thr);
	if (grow)
		cw_rule_num(out, f, "slope_per_min", cw_rulekit_round(grow->slope, 0.1));
	if (peer) {
		cw_rule_str(out, f, "peer", ep);
		cw_rule_num(out, f, "peer_close_wait", peer->tcp[CW_TCP_CLOSE_WAIT]);
	}
	if (held >= 0) {
		cw_rule_num(out, f, "held_min", held_min);
		cw_rule_num(out, f, "oldest_age_min_s", (double)(now - held) / 1000.0);
	}
	if (pr->pid) {
		cw_rule_num(out, f, "pid", pr->pid);
		cw_rule_str(out, f, "comm", pr->comm);
	}
	if (pr->has_fds)
		cw_rule_num(out, f, "fds", (double)pr->fds);
	if (pr->note[0])
		cw_rule_str(out, f, "process_note", pr->note);
	cw_rule_next(out, f,
		     "the application does not close sockets its peer%s closed: "
		     "%s ss -tnp state close-wait shows which process; look for "
		     "connections or response bodies never closed",
		     peer ? "" : "s", cw_rulekit_in_ns(r, pid, in_ns, sizeof(in_ns)));
}

static void cwait_run(void *p, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		      struct cw_rule_out *out)
{
	struct cwait_state *st = p;
	unsigned thr = conf->close_wait ? conf->close_wait : DEFAULT_THRESHOLD;
	int64_t t[CW_TRENDFIT_MAX];
	double v[CW_TRENDFIT_MAX];
	struct cw_imap_iter it;
	uint64_t *stale = NULL;
	size_t i, n, nstale = 0, cap = 0;

	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *r = &s->rows[i];
		struct cwait_row *fr = cw_imap_get(&st->firing, r->id);
		struct cw_trendfit grow;
		bool grows, above;
		int64_t since = -1;
		uint32_t cw;

		if (r->vanished || !r->has_exact)
			continue;
		cw = r->tcp.tcp[CW_TCP_CLOSE_WAIT];
		n = cw_rulekit_slot(r->trend, CW_TCP_CLOSE_WAIT, t, v, CW_TRENDFIT_MAX);
		grows = cw_trendfit_rise(t, v, n, fr ? &grow_keep : &grow_on, &grow);
		if (fr) {
			above = cw >= (thr + 1) / 2 && cw > 0;
		} else {
			since = cw_rulekit_above_since(r, CW_TCP_CLOSE_WAIT, thr, NULL);
			above = since >= 0 && s->time_ms - since >= SUSTAIN_MS;
		}
		if (!above && !grows)
			continue;
		if (grows)
			since = grow.start_ms;
		else if (since < 0)
			since = 0; /* held: the stage keeps the episode's start */
		if (!fr) {
			fr = cw_xcalloc(1, sizeof(*fr));
			cw_imap_put(&st->firing, r->id, fr);
		}
		fr->seen_ms = s->time_ms;
		/* Inside the pod only for a row with a finding, at most every
		 * few seconds (cached). */
		cw_rulekit_proc_read(conf->procfs, r, s->time_ms, &fr->proc);
		report(out, r, thr, grows ? &grow : NULL, &fr->proc, since, s->time_ms);
	}
	/* What fired now holds next time with the lower bar; the rest is
	 * forgotten (a row that vanished, a reused inode, a pile-up gone). */
	for (cw_imap_iter_init(&it, &st->firing); cw_imap_next(&it);)
		if (((const struct cwait_row *)it.val)->seen_ms != s->time_ms) {
			cw_xgrow((void **)&stale, &cap, nstale + 1, sizeof(*stale));
			stale[nstale++] = it.key;
		}
	for (i = 0; i < nstale; i++)
		free(cw_imap_del(&st->firing, stale[i]));
	free(stale);
}

const struct cw_rule_def cw_rule_close_wait = {
	.rule = CW_RULE_CLOSE_WAIT,
	.state_new = cwait_new,
	.state_free = cwait_free,
	.run = cwait_run,
};
