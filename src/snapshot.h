/* snapshot: the contract between the producers (the collector, and later a
 * BPF event source) and everything that shows or stores their data (the
 * TUI, JSON, and later the recorder and the exporter). This header defines
 * its own types: rows, peers, listeners, sockets, counters, the history a
 * row carries, and the wants record the sinks send back. Producers fill
 * them; nothing here depends on how they were collected.
 *
 * A snapshot is immutable once published, reference-counted, and owns all
 * its memory through one arena. Strings in it are sanitised. A JSON
 * snapshot can be read back into this same struct (json_in), so screens can
 * be tested without a kernel. */
#ifndef CW_SNAPSHOT_H
#define CW_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "tcp.h"

#define CW_SNAPSHOT_SCHEMA 2
#define CW_ROW_MAXPIDS 16
/* Ticks of history a row carries: the last minute at the default delay. */
#define CW_SERIES_LEN 60
/* The longer history (the trend behind baselines and slow rules) keeps one
 * sample per this many ms, --history minutes of them. */
#define CW_TREND_STEP_MS 10000
#define CW_HISTORY_DEFAULT_MIN 15

/* Counts indexed by state slot (1..11); slot 0 unused. */
struct cw_tcpcount {
	uint32_t tcp[CW_TCP_NSTATES];
	uint32_t total;
};

/* Selected tcp_info fields; only set when the dump asked for INET_DIAG_INFO. */
struct cw_tcpinfo {
	uint32_t rtt_us, rttvar_us;
	uint32_t retransmits;       /* tcpi_retransmits: current unrecovered RTOs */
	uint32_t total_retrans;
	uint32_t last_data_sent_ms, last_data_recv_ms;
	uint32_t unacked, lost;
};

/* One socket, as sock_diag reported it. */
struct cw_sock {
	uint64_t cookie;
	uint64_t cgroup_id;     /* 0 when the kernel gave none */
	uint32_t inode, uid;
	uint32_t rqueue, wqueue;  /* for LISTEN: accept queue and backlog */
	uint32_t expires_ms;
	uint16_t sport, dport;
	uint8_t state;            /* raw kernel state */
	uint8_t family;           /* socket family as the kernel reported it */
	uint8_t timer, retrans;
	bool has_info;
	struct cw_addr src, dst;
	struct cw_tcpinfo info;
	bool udp;                 /* a UDP socket (only those to port 53 are dumped):
				     state is then 1 when connected; never in a row's socks */
};

/* The process that holds a socket. */
struct cw_owner {
	int32_t pid;        /* 0 when no process holds it (TIME_WAIT, orphans) */
	char comm[64];      /* sanitised */
};

enum cw_peer_dir {
	CW_PEER_OUT = 0, /* we connected: grouped by (remote addr, remote port) */
	CW_PEER_IN = 1,  /* they connected to a listening port: (remote addr, local port) */
};

struct cw_peer {
	struct cw_addr addr;
	uint16_t port;
	uint8_t dir;
	uint32_t total;
	uint32_t tcp[CW_TCP_NSTATES];
	uint32_t udp;             /* connected UDP sockets to it (only port 53 is dumped) */
};

struct cw_listener {
	struct cw_addr addr;
	uint16_t port;
	uint32_t queue, backlog;
};

/* The cheap per-namespace counters (sockstat, snmp, netstat). */
struct cw_counters {
	bool valid;
	uint64_t inuse;         /* TCP + TCP6 inuse (sockstat, sockstat6): all but TIME_WAIT */
	uint64_t tw;            /* TIME_WAIT (sockstat tw) */
	uint64_t curr_estab;    /* ESTABLISHED + CLOSE_WAIT (snmp Tcp CurrEstab) */
	uint64_t active_opens, passive_opens, attempt_fails, estab_resets;
	uint64_t in_errs, out_rsts;
	uint64_t listen_overflows, listen_drops; /* netstat TcpExt */
};

/* Per-second rates of the cumulative counters, from two ticks' counters. */
struct cw_rates {
	bool valid;             /* false until two ticks with counters */
	double active_opens, passive_opens, attempt_fails, estab_resets;
	double in_errs, out_rsts, listen_overflows, listen_drops;
};

/* The last minute of a row's exact counts, oldest first: one sample per
 * tick that had exact counts; only the samples held (up to CW_SERIES_LEN). */
struct cw_series {
	size_t n;
	const int64_t *t;                      /* n sample times */
	const uint32_t (*v)[CW_TCP_NSTATES];   /* n samples, by slot; slot 0: the total */
};

/* Kernel settings of one network namespace (the net sysctls are per
 * namespace), by their kernel names. -1: unknown (unreadable, or the
 * kernel has no such setting). */
struct cw_sysctls {
	int64_t tcp_tw_reuse, tcp_fin_timeout, tcp_max_tw_buckets;
	int64_t port_lo, port_hi;          /* ip_local_port_range */
	int64_t somaxconn, tcp_child_ehash_entries;
	int64_t conntrack_count;           /* nf_conntrack_count, as this namespace sees it */
};

/* Node-wide limits and the host namespace's settings. -1: unknown. */
struct cw_node {
	bool valid;
	int64_t file_nr, file_max;         /* fs/file-nr (allocated handles) and fs/file-max */
	int64_t conntrack_max;             /* nf_conntrack_max */
	struct cw_sysctls sysctl;          /* the host namespace's */
};

/* The incident patterns connwatch recognises; their ids (cw_rule_name) are
 * a contract with scripts and dashboards. */
enum cw_rule {
	CW_RULE_POOL_LEAK = 0,
	CW_RULE_DNS_STORM,
	CW_RULE_AVALANCHE,
	CW_RULE_CLOSE_WAIT,
	CW_RULE_TIME_WAIT,
	CW_RULE_CONNECT_FAIL,
	CW_RULE_LISTEN_OVERFLOW,
	CW_RULE_NODE_LIMIT,
	CW_RULE_OFF_BASELINE,
	CW_RULE_COUNT
};

enum cw_severity {
	CW_SEV_INFO = 0,
	CW_SEV_WARN,
	CW_SEV_CRIT,
};

/* One figure behind a finding: a number, or a string when str is set. */
struct cw_evidence {
	const char *key;
	const char *str;
	double num;
};

/* A remote endpoint as the peers list keys it. */
struct cw_endpoint {
	struct cw_addr addr;
	uint16_t port;
	uint8_t dir;              /* enum cw_peer_dir */
};

/* What a rule found, with its numbers and one next step. */
struct cw_finding {
	enum cw_rule rule;
	enum cw_severity severity;
	uint64_t id;              /* the row it is about (cw_ns_row.id); 0: the node */
	uint64_t inode;           /* its netns inode; 0: the node */
	const char *label;        /* the row's label, or "node" */
	int64_t since_ms;         /* when the rule began to hold, this episode */
	const char *text;         /* one line, with the figures */
	const char *next;         /* one next step */
	struct cw_evidence *evidence;
	size_t nevidence;
	bool has_peer;            /* the finding is about one remote endpoint: */
	struct cw_endpoint peer;
	int32_t pid;              /* the process it names; 0: none */
};

/* One (new state, process) pair of a namespace's TCP state changes, from
 * the BPF event source: "@[newstate, comm] = count()" as a rate. */
struct cw_transition {
	const char *comm;         /* the task running at the change (sanitised): on
				     the receive path, whoever the softirq interrupted */
	uint8_t state;            /* the new state; TIME_WAIT for a close into it */
	double per_s;
};

enum cw_ns_kind {
	CW_KIND_PROCESS = 0,
	CW_KIND_POD,
	CW_KIND_CONTAINER,
	CW_KIND_NAMED,
	CW_KIND_HOST,
	CW_KIND_HOSTNET_POD,  /* a hostNetwork pod: part of the host's namespace, by cgroup */
};

/* A row's id is its netns inode, or for a hostNetwork pod (which shares the
 * host's inode) the id of the pod's cgroup directory with this bit set. */
#define CW_ROW_ID_CGROUP (1ull << 63)

struct cw_ns_row {
	uint64_t id;                  /* identifies the row across snapshots */
	uint64_t inode;
	enum cw_ns_kind kind;
	const char *label;
	const char *netns_name;       /* named namespaces */
	const char *runtime, *id_source;
	bool is_pod;
	const char *pod_ns, *pod_name, *pod_uid, *workload;
	const char **containers;
	size_t ncontainers;
	int32_t pids[CW_ROW_MAXPIDS];
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

	/* Filled by the history stage. */
	int64_t first_seen_ms;        /* first snapshot it was in; 0: unknown */
	bool vanished;                /* gone moments ago: kept with its last counts */
	bool has_change;              /* change[] holds a rate (two exact samples) */
	double change[CW_TCP_NSTATES];/* per second, by slot; slot 0: the total */
	struct cw_rates rates;
	const struct cw_series *series; /* NULL before the history stage or any exact count */
	const struct cw_series *trend;  /* the longer history (--history minutes), one sample
	                                   per CW_TREND_STEP_MS; NULL as series */
	bool has_baseline;            /* baseline[] holds the median of the trend */
	double baseline[CW_TCP_NSTATES]; /* by slot; slot 0: the total */

	/* Filled by the collector when it can read them. */
	bool has_sysctl;
	struct cw_sysctls sysctl;     /* this namespace's settings */
	uint32_t udp_dns;             /* connected UDP sockets to port 53 */

	/* Filled by the findings stage: 1 + the index of its worst finding
	 * in the snapshot's findings; 0: none. */
	size_t finding;

	/* Filled by the collector when TCP state events are in use. */
	bool from_events;             /* tcp holds live event counts (exact this tick), not a
	                                 dump's; peers and listeners are the last dump's */
	int64_t dump_age_ms;          /* with from_events: the age of that dump */
	uint32_t events_drift;        /* its dumps that found its live counts wrong (corrected) */
	struct cw_transition *transitions; /* busiest first, per second */
	size_t ntransitions;

	/* Filled by the collector: tcp's TIME_WAIT (and so its total) is this
	 * tick's, from the cheap counters (tw), though the other states are
	 * exact_age_ms old. */
	bool tw_current;
};

struct cw_collector_stats {
	double cpu_ms;                /* the collector's own CPU time this tick */
	double wall_ms;               /* and the tick's wall-clock time */
	bool exact_all;               /* an output asked for every count exact: all were dumped */
	double budget_ms;             /* the dump budget per tick */
	int64_t age_bound_ms;         /* no exact count gets older than this (the scheduler's bound) */
	int64_t oldest_exact_ms;      /* the oldest exact count among the rows, this tick */
	double dump_ms;               /* CPU time spent in dumps this tick */
	size_t netns_total, netns_dumped;
	size_t procs_denied;          /* processes whose namespace we could not read */
	size_t diag_rejected;         /* forged or stale sock_diag datagrams thrown away,
				       * since each live namespace's socket opened */
	const char *host_netns_from;  /* "pid1" or "self" */
	const char *dump_mode;        /* "legacy" (one walk) or "family" */
	const char *note;             /* missing privilege etc., or NULL */
	const char *events;           /* "bpf" when state events are in use, else why not;
	                                 NULL: unknown (an older recording) */
	uint64_t events_drift;        /* dumps that found live event counts wrong (corrected) */
	uint64_t events_reconciled;   /* dumps compared with live event counts */
	double events_drift_share;    /* drift / reconciled, 0 when none were compared */
	uint64_t events_lost;         /* events not counted: a BPF map was full */
	double events_read_ms;        /* CPU time reading the event maps this tick */
	size_t netns_events;          /* rows whose counts came from events this tick */
	uint64_t dumps_failed;        /* TCP dumps that failed since start (ENOBUFS, interrupted
	                                 twice, ...): each row kept its last exact counts */
	uint64_t dumps_retried;       /* dumps interrupted (NLM_F_DUMP_INTR) and asked again */
	int64_t round_ms;             /* a full round of dumps at the budget (the scheduler's) */
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
	const struct cw_series *node_series; /* node totals; from the history stage */
	struct cw_node node;
	struct cw_finding *findings;  /* worst first; from the findings stage */
	size_t nfindings;
	const char *output_note;      /* an output's problem (the recorder's full disk), or NULL;
	                                 set by the app when it publishes, not recorded */
	struct {
		bool active;              /* read back from a recording by --replay: */
		size_t index, count;      /* its line (0-based), of how many */
		uint64_t gen;             /* the wants' replay_gen it answers */
	} replay;                     /* not recorded */
};

/* What the sinks ask of the next tick. */
struct cw_wants {
	uint64_t focus_id;       /* dump this row every tick (cw_ns_row.id) */
	uint64_t sockets_id;     /* keep this row's sockets in the snapshot */
	bool sockets_info;       /* ... with tcp_info and their owning processes */
	bool exact_all;          /* dump every namespace this tick, whatever the budget
	                            (--json's first snapshot); the live view does not ask, so
	                            its first screen comes at once from the cheap counters */
	/* Replay: the view that steers it says where to be. Without one the
	 * recording plays from its first line to its last, then ends. */
	bool replay_steer;       /* the fields below are set */
	size_t replay_index;     /* the line to show (0-based), */
	int64_t replay_time_ms;  /* ... or, when not 0, the first line at or after this time */
	uint64_t replay_gen;     /* which request this is: echoed in s->replay.gen */
};

struct cw_snapshot *cw_snapshot_new(void);
struct cw_snapshot *cw_snapshot_ref(struct cw_snapshot *s);
void cw_snapshot_unref(struct cw_snapshot *s);

const struct cw_ns_row *cw_snapshot_find(const struct cw_snapshot *s, uint64_t id);
/* Node totals per state over every live row with exact counts. */
void cw_snapshot_totals(const struct cw_snapshot *s, struct cw_tcpcount *out);

/* The value of a slot in a count: slot 0 is the total. */
uint32_t cw_tcpcount_get(const struct cw_tcpcount *c, unsigned slot);
/* Adds one socket's state to a count. */
void cw_tcpcount_add(struct cw_tcpcount *c, unsigned state);
/* Copies up to max values of one slot of a series, oldest first. */
size_t cw_series_values(const struct cw_series *s, unsigned slot, uint32_t *out, size_t max);
/* Adds another wants record to w: the union of what two sinks ask. */
void cw_wants_merge(struct cw_wants *w, const struct cw_wants *other);

const char *cw_kind_name(enum cw_ns_kind k);
/* The kind named k, or -1. */
int cw_kind_parse(const char *name);
const char *cw_peer_dir_name(unsigned dir);
/* A rule's id ("pool-leak"), and the rule with that id or -1. */
const char *cw_rule_name(enum cw_rule r);
int cw_rule_parse(const char *name);
/* "info", "warn", "crit", and back (-1 when unknown). */
const char *cw_severity_name(enum cw_severity s);
int cw_severity_parse(const char *name);
/* Sets every row's finding to 1 + the index of its worst finding, or 0;
 * findings must be sorted worst first. */
void cw_snapshot_link_findings(struct cw_snapshot *s);
/* Initial values: every sysctl and node figure unknown (-1). */
void cw_sysctls_unknown(struct cw_sysctls *c);
void cw_node_unknown(struct cw_node *n);

#endif
