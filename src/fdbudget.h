/* fdbudget: the policy that decides which namespaces may keep descriptors
 * open (a netlink socket and five counter files each) so the process stays
 * clear of RLIMIT_NOFILE. Those that may not keep any still get their cheap
 * counters, opened, read and closed each tick, and no exact dumps. Pure
 * except cw_fdbudget_count_open, which counts this process's descriptors. */
#ifndef CW_FDBUDGET_H
#define CW_FDBUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kept handles stop at this share of the limit; the rest is headroom for
 * what a tick opens for a moment (namespace files, /proc reads, output). */
#define CW_FDBUDGET_PCT 80
/* What one namespace keeps when set up: a sock_diag socket, sockstat,
 * sockstat6, snmp and netstat, and stat/nf_conntrack. The host keeps the
 * node's copy of its sysctls too (node.h, CW_SYSCTL_NFILES more), which
 * the collector counts as the host's. The node-wide files (CW_NODE_NFILES)
 * are opened at start and counted with everything else the process has
 * open. */
#define CW_FDBUDGET_NS_COST 6

/* Keep order: host, then pods, then the rest; lower keeps first. */
enum cw_fdbudget_rank {
	CW_FDBUDGET_HOST = 0,
	CW_FDBUDGET_POD = 1,
	CW_FDBUDGET_OTHER = 2,   /* named (ip netns), containers outside pods */
	CW_FDBUDGET_PROCESS = 3, /* a namespace known only by its processes */
};

struct cw_fdbudget_item {
	enum cw_fdbudget_rank rank;
	bool focus;            /* on screen: kept like a pod even when less */
	int64_t first_seen_ms; /* within a rank, the newest gives way first */
	uint64_t inode;        /* last tie-break, so the plan is stable */
	unsigned cost;         /* descriptors it holds, or would hold if kept */
	bool keep;             /* out */
};

/* Sets keep on the items that fit, in priority order, while the kept
 * descriptors plus other (everything else this process has open) stay
 * within CW_FDBUDGET_PCT of limit. Once one does not fit, no lower one is
 * kept, so the cut is one line in the priority order. Returns how many are
 * not kept. limit 0 means unknown: everything is kept. */
size_t cw_fdbudget_plan(struct cw_fdbudget_item *v, size_t n, uint64_t limit, uint64_t other);

/* The number of descriptors this process has open, or -errno. */
int cw_fdbudget_count_open(void);

#endif
