/* cgroup: pod and container identity from cgroup paths. */
#include "config.h"
#include "cgroup.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *cw_runtime_name(enum cw_runtime rt)
{
	switch (rt) {
	case CW_RT_CONTAINERD: return "containerd";
	case CW_RT_CRIO: return "cri-o";
	case CW_RT_DOCKER: return "docker";
	case CW_RT_PODMAN: return "podman";
	default: return NULL;
	}
}

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* A pod uid is 36 characters of hex in 8-4-4-4-12 groups, separated by '-'
 * (cgroupfs) or '_' (systemd, where '-' is the slice separator). */
static bool take_uid(const char *s, size_t n, char *out)
{
	char uid[37];
	size_t i;

	if (n != 36)
		return false;
	for (i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? (s[i] != '-' && s[i] != '_') : !all_hex(s + i, 1))
			return false;
		uid[i] = dash ? '-' : s[i];
	}
	uid[36] = '\0';
	memcpy(out, uid, sizeof(uid)); /* only once it is whole: no partial uid on a near miss */
	return true;
}

/* Looks for "pod<uid>" at the end of a component (optionally before ".slice"). */
static bool component_pod(const char *c, size_t n, char *uid)
{
	if (n > 6 && memcmp(c + n - 6, ".slice", 6) == 0)
		n -= 6;
	if (n < 39)
		return false;
	if (memcmp(c + n - 39, "pod", 3) != 0)
		return false;
	if (n > 39 && c[n - 40] != '-' && c[n - 40] != '/')
		return false;
	return take_uid(c + n - 36, 36, uid);
}

struct scope_prefix {
	const char *prefix;
	enum cw_runtime rt;
};

static const struct scope_prefix prefixes[] = {
	{"cri-containerd-", CW_RT_CONTAINERD},
	{"crio-", CW_RT_CRIO},
	{"docker-", CW_RT_DOCKER},
	{"libpod-", CW_RT_PODMAN},
};

/* A container component: "<prefix><id>[.scope]" or a bare 64-hex id. */
static bool component_container(const char *c, size_t n, struct cw_cgroup_info *out)
{
	size_t i, pl;

	if (n > 6 && memcmp(c + n - 6, ".scope", 6) == 0)
		n -= 6;
	if (n >= 13 && memcmp(c, "crio-conmon-", 12) == 0)
		return false; /* CRI-O's monitor process, not the container */
	for (i = 0; i < CW_ARRAY_LEN(prefixes); i++) {
		pl = strlen(prefixes[i].prefix);
		if (n > pl && memcmp(c, prefixes[i].prefix, pl) == 0 && n - pl >= 12 &&
		    n - pl < sizeof(out->container_id) && all_hex(c + pl, n - pl)) {
			memcpy(out->container_id, c + pl, n - pl);
			out->container_id[n - pl] = '\0';
			out->runtime = prefixes[i].rt;
			return true;
		}
	}
	if (n == 64 && all_hex(c, n)) {
		memcpy(out->container_id, c, n);
		out->container_id[n] = '\0';
		return true;
	}
	return false;
}

/* QoS slices: "besteffort" (cgroupfs) or "kubepods-besteffort.slice" (systemd). */
static void component_qos(const char *c, size_t n, struct cw_cgroup_info *out)
{
	static const char *const levels[] = {"besteffort", "burstable"};
	size_t i, l;

	if (n > 6 && memcmp(c + n - 6, ".slice", 6) == 0)
		n -= 6;
	for (i = 0; i < CW_ARRAY_LEN(levels); i++) {
		l = strlen(levels[i]);
		if (n >= l && memcmp(c + n - l, levels[i], l) == 0 && (n == l || c[n - l - 1] == '-'))
			snprintf(out->qos, sizeof(out->qos), "%s", levels[i]);
	}
}

/* Parses one cgroup path ("/kubepods/burstable/pod.../<id>"). */
static void parse_path(const char *p, size_t len, struct cw_cgroup_info *out)
{
	const char *c = p, *end = p + len, *prev = "";
	size_t prev_n = 0;

	while (c < end) {
		const char *e = memchr(c, '/', (size_t)(end - c));
		size_t n;

		if (!e)
			e = end;
		n = (size_t)(e - c);
		if (n > 0) {
			if ((n >= 8 && memcmp(c, "kubepods", 8) == 0) ||
			    (n >= 17 && memcmp(c, "kubelet-kubepods", 16) == 0))
				out->kube = true;
			if (out->kube)
				component_qos(c, n, out);
			if (!component_pod(c, n, out->pod_uid) && component_container(c, n, out) &&
			    out->runtime == CW_RT_UNKNOWN && prev_n == 6 && memcmp(prev, "docker", 6) == 0)
				out->runtime = CW_RT_DOCKER; /* docker's cgroupfs driver: /docker/<id> */
			prev = c;
			prev_n = n;
		}
		c = e + 1;
	}
}

bool cw_cgroup_parse(const char *text, struct cw_cgroup_info *out)
{
	const char *line = text, *eol;
	struct cw_cgroup_info best, cur;
	int best_score = -1;

	memset(out, 0, sizeof(*out));
	/* v1 prints a line per hierarchy and they can disagree (some controllers
	 * left at "/"); keep the line that says the most. */
	for (; line && *line; line = eol ? eol + 1 : NULL) {
		const char *path;
		int score;

		eol = strchr(line, '\n');
		path = memchr(line, ':', eol ? (size_t)(eol - line) : strlen(line));
		if (!path)
			continue;
		path = memchr(path + 1, ':', eol ? (size_t)(eol - path - 1) : strlen(path + 1));
		if (!path)
			continue;
		path++;
		memset(&cur, 0, sizeof(cur));
		parse_path(path, eol ? (size_t)(eol - path) : strlen(path), &cur);
		score = (cur.pod_uid[0] ? 4 : 0) + (cur.container_id[0] ? 2 : 0) + (cur.kube ? 1 : 0);
		if (score > best_score) {
			best = cur;
			best_score = score;
		}
	}
	if (best_score <= 0)
		return false;
	*out = best;
	if (!out->kube)
		out->pod_uid[0] = '\0'; /* "pod<uid>" outside kubepods is a coincidence */
	else if (out->pod_uid[0] && !out->qos[0])
		snprintf(out->qos, sizeof(out->qos), "guaranteed"); /* no QoS level in the path */
	return out->pod_uid[0] || out->container_id[0];
}
