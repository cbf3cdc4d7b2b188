/* rule_off_baseline: a pod far above its own normal. Its baseline is the
 * median of its trend (history.c: one sample per 10 s over --history
 * minutes, 15 by default), per state. It fires for ESTABLISHED,
 * TIME_WAIT, CLOSE_WAIT, SYN_SENT or the total when the count
 *   - is at least 3 times its baseline: a pod that is merely big, or busy
 *     and steady, sits at its median;
 *   - and at least a minimum number of sockets above it: 50 ESTABLISHED,
 *     200 TIME_WAIT (each short connection leaves one for 60 s, so busy
 *     clients swing by hundreds), 25 CLOSE_WAIT or SYN_SENT (normally near
 *     zero, where any ratio is large), 100 in total: small counts do not
 *     fire;
 *   - and has been so for 30 s: a 20-s burst is not a new level.
 * It holds while the count stays at twice its baseline and half the
 * minimum excess, so it does not flicker. Where several states are off,
 * it names the one with the largest ratio, the total only when no single
 * state is. The baseline follows a level that lasts for half the history,
 * so the finding ends then: the pod has a new normal. A namespace younger
 * than a third of the history has no baseline and no finding.
 *
 * Evidence keys: state (ESTABLISHED, ..., or total), count, baseline,
 * ratio (against a baseline of at least 1), excess, baseline_window_s,
 * top_peer (the peer with most of that state). */
#include "config.h"
#include "rulekit.h"
#include "rules.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

#define RATIO_ON 3.0
#define RATIO_KEEP 2.0
#define SUSTAIN_MS 30000

static const struct {
	unsigned slot;
	const char *name;
	double excess;
} watched[] = {
	{CW_TCP_ESTABLISHED, "ESTABLISHED", 50},
	{CW_TCP_TIME_WAIT, "TIME_WAIT", 200},
	{CW_TCP_CLOSE_WAIT, "CLOSE_WAIT", 25},
	{CW_TCP_SYN_SENT, "SYN_SENT", 25},
	{0, "total", 100}, /* last: only when no single state is off */
};

struct ob_state {
	struct cw_imap firing;    /* row id -> CW_MAP_IDX(index in watched[]) */
};

static void *ob_new(const struct cw_findings_conf *conf)
{
	(void)conf;
	return cw_xcalloc(1, sizeof(struct ob_state));
}

static void ob_free(void *p)
{
	struct ob_state *st = p;

	if (!st)
		return;
	cw_imap_done(&st->firing, NULL);
	free(st);
}

static double ratio_of(double cur, double base)
{
	return cur / (base < 1 ? 1 : base);
}

/* The level a count must reach to fire, for watched[w]. */
static double level_on(const struct cw_ns_row *r, size_t w)
{
	double b = r->baseline[watched[w].slot], by_ratio = RATIO_ON * (b < 1 ? 1 : b);
	double by_excess = b + watched[w].excess;

	return by_ratio > by_excess ? by_ratio : by_excess;
}

static bool holds(const struct cw_ns_row *r, size_t w)
{
	double cur = cw_tcpcount_get(&r->tcp, watched[w].slot), b = r->baseline[watched[w].slot];

	return ratio_of(cur, b) >= RATIO_KEEP && cur - b >= watched[w].excess / 2;
}

static void report(struct cw_rule_out *out, const struct cw_ns_row *r, size_t w, int64_t since)
{
	unsigned slot = watched[w].slot;
	double cur = cw_tcpcount_get(&r->tcp, slot), b = r->baseline[slot];
	struct cw_finding *f = cw_rule_emit(out, CW_RULE_OFF_BASELINE, CW_SEV_WARN, r);
	int64_t win = r->trend && r->trend->n ? r->trend->t[r->trend->n - 1] - r->trend->t[0] : 0;
	const struct cw_peer *top = NULL;
	char ep[96] = "";
	size_t i;

	for (i = 0; i < r->npeers; i++) {
		uint32_t c = slot ? r->peers[i].tcp[slot] : r->peers[i].total;

		if (c && (!top || c > (slot ? top->tcp[slot] : top->total)))
			top = &r->peers[i];
	}
	if (top) {
		struct cw_endpoint e;

		cw_rulekit_endpoint_of(top, &e);
		cw_rulekit_endpoint_str(&e, ep, sizeof(ep));
	}
	f->since_ms = since > 0 ? since : 0;
	cw_rule_text(out, f, "off baseline: %s %.0f is %.1fx its baseline of %.0f (median of %lld min)%s%s",
		     watched[w].name, cur, ratio_of(cur, b), b, (long long)((win + 30000) / 60000),
		     top ? "; most to " : "", ep);
	cw_rule_str(out, f, "state", watched[w].name);
	cw_rule_num(out, f, "count", cur);
	cw_rule_num(out, f, "baseline", b);
	cw_rule_num(out, f, "ratio", cw_rulekit_round(ratio_of(cur, b), 0.01));
	cw_rule_num(out, f, "excess", cur - b);
	cw_rule_num(out, f, "baseline_window_s", (double)win / 1000.0);
	if (top)
		cw_rule_str(out, f, "top_peer", ep);
	cw_rule_next(out, f,
		     "what changed for this pod: a deploy, a traffic surge or retries; "
		     "its peers screen shows toward whom the %s sockets go",
		     watched[w].name);
}

static void ob_run(void *p, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		   struct cw_rule_out *out)
{
	struct ob_state *st = p;
	struct cw_imap now = {0};
	struct cw_imap_iter it;
	size_t i, w;

	(void)conf;
	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *r = &s->rows[i];
		void *was;
		size_t pick = CW_ARRAY_LEN(watched);
		int64_t since = 0;
		double best = 0;

		if (r->vanished || !r->has_exact || !r->has_baseline)
			continue;
		was = cw_imap_get(&st->firing, r->id);
		if (was && holds(r, CW_MAP_IDX_OF(was))) {
			pick = CW_MAP_IDX_OF(was);
		} else {
			for (w = 0; w < CW_ARRAY_LEN(watched); w++) {
				double cur = cw_tcpcount_get(&r->tcp, watched[w].slot);
				double ratio = ratio_of(cur, r->baseline[watched[w].slot]);
				int64_t from;

				if (watched[w].slot == 0 && pick < CW_ARRAY_LEN(watched))
					break; /* a single state is off: name it, not the total */
				from = cw_rulekit_above_since(r, watched[w].slot, level_on(r, w), NULL);
				if (from < 0 || s->time_ms - from < SUSTAIN_MS || ratio <= best)
					continue;
				best = ratio;
				pick = w;
				since = from;
			}
		}
		if (pick == CW_ARRAY_LEN(watched))
			continue;
		cw_imap_put(&now, r->id, CW_MAP_IDX(pick));
		report(out, r, pick, since);
	}
	/* Only what fires now is remembered. */
	cw_imap_clear(&st->firing, NULL);
	for (cw_imap_iter_init(&it, &now); cw_imap_next(&it);)
		cw_imap_put(&st->firing, it.key, it.val);
	cw_imap_done(&now, NULL);
}

const struct cw_rule_def cw_rule_off_baseline = {
	.rule = CW_RULE_OFF_BASELINE,
	.state_new = ob_new,
	.state_free = ob_free,
	.run = ob_run,
};
