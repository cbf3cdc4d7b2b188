/* test_sched: dump order, the cost model, the budget carried between
 * ticks, the round and the age bound; and the node simulated for
 * 30 minutes (110 namespaces, every namespace's counters moving every
 * tick): every exact count is refreshed within 5/4 of the round the budget
 * allows, and the median tick keeps the budget, with and without a row in
 * view, on a shared hash and with a mix of shared and own hashes. */
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

/* A tick with spent_ns spent of budget_ns, nothing carried over. */
static bool fits(const struct cw_sched_item *it, int64_t spent_ns, int64_t budget_ns,
		 const struct cw_sched_model *m)
{
	struct cw_sched_tick t;

	cw_sched_tick_start(&t, budget_ns, 0, 0);
	t.spent_ns = spent_ns;
	return cw_sched_should_dump(it, &t, m);
}

static void test_order(void)
{
	struct cw_sched_item it[] = {
		{0, CW_SCHED_IDLE, 500, 0, 0, 1, 0, 0},  {1, CW_SCHED_MUST, 0, 0, 0, 1, 0, 0},
		{2, CW_SCHED_MOVED, 300, 0, 0, 1, 0, 0}, {3, CW_SCHED_NEVER, 0, 0, 0, 1, 0, 0},
		{4, CW_SCHED_IDLE, 100, 0, 0, 1, 0, 0},  {5, CW_SCHED_MOVED, 100, 0, 0, 1, 0, 0},
		{6, CW_SCHED_MUST, 200, 0, 0, 1, 0, 0},  {7, CW_SCHED_IDLE, 100, 0, 0, 1, 0, 0},
		{8, CW_SCHED_NEVER, 50, 0, 0, 1, 0, 0},
	};
	/* At 1000: MUST by age (6 is 800 old, 1 never dumped); then one
	 * round-robin by age, MOVED first among equals: 5 (900), then the
	 * IDLE 4 and 7 (900, by index), then 2 (700), then 0 (500); NEVER
	 * last. */
	const size_t want[] = {6, 1, 5, 4, 7, 2, 0, 8, 3};
	char got[64] = "", exp[64] = "";
	size_t i, n = sizeof(it) / sizeof(it[0]);

	cw_sched_order(it, n, 1000, NULL);
	for (i = 0; i < n; i++) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%zu ", it[i].index);
		snprintf(exp + strlen(exp), sizeof(exp) - strlen(exp), "%zu ", want[i]);
	}
	is_str(got, exp, "order: MUST, then MOVED and IDLE in one round-robin by age (MOVED first among equals), NEVER");
	cw_sched_order(it, n, 1000, NULL);
	is_int(it[2].index, 5, "ordering is idempotent");
	cw_sched_order(it + 8, 1, 1000, NULL);
	cw_sched_order(NULL, 0, 0, NULL);
	is_int(it[8].index, 3, "n = 1 leaves the item (and n = 0 takes NULL)");

	/* One round-robin by age: a moved one 100 ms old does not pass an
	 * idle one 101 ms old; of two as old, the moved one goes first. */
	{
		struct cw_sched_item t[] = {{0, CW_SCHED_IDLE, 899, 0, 0, 1, 0, 0},
					    {1, CW_SCHED_MOVED, 900, 0, 0, 1, 0, 0}};

		cw_sched_order(t, 2, 1000, NULL);
		is_int(t[0].index, 0, "idle 101 ms old before moved 100 ms old");
		t[0].last_exact_ms = 900;
		cw_sched_order(t, 2, 1000, NULL);
		is_int(t[0].index, 1, "moved before idle, both 100 ms old");
	}
	/* Live from state events: exact already, so after the round-robin,
	 * however old (the bound still reconciles them). */
	{
		struct cw_sched_item t[] = {{0, CW_SCHED_LIVE, 100, 0, 0, 1, 0, 0},
					    {1, CW_SCHED_IDLE, 950, 0, 0, 1, 0, 0},
					    {2, CW_SCHED_LIVE, 500, 0, 0, 1, 0, 0},
					    {3, CW_SCHED_MOVED, 990, 0, 0, 1, 0, 0}};

		cw_sched_order(t, 4, 1000, NULL);
		ok(t[0].index == 1 && t[1].index == 3 && t[2].index == 0 && t[3].index == 2,
		   "live ones after the round-robin, oldest first");
		cw_sched_overdue(t, 4, 1000, 800, 800);
		ok(t[2].cls == CW_SCHED_OVERDUE && t[3].cls == CW_SCHED_LIVE, "a live one past the bound: overdue");
	}
	/* Never dumped: after what is asked for and what is overdue, the
	 * biggest first. */
	{
		struct cw_sched_item t[] = {
			{0, CW_SCHED_MOVED, 100, 5, 0, 1, 0, 0}, {1, CW_SCHED_NEW, 0, 0, 10, 1, 0, 0},
			{2, CW_SCHED_MUST, 50, 5, 0, 1, 0, 0},   {3, CW_SCHED_OVERDUE, 1, 5, 0, 1, 0, 0},
			{4, CW_SCHED_NEW, 0, 0, 5000, 1, 0, 0},
		};

		cw_sched_order(t, 5, 1000, NULL);
		ok(t[0].index == 2 && t[1].index == 3 && t[2].index == 4 && t[3].index == 1 &&
		   t[4].index == 0, "asked-for, overdue, new (biggest first), then the round-robin");
	}
}

static void test_overdue(void)
{
	struct cw_sched_item t[] = {
		{0, CW_SCHED_MOVED, 95000, 5, 0, 1, 0, 0}, {1, CW_SCHED_IDLE, 50000, 5, 0, 1, 0, 0},
		{2, CW_SCHED_MUST, 10000, 5, 0, 1, 0, 0},  {3, CW_SCHED_NEW, 0, 0, 0, 1, 0, 0},
		{4, CW_SCHED_NEVER, 1000, 0, 0, 1, 0, 0},  {5, CW_SCHED_IDLE, 89000, 5, 0, 1, 0, 0},
	};
	struct cw_sched_model m;

	cw_sched_overdue(t, 6, 100000, 10000, 10000);
	ok(t[1].cls == CW_SCHED_OVERDUE && t[5].cls == CW_SCHED_OVERDUE && t[0].cls == CW_SCHED_MOVED &&
	   t[2].cls == CW_SCHED_MUST && t[3].cls == CW_SCHED_NEW && t[4].cls == CW_SCHED_NEVER,
	   "older than the bound: overdue; other classes kept");
	ok(fits(&t[1], 1000, 10, NULL), "overdue: dumped over the budget");
	/* The round: NEVER left out, MUST goes every tick. Items 0, 1, 5 cost
	 * 5 and 3 is guessed; with the weights 0 and no learning, the model
	 * says its fixed part: 100 us. */
	cw_sched_model_fit(&m, t, 6);
	is_int(m.fixed_ns, CW_SCHED_FIXED_NS, "nothing to learn from: the fixed part's constant");
	is_int(cw_sched_round_ms(t, 6, 1000000, 1000, &m), 1000 * (15 + 100000) / (1000000 - 5),
	       "the round: the others' costs over what the asked-for one leaves, in ms");
	{
		struct cw_sched_item u[] = {{0, CW_SCHED_MUST, 1, 95, 0, 1, 0, 0},
					    {1, CW_SCHED_MOVED, 1, 20, 0, 1, 0, 0}};

		is_int(cw_sched_round_ms(u, 2, 100, 1000, &m), 2000,
		       "the asked-for one's leaving less than a tenth: a tenth of the budget");
	}
	is_int(cw_sched_age_bound(80000), 100000, "the bound: 5/4 of the round");
	is_int(cw_sched_age_bound(1000), CW_SCHED_MIN_AGE_MS, "... and at least the minimum");
}

static void test_model(void)
{
	/* 100k sockets share the hash: the host's 40k, 3 x 20k; one of 5k
	 * has its own. Dumps known: a sharer's at 15.1 ms over 100k walked
	 * (0.15 us a socket past the 100 us fixed part), one of 2000 own
	 * sockets at 2.1 ms (1 us), and a small one at 120 us. */
	struct cw_sched_item t[] = {
		{0, CW_SCHED_IDLE, 1, 15120000, 40000, 1, 100000, 0},
		{1, CW_SCHED_NEW, 0, 0, 20000, 1, 0, 0},
		{2, CW_SCHED_NEW, 0, 0, 20000, -1, 0, 0},
		{3, CW_SCHED_NEVER, 0, 0, 20000, 1, 0, 0},
		{4, CW_SCHED_NEW, 0, 0, 5000, 0, 0, 0},
		{5, CW_SCHED_IDLE, 1, 2120000, 2000, 0, 2000, 0},
		{6, CW_SCHED_IDLE, 1, 120000, 10, 0, 10, 0},
	};
	struct cw_sched_model m;

	cw_sched_model_fit(&m, t, 7);
	is_int((int64_t)m.shared_socks, 100000, "the shared hash: every sharer's sockets, unknown ones too");
	is_int(m.fixed_ns, 120000, "the fixed part: learnt from the small walk");
	is_int((int64_t)(m.shared_ns + 0.5), 150, "150 ns a socket in the shared hash");
	is_int((int64_t)(m.own_ns + 0.5), 1000, "1 us a socket in an own hash");
	is_int(cw_sched_cost(&m, &t[1]), 120000 + 15000000, "a sharer never dumped: the whole hash's walk");
	is_int(cw_sched_cost(&m, &t[2]), 120000 + 15000000, "an unknown hash: as a sharer");
	is_int(cw_sched_cost(&m, &t[4]), 120000 + 5000000, "its own hash: its own sockets' walk");
	is_int(cw_sched_cost(&m, &t[0]), 15120000, "a namespace dumped before: its last cost");
	ok(fits(&t[4], 0, 5200000, &m) && !fits(&t[1], 0, 5200000, &m),
	   "a 5.2 ms budget: the own-hash one fits, the sharer does not");
	/* Before any dump: the constants. */
	t[0].cost_ns = t[5].cost_ns = t[6].cost_ns = 0;
	cw_sched_model_fit(&m, t, 7);
	is_int(cw_sched_cost(&m, &t[4]), CW_SCHED_FIXED_NS + (int64_t)(CW_SCHED_OWN_NS_PER_SOCK * 5000),
	       "nothing learnt: the own-hash constant");
	is_int(cw_sched_cost(&m, &t[1]),
	       CW_SCHED_FIXED_NS + (int64_t)(CW_SCHED_SHARED_NS_PER_SOCK * 100000),
	       "nothing learnt: the shared-hash constant");
}

static void test_budget(void)
{
	struct cw_sched_item moved = {0, CW_SCHED_MOVED, 1, 1, 0, 1, 0, 0},
			     never = {0, CW_SCHED_NEVER, 0, 0, 0, 1, 0, 0},
			     must = {0, CW_SCHED_MUST, 0, 5, 0, 1, 0, 0};

	ok(fits(&must, 1000, 10, NULL) && fits(&must, 0, 0, NULL),
	   "MUST: dumped over the budget, and with none");
	ok(fits(&moved, 9, 10, NULL), "MOVED that fits (9 + 1 <= 10)");
	ok(!fits(&moved, 10, 10, NULL), "MOVED that would overrun: waits");
	ok(!fits(&never, 0, 1000000, NULL), "NEVER: never dumped");
	{
		struct cw_sched_tick t;
		struct cw_sched_item c76 = {0, CW_SCHED_MOVED, 1, 76, 0, 1, 0, 0},
				     c4 = {0, CW_SCHED_MOVED, 1, 4, 0, 1, 0, 0},
				     c300 = {0, CW_SCHED_MOVED, 1, 300, 0, 1, 0, 0};
		const uint32_t few = (1u << (CW_SCHED_OVER_MAX - 1)) - 1; /* one fewer than the most */

		cw_sched_tick_start(&t, 100, 0, 0);
		ok(cw_sched_should_dump(&c76, &t, NULL), "76 of a budget of 100: goes");
		t.spent_ns = 76;
		ok(!cw_sched_should_dump(&c76, &t, NULL) && t.held, "another 76: waits, and the tick holds");
		ok(!cw_sched_should_dump(&c4, &t, NULL), "a cheaper one after it waits too (the order is kept)");
		c4.cls = CW_SCHED_LIVE;
		ok(!cw_sched_should_dump(&c4, &t, NULL), "a live one with no share of its own waits");
		cw_sched_tick_live(&t, 10, 0);
		ok(cw_sched_should_dump(&c4, &t, NULL), "but with a share it fits, it goes: it only reconciles");
		c4.cls = CW_SCHED_MOVED;
		is_int(cw_sched_tick_carry(&t), 24, "what is left carries over");
		cw_sched_tick_start(&t, 100, 76, 0);
		t.spent_ns = 76;
		ok(cw_sched_should_dump(&c76, &t, NULL), "with 76 carried over, a second 76 goes");
		t.spent_ns = 152;
		ok(cw_sched_should_dump(&c4, &t, NULL),
		   "... and a 4 after it: the tick is past the line anyway, what is left pays for it");
		t.spent_ns = 156;
		is_int(cw_sched_tick_carry(&t), 20, "what is left of it carries over");
		ok(!cw_sched_should_dump(&c76, &t, NULL) && t.held, "a third 76: the carry does not pay it");
		ok(!cw_sched_should_dump(&c4, &t, NULL), "nor anything after it (the order is kept)");
		is_int((int)cw_sched_tick_overs(&t), 1, "a tick of 152: over the budget + 10%%, counted");
		/* Over the budget + 10% in CW_SCHED_OVER_MAX of the last
		 * CW_SCHED_OVER_WINDOW ticks (the oldest of them among them): no more. */
		cw_sched_tick_start(&t, 100, 76, few << 1 | 1u << (CW_SCHED_OVER_WINDOW - 1));
		t.spent_ns = 76;
		ok(!cw_sched_should_dump(&c76, &t, NULL) && t.held,
		   "%d of the last %d ticks over: a second 76 waits, though carried over",
		   CW_SCHED_OVER_MAX, CW_SCHED_OVER_WINDOW);
		is_int((int)cw_sched_tick_overs(&t), (int)(few << 2), "the oldest tick leaves the window");
		cw_sched_tick_start(&t, 100, 76, few << 1);
		t.spent_ns = 76;
		ok(cw_sched_should_dump(&c76, &t, NULL), "one fewer: it goes");
		cw_sched_tick_start(&t, 100, 100, ~0u);
		t.spent_ns = 76;
		ok(cw_sched_should_dump(&c4, &t, NULL), "every tick over: a dump that keeps this one "
		   "within 10%% still goes");
		cw_sched_tick_start(&t, 100, 300, ~0u);
		ok(!cw_sched_should_dump(&c300, &t, NULL) && t.held,
		   "but one dump alone dearer than that waits, saving up, though the carry pays for it");
		cw_sched_tick_start(&t, 100, 300, few);
		ok(cw_sched_should_dump(&c300, &t, NULL), "... until few ticks went over: it goes");
		{
			struct cw_sched_item c150 = {0, CW_SCHED_MOVED, 1, 150, 0, 1, 0, 0};

			/* Dumps of 1.5 budgets: a tick that saved two budgets
			 * spends them on two, past the line once, not twice. */
			cw_sched_tick_start(&t, 100, 200, 0);
			ok(cw_sched_should_dump(&c150, &t, NULL), "150 of 100, 200 carried over: goes");
			t.spent_ns = 150;
			ok(cw_sched_should_dump(&c150, &t, NULL),
			   "a second 150 in the tick that is past the line anyway: what is left pays for it");
			t.spent_ns = 300;
			ok(!cw_sched_should_dump(&c4, &t, NULL) && t.held, "then nothing: the carry is spent");
			is_int(cw_sched_tick_carry(&t), 0, "and nothing carries over");
			cw_sched_tick_start(&t, 100, 200, few << 1 | 1);
			t.spent_ns = 150;
			t.carried = true;
			ok(cw_sched_should_dump(&c150, &t, NULL),
			   "however many ticks went over: this one is counted once");
			cw_sched_tick_start(&t, 100, 120, 0);
			t.spent_ns = 150;
			t.carried = true;
			ok(!cw_sched_should_dump(&c150, &t, NULL), "but only while the carry pays");
		}
		/* A row in view takes 76 of every tick: no other 76 fits one. */
		cw_sched_tick_start(&t, 100, 48, 0);
		must.cost_ns = 76;
		ok(cw_sched_should_dump(&must, &t, NULL), "the asked-for one");
		t.spent_ns = 76;
		ok(!cw_sched_should_dump(&c76, &t, NULL) && t.held, "a 76 that no tick fits holds the tick");
		ok(!cw_sched_should_dump(&c4, &t, NULL), "... so a cheaper one waits too");
		is_int(cw_sched_tick_carry(&t), 72, "and the carry grows for it");
		/* A dump of three budgets: the ticks hold and carry until it is paid. */
		cw_sched_tick_start(&t, 100, 0, 0);
		ok(!cw_sched_should_dump(&c300, &t, NULL) && !cw_sched_should_dump(&c4, &t, NULL),
		   "a 300 with nothing carried: waits, and the tick holds");
		is_int(cw_sched_tick_carry(&t), 100, "the whole budget carries over");
		cw_sched_tick_start(&t, 100, 100, 0);
		ok(!cw_sched_should_dump(&c300, &t, NULL), "with 100 carried: still waits");
		is_int(cw_sched_tick_carry(&t), 200, "the carry grows past one budget for it");
		cw_sched_tick_start(&t, 100, 200, 0);
		ok(!cw_sched_should_dump(&c300, &t, NULL), "with 200 carried: still waits");
		is_int(cw_sched_tick_carry(&t), 300, "the carry grows by the whole budget");
		cw_sched_tick_start(&t, 100, 250, 0);
		ok(!cw_sched_should_dump(&c300, &t, NULL), "with 250: waits");
		is_int(cw_sched_tick_carry(&t), 350, "a held tick loses none of its budget (300 + 100 at most)");
		cw_sched_tick_start(&t, 100, 300, 0);
		ok(cw_sched_should_dump(&c300, &t, NULL), "with 300 carried: goes");
		t.spent_ns = 300;
		is_int(cw_sched_tick_carry(&t), 100, "and the tick's own budget is left");
		t.spent_ns = 450;
		is_int(cw_sched_tick_carry(&t), -50, "an overrun carries its debt");
		cw_sched_tick_start(&t, 100, -50, 0);
		is_int(t.budget_ns, 50, "which the next tick's budget pays");
		ok(!cw_sched_should_dump(&c76, &t, NULL), "so a 76 that fitted the budget waits");
		t.spent_ns = 900;
		is_int(cw_sched_tick_carry(&t), -100, "a debt is at most one budget, however far past");
		cw_sched_tick_start(&t, 100, 0, 0);
		ok(cw_sched_should_dump(&c4, &t, NULL), "a tick of one 4");
		t.spent_ns = 4;
		is_int(cw_sched_tick_carry(&t), 4, "carries no more than its dearest dump needs");
	}
}

/* The node: 110 namespaces, 500k sockets; 100 ms a tick at 1 s
 * ticks; every namespace's counters move every tick. A dump in the
 * shared hash costs 72-80 ms at 500k sockets (in proportion to the shared
 * hash's sockets), one in its own hash 70 us + 0.93 us a socket. */
enum { NS = 110, TICKS = 1800 };

struct node {
	const char *name;
	bool focus;          /* namespace 0 is in the live view: dumped every tick */
	bool exact_all;      /* the first tick dumps everything (--json) */
	int own_every;       /* every own_every-th namespace has its own hash; 0: none */
	int64_t budget_ms;   /* 0: 100 ms */
	bool half_idle;      /* the counters of every other namespace stay still */
	int64_t dump_ms;     /* a shared-hash dump at 500k sockets; 0: 72 ms */
};

struct result {
	int64_t round_ms;    /* the truth: the others' costs over what the focus leaves */
	int64_t worst_ms;    /* the oldest exact count once every namespace was dumped */
	int64_t bound_ms, sched_round_ms;
	int64_t median_ms, mean_ms;
	size_t over, over_run, first_dumps, own_first, filled_tick, overdue;
	int64_t budget_ms, max_ms, dearest_ms;
};

#define BUDGET (nd->budget_ms ? nd->budget_ms * 1000000 : 100000000LL)

static void simulate(const struct node *nd, struct result *res)
{
	static int64_t last[NS], known[NS], cost[NS], spent_tick[TICKS];
	static uint64_t walked[NS];
	int hash[NS];
	uint64_t socks = 500000 / NS, shared = 0;
	struct cw_sched_item it[NS];
	struct cw_sched_model m;
	int64_t carry = 0, sum = 0, total = 0;
	uint32_t overs = 0;
	size_t i, t, run = 0, counted = 0;

	memset(res, 0, sizeof(*res));
	memset(last, 0, sizeof(last));
	memset(known, 0, sizeof(known));
	memset(walked, 0, sizeof(walked));
	for (i = 0; i < NS; i++) {
		hash[i] = nd->own_every && i % (size_t)nd->own_every == (size_t)nd->own_every - 1 ? 0 : 1;
		shared += hash[i] ? socks : 0;
	}
	for (i = 0; i < NS; i++) {
		cost[i] = hash[i] ? ((nd->dump_ms ? nd->dump_ms : 72) * 1000000 + (int64_t)(i % 9) * 1000000) *
					    (int64_t)shared / 500000
				  : 70000 + 930 * (int64_t)socks;
		if (!(nd->focus && i == 0))
			sum += cost[i];
		if (cost[i] / 1000000 > res->dearest_ms)
			res->dearest_ms = cost[i] / 1000000;
	}
	res->round_ms = sum * 1000 / (BUDGET - (nd->focus ? cost[0] : 0));
	res->budget_ms = BUDGET / 1000000;
	res->filled_tick = TICKS;
	for (t = 0; t < TICKS; t++) {
		int64_t now = 1000000 + (int64_t)t * 1000, spent = 0;
		struct cw_sched_tick tick;
		bool all = true;

		for (i = 0; i < NS; i++) {
			it[i] = (struct cw_sched_item){
				.index = i, .last_exact_ms = last[i], .cost_ns = known[i], .weight = socks,
				.hash = hash[i], .walked = walked[i],
				.cls = !last[i] ? (t == 0 && nd->exact_all ? CW_SCHED_MUST : CW_SCHED_NEW)
						: nd->half_idle && i % 2 ? CW_SCHED_IDLE : CW_SCHED_MOVED,
			};
			if (nd->focus && i == 0)
				it[i].cls = CW_SCHED_MUST; /* a view looks at it */
		}
		cw_sched_model_fit(&m, it, NS);
		res->sched_round_ms = cw_sched_round_ms(it, NS, BUDGET, 1000, &m);
		res->bound_ms = cw_sched_age_bound(res->sched_round_ms);
		cw_sched_overdue(it, NS, now, res->bound_ms, res->bound_ms);
		cw_sched_order(it, NS, now, &m);
		cw_sched_tick_start(&tick, BUDGET, carry, overs);
		for (i = 0; i < NS; i++) {
			size_t k = it[i].index;

			if (!cw_sched_should_dump(&it[i], &tick, &m))
				continue;
			spent += cost[k];
			tick.spent_ns = spent;
			known[k] = cost[k];
			walked[k] = cw_sched_walk(&m, &it[i]);
			last[k] = now;
			if (it[i].cls == CW_SCHED_OVERDUE && res->filled_tick < TICKS)
				res->overdue++;
			if (t == 0) {
				res->first_dumps++;
				res->own_first += !hash[k];
			}
		}
		carry = cw_sched_tick_carry(&tick);
		overs = cw_sched_tick_overs(&tick);
		for (i = 0; i < NS; i++)
			all = all && last[i];
		if (!all)
			continue;
		if (res->filled_tick == TICKS)
			res->filled_tick = t;
		/* Once every namespace has an exact count: its age. */
		for (i = 0; i < NS; i++)
			if (now - last[i] > res->worst_ms)
				res->worst_ms = now - last[i];
		spent_tick[counted++] = spent;
		if (spent / 1000000 > res->max_ms)
			res->max_ms = spent / 1000000;
		total += spent;
		run = spent > BUDGET + BUDGET / 10 ? run + 1 : 0;
		res->over += run > 0;
		if (run > res->over_run)
			res->over_run = run;
	}
	qsort(spent_tick, counted, sizeof(spent_tick[0]), cmp_i64);
	res->median_ms = counted ? spent_tick[counted / 2] / 1000000 : 0;
	res->mean_ms = counted ? total / (int64_t)counted / 1000000 : 0;
	printf("# %s: round %lld ms (scheduler's %lld), bound %lld ms, oldest %lld ms (x%.2f of the round); "
	       "tick CPU median %lld ms, mean %lld ms; %zu of %zu ticks over budget+10%%, at most %zu "
	       "in a row; %zu dumps forced by the bound; first tick %zu dumps (%zu own hash); all dumped by tick %zu\n",
	       nd->name, (long long)res->round_ms, (long long)res->sched_round_ms, (long long)res->bound_ms,
	       (long long)res->worst_ms, (double)res->worst_ms / (double)res->round_ms,
	       (long long)res->median_ms, (long long)res->mean_ms, res->over, counted, res->over_run,
	       res->overdue, res->first_dumps, res->own_first, res->filled_tick);
}

static void check(const struct node *nd, const struct result *r)
{
	ok(r->filled_tick < TICKS, "%s: every namespace dumped (by tick %zu)", nd->name, r->filled_tick);
	ok(r->worst_ms * 4 <= r->round_ms * 5, "%s: every exact count refreshed within 1.25x the round "
	   "(oldest %lld ms, round %lld ms)", nd->name, (long long)r->worst_ms, (long long)r->round_ms);
	ok(r->worst_ms <= r->bound_ms, "%s: none older than the bound (%lld <= %lld ms)", nd->name,
	   (long long)r->worst_ms, (long long)r->bound_ms);
	/* Where one dump costs more than a tick's budget, a tick with a dump
	 * passes it, but fewer than half of the ticks do: the median keeps
	 * the budget, and no tick spends more than the budget and what the
	 * last ones saved (at most a dump and a budget). */
	if (r->dearest_ms > r->budget_ms)
		ok(r->max_ms <= r->dearest_ms + 2 * r->budget_ms, "%s: dumps dearer than the budget: a "
		   "tick spends at most what it saved (%lld ms)", nd->name, (long long)r->max_ms);
	ok(r->median_ms * 10 <= r->budget_ms * 11, "%s: median CPU per tick within 10%% of the "
	   "budget (%lld ms)", nd->name, (long long)r->median_ms);
	ok(r->mean_ms * 10 <= r->budget_ms * 11, "%s: mean CPU per tick within 10%% of the budget "
	   "(%lld ms)", nd->name, (long long)r->mean_ms);
	ok(r->overdue == 0, "%s: the round-robin alone keeps them fresh: no dump forced by the bound (%zu)",
	   nd->name, r->overdue);
	if (r->dearest_ms <= r->budget_ms)
		ok(r->over_run <= 1, "%s: ticks over the budget are spread, never two in a row (%zu)",
		   nd->name, r->over_run);
}

static void test_node(void)
{
	static const struct node nodes[] = {
		{"shared hash, churn", false, false, 0, 0, false, 0},
		{"shared hash, a focused row", true, false, 0, 0, false, 0},
		{"shared hash, --json's exact first tick", false, true, 0, 0, false, 0},
		{"half own hashes", false, false, 2, 0, false, 0},
		{"half own hashes, a focused row", true, false, 2, 0, false, 0},
		{"own hashes", false, false, 1, 0, false, 0},
		/* Every dump dearer than the budget: each waits for the carry. */
		{"shared hash, a 50 ms budget", false, false, 0, 50, false, 0},
		/* Idle ones come round with the others. */
		{"shared hash, half the namespaces idle", false, false, 0, 0, true, 0},
		/* Two dumps pass the budget by more than 10%, one leaves a third. */
		{"shared hash, 57 ms dumps", false, false, 0, 0, false, 57},
		{"shared hash, 64 ms dumps", false, false, 0, 0, false, 64},
		/* Two dumps mostly fit the budget + 10%; half of them idle. */
		{"shared hash, 52 ms dumps, half idle", false, false, 0, 0, true, 52},
	};
	struct result r[11];
	size_t i;

	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		simulate(&nodes[i], &r[i]);
		check(&nodes[i], &r[i]);
	}
	/* The round-robin takes about one round, not the bound. */
	ok(r[0].worst_ms * 100 <= r[0].round_ms * 105, "shared hash: the oldest within 5%% of the round");
	is_int(r[0].sched_round_ms / 1000, r[0].round_ms / 1000, "the scheduler's round is the truth's");
	/* The cost model: own hashes cost their own sockets. */
	ok(r[5].first_dumps >= 20, "own hashes: the first tick dumps %zu namespaces (>= 20)",
	   r[5].first_dumps);
	ok(r[3].own_first >= 5 && r[3].filled_tick < r[0].filled_tick / 2,
	   "half own hashes: %zu own-hash namespaces on the first tick; all in by tick %zu (shared: %zu)",
	   r[3].own_first, r[3].filled_tick, r[0].filled_tick);
}

/* Namespaces with live event counts: a round and a bound of their own, and
 * a share of the budget spent as a rate. */
static void test_live(void)
{
	struct cw_sched_item t[] = {{0, CW_SCHED_LIVE, 1, 80, 0, 1, 0, 0},
				    {1, CW_SCHED_LIVE, 1, 80, 0, 1, 0, 0},
				    {2, CW_SCHED_MOVED, 1, 10, 0, 1, 0, 0}};
	struct cw_sched_item one = {0, CW_SCHED_LIVE, 1, 80, 0, 1, 0, 0};
	struct cw_sched_tick k;
	int64_t carry = 0, live_carry = 0;
	int tick, first = -1, dumps = 0, held = 0;

	is_int(cw_sched_round_ms(t, 3, 100, 1000, NULL), 100, "the round leaves the live ones out");
	is_int(cw_sched_live_round_ms(t, 3, 25, 1000, NULL), 6400,
	       "their round: their costs over their share, in ms");
	t[0].last_exact_ms = 3000;
	t[2].last_exact_ms = 3000;
	cw_sched_overdue(t, 3, 10000, 5000, 8000);
	ok(t[0].cls == CW_SCHED_LIVE && t[2].cls == CW_SCHED_OVERDUE,
	   "7 s old: a moved one past its bound of 5 s, a live one within its own of 8 s");
	cw_sched_overdue(t, 3, 12000, 5000, 8000);
	ok(t[0].cls == CW_SCHED_OVERDUE, "9 s old: the live one past its bound too");

	/* One live dump of 80 against a share of 25 a tick: the share's carry
	 * pays for it every 80/25 ticks, and it never waits on the budget. */
	for (tick = 0; tick < 100; tick++) {
		cw_sched_tick_start(&k, 100, carry, 0);
		cw_sched_tick_live(&k, 25, live_carry);
		if (cw_sched_should_dump(&one, &k, NULL)) {
			k.spent_ns += 80;
			k.live_spent_ns += 80;
			dumps++;
			if (first < 0)
				first = tick;
		}
		held += k.held;
		carry = cw_sched_tick_carry(&k);
		live_carry = cw_sched_tick_live_carry(&k);
	}
	is_int(held, 0, "a live dump never holds a tick");
	is_int(first, 3, "a live dump dearer than the share goes once the share's carry pays for it");
	ok(dumps * 80 <= 100 * 25 + 80 && dumps * 80 >= 100 * 25 - 105,
	   "over 100 ticks the live dumps spend their share as a rate (%d dumps of 80, share 25)", dumps);
}

int main(void)
{
	test_order();
	test_overdue();
	test_model();
	test_budget();
	test_live();
	test_node();
	return tap_done();
}
