/* rulekit: small pieces the trend rules share: an endpoint as text, a
 * series' slot as numbers, per-peer history kept in a rule's state (the
 * snapshot carries no per-peer trend), and the process behind a finding
 * (through podfiles). */
#ifndef CW_RULEKIT_H
#define CW_RULEKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "map.h"
#include "podfiles.h"
#include "snapshot.h"

/* "10.96.3.4:5432", "[fd00::1]:53"; an inbound peer (whose port is the
 * local one it connected to) gets " (in)". buf of at least 80 bytes. */
const char *cw_rulekit_endpoint_str(const struct cw_endpoint *e, char *buf, size_t n);
void cw_rulekit_endpoint_of(const struct cw_peer *p, struct cw_endpoint *e);
bool cw_rulekit_endpoint_eq(const struct cw_endpoint *a, const struct cw_endpoint *b);
/* A peer with the endpoint's key and no counts, for cw_rule_peer(). */
void cw_rulekit_peer_of(const struct cw_endpoint *e, struct cw_peer *p);

/* The command prefix that runs a command in the row's namespace, for a
 * next step: "nsenter -t PID -n" (pid, else the row's first), "ip netns
 * exec NAME", or "(in its namespace)" when neither is known. */
const char *cw_rulekit_in_ns(const struct cw_ns_row *r, int32_t pid, char *buf, size_t n);

/* v rounded to a multiple of step (0.1, 0.001): evidence stays readable. */
double cw_rulekit_round(double v, double step);

/* Times and values of one slot of a series (at most max, the newest). */
size_t cw_rulekit_slot(const struct cw_series *s, unsigned slot, int64_t *t, double *v, size_t max);

/* How long slot has stayed at or above level, back from the newest
 * sample: the start of that run in the row's series, then in the trend
 * before it; -1 if the newest sample is below. *min gets the lowest
 * count in the run (may be NULL). */
int64_t cw_rulekit_above_since(const struct cw_ns_row *r, unsigned slot, double level, double *min);

/* The time the row's exact counts were taken, or -1 without any. */
int64_t cw_rulekit_taken_ms(const struct cw_snapshot *s, const struct cw_ns_row *r);

/* The process behind a finding: of a row's pids, the one holding the most
 * descriptors, its comm and RLIMIT_NOFILE, read through podfiles (as
 * hostile input) at most once per CW_RULEKIT_PROC_MS per row; what could
 * not be read is a note, never a stop. */
#define CW_RULEKIT_PROC_MS 5000

struct cw_rulekit_proc {
	int64_t read_ms;              /* when it was read; 0: never */
	int32_t pid;                  /* 0: none known */
	char comm[64];                /* sanitised */
	bool has_fds, fds_capped;     /* capped: at least fds */
	size_t fds;
	bool has_limit;
	struct cw_nofile nofile;
	char note[200];               /* what could not be read, or "" */
};

/* Refreshes p (the rule's cache for row r) if it is older than
 * CW_RULEKIT_PROC_MS. */
void cw_rulekit_proc_read(const char *procfs, const struct cw_ns_row *r, int64_t now,
			  struct cw_rulekit_proc *p);
/* 65536 -> "65,536"; buf of at least 32 bytes. */
const char *cw_rulekit_thousands(uint64_t v, char *buf, size_t n);

/* Per-peer history of one state for the rows of a rule, in fixed memory:
 * for each row at most CW_RULEKIT_PEERS peers (the busiest in that state
 * take the place of the quietest), one sample per CW_TREND_STEP_MS over
 * CW_RULEKIT_STEPS steps. Rows not seen for CW_RULEKIT_FORGET_MS are
 * forgotten, and so are peers. */
#define CW_RULEKIT_PEERS 8
#define CW_RULEKIT_STEPS 30
#define CW_RULEKIT_FORGET_MS 60000

struct cw_rulekit_peer {
	bool used;
	struct cw_endpoint ep;
	int64_t seen_ms;               /* last in the row's peers */
	size_t head, n;
	int64_t t[CW_RULEKIT_STEPS];   /* ring, oldest at (head - n) */
	double v[CW_RULEKIT_STEPS];
};

struct cw_rulekit_peers {
	uint64_t id;
	int64_t seen_ms;               /* last snapshot with the row */
	int64_t sampled_ms;            /* the exact count last sampled */
	bool firing;                   /* for the rule: its finding holds */
	struct cw_rulekit_proc proc;   /* for the rule: its process, once it fired */
	/* CW_RULEKIT_PEERS of them, allocated when the row first has a peer
	 * to record (most rows of a big node never do); NULL before. */
	struct cw_rulekit_peer *p;
};

/* Records row's peers' counts in slot (if its exact counts are new) and
 * returns its history. rows is the rule's map, id -> cw_rulekit_peers;
 * prev_ms the time of the previous snapshot the rule ran on (-1: none).
 * Call it for every live row of every snapshot. */
struct cw_rulekit_peers *cw_rulekit_peers_update(struct cw_imap *rows, const struct cw_snapshot *s,
						 const struct cw_ns_row *r, unsigned slot, int64_t prev_ms);
/* Forgets rows not seen for CW_RULEKIT_FORGET_MS (call once per snapshot). */
void cw_rulekit_peers_expire(struct cw_imap *rows, int64_t now);
void cw_rulekit_peers_free(struct cw_imap *rows);
/* One tracked peer's samples, oldest first; returns how many. */
size_t cw_rulekit_peer_series(const struct cw_rulekit_peer *p, int64_t *t, double *v);

#endif
