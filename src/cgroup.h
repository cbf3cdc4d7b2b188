/* cgroup: reads a pod uid, a container id and the runtime out of the text
 * of /proc/<pid>/cgroup, in every form the kubelet and runtimes produce:
 * cgroup v1 (one line per hierarchy) and v2 ("0::"), cgroupfs and systemd
 * drivers, containerd, CRI-O, docker and podman scopes, and nested (kind)
 * paths. Pure: text in, fields out. */
#ifndef CW_CGROUP_H
#define CW_CGROUP_H

#include <stdbool.h>

enum cw_runtime {
	CW_RT_UNKNOWN = 0,
	CW_RT_CONTAINERD,
	CW_RT_CRIO,
	CW_RT_DOCKER,
	CW_RT_PODMAN,
};

struct cw_cgroup_info {
	bool kube;                 /* under kubepods */
	char pod_uid[40];          /* with dashes, "" if none */
	char container_id[72];     /* hex id, "" if none */
	enum cw_runtime runtime;
	char qos[16];              /* "guaranteed", "burstable", "besteffort" */
};

/* Parses the whole file text. Returns true if it found a container or pod. */
bool cw_cgroup_parse(const char *text, struct cw_cgroup_info *out);
const char *cw_runtime_name(enum cw_runtime rt);

#endif
