/* events: the TCP state event source. Loads and attaches the BPF program
 * (src/bpf/states.bpf.c, embedded as a skeleton when built --with-bpf),
 * reads its per-CPU maps once per tick, and turns them into live
 * per-namespace, per-state counts:
 *   - a namespace is seeded by one of the collector's dumps: at that
 *     moment its live count is the dumped count, and the event totals are
 *     remembered;
 *   - between dumps, live = seed + entered - left since the seed;
 *   - every later dump reconciles: a difference between live and dumped
 *     beyond the events that happened while either dump walked the table
 *     is drift, which is counted and corrected (the dump re-seeds);
 *   - TIME_WAIT is never counted from events (its expiry is no event):
 *     it is the namespace's own sockstat tw counter, exact every tick;
 *   - CLOSE is the dump's (sockets are created in CLOSE without an event).
 * It also turns the (namespace, new state, comm) counts into per-second
 * rates. When BPF is unavailable the source is off and says why in one
 * line; the collector then uses its budgeted dumps alone.
 * The arithmetic (seed, live, reconcile, a full map) is plain C that the
 * unit test drives through cw_events_ingest_*, without BPF. */
#ifndef CW_EVENTS_H
#define CW_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* Event totals of one namespace, summed over the CPUs, by kernel state. */
struct cw_evtotals {
	uint64_t enter[CW_TCP_NSTATES + 1];
	uint64_t leave[CW_TCP_NSTATES + 1];
};

struct cw_events_stats {
	uint64_t events;        /* TCP state changes seen since the start */
	uint64_t reconciled;    /* dumps compared with live counts */
	uint64_t drift;         /* ... of which differed: corrected by a re-seed */
	uint64_t full_states;   /* events not counted: the namespace map was full */
	uint64_t full_trans;    /* transitions not counted: the comm map was full */
	double read_ms;         /* CPU time reading the maps, this tick */
};

struct cw_events;

/* Always gives a source; when enable is false it is off, and
 * cw_events_source() says why. Nothing is loaded yet: loading the program
 * (its maps, the kernel's BTF, the verifier) costs about 100 ms of CPU, which
 * the first screen should not wait for. */
struct cw_events *cw_events_new(bool enable);
/* Loads and attaches the program, once; a no-op after the first call or
 * when the source was made off. When BPF cannot be used the source stays
 * off, and says why. Called on the thread that will read the maps, with
 * the privileges it has then (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN). */
void cw_events_start(struct cw_events *ev);
void cw_events_free(struct cw_events *ev);
bool cw_events_active(const struct cw_events *ev);
/* Active, or asked for and not started yet: the privileges to keep. */
bool cw_events_wanted(const struct cw_events *ev);
/* "bpf" when active, else why not (one line). */
const char *cw_events_source(const struct cw_events *ev);
const struct cw_events_stats *cw_events_stats(const struct cw_events *ev);

/* Once per tick, before any dump: reads both maps. */
void cw_events_read(struct cw_events *ev, int64_t now_ms);
/* Around one namespace's dump: the totals just before it, then the dumped
 * counts (seed or reconcile). Returns 1 when this dump found drift, else 0. */
void cw_events_before_dump(struct cw_events *ev, uint64_t inode, struct cw_evtotals *before);
int cw_events_after_dump(struct cw_events *ev, uint64_t inode, const struct cw_tcpcount *dumped,
			 const struct cw_evtotals *before);
/* How many of a namespace's dumps found drift. */
uint64_t cw_events_drift(const struct cw_events *ev, uint64_t inode);
/* Forgets a namespace's seed: its next dump seeds it again (its dump
 * counted only part of it, or it failed). */
void cw_events_unseed(struct cw_events *ev, uint64_t inode);
/* The live counts of a seeded namespace, TIME_WAIT from counters (which
 * must be valid); false when there are none. */
bool cw_events_live(const struct cw_events *ev, uint64_t inode, const struct cw_counters *counters,
		    struct cw_tcpcount *out);
/* Up to max of a namespace's transitions this tick, busiest first; comm
 * points into ev until the next cw_events_read. */
size_t cw_events_transitions(const struct cw_events *ev, uint64_t inode, struct cw_transition *out,
			     size_t max);
/* Namespaces that vanished: every one not in live[] is forgotten, and its
 * map keys deleted. */
void cw_events_prune(struct cw_events *ev, const uint64_t *live, size_t n);

/* What cw_events_read does with what it read; the unit test calls these
 * directly on a source made by cw_events_new(false). */
void cw_events_ingest_begin(struct cw_events *ev, int64_t now_ms, uint64_t full_states,
			    uint64_t full_trans, uint64_t events);
void cw_events_ingest_ns(struct cw_events *ev, uint64_t inode, const struct cw_evtotals *t);
void cw_events_ingest_trans(struct cw_events *ev, uint64_t inode, unsigned state, const char *comm,
			    uint64_t total);
void cw_events_ingest_end(struct cw_events *ev);
/* Makes a source built without BPF behave as an active one (tests). */
void cw_events_force_active(struct cw_events *ev);

#endif
