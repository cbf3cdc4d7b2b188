/* test_sched: dump order and the budget. */
#include "config.h"
#include "sched.h"
#include "tap.h"

int main(void)
{
	struct cw_sched_item it[] = {
		{0, CW_SCHED_IDLE, 500},  {1, CW_SCHED_MUST, 0},   {2, CW_SCHED_MOVED, 300},
		{3, CW_SCHED_NEVER, 0},   {4, CW_SCHED_IDLE, 100}, {5, CW_SCHED_MOVED, 100},
		{6, CW_SCHED_MUST, 200},  {7, CW_SCHED_IDLE, 100}, {8, CW_SCHED_NEVER, 50},
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
		struct cw_sched_item must = {0, CW_SCHED_MUST, 0}, moved = {0, CW_SCHED_MOVED, 1},
				     idle = {0, CW_SCHED_IDLE, 1}, never = {0, CW_SCHED_NEVER, 0};

		ok(cw_sched_should_dump(&must, 0, 10), "MUST under budget");
		ok(cw_sched_should_dump(&must, 1000, 10), "MUST over budget: still dumped");
		ok(cw_sched_should_dump(&must, 0, 0), "MUST with a zero budget");
		ok(cw_sched_should_dump(&moved, 9, 10), "MOVED under budget");
		ok(!cw_sched_should_dump(&moved, 10, 10), "MOVED at the budget: not dumped");
		ok(!cw_sched_should_dump(&moved, 11, 10), "MOVED over budget");
		ok(cw_sched_should_dump(&idle, 0, 1), "IDLE under budget");
		ok(!cw_sched_should_dump(&idle, 0, 0), "IDLE with a zero budget");
		ok(!cw_sched_should_dump(&never, 0, 1000000), "NEVER under budget: never dumped");
		ok(!cw_sched_should_dump(&never, 0, 0), "NEVER at all");
	}

	/* A tick: each dump costs 4; budget 10. MUST ones go regardless (8),
	 * then MOVED 5 (spent 8 < 10 -> 12), then nothing else. */
	for (i = 0; i < n; i++) {
		if (!cw_sched_should_dump(&it[i], spent, 10))
			continue;
		spent += 4;
		dumped++;
	}
	is_int(dumped, 3, "a tick under a budget of 10 at 4 each: 3 dumps");
	is_int(spent, 12, "the budget is checked before a dump, not after");

	/* Namespaces never dumped (after the first tick) come right after what
	 * was asked for, and stay within the budget. */
	{
		struct cw_sched_item t[] = {
			{0, CW_SCHED_MOVED, 100}, {1, CW_SCHED_NEW, 0}, {2, CW_SCHED_MUST, 50},
			{3, CW_SCHED_IDLE, 10},   {4, CW_SCHED_NEW, 0},
		};

		cw_sched_order(t, 5);
		is_int(t[0].index, 2, "asked-for first");
		is_int(t[1].index, 1, "then the new ones, by index");
		is_int(t[2].index, 4, "both of them");
		is_int(t[3].index, 0, "then what moved");
		ok(cw_sched_should_dump(&t[1], 0, 10), "NEW under budget");
		ok(!cw_sched_should_dump(&t[1], 10, 10), "NEW at the budget: waits for the next tick");
	}
	return tap_done();
}
