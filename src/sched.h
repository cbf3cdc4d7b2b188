/* sched: decides which namespaces get an exact sock_diag dump this tick.
 * Dumps in a namespace that shares the node's TCP hash walk every socket of
 * the node, so they are rationed by a CPU budget per tick. What is asked for
 * (and, on the first tick, everything) always goes; then namespaces never
 * dumped; then those whose cheap counters moved; then the rest, oldest exact
 * counts first (a round-robin). Pure. */
#ifndef CW_SCHED_H
#define CW_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cw_sched_class {
	CW_SCHED_MUST = 0,   /* asked for, or the first tick: always dumped */
	CW_SCHED_NEW,        /* never dumped yet */
	CW_SCHED_MOVED,      /* counters moved since its last dump */
	CW_SCHED_IDLE,       /* nothing moved: refreshed round-robin */
	CW_SCHED_NEVER,      /* cannot be dumped (no access) */
};

struct cw_sched_item {
	size_t index;            /* the caller's */
	enum cw_sched_class cls;
	int64_t last_exact_ms;   /* 0 if never */
};

/* Sorts items into dump order. */
void cw_sched_order(struct cw_sched_item *items, size_t n);
/* Whether the next item in order should be dumped, given the CPU spent so
 * far this tick and the budget. */
bool cw_sched_should_dump(const struct cw_sched_item *it, int64_t spent_ns, int64_t budget_ns);

#endif
