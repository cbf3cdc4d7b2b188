/* sched: decides which namespaces get an exact sock_diag dump this tick.
 * Dumps in a namespace that shares the node's TCP hash walk every socket of
 * the node, so they are rationed by a CPU budget. What is asked for always
 * goes; then namespaces whose exact counts are older than the age bound,
 * oldest first, whatever the budget; then namespaces never dumped, those
 * with the most sockets (by their cheap counters) per predicted CPU first
 * (the first screen fills in where it matters, and fast); then every
 * other namespace in one round-robin by age, where of two as old (dumped
 * in the same tick) one whose cheap counters moved goes first (an age
 * bonus for moving would make idle ones wait longer than a round, and the
 * round is already longer than the budget's where the carry is held back:
 * see CW_SCHED_OVER_MAX); then those whose counts are exact already from
 * state events, oldest first (their dumps only reconcile). Below the
 * first two, a dump goes only if its predicted cost keeps the tick within
 * what it may spend; one that would overrun waits for the next tick, and
 * so do the ones after it (see cw_sched_should_dump).
 *
 * The budget is a rate (a share of one core): what a tick leaves unspent
 * carries over to the next, up to about the dearest dump's cost. So a dump
 * that costs more than what the asked-for ones leave of a tick (or more
 * than a whole tick's budget) still goes, a few ticks later, paid for by
 * those ticks, instead of only once it is overdue. The mean tick spends
 * the budget, or most of it, and the median tick keeps it where a dump
 * fits in one (the carry takes fewer than half of the ticks past it: see
 * CW_SCHED_OVER_MAX). A full round takes about the sum of the dumps' costs
 * over the budget per second (the "round"). The age bound is 5/4 of that
 * round (at least CW_SCHED_MIN_AGE_MS): a safety net that the round-robin
 * keeps clear of.
 *
 * Predicted costs: a namespace's last dump's; for one never dumped, a cost
 * model. A dump walks the hash its namespace uses: the node's shared one
 * (every socket of the namespaces that share it, the host's included), or
 * its own (tcp_child_ehash_entries was set when it was created: its own
 * sockets only). Cost = a fixed part + a cost per socket walked, each
 * learnt from the dumps already done (the medians), with constants until
 * there are some. Pure. */
#ifndef CW_SCHED_H
#define CW_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The age bound is never below this. */
#define CW_SCHED_MIN_AGE_MS 10000
/* Until dumps teach it: a dump's fixed cost, and its cost per socket
 * walked in the shared hash (mostly skipping foreign sockets) and in a
 * namespace's own (every one reported). Measured on kernel 6.18 (DESIGN §3). */
#define CW_SCHED_FIXED_NS 100000
#define CW_SCHED_SHARED_NS_PER_SOCK 150.0
#define CW_SCHED_OWN_NS_PER_SOCK 930.0
/* A dump teaches the cost per socket only past this many sockets walked;
 * below it, its cost is mostly the fixed part, which it teaches instead. */
#define CW_SCHED_LEARN_SOCKS 1000

enum cw_sched_class {
	CW_SCHED_MUST = 0,   /* asked for: always dumped */
	CW_SCHED_OVERDUE,    /* exact counts older than the age bound: always dumped */
	CW_SCHED_NEW,        /* never dumped yet */
	CW_SCHED_MOVED,      /* counters moved since its last dump */
	CW_SCHED_IDLE,       /* nothing moved: refreshed round-robin */
	CW_SCHED_LIVE,       /* exact already from live state events: dumped to reconcile,
				oldest first, after the round-robin */
	CW_SCHED_NEVER,      /* cannot be dumped (no access) */
};

struct cw_sched_item {
	size_t index;            /* the caller's */
	enum cw_sched_class cls;
	int64_t last_exact_ms;   /* 0 if never */
	int64_t cost_ns;         /* its last dump's CPU cost; 0 if unknown */
	uint64_t weight;         /* its TCP sockets by the cheap counters (inuse + tw): NEW
				    go most per predicted cost first; and what a dump in its
				    own hash walks */
	int hash;                /* 1: it uses the node's shared hash; 0: its own; -1: unknown
				    (taken as shared: the dearer guess) */
	uint64_t walked;         /* sockets its last dump walked (0: unknown), to learn from */
	int64_t prio;            /* set by cw_sched_order */
};

/* What a dump costs, learnt. */
struct cw_sched_model {
	int64_t fixed_ns;
	double shared_ns, own_ns;   /* per socket walked */
	uint64_t shared_socks;      /* sockets in the shared hash now */
};

/* Learns the model from the items dumped before (cost_ns and walked set),
 * and sums the sockets in the shared hash now (every item that uses it,
 * dumpable or not). */
void cw_sched_model_fit(struct cw_sched_model *m, const struct cw_sched_item *items, size_t n);
/* Sockets a dump of the item walks now: the shared hash's, or its own. */
uint64_t cw_sched_walk(const struct cw_sched_model *m, const struct cw_sched_item *it);
/* The item's predicted cost: its last dump's, or the model's. */
int64_t cw_sched_cost(const struct cw_sched_model *m, const struct cw_sched_item *it);
/* The round, in ms: the time a full round of dumps takes at the budget
 * (the sum of the predicted costs of all but the asked-for items, over
 * what the asked-for ones leave of the budget per tick, at least a tenth
 * of it; ticks of interval_ms). */
int64_t cw_sched_round_ms(const struct cw_sched_item *items, size_t n, int64_t budget_ns,
			  int64_t interval_ms, const struct cw_sched_model *m);
/* The reconciling round of the LIVE items, whose counts state events keep
 * exact: the sum of their predicted costs over their share of the budget
 * per tick (share_ns). They are left out of cw_sched_round_ms. */
int64_t cw_sched_live_round_ms(const struct cw_sched_item *items, size_t n, int64_t share_ns,
			       int64_t interval_ms, const struct cw_sched_model *m);
/* The longest a namespace's exact counts may age: 5/4 of the round, and
 * at least CW_SCHED_MIN_AGE_MS. */
int64_t cw_sched_age_bound(int64_t round_ms);
/* Marks the NEW, MOVED and IDLE items whose exact counts are older than
 * max_age_ms at now_ms, and the LIVE ones older than live_max_age_ms, as
 * OVERDUE. */
void cw_sched_overdue(struct cw_sched_item *items, size_t n, int64_t now_ms, int64_t max_age_ms,
		      int64_t live_max_age_ms);
/* Sorts items into dump order at now_ms (m predicts the NEW ones' costs). */
void cw_sched_order(struct cw_sched_item *items, size_t n, int64_t now_ms,
		    const struct cw_sched_model *m);

/* One tick's spending. */
struct cw_sched_tick {
	int64_t budget_ns;       /* this tick's budget, less the last tick's debt */
	int64_t base_ns;         /* ... before the debt: a debt is at most this */
	int64_t carry_ns;        /* what the last ticks left unspent */
	int64_t spent_ns;        /* the caller adds each dump's cost */
	int64_t max_cost_ns;     /* the dearest predicted cost among the others */
	uint32_t overs;          /* the last ticks that spent over budget + 10%, bit 0 the last */
	bool carried;            /* the carry paid for a dump this tick */
	bool held;               /* a dump waits for the carry to grow: no other goes */
	/* LIVE items' reconciling dumps spend a share of their own, as a rate. */
	int64_t live_ns;         /* their share of this tick's budget, less its debt */
	int64_t live_base_ns;    /* ... before the debt */
	int64_t live_carry_ns;   /* what the last ticks left of it */
	int64_t live_spent_ns;   /* the caller adds each LIVE dump's cost */
	int64_t live_max_ns;     /* the dearest predicted LIVE dump */
};

/* The carry pays for a dump that takes its tick past the budget + 10%
 * only while fewer than CW_SCHED_OVER_MAX of the last CW_SCHED_OVER_WINDOW
 * ticks went past it: so fewer than half of the ticks do, and the median
 * tick keeps the budget even where one dump leaves room for most, but not
 * all, of a second (dumps of 55-90% of a budget), or costs 1.1-2 budgets
 * alone (then a tick past the line spends the rest of the carry on the
 * next dumps, and the round keeps the budget's pace). */
#define CW_SCHED_OVER_WINDOW 30
#define CW_SCHED_OVER_MAX 14

/* Starts a tick with what the last one carried over, and which of the last
 * ticks spent over the budget + 10% (cw_sched_tick_overs). */
void cw_sched_tick_start(struct cw_sched_tick *t, int64_t budget_ns, int64_t carry_ns, uint32_t overs);
/* The overs to start the next tick with, once spent_ns is the tick's. */
uint32_t cw_sched_tick_overs(const struct cw_sched_tick *t);
/* What carries over to the next tick: what is left of the budget and the
 * carry after the tick's dumps, between 0 and the dearest predicted cost
 * of a dump not asked for (plus one budget when that is dearer than a
 * budget). */
int64_t cw_sched_tick_carry(const struct cw_sched_tick *t);
/* Gives the tick's LIVE items their share, with what the last tick carried
 * of it; and what of it carries over, as cw_sched_tick_carry does. */
void cw_sched_tick_live(struct cw_sched_tick *t, int64_t share_ns, int64_t carry_ns);
int64_t cw_sched_tick_live_carry(const struct cw_sched_tick *t);
/* Whether the item should be dumped now (items in dump order). Asked-for
 * and overdue ones always go. The others go if their predicted cost fits
 * what is left of the tick's budget, or, for one dump a tick, if the carry
 * pays for all of it (and, if that takes the tick past the budget + 10%,
 * if few of the last ticks went past it: CW_SCHED_OVER_MAX); in a tick
 * that such a dump took past the line, while what is left of the budget
 * and the carry pays for them. One that fits
 * neither waits, and the tick holds (no other dump goes: the round-robin
 * keeps its order, and what is left
 * carries over, until it pays for that one, even a dump dearer than the
 * budget). LIVE ones go when their share and its carry pay for them and
 * they fit what is left of the budget, held or not, and never hold a
 * tick. */
bool cw_sched_should_dump(const struct cw_sched_item *it, struct cw_sched_tick *t,
			  const struct cw_sched_model *m);

#endif
