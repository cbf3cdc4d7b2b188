/* podid: names a network namespace for people. Best source first:
 *   1. the runtime's own state: containerd and CRI-O OCI bundle config.json
 *      annotations (a sandbox whose netns is this one, or the bundle of the
 *      container a process's cgroup names);
 *   2. the cgroup of its processes (pod uid) with /var/log/pods/<ns>_<name>_<uid>;
 *   3. the CNI result cache;
 * and otherwise a docker or podman container, an `ip netns` name, the host,
 * or a process. Every path goes through --procfs and --rootfs. Parsed
 * runtime files are cached by path and mtime; the index is rebuilt at most
 * once per tick and only when a namespace needs a name. */
#ifndef CW_PODID_H
#define CW_PODID_H

#include <stddef.h>

#include "cgroup.h"
#include "netns.h"
#include "root.h"
#include "snapshot.h"

/* Every string here is sanitised: safe to draw or print. */
struct cw_ident {
	enum cw_ns_kind kind;
	char *label;
	char *pod_ns, *pod_name, *pod_uid, *workload;
	char **containers;
	size_t ncontainers;
	char *netns_name;
	const char *runtime;  /* static: "containerd", "cri-o", "docker", "podman" or NULL */
	const char *source;   /* static: which source named it */
	char *note;           /* a problem met while naming it, or NULL */
	char comm[64];        /* the main (lowest) process's comm */
};

struct cw_podid;

struct cw_podid *cw_podid_new(const char *procfs, const struct cw_root *root);
void cw_podid_free(struct cw_podid *p);
/* Marks the runtime index stale; it is rebuilt on the next identify. */
void cw_podid_invalidate(struct cw_podid *p);
void cw_podid_identify(struct cw_podid *p, const struct cw_nsinfo *ns, uint64_t host_inode,
		       struct cw_ident *out);
/* Names a hostNetwork pod (kind CW_KIND_HOSTNET_POD) from its cgroups: its
 * uid and the container ids of the cgroups under its directory, through the
 * runtime's bundles or /var/log/pods; a pod neither names keeps its uid. */
void cw_podid_identify_cgroup(struct cw_podid *p, const char *pod_uid, char *const *cids,
			      size_t ncids, enum cw_runtime runtime, pid_t first_pid,
			      struct cw_ident *out);
void cw_ident_done(struct cw_ident *id);
/* Builds the runtime index now if it is stale (at start, so that what
 * cannot be read is known before any namespace needs a name). */
void cw_podid_index(struct cw_podid *p);
/* The first runtime directory (under --rootfs) the last index could not
 * read for lack of permission, or NULL. */
const char *cw_podid_denied(const struct cw_podid *p);

#endif
