/* podmeta: parses container runtime metadata into one record shape:
 * OCI bundle config.json (containerd and CRI-O annotations), the CNI result
 * cache, docker's config.v2.json and podman's containers.json. Pure: JSON
 * text in (parsed with libcjson), fields out. Strings are copied, never
 * sanitised here; the caller sanitises before anything is shown. */
#ifndef CW_PODMETA_H
#define CW_PODMETA_H

#include <stdbool.h>

#include "cgroup.h"

enum cw_meta_type {
	CW_META_UNKNOWN = 0,
	CW_META_SANDBOX,    /* a pod's sandbox (pause) container */
	CW_META_CONTAINER,  /* an application container */
};

struct cw_meta {
	enum cw_meta_type type;
	enum cw_runtime runtime;
	char *id;              /* this container's id, when the file says */
	char *sandbox_id;      /* the pod sandbox it belongs to */
	char *pod_ns, *pod_name, *pod_uid;
	char *container_name;  /* Kubernetes container name, or docker/podman name */
	char *netns_path;      /* the network namespace path, if the file names one */
	int pid;               /* docker: State.Pid */
};

void cw_meta_done(struct cw_meta *m);

/* Each returns 0 or -EBADMSG with *cause when the text is not the JSON
 * shape expected. A well-formed file without the fields is not an error. */
int cw_podmeta_parse_oci(const char *json, struct cw_meta *out, char **cause);
int cw_podmeta_parse_cni(const char *json, struct cw_meta *out, char **cause);
int cw_podmeta_parse_docker(const char *json, struct cw_meta *out, char **cause);
/* podman's containers.json is a list; finds the entry for id. Returns
 * -ENOENT if it is not there. */
int cw_podmeta_parse_podman(const char *json, const char *id, struct cw_meta *out, char **cause);

#endif
