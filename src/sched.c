/* sched: dump ordering under a budget, with a bound on age. */
#include "config.h"
#include "sched.h"

#include <stdlib.h>

static int cmp(const void *a, const void *b)
{
	const struct cw_sched_item *x = a, *y = b;

	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	if (x->cls == CW_SCHED_NEW && x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (x->last_exact_ms != y->last_exact_ms)
		return x->last_exact_ms < y->last_exact_ms ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void cw_sched_order(struct cw_sched_item *items, size_t n)
{
	if (n > 1)
		qsort(items, n, sizeof(*items), cmp);
}

static int64_t cost(const struct cw_sched_item *it, int64_t guess_ns)
{
	return it->cost_ns > 0 ? it->cost_ns : guess_ns;
}

int64_t cw_sched_age_bound(const struct cw_sched_item *items, size_t n, int64_t budget_ns,
			   int64_t interval_ms, int64_t guess_ns)
{
	int64_t sum = 0, must = 0, left, ticks, bound;
	size_t i;

	/* What is asked for goes every tick: the round has what is left of
	 * the budget (at least a tenth of it). */
	for (i = 0; i < n; i++) {
		if (items[i].cls == CW_SCHED_NEVER)
			continue;
		if (items[i].cls == CW_SCHED_MUST)
			must += cost(&items[i], guess_ns);
		else
			sum += cost(&items[i], guess_ns);
	}
	left = budget_ns - must;
	if (left < budget_ns / 10)
		left = budget_ns / 10;
	if (left <= 0)
		left = 1;
	ticks = (sum + left - 1) / left;
	bound = 2 * ticks * interval_ms;
	return bound > CW_SCHED_MIN_AGE_MS ? bound : CW_SCHED_MIN_AGE_MS;
}

void cw_sched_overdue(struct cw_sched_item *items, size_t n, int64_t now_ms, int64_t max_age_ms)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct cw_sched_item *it = &items[i];

		if ((it->cls == CW_SCHED_NEW || it->cls == CW_SCHED_MOVED || it->cls == CW_SCHED_IDLE) &&
		    it->last_exact_ms && now_ms - it->last_exact_ms > max_age_ms)
			it->cls = CW_SCHED_OVERDUE;
	}
}

bool cw_sched_should_dump(const struct cw_sched_item *it, int64_t spent_ns, int64_t budget_ns,
			  int64_t guess_ns)
{
	if (it->cls == CW_SCHED_NEVER)
		return false;
	if (it->cls == CW_SCHED_MUST || it->cls == CW_SCHED_OVERDUE)
		return true;
	/* Predicted to fit: a dump that would overrun waits. */
	return spent_ns + cost(it, guess_ns) <= budget_ns;
}
