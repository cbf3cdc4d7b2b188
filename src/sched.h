/* sched: decides which namespaces get an exact sock_diag dump this tick.
 * Dumps in a namespace that shares the node's TCP hash walk every socket of
 * the node, so they are rationed by a CPU budget per tick. What is asked for
 * (and, on the first tick, everything) always goes; then namespaces whose
 * exact counts are older than the age bound, oldest first, whatever the
 * budget; then namespaces never dumped, the biggest first (by their
 * cheap counters: the first screen fills in where it matters); then those
 * whose cheap counters
 * moved; then the rest; oldest exact counts first within each (a
 * round-robin). Below the first two, a dump goes only if its predicted cost
 * (its own last dump's, or a guess for a namespace never dumped) keeps the
 * tick within its budget; one that would overrun waits for a later tick,
 * and a cheaper one after it may go instead.
 *
 * Age raises priority, so no namespace starves when every namespace's
 * counters move (a node under TIME_WAIT churn), and the bound is set from
 * what a full round costs at the budget, so the budget still holds: see
 * cw_sched_age_bound. A known limit: when what is asked for leaves too
 * little of the budget for any other dump, the others go only once overdue,
 * and those dumped together (the first tick) fall due together, in one
 * tick over budget every bound; the median tick keeps the budget. Pure. */
#ifndef CW_SCHED_H
#define CW_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The age bound is never below this. */
#define CW_SCHED_MIN_AGE_MS 10000

enum cw_sched_class {
	CW_SCHED_MUST = 0,   /* asked for, or the first tick: always dumped */
	CW_SCHED_OVERDUE,    /* exact counts older than the age bound: always dumped */
	CW_SCHED_NEW,        /* never dumped yet */
	CW_SCHED_MOVED,      /* counters moved since its last dump */
	CW_SCHED_IDLE,       /* nothing moved: refreshed round-robin */
	CW_SCHED_NEVER,      /* cannot be dumped (no access) */
};

struct cw_sched_item {
	size_t index;            /* the caller's */
	enum cw_sched_class cls;
	int64_t last_exact_ms;   /* 0 if never */
	int64_t cost_ns;         /* its last dump's CPU cost; 0 if unknown */
	uint64_t weight;         /* NEW: its sockets by the cheap counters; the biggest go first */
};

/* The longest a namespace's exact counts may age: twice the time a full
 * round of dumps takes at the budget (the sum of the predicted costs of
 * all but the asked-for items, over what the asked-for ones leave of the
 * budget per tick, at least a tenth of it; in ticks of interval_ms), and
 * at least CW_SCHED_MIN_AGE_MS. guess_ns stands for unknown costs. */
int64_t cw_sched_age_bound(const struct cw_sched_item *items, size_t n, int64_t budget_ns,
			   int64_t interval_ms, int64_t guess_ns);
/* Marks the NEW, MOVED and IDLE items whose exact counts are older than
 * max_age_ms at now_ms as OVERDUE. */
void cw_sched_overdue(struct cw_sched_item *items, size_t n, int64_t now_ms, int64_t max_age_ms);
/* Sorts items into dump order. */
void cw_sched_order(struct cw_sched_item *items, size_t n);
/* Whether the item should be dumped, given the CPU spent so far this tick,
 * the budget, and the guess for an unknown cost. */
bool cw_sched_should_dump(const struct cw_sched_item *it, int64_t spent_ns, int64_t budget_ns,
			  int64_t guess_ns);

#endif
