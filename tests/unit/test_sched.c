/* test_sched: dump order, the budget with predicted costs, the age bound,
 * and a simulated node under churn where every namespace's counters move
 * every tick: no namespace starves, and the budget holds. */
#include "config.h"
#include "sched.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void test_overdue(void)
{
	struct cw_sched_item t[] = {
		{0, CW_SCHED_MOVED, 95000, 5, 0}, {1, CW_SCHED_IDLE, 50000, 5, 0}, {2, CW_SCHED_MUST, 10000, 5, 0},
		{3, CW_SCHED_NEW, 0, 0, 0},       {4, CW_SCHED_NEVER, 1000, 0, 0}, {5, CW_SCHED_IDLE, 89000, 5, 0},
	};

	/* At 100 s with a 10 s bound: 1 (50 s old) and 5 (11 s old) are
	 * overdue; 0 (5 s) is not; MUST, NEW and NEVER keep their class. */
	cw_sched_overdue(t, 6, 100000, 10000);
	ok(t[1].cls == CW_SCHED_OVERDUE && t[5].cls == CW_SCHED_OVERDUE && t[0].cls == CW_SCHED_MOVED &&
	   t[2].cls == CW_SCHED_MUST && t[3].cls == CW_SCHED_NEW && t[4].cls == CW_SCHED_NEVER,
	   "older than the bound: overdue; other classes kept");
	cw_sched_order(t, 6);
	ok(t[0].index == 2 && t[1].index == 1 && t[2].index == 5 && t[3].index == 3,
	   "order: asked for, then overdue (oldest first), then new");
	ok(cw_sched_should_dump(&t[1], 1000, 10, 1), "overdue: dumped over the budget");
	/* The bound: NEVER left out, MUST goes every tick: 5 + 5 + 5 + guess 5
	 * = 20 ns at the 5 ns MUST leaves of 10 -> 4 ticks a round -> 8 s -> the
	 * 10 s minimum. */
	is_int(cw_sched_age_bound(t, 6, 10, 1000, 5), CW_SCHED_MIN_AGE_MS, "a small round: the minimum bound");
	is_int(cw_sched_age_bound(t, 6, 1, 1000, 5), 40000,
	       "20 ticks a round (the asked-for item aside) at 1 s: twice that, 40 s");
}

/* The node: 110 namespaces whose dumps cost 72-80 ms each (a shared
 * hash with 500k sockets), a budget of 100 ms a tick at 1 s ticks, and
 * every namespace's counters moving every tick. Over 30 minutes of ticks:
 * every namespace is dumped again within the bound, the bound is what the
 * round costs, and the CPU spent per tick is within 10% of the budget. */
static void churn(bool focus)
{
	enum { NS = 110, TICKS = 1800 };
	static int64_t last[NS], cost[NS];
	static int64_t spent_tick[TICKS];
	struct cw_sched_item it[NS];
	int64_t now, bound = 0, worst = 0, budget = 100000000;
	size_t i, t, over = 0;

	memset(last, 0, sizeof(last));
	for (i = 0; i < NS; i++)
		cost[i] = 72000000 + (int64_t)(i % 9) * 1000000;
	for (t = 0; t < TICKS; t++) {
		int64_t spent = 0;

		now = 1000000 + (int64_t)t * 1000;
		for (i = 0; i < NS; i++) {
			it[i].index = i;
			it[i].last_exact_ms = last[i];
			it[i].cost_ns = last[i] ? cost[i] : 0;
			it[i].cls = !last[i] ? (t == 0 ? CW_SCHED_MUST : CW_SCHED_NEW) : CW_SCHED_MOVED;
			if (focus && i == 0)
				it[i].cls = CW_SCHED_MUST; /* a view looks at it: every tick */
		}
		bound = cw_sched_age_bound(it, NS, budget, 1000, 76000000);
		cw_sched_overdue(it, NS, now, bound);
		cw_sched_order(it, NS);
		for (i = 0; i < NS; i++) {
			if (!cw_sched_should_dump(&it[i], spent, budget, 76000000))
				continue;
			spent += cost[it[i].index];
			last[it[i].index] = now;
		}
		spent_tick[t] = spent;
		if (t == 0)
			continue; /* the first tick dumps everything */
		for (i = 0; i < NS; i++)
			if (now - last[i] > worst)
				worst = now - last[i];
		if (spent > budget + budget / 10)
			over++;
	}
	qsort(spent_tick + 1, TICKS - 1, sizeof(spent_tick[0]), cmp_i64);
	printf("# %s: bound %lld ms, oldest %lld ms, median spent %lld ms, %zu of %d ticks over budget+10%%\n",
	     focus ? "with a focused row" : "churn", (long long)bound, (long long)worst, (long long)(spent_tick[TICKS / 2] / 1000000), over,
	     TICKS - 1);
	ok(worst <= bound, "%s: no namespace's count older than the bound (%lld <= %lld ms)",
	   focus ? "focus" : "churn", (long long)worst, (long long)bound);
	if (!focus) {
		is_int(bound, 2 * 84 * 1000, "the bound: twice the round (110 x 76 ms / 100 ms = 84 ticks)");
		ok(over * 20 < TICKS, "churn: at most 5%% of ticks beyond budget + 10%% (%zu)", over);
	}
	ok(spent_tick[TICKS / 2] <= budget + budget / 10,
	   "%s: median CPU per tick within 10%% of the budget", focus ? "focus" : "churn");
}

/* With a row in view dumped every tick at 76 ms, a full other dump never
 * fits the 24 ms left: the others go only when overdue, and the bound
 * grows to what is left; without the age rule they would starve. */
static void test_churn(void)
{
	churn(false);
	churn(true);
}

int main(void)
{
	struct cw_sched_item it[] = {
		{0, CW_SCHED_IDLE, 500, 0, 0},  {1, CW_SCHED_MUST, 0, 0, 0},   {2, CW_SCHED_MOVED, 300, 0, 0},
		{3, CW_SCHED_NEVER, 0, 0, 0},   {4, CW_SCHED_IDLE, 100, 0, 0}, {5, CW_SCHED_MOVED, 100, 0, 0},
		{6, CW_SCHED_MUST, 200, 0, 0},  {7, CW_SCHED_IDLE, 100, 0, 0}, {8, CW_SCHED_NEVER, 50, 0, 0},
	};
	const size_t want[] = {1, 6, 5, 2, 4, 7, 0, 3, 8};
	char got[64] = "", exp[64] = "";
	size_t i, n = sizeof(it) / sizeof(it[0]), dumped = 0;
	int64_t spent = 0;

	cw_sched_order(it, n);
	for (i = 0; i < n; i++) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%zu ", it[i].index);
		snprintf(exp + strlen(exp), sizeof(exp) - strlen(exp), "%zu ", want[i]);
	}
	is_str(got, exp, "order: MUST, MOVED, IDLE, NEVER; oldest exact first; then index");
	ok(it[0].cls == CW_SCHED_MUST && it[0].last_exact_ms == 0, "never-dumped MUST first");
	ok(it[4].index == 4 && it[5].index == 7, "equal ages: by index");

	/* Already ordered input stays; one item and none are fine. */
	cw_sched_order(it, n);
	is_int(it[0].index, 1, "ordering is idempotent");
	cw_sched_order(it + 8, 1);
	cw_sched_order(NULL, 0);
	is_int(it[8].index, 8, "n = 1 leaves the item (and n = 0 takes NULL)");

	/* should_dump. */
	{
		struct cw_sched_item must = {0, CW_SCHED_MUST, 0, 0, 0}, moved = {0, CW_SCHED_MOVED, 1, 0, 0},
				     idle = {0, CW_SCHED_IDLE, 1, 0, 0}, never = {0, CW_SCHED_NEVER, 0, 0, 0};

		ok(cw_sched_should_dump(&must, 0, 10, 1), "MUST under budget");
		ok(cw_sched_should_dump(&must, 1000, 10, 1), "MUST over budget: still dumped");
		ok(cw_sched_should_dump(&must, 0, 0, 1), "MUST with a zero budget");
		ok(cw_sched_should_dump(&moved, 9, 10, 1), "MOVED that fits the budget (9 + 1 <= 10)");
		ok(!cw_sched_should_dump(&moved, 10, 10, 1), "MOVED that would overrun: waits");
		ok(!cw_sched_should_dump(&moved, 11, 10, 1), "MOVED over budget");
		ok(cw_sched_should_dump(&idle, 0, 1, 1), "IDLE that fits");
		ok(!cw_sched_should_dump(&idle, 0, 0, 1), "IDLE with a zero budget");
		ok(!cw_sched_should_dump(&never, 0, 1000000, 1), "NEVER under budget: never dumped");
		ok(!cw_sched_should_dump(&never, 0, 0, 1), "NEVER at all");
	}

	/* A tick: each dump costs 4 (known); budget 10. MUST ones go
	 * regardless (8), then nothing fits (8 + 4 > 10). */
	for (i = 0; i < n; i++) {
		it[i].cost_ns = 4;
		if (!cw_sched_should_dump(&it[i], spent, 10, 4))
			continue;
		spent += 4;
		dumped++;
	}
	is_int(dumped, 2, "a tick under a budget of 10 at 4 each after 8 asked for: 2 dumps");
	is_int(spent, 8, "a dump predicted to overrun the budget waits");

	/* Namespaces never dumped (after the first tick) come right after what
	 * was asked for, and stay within the budget. */
	{
		struct cw_sched_item t[] = {
			{0, CW_SCHED_MOVED, 100, 0, 0}, {1, CW_SCHED_NEW, 0, 0, 0}, {2, CW_SCHED_MUST, 50, 0, 0},
			{3, CW_SCHED_IDLE, 10, 0, 0},   {4, CW_SCHED_NEW, 0, 0, 0},
		};

		cw_sched_order(t, 5);
		is_int(t[0].index, 2, "asked-for first");
		is_int(t[1].index, 1, "then the new ones, by index");
		is_int(t[2].index, 4, "both of them");
		is_int(t[3].index, 0, "then what moved");
		ok(cw_sched_should_dump(&t[1], 0, 10, 3), "NEW that fits at its guessed cost");
		/* Never dumped: the biggest by the cheap counters first. */
		t[1].weight = 10;
		t[2].weight = 5000;
		cw_sched_order(t, 5);
		ok(t[1].weight == 5000 && t[2].weight == 10, "new ones: the biggest first");
		ok(!cw_sched_should_dump(&t[1], 8, 10, 3), "NEW that would overrun at its guess: waits");
	}
	test_overdue();
	test_churn();
	return tap_done();
}
