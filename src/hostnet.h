/* hostnet: hostNetwork pods share the host's network namespace, so their
 * sockets arrive in the host's dump. The kernel tags each full socket with
 * the cgroup2 id of the cgroup that created it (INET_DIAG_CGROUP_ID), and a
 * cgroup's id is its cgroupfs directory's inode. This module owns the map
 * from cgroup id to pod, built by walking the kubepods part of the host's
 * cgroup2 tree under --rootfs (every cgroup under a pod's directory maps to
 * that pod), and the pure split of a socket list into one aggregate per pod
 * plus the host's remainder. */
#ifndef CW_HOSTNET_H
#define CW_HOSTNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "agg.h"
#include "cgroup.h"
#include "root.h"
#include "snapshot.h"
#include "sockvec.h"

#define CW_CGMAP_NONE UINT32_MAX

/* One pod's cgroup directory. */
struct cw_cgpod {
	uint64_t id;              /* the pod directory's cgroup id; 0 until it is seen */
	char uid[40];             /* pod uid, with dashes */
	enum cw_runtime runtime;  /* from its container scopes, if they say */
	char **cids;              /* container ids of the cgroups under it */
	size_t ncids;
	char **paths;             /* host paths of its cgroups, the pod's own first */
	size_t npaths;
};

struct cw_cgent {
	uint64_t id;
	uint32_t pod;             /* index into pods, or CW_CGMAP_NONE: not a pod's */
};

struct cw_cgmap {
	struct cw_cgpod *pods;
	size_t npods, cappods;
	struct cw_cgent *ents;    /* sorted by id once finished */
	size_t nents, capents;
	bool sorted;
	bool v2;                  /* a cgroup2 hierarchy was found */
	char *base;               /* its host path: /sys/fs/cgroup or .../unified */
};

/* Empties the map and walks <root>/sys/fs/cgroup (or its unified/ part on a
 * hybrid host) again. Returns 0, -ENOENT when there is no cgroup2 tree, or
 * -EMFILE/-ENFILE when it ran out of descriptors (the map holds what was
 * walked). */
int cw_cgmap_scan(struct cw_cgmap *m, const struct cw_root *root);
/* Adds one cgroup (its id and its path inside the cgroup2 tree, such as
 * "/kubepods.slice/.../cri-containerd-<id>.scope"). Paths outside any pod
 * are remembered as "not a pod's", so they do not look new. The scan calls
 * this; tests may too. Call cw_cgmap_finish before looking ids up. */
void cw_cgmap_add(struct cw_cgmap *m, uint64_t id, const char *path);
void cw_cgmap_finish(struct cw_cgmap *m);
/* The entry of a cgroup id, or NULL if the map has never seen it. */
const struct cw_cgent *cw_cgmap_find(const struct cw_cgmap *m, uint64_t id);
void cw_cgmap_done(struct cw_cgmap *m);

/* Reads the processes of a pod's cgroups (cgroup.procs under root): the
 * lowest max pids, ascending, and the count of all. */
size_t cw_cgmap_pids(const struct cw_cgmap *m, const struct cw_root *root, size_t pod, pid_t *pids,
		     size_t max, size_t *nprocs);

/* A pod's share of the host's sockets. */
struct cw_hostnet_part {
	uint32_t pod;             /* index into the map's pods */
	struct cw_sockvec socks;
	struct cw_agg agg;
};

struct cw_hostnet_split {
	struct cw_hostnet_part *parts; /* pods with sockets, by pod index */
	size_t nparts, capparts;
	struct cw_sockvec host;   /* what no pod owns: no cgroup id, or not a pod's */
	struct cw_agg host_agg;
	size_t tagged;            /* sockets that carried a cgroup id */
	size_t untagged_full;     /* full sockets (not TIME_WAIT or SYN_RECV) without one */
	size_t unknown;           /* sockets whose cgroup id the map has not seen */
};

/* Splits socks by cgroup: sockets of a pod's cgroups go to that pod's part,
 * the rest to the host. Pure. out is overwritten (call _done after). */
void cw_hostnet_split(const struct cw_sock *socks, size_t n, const struct cw_cgmap *map,
		      size_t max_peers, struct cw_hostnet_split *out);
void cw_hostnet_split_done(struct cw_hostnet_split *s);
/* The part of a pod, or NULL when it had no sockets. */
const struct cw_hostnet_part *cw_hostnet_part_of(const struct cw_hostnet_split *s, size_t pod);

#endif
