/* hostnet: the cgroup id -> pod map and the split of the host's sockets. */
#include "config.h"
#include "hostnet.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Outside kubepods the walk goes this deep (system.slice/x.service/y);
 * deeper cgroups are learnt as "not a pod's" when their ids show up. */
#define OUTSIDE_DEPTH 3
#define INSIDE_DEPTH 16

static void pod_free(struct cw_cgpod *p)
{
	size_t i;

	for (i = 0; i < p->ncids; i++)
		free(p->cids[i]);
	free(p->cids);
	for (i = 0; i < p->npaths; i++)
		free(p->paths[i]);
	free(p->paths);
}

static void cgmap_clear(struct cw_cgmap *m)
{
	size_t i;

	for (i = 0; i < m->npods; i++)
		pod_free(&m->pods[i]);
	m->npods = 0;
	m->nents = 0;
	m->sorted = true;
	m->v2 = false;
	free(m->base);
	m->base = NULL;
}

void cw_cgmap_done(struct cw_cgmap *m)
{
	cgmap_clear(m);
	free(m->pods);
	free(m->ents);
	memset(m, 0, sizeof(*m));
}

static bool parse(const char *path, size_t len, struct cw_cgroup_info *ci)
{
	char *text = cw_xasprintf("0::%.*s\n", (int)len, path);
	bool found = cw_cgroup_parse(text, ci);

	free(text);
	return found && ci->kube && ci->pod_uid[0];
}

static uint32_t pod_index(struct cw_cgmap *m, const char *uid)
{
	size_t i;

	/* The walk adds a pod's cgroups one after another: try the last first. */
	if (m->npods && strcmp(m->pods[m->npods - 1].uid, uid) == 0)
		return (uint32_t)(m->npods - 1);
	for (i = 0; i < m->npods; i++)
		if (strcmp(m->pods[i].uid, uid) == 0)
			return (uint32_t)i;
	cw_xgrow((void **)&m->pods, &m->cappods, m->npods + 1, sizeof(*m->pods));
	memset(&m->pods[m->npods], 0, sizeof(*m->pods));
	snprintf(m->pods[m->npods].uid, sizeof(m->pods[m->npods].uid), "%s", uid);
	return (uint32_t)m->npods++;
}

static void push_str(char ***v, size_t *n, char *s)
{
	*v = cw_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

void cw_cgmap_add(struct cw_cgmap *m, uint64_t id, const char *path)
{
	struct cw_cgroup_info ci, parent;
	uint32_t pod = CW_CGMAP_NONE;
	const char *slash;

	if (path && parse(path, strlen(path), &ci)) {
		struct cw_cgpod *p;
		size_t i;

		pod = pod_index(m, ci.pod_uid);
		p = &m->pods[pod];
		/* The pod's own directory is the first one that names the pod:
		 * its parent (the QoS slice) does not. */
		slash = strrchr(path, '/');
		if (!slash || !parse(path, (size_t)(slash - path), &parent) ||
		    strcmp(parent.pod_uid, ci.pod_uid) != 0) {
			p->id = id;
			p->paths = cw_xrealloc(p->paths, (p->npaths + 1) * sizeof(*p->paths));
			memmove(p->paths + 1, p->paths, p->npaths * sizeof(*p->paths));
			p->paths[0] = cw_xstrdup(path); /* the pod's own first */
			p->npaths++;
		} else {
			push_str(&p->paths, &p->npaths, cw_xstrdup(path));
		}
		if (ci.container_id[0]) {
			for (i = 0; i < p->ncids; i++)
				if (strcmp(p->cids[i], ci.container_id) == 0)
					break;
			if (i == p->ncids)
				push_str(&p->cids, &p->ncids, cw_xstrdup(ci.container_id));
			if (p->runtime == CW_RT_UNKNOWN)
				p->runtime = ci.runtime;
		}
	}
	cw_xgrow((void **)&m->ents, &m->capents, m->nents + 1, sizeof(*m->ents));
	m->ents[m->nents].id = id;
	m->ents[m->nents].pod = pod;
	m->nents++;
	m->sorted = false;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct cw_cgent *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

void cw_cgmap_finish(struct cw_cgmap *m)
{
	if (!m->sorted && m->nents > 1)
		qsort(m->ents, m->nents, sizeof(*m->ents), ent_cmp);
	m->sorted = true;
}

const struct cw_cgent *cw_cgmap_find(const struct cw_cgmap *m, uint64_t id)
{
	size_t lo = 0, hi = m->nents;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->ents[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->nents && m->ents[lo].id == id ? &m->ents[lo] : NULL;
}

static bool kube_name(const char *name)
{
	return strncmp(name, "kubepods", 8) == 0 || strncmp(name, "kubelet-kubepods", 16) == 0;
}

/* Depth-first, so a pod's directory is added before the cgroups under it.
 * Takes fd (a directory) and closes it: one descriptor per level is open
 * at a time, so a walk holds at most INSIDE_DEPTH + 1, which the fd
 * budget's reserve (a fifth of RLIMIT_NOFILE) covers. Returns 0, or
 * -EMFILE/-ENFILE when a directory could not be opened for want of
 * descriptors (the map is then incomplete). */
static int walk(struct cw_cgmap *m, int fd, char *path, size_t len, size_t cap, int depth,
		bool kube)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	d = fdopendir(fd);
	if (!d) {
		rc = errno == EMFILE || errno == ENFILE ? -errno : 0;
		close(fd);
		return rc;
	}
	while ((de = readdir(d))) {
		struct stat st;
		bool k;
		int n, cfd;

		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
			continue;
		n = snprintf(path + len, cap - len, "/%s", de->d_name);
		if (n < 0 || (size_t)n >= cap - len)
			continue;
		/* On 64-bit kernels a cgroup's id is its kernfs inode number. */
		cw_cgmap_add(m, (uint64_t)st.st_ino, path);
		k = kube || kube_name(de->d_name);
		if (depth + 1 < (k ? INSIDE_DEPTH : OUTSIDE_DEPTH)) {
			int sub = 0;

			cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (cfd >= 0)
				sub = walk(m, cfd, path, len + (size_t)n, cap, depth + 1, k);
			else if (errno == EMFILE || errno == ENFILE)
				sub = -errno;
			if (sub && !rc)
				rc = sub;
		}
		path[len] = '\0';
	}
	closedir(d);
	return rc;
}

int cw_cgmap_scan(struct cw_cgmap *m, const struct cw_root *root)
{
	/* cgroup2 alone (unified), or beside v1 controllers (hybrid). */
	static const char *const bases[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
	char path[4096];
	struct stat st;
	size_t i;
	int fd = -1, rc = 0;

	cgmap_clear(m);
	for (i = 0; i < CW_ARRAY_LEN(bases) && fd < 0; i++) {
		char *ctl = cw_xasprintf("%s/cgroup.controllers", bases[i]);

		int sr = cw_root_stat(root, ctl, &st);

		if (sr == -EMFILE || sr == -ENFILE)
			rc = sr; /* cannot even tell: no descriptor to look */
		if (sr == 0) {
			fd = cw_root_openat(root, bases[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0)
				m->base = cw_xstrdup(bases[i]);
			else if (fd == -EMFILE || fd == -ENFILE)
				rc = fd; /* there is a tree: no descriptor to walk it */
		}
		free(ctl);
	}
	if (fd < 0)
		return rc ? rc : -ENOENT;
	m->v2 = true;
	if (fstat(fd, &st) == 0)
		cw_cgmap_add(m, (uint64_t)st.st_ino, "/");
	path[0] = '\0';
	rc = walk(m, fd, path, 0, sizeof(path), 0, false);
	cw_cgmap_finish(m);
	return rc;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

size_t cw_cgmap_pids(const struct cw_cgmap *m, const struct cw_root *root, size_t pod, pid_t *pids,
		     size_t max, size_t *nprocs)
{
	const struct cw_cgpod *p = &m->pods[pod];
	pid_t *all = NULL;
	size_t i, n = 0, cap = 0;

	*nprocs = 0;
	for (i = 0; m->base && i < p->npaths; i++) {
		char *file = cw_xasprintf("%s%s/cgroup.procs", m->base, p->paths[i]);
		char *text = NULL, *s, *end;

		if (cw_root_read_file(root, file, 1 << 20, &text) == 0) {
			for (s = text; *s; s = end) {
				long v = strtol(s, &end, 10);

				if (end == s)
					break;
				if (v > 0) {
					cw_xgrow((void **)&all, &cap, n + 1, sizeof(*all));
					all[n++] = (pid_t)v;
				}
			}
		}
		free(text);
		free(file);
	}
	if (n > 1)
		qsort(all, n, sizeof(*all), pid_cmp);
	*nprocs = n;
	for (i = 0; i < n && i < max; i++)
		pids[i] = all[i];
	free(all);
	return i;
}

void cw_hostnet_split_done(struct cw_hostnet_split *s)
{
	size_t i;

	for (i = 0; i < s->nparts; i++) {
		cw_sockvec_done(&s->parts[i].socks);
		cw_agg_done(&s->parts[i].agg);
	}
	free(s->parts);
	cw_sockvec_done(&s->host);
	cw_agg_done(&s->host_agg);
	memset(s, 0, sizeof(*s));
}

void cw_hostnet_split(const struct cw_sock *socks, size_t n, const struct cw_cgmap *map,
		      size_t max_peers, struct cw_hostnet_split *out)
{
	uint32_t *part = cw_xcalloc(map->npods ? map->npods : 1, sizeof(*part)); /* index + 1 */
	uint32_t *dest = cw_xcalloc(n ? n : 1, sizeof(*dest));                  /* 0 = host */
	size_t i, k;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		const struct cw_sock *s = &socks[i];
		const struct cw_cgent *e;

		/* TIME_WAIT and request (SYN_RECV) sockets are not full sockets:
		 * the kernel has no cgroup for them and sends no id. */
		if (!s->cgroup_id) {
			if (s->state != CW_TCP_TIME_WAIT && s->state != CW_TCP_NEW_SYN_RECV &&
			    s->state != CW_TCP_SYN_RECV)
				out->untagged_full++;
			continue;
		}
		out->tagged++;
		e = cw_cgmap_find(map, s->cgroup_id);
		if (!e) {
			out->unknown++;
			continue;
		}
		if (e->pod == CW_CGMAP_NONE)
			continue;
		if (!part[e->pod])
			part[e->pod] = 1; /* numbered below, in pod order */
		dest[i] = e->pod + 1;
	}
	for (k = 0; k < map->npods; k++) {
		if (!part[k])
			continue;
		cw_xgrow((void **)&out->parts, &out->capparts, out->nparts + 1, sizeof(*out->parts));
		memset(&out->parts[out->nparts], 0, sizeof(*out->parts));
		out->parts[out->nparts].pod = (uint32_t)k;
		part[k] = (uint32_t)++out->nparts;
	}
	/* Sized once, then filled: a copy per socket and no regrowth. */
	for (i = 0; i < n; i++) {
		struct cw_sockvec *v = dest[i] ? &out->parts[part[dest[i] - 1] - 1].socks : &out->host;

		v->cap++;
	}
	for (k = 0; k < out->nparts; k++)
		out->parts[k].socks.v = cw_xmalloc(out->parts[k].socks.cap * sizeof(struct cw_sock));
	out->host.v = cw_xmalloc((out->host.cap ? out->host.cap : 1) * sizeof(struct cw_sock));
	for (i = 0; i < n; i++) {
		struct cw_sockvec *v = dest[i] ? &out->parts[part[dest[i] - 1] - 1].socks : &out->host;

		v->v[v->n++] = socks[i];
	}
	for (k = 0; k < out->nparts; k++)
		cw_agg_build(&out->parts[k].agg, out->parts[k].socks.v, out->parts[k].socks.n,
			     max_peers);
	cw_agg_build(&out->host_agg, out->host.v, out->host.n, max_peers);
	free(part);
	free(dest);
}

const struct cw_hostnet_part *cw_hostnet_part_of(const struct cw_hostnet_split *s, size_t pod)
{
	size_t i;

	for (i = 0; i < s->nparts; i++)
		if (s->parts[i].pod == pod)
			return &s->parts[i];
	return NULL;
}
