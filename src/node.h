/* node: the node's limits and the kernel settings of each network
 * namespace. Owns the descriptors of the node-wide files (fs/file-nr,
 * fs/file-max, nf_conntrack_max) and of the host namespace's net sysctls,
 * kept open and re-read with pread every tick. A net sysctl answers for the
 * namespace of the task that opened it, so the collector opens the host's,
 * and reads every other namespace's, from inside that namespace; this
 * module only opens and reads. A namespace's conntrack entry count comes
 * from its <net>/stat/nf_conntrack, which follows a pid's namespace and so
 * can be kept open from outside. The parsers are pure functions over the
 * files' text. Unknown values are -1. */
#ifndef CW_NODE_H
#define CW_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "snapshot.h"

/* The net sysctls of one namespace, under <procsys>/net. */
enum {
	CW_SYSCTL_TW_REUSE,
	CW_SYSCTL_FIN_TIMEOUT,
	CW_SYSCTL_MAX_TW_BUCKETS,
	CW_SYSCTL_PORT_RANGE,
	CW_SYSCTL_SOMAXCONN,
	CW_SYSCTL_CHILD_EHASH,
	CW_SYSCTL_CONNTRACK_COUNT,
	CW_SYSCTL_NFILES
};

struct cw_sysctl_fds {
	int fd[CW_SYSCTL_NFILES];
};

/* The node-wide files, under <procfs>/sys. */
enum { CW_NODE_FILE_NR, CW_NODE_FILE_MAX, CW_NODE_CONNTRACK_MAX, CW_NODE_NFILES };

struct cw_node_files {
	int fd[CW_NODE_NFILES];
	struct cw_sysctl_fds host;   /* opened from inside the host namespace */
};

/* Descriptors the node's files keep at most: the collector's fixed share,
 * outside any namespace's (fdbudget counts them among "other"). */
#define CW_NODE_NFDS (CW_NODE_NFILES + CW_SYSCTL_NFILES)

/* All closed. */
void cw_sysctl_fds_init(struct cw_sysctl_fds *f);
/* Opens the net sysctls under procsys ("/proc/sys"): they answer for the
 * calling thread's network namespace from then on. Files the kernel lacks
 * (tcp_child_ehash_entries before 6.1, conntrack without its module) stay
 * closed. Returns how many opened. */
int cw_sysctl_open(struct cw_sysctl_fds *f, const char *procsys);
void cw_sysctl_close(struct cw_sysctl_fds *f);
bool cw_sysctl_is_open(const struct cw_sysctl_fds *f);
/* Reads the open ones into out; the rest, and any that fail, are -1. */
void cw_sysctl_read(const struct cw_sysctl_fds *f, struct cw_sysctls *out);
/* Opens, reads and closes: the calling thread's namespace's settings.
 * Returns 0 when at least one was read, else -errno. */
int cw_sysctl_read_once(const char *procsys, struct cw_sysctls *out);

void cw_node_files_init(struct cw_node_files *n);
/* Opens the node-wide files under <procfs>/sys (those that exist). */
void cw_node_files_open(struct cw_node_files *n, const char *procfs);
void cw_node_files_close(struct cw_node_files *n);
/* This tick's figures; out->valid when any was read. */
void cw_node_files_read(const struct cw_node_files *n, struct cw_node *out);

/* A namespace's <netdir>/stat/nf_conntrack ("/proc/<pid>/net" or, inside
 * it, "/proc/thread-self/net"): a descriptor, or -errno (-ENOENT without
 * the conntrack module). */
int cw_ctstat_open(const char *netdir);
/* The namespace's conntrack entries, or -1. */
int64_t cw_ctstat_read(int fd);

/* Parsers: false when the text does not have the expected shape. */
/* fs/file-nr: "allocated  free  max"; the first. */
bool cw_node_parse_file_nr(const char *text, int64_t *allocated);
/* One whole non-negative decimal number and an optional newline. */
bool cw_node_parse_int(const char *text, int64_t *v);
/* ip_local_port_range: "lo<TAB>hi". */
bool cw_node_parse_range(const char *text, int64_t *lo, int64_t *hi);
/* stat/nf_conntrack: a header line, then one line per CPU; the first
 * column of the first CPU line, in hex. */
bool cw_node_parse_ctstat(const char *text, int64_t *entries);

#endif
