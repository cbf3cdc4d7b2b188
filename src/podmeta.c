/* podmeta: runtime metadata parsers. */
#include "config.h"
#include "podmeta.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cw_meta_done(struct cw_meta *m)
{
	free(m->id);
	free(m->sandbox_id);
	free(m->pod_ns);
	free(m->pod_name);
	free(m->pod_uid);
	free(m->container_name);
	free(m->netns_path);
	memset(m, 0, sizeof(*m));
}

/* Duplicates a string member; non-strings and empty strings are absent. */
static char *str_of(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsString(v) || !v->valuestring || !v->valuestring[0])
		return NULL;
	return cw_xstrdup(v->valuestring);
}

static void set_once(char **dst, char *v)
{
	if (!*dst)
		*dst = v;
	else
		free(v);
}

static cJSON *parse(const char *json, const char *what, char **cause)
{
	cJSON *root = cJSON_Parse(json);

	if (!root)
		cw_cause(cause, -EBADMSG, "%s: not valid JSON", what);
	return root;
}

static int want_object(cJSON *root, const char *what, char **cause)
{
	if (cJSON_IsObject(root))
		return 0;
	cJSON_Delete(root);
	return cw_cause(cause, -EBADMSG, "%s: not a JSON object", what);
}

int cw_podmeta_parse_oci(const char *json, struct cw_meta *out, char **cause)
{
	cJSON *root = parse(json, "config.json", cause), *ann, *ns;
	const cJSON *it;
	char *type;

	memset(out, 0, sizeof(*out));
	if (!root)
		return -EBADMSG;
	if (want_object(root, "config.json", cause) < 0)
		return -EBADMSG;
	ann = cJSON_GetObjectItemCaseSensitive(root, "annotations");
	if (cJSON_IsObject(ann)) {
		/* containerd's CRI plugin */
		type = str_of(ann, "io.kubernetes.cri.container-type");
		if (type) {
			out->runtime = CW_RT_CONTAINERD;
			out->type = strcmp(type, "sandbox") == 0 ? CW_META_SANDBOX : CW_META_CONTAINER;
			free(type);
			out->pod_ns = str_of(ann, "io.kubernetes.cri.sandbox-namespace");
			out->pod_name = str_of(ann, "io.kubernetes.cri.sandbox-name");
			out->pod_uid = str_of(ann, "io.kubernetes.cri.sandbox-uid");
			out->sandbox_id = str_of(ann, "io.kubernetes.cri.sandbox-id");
			out->container_name = str_of(ann, "io.kubernetes.cri.container-name");
		}
		/* CRI-O. Only when containerd's annotations are absent: a file
		 * carrying both would otherwise have its ids read twice (and the
		 * first copies lost). */
		type = out->runtime ? NULL : str_of(ann, "io.kubernetes.cri-o.ContainerType");
		if (type) {
			out->runtime = CW_RT_CRIO;
			out->type = strcmp(type, "sandbox") == 0 ? CW_META_SANDBOX : CW_META_CONTAINER;
			free(type);
			out->sandbox_id = str_of(ann, "io.kubernetes.cri-o.SandboxID");
			out->id = str_of(ann, "io.kubernetes.cri-o.ContainerID");
		}
		if (out->runtime == CW_RT_CRIO || !out->pod_name) {
			set_once(&out->pod_ns, str_of(ann, "io.kubernetes.pod.namespace"));
			set_once(&out->pod_name, str_of(ann, "io.kubernetes.pod.name"));
			set_once(&out->pod_uid, str_of(ann, "io.kubernetes.pod.uid"));
			if (out->type != CW_META_SANDBOX)
				set_once(&out->container_name, str_of(ann, "io.kubernetes.container.name"));
		}
	}
	ns = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "linux"),
					      "namespaces");
	cJSON_ArrayForEach(it, ns) {
		char *t = str_of(it, "type");

		if (t && strcmp(t, "network") == 0)
			set_once(&out->netns_path, str_of(it, "path"));
		free(t);
	}
	cJSON_Delete(root);
	return 0;
}

int cw_podmeta_parse_cni(const char *json, struct cw_meta *out, char **cause)
{
	cJSON *root = parse(json, "CNI cache", cause), *args;
	const cJSON *it;

	memset(out, 0, sizeof(*out));
	if (!root)
		return -EBADMSG;
	if (want_object(root, "CNI cache", cause) < 0)
		return -EBADMSG;
	out->type = CW_META_SANDBOX;
	out->id = str_of(root, "containerId");
	out->sandbox_id = str_of(root, "containerId");
	out->netns_path = str_of(root, "netns");
	args = cJSON_GetObjectItemCaseSensitive(root, "cniArgs");
	/* cniArgs is a list of [key, value] pairs. */
	cJSON_ArrayForEach(it, args) {
		const cJSON *k = cJSON_GetArrayItem(it, 0), *v = cJSON_GetArrayItem(it, 1);
		char **dst = NULL;

		if (!cJSON_IsString(k) || !cJSON_IsString(v) || !v->valuestring[0])
			continue;
		if (strcmp(k->valuestring, "K8S_POD_NAMESPACE") == 0)
			dst = &out->pod_ns;
		else if (strcmp(k->valuestring, "K8S_POD_NAME") == 0)
			dst = &out->pod_name;
		else if (strcmp(k->valuestring, "K8S_POD_UID") == 0)
			dst = &out->pod_uid;
		if (dst)
			set_once(dst, cw_xstrdup(v->valuestring));
	}
	cJSON_Delete(root);
	return 0;
}

int cw_podmeta_parse_docker(const char *json, struct cw_meta *out, char **cause)
{
	cJSON *root = parse(json, "config.v2.json", cause), *state, *labels;
	const cJSON *pid;
	char *name;

	memset(out, 0, sizeof(*out));
	if (!root)
		return -EBADMSG;
	if (want_object(root, "config.v2.json", cause) < 0)
		return -EBADMSG;
	out->runtime = CW_RT_DOCKER;
	out->type = CW_META_CONTAINER;
	out->id = str_of(root, "ID");
	name = str_of(root, "Name");
	if (name) {
		out->container_name = cw_xstrdup(name[0] == '/' ? name + 1 : name);
		free(name);
	}
	out->netns_path = str_of(cJSON_GetObjectItemCaseSensitive(root, "NetworkSettings"),
				 "SandboxKey");
	state = cJSON_GetObjectItemCaseSensitive(root, "State");
	pid = cJSON_GetObjectItemCaseSensitive(state, "Pid");
	if (cJSON_IsNumber(pid) && pid->valuedouble > 0 && pid->valuedouble < 1 << 30)
		out->pid = pid->valueint;
	/* dockershim-era Kubernetes pods carry their identity in labels. */
	labels = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "Config"),
						  "Labels");
	out->pod_ns = str_of(labels, "io.kubernetes.pod.namespace");
	out->pod_name = str_of(labels, "io.kubernetes.pod.name");
	out->pod_uid = str_of(labels, "io.kubernetes.pod.uid");
	cJSON_Delete(root);
	return 0;
}

int cw_podmeta_parse_podman(const char *json, const char *id, struct cw_meta *out, char **cause)
{
	cJSON *root = parse(json, "containers.json", cause);
	const cJSON *it, *names;
	int r = -ENOENT;

	memset(out, 0, sizeof(*out));
	if (!root)
		return -EBADMSG;
	if (!cJSON_IsArray(root)) {
		cJSON_Delete(root);
		return cw_cause(cause, -EBADMSG, "containers.json: not a JSON list");
	}
	cJSON_ArrayForEach(it, root) {
		const cJSON *cid = cJSON_GetObjectItemCaseSensitive(it, "id");

		if (!cJSON_IsString(cid) || strcmp(cid->valuestring, id) != 0)
			continue;
		out->runtime = CW_RT_PODMAN;
		out->type = CW_META_CONTAINER;
		out->id = cw_xstrdup(id);
		names = cJSON_GetObjectItemCaseSensitive(it, "names");
		if (cJSON_IsString(cJSON_GetArrayItem(names, 0)))
			out->container_name = cw_xstrdup(cJSON_GetArrayItem(names, 0)->valuestring);
		r = 0;
		break;
	}
	cJSON_Delete(root);
	return r;
}
