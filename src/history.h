/* history: the pipeline stage between the collector and the sinks. It keeps
 * fixed-memory rings of the last CW_SERIES_LEN exact samples per namespace
 * and for the node, and the previous tick's counters, and writes into each
 * snapshot before it is published:
 *   - per row: the change per second of each state, the per-second rates of
 *     the cumulative counters, the first-seen time and the last minute of
 *     counts (for sparklines);
 *   - rows that vanished moments ago, kept with their last counts and
 *     marked vanished;
 *   - the longer history: one sample per 10 s over --history minutes (15
 *     by default), and each row's baseline, the median of it per state;
 *   - the node totals' last minute.
 * It runs on every snapshot, whatever the sinks do, so pausing a view
 * changes no rate. Pure over snapshots: it takes time from s->time_ms, so a
 * replayed recording or a test feeds it the same way. */
#ifndef CW_HISTORY_H
#define CW_HISTORY_H

#include <stdint.h>

#include "snapshot.h"

/* --history: the longer history's span in minutes, at most this. */
#define CW_HISTORY_MAX_MIN 1440

/* A vanished row is kept this long. */
#define CW_HISTORY_LINGER_MS 5000

struct cw_history;

/* history_min: the span of the longer history (the trend and the
 * baselines), in minutes, 1 to CW_HISTORY_MAX_MIN. */
struct cw_history *cw_history_new(int64_t linger_ms, unsigned history_min);
void cw_history_free(struct cw_history *h);
/* Fills s's history fields and appends the rows that vanished within the
 * linger time. Call once per snapshot, in time order, before publishing. */
void cw_history_apply(struct cw_history *h, struct cw_snapshot *s);

#endif
