/* sched: dump ordering under a budget, the cost model, the round and the
 * bound on age. */
#include "config.h"
#include "sched.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int cmp_f(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..k), or dflt when k is 0. Sorts v. */
static double median(double *v, size_t k, double dflt)
{
	if (!k)
		return dflt;
	qsort(v, k, sizeof(*v), cmp_f);
	return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

void cw_sched_model_fit(struct cw_sched_model *m, const struct cw_sched_item *items, size_t n)
{
	double *fixed = cw_xmalloc((n ? n : 1) * sizeof(*fixed));
	double *sh = cw_xmalloc((n ? n : 1) * sizeof(*sh));
	double *own = cw_xmalloc((n ? n : 1) * sizeof(*own));
	size_t i, kf = 0, ks = 0, ko = 0;

	m->shared_socks = 0;
	for (i = 0; i < n; i++)
		if (items[i].hash != 0)
			m->shared_socks += items[i].weight;
	/* Small walks teach the fixed part; the others, with it, the cost
	 * per socket of their kind of hash. */
	for (i = 0; i < n; i++)
		if (items[i].cost_ns > 0 && items[i].walked && items[i].walked < CW_SCHED_LEARN_SOCKS)
			fixed[kf++] = (double)items[i].cost_ns;
	m->fixed_ns = (int64_t)median(fixed, kf, CW_SCHED_FIXED_NS);
	for (i = 0; i < n; i++) {
		const struct cw_sched_item *it = &items[i];
		double per;

		if (it->cost_ns <= 0 || it->walked < CW_SCHED_LEARN_SOCKS)
			continue;
		per = (double)(it->cost_ns > m->fixed_ns ? it->cost_ns - m->fixed_ns : 0) /
		      (double)it->walked;
		if (it->hash == 0)
			own[ko++] = per;
		else
			sh[ks++] = per;
	}
	m->shared_ns = median(sh, ks, CW_SCHED_SHARED_NS_PER_SOCK);
	m->own_ns = median(own, ko, CW_SCHED_OWN_NS_PER_SOCK);
	free(fixed);
	free(sh);
	free(own);
}

uint64_t cw_sched_walk(const struct cw_sched_model *m, const struct cw_sched_item *it)
{
	/* The shared hash holds the sharers' sockets and the host's; with
	 * its own, a namespace's dump walks only its own sockets. */
	return it->hash == 0 ? it->weight : m->shared_socks;
}

int64_t cw_sched_cost(const struct cw_sched_model *m, const struct cw_sched_item *it)
{
	if (it->cost_ns > 0)
		return it->cost_ns;
	if (!m)
		return CW_SCHED_FIXED_NS;
	return m->fixed_ns +
	       (int64_t)((it->hash == 0 ? m->own_ns : m->shared_ns) * (double)cw_sched_walk(m, it));
}

int64_t cw_sched_round_ms(const struct cw_sched_item *items, size_t n, int64_t budget_ns,
			  int64_t interval_ms, const struct cw_sched_model *m)
{
	int64_t sum = 0, must = 0, left;
	size_t i;

	/* What is asked for goes every tick: the round has what is left of
	 * the budget (at least a tenth of it). */
	for (i = 0; i < n; i++) {
		if (items[i].cls == CW_SCHED_NEVER || items[i].cls == CW_SCHED_LIVE)
			continue;
		if (items[i].cls == CW_SCHED_MUST)
			must += cw_sched_cost(m, &items[i]);
		else
			sum += cw_sched_cost(m, &items[i]);
	}
	left = budget_ns - must;
	if (left < budget_ns / 10)
		left = budget_ns / 10;
	if (left <= 0)
		left = 1;
	return (int64_t)((double)sum / (double)left * (double)interval_ms);
}

int64_t cw_sched_live_round_ms(const struct cw_sched_item *items, size_t n, int64_t share_ns,
			       int64_t interval_ms, const struct cw_sched_model *m)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (items[i].cls == CW_SCHED_LIVE)
			sum += cw_sched_cost(m, &items[i]);
	return (int64_t)((double)sum / (double)(share_ns > 0 ? share_ns : 1) * (double)interval_ms);
}

int64_t cw_sched_age_bound(int64_t round_ms)
{
	int64_t bound = round_ms + round_ms / 4;

	return bound > CW_SCHED_MIN_AGE_MS ? bound : CW_SCHED_MIN_AGE_MS;
}

void cw_sched_overdue(struct cw_sched_item *items, size_t n, int64_t now_ms, int64_t max_age_ms,
		      int64_t live_max_age_ms)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct cw_sched_item *it = &items[i];
		int64_t bound = it->cls == CW_SCHED_LIVE ? live_max_age_ms : max_age_ms;

		if ((it->cls == CW_SCHED_NEW || it->cls == CW_SCHED_MOVED || it->cls == CW_SCHED_IDLE ||
		     it->cls == CW_SCHED_LIVE) &&
		    it->last_exact_ms && now_ms - it->last_exact_ms > bound)
			it->cls = CW_SCHED_OVERDUE;
	}
}

/* MOVED and IDLE share one tier: the round-robin. */
static int tier(enum cw_sched_class c)
{
	return c == CW_SCHED_IDLE ? CW_SCHED_MOVED : (int)c;
}

static int cmp(const void *a, const void *b)
{
	const struct cw_sched_item *x = a, *y = b;

	if (tier(x->cls) != tier(y->cls))
		return tier(x->cls) < tier(y->cls) ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void cw_sched_order(struct cw_sched_item *items, size_t n, int64_t now_ms,
		    const struct cw_sched_model *m)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct cw_sched_item *it = &items[i];
		int64_t age = it->last_exact_ms ? now_ms - it->last_exact_ms : 0;

		/* The highest first: never dumped, the most sockets per ms
		 * of predicted CPU; otherwise the oldest, and in the
		 * round-robin, of two as old (dumped in the same tick), one
		 * whose counters moved. */
		if (it->cls == CW_SCHED_NEW)
			it->prio = (int64_t)((double)it->weight * 1e9 /
					     (double)(cw_sched_cost(m, it) > 0 ? cw_sched_cost(m, it) : 1));
		else
			it->prio = age * 2 + (it->cls == CW_SCHED_MOVED);
	}
	if (n > 1)
		qsort(items, n, sizeof(*items), cmp);
}

/* A tick's budget (or share) from what the last tick left: its base, less
 * a debt (the last tick spent past what it had) or with a carry. */
static void start_budget(int64_t budget_ns, int64_t carry_ns, int64_t *now, int64_t *base,
			 int64_t *carry)
{
	int64_t debt = carry_ns < 0 ? -carry_ns : 0;

	*base = budget_ns > 0 ? budget_ns : 0;
	*now = *base > debt ? *base - debt : 0;
	*carry = carry_ns > 0 ? carry_ns : 0;
}

void cw_sched_tick_start(struct cw_sched_tick *t, int64_t budget_ns, int64_t carry_ns, uint32_t overs)
{
	memset(t, 0, sizeof(*t));
	start_budget(budget_ns, carry_ns, &t->budget_ns, &t->base_ns, &t->carry_ns);
	t->overs = overs & ((1u << CW_SCHED_OVER_WINDOW) - 1);
}

static int bits(uint32_t v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static int64_t over_line(const struct cw_sched_tick *t)
{
	return t->base_ns + t->base_ns / 10;
}

uint32_t cw_sched_tick_overs(const struct cw_sched_tick *t)
{
	return ((t->overs << 1) | (t->spent_ns > over_line(t))) & ((1u << CW_SCHED_OVER_WINDOW) - 1);
}

/* What a tick leaves of a budget and its carry, capped: no more than the
 * dearest dump needs, since a bigger carry would only let several ticks in
 * a row pass the budget. But a dump dearer than a budget is saved for over
 * several held ticks, each adding a whole budget: then up to a budget
 * more, or part of one would be thrown away and the round would take
 * longer than the budget allows. */
static int64_t carry_left(int64_t budget, int64_t base, int64_t carry, int64_t spent, int64_t max_cost)
{
	int64_t left = budget + carry - spent, cap = max_cost;
	int64_t max_debt = max_cost > base ? max_cost : base;

	if (cap > base)
		cap += base;
	/* Spent past what it had (a dump dearer than predicted, or one that
	 * had to go: overdue, asked for): the next ticks pay it back, so the
	 * mean keeps the budget. At most a budget, or the dearest dump where
	 * that is dearer: a tick that had to dump far more (an exact first
	 * tick) is not paid back over many. */
	if (left < -max_debt)
		return -max_debt;
	if (left < 0)
		return left;
	return left > cap ? cap : left;
}

int64_t cw_sched_tick_carry(const struct cw_sched_tick *t)
{
	return carry_left(t->budget_ns, t->base_ns, t->carry_ns, t->spent_ns, t->max_cost_ns);
}

void cw_sched_tick_live(struct cw_sched_tick *t, int64_t share_ns, int64_t carry_ns)
{
	start_budget(share_ns, carry_ns, &t->live_ns, &t->live_base_ns, &t->live_carry_ns);
	t->live_spent_ns = t->live_max_ns = 0;
}

int64_t cw_sched_tick_live_carry(const struct cw_sched_tick *t)
{
	return carry_left(t->live_ns, t->live_base_ns, t->live_carry_ns, t->live_spent_ns, t->live_max_ns);
}

bool cw_sched_should_dump(const struct cw_sched_item *it, struct cw_sched_tick *t,
			  const struct cw_sched_model *m)
{
	int64_t c;

	if (it->cls == CW_SCHED_NEVER)
		return false;
	if (it->cls == CW_SCHED_MUST || it->cls == CW_SCHED_OVERDUE)
		return true;
	c = cw_sched_cost(m, it);
	/* Live ones only reconcile: out of their own share, as a rate (its
	 * carry pays for a dump dearer than one tick's share), and out of
	 * what the rest leave of the budget (never of its carry, which a
	 * held dump waits for). They never hold the tick. */
	if (it->cls == CW_SCHED_LIVE) {
		if (c > t->live_max_ns)
			t->live_max_ns = c;
		return t->live_spent_ns + c <= t->live_ns + t->live_carry_ns &&
		       t->spent_ns + c <= t->budget_ns;
	}
	if (c > t->max_cost_ns)
		t->max_cost_ns = c;
	if (t->held)
		return false;
	if (t->spent_ns + c <= t->budget_ns)
		return true;
	/* What earlier ticks left pays for one dump a tick, in full: the
	 * ticks that pass the budget are few and spread, and a round takes
	 * what the budget allows, not a tick per dump that does not fit.
	 * A tick that it would take past the budget + 10% does so only while
	 * such ticks are few (CW_SCHED_OVER_MAX), so the median tick keeps
	 * the budget: a dump dearer than that waits too, saving up. */
	if (!t->carried && c <= t->carry_ns &&
	    (t->spent_ns + c <= over_line(t) || bits(t->overs) < CW_SCHED_OVER_MAX)) {
		t->carried = true;
		return true;
	}
	/* A tick past the line is one of the few however far past: it
	 * spends what is left of the carry on the next dumps. Where one dump
	 * costs 1.1-2 budgets, two go in a tick that has saved for them, and
	 * the ticks between spend nothing: the round keeps the budget's pace
	 * with fewer than half of the ticks past the line. */
	if (t->carried && t->spent_ns > over_line(t) &&
	    t->spent_ns + c <= t->budget_ns + t->carry_ns)
		return true;
	/* It waits, and the tick holds: what is left carries over for it,
	 * over as many ticks as it takes (a dump dearer than the budget too).
	 * Cheaper dumps after it would take that, tick after tick: cheap
	 * namespaces (own hashes) would be dumped many times a round and dear
	 * ones only once overdue, several at once, over budget. */
	t->held = true;
	return false;
}
