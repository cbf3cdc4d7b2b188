/* snapshot: the contract between the collector and everything that shows
 * its data (TUI, JSON, and later the recorder and the exporter). Immutable
 * once published, reference-counted, and owning all its memory through one
 * arena. Strings in it are sanitised. A JSON snapshot can be read back into
 * this same struct (json_in), so screens can be tested without a kernel. */
#ifndef CW_SNAPSHOT_H
#define CW_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "arena.h"
#include "netns.h"
#include "nscount.h"
#include "owners.h"
#include "podid.h"
#include "tcp.h"

#define CW_SNAPSHOT_SCHEMA 1

struct cw_ns_row {
	uint64_t inode;
	enum cw_ns_kind kind;
	const char *label;
	const char *netns_name;       /* named namespaces */
	const char *runtime, *id_source;
	bool is_pod;
	const char *pod_ns, *pod_name, *pod_uid, *workload;
	const char **containers;
	size_t ncontainers;
	int32_t pids[CW_NETNS_MAXPIDS];
	size_t npids, nprocs;
	const char *comm;
	const char *status;           /* NULL when ok */

	bool has_exact;               /* tcp/peers/listeners hold a dump's result */
	int64_t exact_age_ms;
	bool dumped;                  /* dumped during this tick */
	double dump_ms;               /* CPU time of its latest dump */
	int shared_ehash;             /* 1 shared, 0 own table, -1 unknown */

	struct cw_tcpcount tcp;
	struct cw_counters counters;
	struct cw_peer *peers;        /* busiest first */
	size_t npeers, peers_all;
	struct cw_listener *listeners;
	size_t nlisteners;
	struct cw_addr *addrs;        /* its own non-loopback addresses, as seen in sockets */
	size_t naddrs;
	struct cw_sock *socks;        /* only for a namespace whose sockets were asked for */
	struct cw_owner *owners;      /* parallel to socks: the holding process */
	size_t nsocks;
};

struct cw_collector_stats {
	double cpu_ms;                /* the collector's own CPU time this tick */
	double budget_ms;             /* the dump budget per tick */
	double dump_ms;               /* CPU time spent in dumps this tick */
	size_t netns_total, netns_dumped;
	size_t procs_denied;          /* processes whose namespace we could not read */
	const char *host_netns_from;  /* "pid1" or "self" */
	const char *dump_mode;        /* "legacy" (one walk) or "family" */
	const char *note;             /* missing privilege etc., or NULL */
};

struct cw_snapshot {
	atomic_int refs;
	struct cw_arena arena;
	int schema;
	int64_t time_ms;              /* wall clock, ms since the epoch */
	const char *hostname;
	struct cw_collector_stats collector;
	struct cw_ns_row *rows;
	size_t nrows;
};

struct cw_snapshot *cw_snapshot_new(void);
struct cw_snapshot *cw_snapshot_ref(struct cw_snapshot *s);
void cw_snapshot_unref(struct cw_snapshot *s);

const struct cw_ns_row *cw_snapshot_find(const struct cw_snapshot *s, uint64_t inode);
/* Node totals per state over every row with exact counts. */
void cw_snapshot_totals(const struct cw_snapshot *s, struct cw_tcpcount *out);

#endif
