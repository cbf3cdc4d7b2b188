/* collect_priv: the collector's own state, shared by its two files:
 * collect.c (discovery, naming, descriptors, counters, dumps, the tick) and
 * collect_hostnet.c (hostNetwork pods: the host's sockets split by cgroup).
 * Nothing outside the collector includes this. */
#ifndef CW_COLLECT_PRIV_H
#define CW_COLLECT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "collect.h"
#include "events.h"
#include "fdbudget.h"
#include "hostnet.h"
#include "map.h"
#include "netns.h"
#include "node.h"
#include "nscount.h"
#include "podid.h"
#include "root.h"
#include "sched.h"
#include "sockvec.h"

/* A namespace whose naming was not conclusive is named again this often:
 * runtime metadata is written after the namespace appears. */
#define CW_REIDENTIFY_MS 5000
/* Setting up a namespace failed for a reason other than privilege: retry. */
#define CW_RESETUP_MS 5000
/* Namespaces named or set up per tick, and counters read without a kept
 * descriptor per tick: past this, the rest wait for the next ticks, so a
 * node (or a --procfs) with an absurd number of namespaces costs a bounded
 * time per tick instead of stalling the first one. A real node, even at
 * hundreds of pods, is done in the first tick. */
#define CW_EXAMINE_PER_TICK 2000
/* The first tick's dumps spend this fraction of the budget (1/N), unless
 * an output wants every count exact at once. */
#define CW_FIRST_TICK_SHARE 4
/* The cgroup tree is walked again this often (pods come and go), and when
 * a socket names a cgroup not seen yet, at most this often: */
#define CW_CGMAP_RESCAN_MS 10000
#define CW_CGMAP_UNKNOWN_MS 1000
/* A namespace's sysctls are read again this often: reading them means
 * entering it, which a tick does only for a few namespaces (the refreshes
 * are spread over the period, CW_EXAMINE_PER_TICK bounding them). */
#define CW_SYSCTL_REFRESH_MS 30000
/* events: the share of the dump budget that namespaces with live event
 * counts may spend (on reconciling, and on their peers), as a rate. Their
 * counts are exact from the events; the dumps only catch drift, which the
 * CurrEstab check also flags at once (live_agrees). A sixth keeps the
 * whole collector within 5% of a core with the default budget on the
 * issue's node (110 namespaces, 500k sockets), where the counters cost
 * about a further 1.5% and the BPF program 0.8%; a quarter passed 5% in
 * one run of two there. A full reconciliation there takes about 8 minutes
 * (8.4 s of dumps at 1.7% of a core). */
#define CW_EVENTS_DUMP_SHARE (1.0 / 6)

/* The socket list (scratch) keeps its room from one tick to the next; it
 * is shrunk when over this many ticks no dump needed a quarter of it. */
#define CW_SCRATCH_WINDOW 60
#define CW_SCRATCH_MIN 4096

/* What a namespace has once it was entered or dumped: most namespaces of a
 * pathological node (or a hostile --procfs) never are, and cost only their
 * struct nsstate. */
struct nsext {
	bool has_sysctl;                /* sysctl holds what was read inside */
	struct cw_sysctls sysctl;
	struct cw_agg agg;              /* the last dump's aggregate, with has_exact */
	struct cw_counters counters_at_dump;
	struct cw_tcpcount ev_live;     /* events: this tick's live counts */
};

/* One namespace, as the collector follows it across ticks. Kept small: a
 * node may have a great many, and every one has a struct here. */
struct nsstate {
	uint64_t inode;
	const struct cw_nsinfo *info;   /* this tick's discovery record */
	int64_t first_ms;               /* when discovery first saw it */
	struct cw_ident *ident;         /* its name; NULL until named */
	int64_t ident_ms;
	int64_t setup_ms;
	char *setup_err;
	struct cw_diag *diag;
	struct cw_nscount cnt;
	struct cw_counters counters;
	char *count_err;
	int64_t conntrack;              /* its entries this tick, or -1 */
	int64_t sysctl_ms;              /* when its sysctls were read (or tried) */
	int64_t exact_ms;
	double dump_ms;
	uint64_t walked;                /* sockets its last dump walked (the cost model's) */
	char *dump_err;
	struct nsext *x;                /* NULL until entered or dumped (ext()) */
	int ct_fd;                      /* stat/nf_conntrack, or -1 */
	int8_t shared_ehash;
	bool live;
	bool fd_kept;                   /* the fd budget lets it keep handles */
	bool identified;
	bool setup_tried, setup_final;
	/* The last setup found the namespace gone (ENOENT). Seen again by a
	 * later scan, its inode is a live namespace's (the kernel reuses
	 * them at once): set up again on the next tick, not CW_RESETUP_MS
	 * later, or the new namespace shows the old one's error. */
	bool setup_vanished;
	bool has_exact, dumped;
	bool live_events;               /* events: this tick's counts are live (not dumped) */
	bool ev_covered;                /* events: it had live counts as the tick began */
};

/* A hostNetwork pod: a share of the host namespace's sockets, by cgroup. */
struct hnstate {
	uint64_t cgid;             /* its pod cgroup directory's id */
	char uid[40];
	uint32_t pod;              /* index into the cgroup map (this scan's) */
	bool live;                 /* in the map, and in the host namespace */
	bool by_procs;             /* a process of it is in the host namespace */
	bool has_socks;            /* it had sockets in the latest split */
	struct cw_ident ident;
	bool identified;
	int64_t ident_ms;
	pid_t pids[CW_NETNS_MAXPIDS];
	size_t npids, nprocs;
	struct cw_agg agg;
	bool has_exact;
	int64_t exact_ms;
};

/* The sockets asked for, kept from a dump until the rows exist. */
struct kept {
	uint64_t id;
	struct cw_sock *socks;
	struct cw_owner *owners;
	size_t n;
	bool set;
};

struct cw_collector {
	char *procfs;
	struct cw_root root;
	double budget_pct, interval_s;
	size_t max_peers;
	enum cw_diag_mode diag_mode;
	uint64_t host_inode, self_inode;
	const char *host_from;
	char hostname[256];

	struct cw_nslist list;     /* the last good scan */
	struct cw_nslist next;     /* this tick's scan, swapped in if it succeeds */
	char *scan_note;           /* why this tick's scan failed, or NULL */
	char *udp_note;            /* why UDP sockets were not dumped (first time), or NULL */
	uint64_t nofile;           /* RLIMIT_NOFILE in force; 0 if unknown */
	size_t fd_reserve;         /* the sinks' descriptors (cfg) */
	struct cw_fdbudget_item *fdb;
	size_t capfdb, fd_unkept;  /* namespaces keeping no descriptor */
	struct cw_podid *podid;
	struct cw_imap states;     /* inode -> struct nsstate */
	size_t unnamed;            /* namespaces left for later ticks to name */
	size_t unread;             /* unkept counters left for later ticks to read */
	size_t unkept_next;        /* where this tick's reading of unkept counters starts */
	struct nsstate **order;    /* live states, this tick */
	size_t norder, caporder;
	struct cw_sockvec scratch; /* a dump's sockets, where a list is needed (dump()) */
	struct cw_sockvec udp;     /* a streamed dump's UDP sockets, until their dump is whole */
	struct cw_agg_builder *builder; /* aggregates every dump, its tables reused */
	size_t scratch_peak;       /* the most sockets scratch held, this window */
	unsigned scratch_ticks;    /* ticks in this window (CW_SCRATCH_WINDOW) */
	struct cw_sched_item *items;
	size_t capitems;
	struct cw_sched_model model;  /* what dumps cost, learnt (sched) */
	int64_t carry_ns;          /* dump budget the last tick left unspent (sched) */
	uint32_t overs;            /* the last ticks over budget + 10% (sched) */
	int64_t live_carry_ns;     /* ... and of the reconciling dumps' share (events) */
	const char *dump_mode;
	uint64_t ticks;            /* ticks done */

	struct cw_cgmap cgmap;     /* cgroup id -> pod, for the host's sockets */
	bool cgmap_scanned;
	int cgmap_err;             /* the last scan's result: 0, or -errno */
	int64_t cgmap_ms;
	bool no_sock_cgroup;       /* the host's dump carried no cgroup ids */
	struct cw_imap hn;         /* pod cgroup id -> struct hnstate */
	struct hnstate **hnorder;  /* live ones, this tick */
	size_t nhn, caphn;
	struct cw_hostnet_split split;
	size_t split_pods;         /* hostNetwork pods the host's last split found sockets of */
	struct kept kept;

	struct cw_node_files node; /* the node's files and the host's sysctls */
	int64_t node_open_ms;      /* when missing node files were last tried */
	size_t sysctl_next;        /* where this tick's sysctl refreshes start */
	struct cw_events *events;  /* TCP state events (events.c): always set, maybe off */
	uint64_t *live_inodes;     /* this tick's, for cw_events_prune */
	size_t caplive;
	uint64_t dumps_failed;     /* TCP dumps that failed, since start */
	uint64_t dumps_retried;    /* dumps interrupted and asked again, since start */
};


/* collect.c */
/* A namespace's extension, made on first use. */
struct nsext *cw_collect_ext(struct nsstate *s);

/* collect_hostnet.c */
void cw_collect_hn_free(void *v);
struct hnstate *cw_collect_hn_find(struct cw_collector *c, uint64_t cgid);
/* Walks the cgroup tree again (pods come and go). */
void cw_collect_cgmap_rescan(struct cw_collector *c, int64_t now);
/* Splits the host's dump in c->scratch by socket cgroup; false when it
 * cannot, and the host keeps every socket. */
bool cw_collect_split_host(struct cw_collector *c, struct nsstate *s, int64_t now);
/* This tick's hostNetwork pods, named, in c->hnorder. */
void cw_collect_hostnet_order(struct cw_collector *c, int64_t now);
void cw_collect_hostnet_row(struct cw_collector *c, struct cw_snapshot *snap, struct cw_ns_row *row,
			    const struct hnstate *h, const struct nsstate *host, int64_t now);
/* Why hostNetwork pods are not split out of the host row, or NULL. */
const char *cw_collect_hostnet_note(struct cw_collector *c);

#endif
