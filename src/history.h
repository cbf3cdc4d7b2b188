/* history: fixed-memory rings of the last CW_HISTORY_LEN ticks of counts per
 * namespace and for the whole node, fed one snapshot at a time. Gives the
 * views sparklines and rates, tells them which rows are new and which just
 * vanished, and is where incident findings will read trends. Pure over
 * snapshots, so a replayed recording feeds it the same way. */
#ifndef CW_HISTORY_H
#define CW_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"
#include "strmap.h"

#define CW_HISTORY_LEN 60
/* Series: the state slots 1..11, and the total in slot 0. */
#define CW_HIST_TOTAL 0

struct cw_hist_ring {
	int64_t t[CW_HISTORY_LEN];
	uint32_t v[CW_HISTORY_LEN][CW_TCP_NSTATES];
	size_t head, n;   /* head: next write; n: samples held */
};

struct cw_hist_ns {
	uint64_t inode;
	int64_t first_ms, last_ms;  /* first and latest snapshot it was in */
	struct cw_hist_ring ring;   /* only ticks with exact counts */
	/* The last row seen, for lingering after it vanishes. */
	char label[160];
	enum cw_ns_kind kind;
	struct cw_tcpcount last;
};

struct cw_history {
	struct cw_strmap ns;        /* "<inode>" -> struct cw_hist_ns */
	struct cw_hist_ring node;   /* node totals */
	int64_t last_ms;
};

void cw_history_init(struct cw_history *h);
void cw_history_done(struct cw_history *h);
/* Records a snapshot; forgets namespaces unseen for longer than forget_ms. */
void cw_history_push(struct cw_history *h, const struct cw_snapshot *s, int64_t forget_ms);
const struct cw_hist_ns *cw_history_get(const struct cw_history *h, uint64_t inode);

/* Copies up to max values of one series, oldest first. Returns the count. */
size_t cw_hist_series(const struct cw_hist_ring *r, unsigned slot, uint32_t *out, size_t max);
/* Change per second of a series over its last two samples; 0 with fewer. */
double cw_hist_rate(const struct cw_hist_ring *r, unsigned slot);
/* The value of a slot in a count: slot 0 is the total. */
uint32_t cw_tcpcount_get(const struct cw_tcpcount *c, unsigned slot);

/* Calls fn for each namespace last seen before the snapshot at s->time_ms
 * but no longer ago than linger_ms: rows that vanished moments ago. */
void cw_history_each_gone(const struct cw_history *h, const struct cw_snapshot *s, int64_t linger_ms,
			  void (*fn)(const struct cw_hist_ns *ns, void *arg), void *arg);

#endif
