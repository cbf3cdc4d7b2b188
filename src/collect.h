/* collect: one tick of collection. Discovers namespaces, names them, reads
 * the cheap counters of every one, spends the dump budget on exact
 * sock_diag counts where they matter most, aggregates, and publishes an
 * immutable snapshot. Owns every per-namespace handle (netlink socket,
 * counter files) and closes it when its namespace vanishes, since an open
 * handle would keep a dead namespace alive. Not thread-safe: one tick at a
 * time, on any one thread. */
#ifndef CW_COLLECT_H
#define CW_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "snapshot.h"

struct cw_collector_cfg {
	const char *procfs;   /* default "/proc" */
	const char *rootfs;   /* default "/" */
	double budget_pct;    /* dump CPU budget, percent of one core */
	double interval_s;    /* tick interval the budget is spread over */
	size_t max_peers;     /* peers kept per namespace */
	enum cw_diag_mode diag_mode;
	size_t fd_reserve;    /* descriptors other parts of the process may open at
	                         any time (the sinks'): taken off RLIMIT_NOFILE */
	bool events;          /* TCP state events through BPF, when they can be had */
};

struct cw_collector;

/* Fails (with a one-line cause) when procfs or rootfs cannot be read. */
int cw_collector_new(struct cw_collector **out, const struct cw_collector_cfg *cfg, char **cause);
void cw_collector_free(struct cw_collector *c);
/* Whether TCP state events are in use or still to be loaded by a tick (on
 * a worker thread): their capabilities must stay. */
bool cw_collector_events_wanted(const struct cw_collector *c);
/* Runs one tick; now_ms is the wall clock the snapshot is stamped with. */
struct cw_snapshot *cw_collector_tick(struct cw_collector *c, const struct cw_wants *w,
				      int64_t now_ms);

#endif
