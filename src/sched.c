/* sched: dump ordering under a budget. */
#include "config.h"
#include "sched.h"

#include <stdlib.h>

static int cmp(const void *a, const void *b)
{
	const struct cw_sched_item *x = a, *y = b;

	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	if (x->last_exact_ms != y->last_exact_ms)
		return x->last_exact_ms < y->last_exact_ms ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void cw_sched_order(struct cw_sched_item *items, size_t n)
{
	if (n > 1)
		qsort(items, n, sizeof(*items), cmp);
}

bool cw_sched_should_dump(const struct cw_sched_item *it, int64_t spent_ns, int64_t budget_ns)
{
	if (it->cls == CW_SCHED_NEVER)
		return false;
	if (it->cls == CW_SCHED_MUST)
		return true;
	return spent_ns < budget_ns;
}
