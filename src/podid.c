/* podid: namespace -> pod, container, named netns, host or process. */
#include "config.h"
#include "podid.h"
#include "cgroup.h"
#include "podmeta.h"
#include "map.h"
#include "util.h"
#include "workload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define META_MAX (4u << 20)

enum meta_kind { MK_OCI, MK_CNI, MK_DOCKER };

/* One parsed runtime file. */
struct meta_entry {
	struct cw_meta m;
	char *path;
	char *error;          /* why it could not be parsed, or NULL */
	int64_t mtime_ns;
	uint64_t netns_inode; /* of m.netns_path, resolved at each index build */
	bool seen;
};

/* A /var/log/pods/<ns>_<name>_<uid> directory. */
struct podlog {
	char *ns, *name, *uid;
	char **containers;
	size_t n;
};

struct cw_podid {
	char *procfs;
	const struct cw_root *root;
	bool stale;
	struct cw_smap files;   /* path -> struct meta_entry (the parse cache) */
	struct cw_smap by_id;   /* container id -> struct meta_entry (borrowed) */
	struct cw_smap podlogs; /* pod uid -> struct podlog */
	struct meta_entry **entries;
	size_t nentries, capentries;
	char *denied;           /* the first runtime directory we may not read, this index */
};

static void entry_free(void *v)
{
	struct meta_entry *e = v;

	cw_meta_done(&e->m);
	free(e->path);
	free(e->error);
	free(e);
}

static void podlog_free(void *v)
{
	struct podlog *l = v;
	size_t i;

	if (!l)
		return; /* podlog_dir frees what cw_smap_put replaced: usually nothing */
	for (i = 0; i < l->n; i++)
		free(l->containers[i]);
	free(l->containers);
	free(l->ns);
	free(l->name);
	free(l->uid);
	free(l);
}

struct cw_podid *cw_podid_new(const char *procfs, const struct cw_root *root)
{
	struct cw_podid *p = cw_xcalloc(1, sizeof(*p));

	p->procfs = cw_xstrdup(procfs);
	p->root = root;
	p->stale = true;
	return p;
}

void cw_podid_free(struct cw_podid *p)
{
	if (!p)
		return;
	cw_smap_done(&p->files, entry_free);
	cw_smap_done(&p->by_id, NULL);
	cw_smap_done(&p->podlogs, podlog_free);
	free(p->entries);
	free(p->procfs);
	free(p->denied);
	free(p);
}

void cw_podid_invalidate(struct cw_podid *p)
{
	p->stale = true;
}

/* Loads (or keeps, if unchanged) one runtime file into the cache. */
static void load(struct cw_podid *p, const char *path, enum meta_kind kind, const char *id)
{
	struct meta_entry *e = cw_smap_get(&p->files, path);
	struct stat st;
	char *text = NULL, *cause = NULL;
	int r;

	if (cw_root_stat(p->root, path, &st) != 0)
		return;
	if (e && e->mtime_ns == (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec) {
		e->seen = true;
		return;
	}
	if (e)
		entry_free(cw_smap_del(&p->files, path));
	e = cw_xcalloc(1, sizeof(*e));
	e->path = cw_xstrdup(path);
	e->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	e->seen = true;
	/* Anything but a regular file (a FIFO would block the read, a device
	 * could do worse) is refused, here and again after the open. */
	r = S_ISREG(st.st_mode) ? cw_root_read_file(p->root, path, META_MAX, &text) : -EINVAL;
	if (r == -EINVAL) {
		cw_cause(&cause, r, "not a regular file");
	} else if (r < 0) {
		cw_cause(&cause, r, "%s", strerror(-r));
	} else {
		if (kind == MK_OCI)
			r = cw_podmeta_parse_oci(text, &e->m, &cause);
		else if (kind == MK_CNI)
			r = cw_podmeta_parse_cni(text, &e->m, &cause);
		else
			r = cw_podmeta_parse_docker(text, &e->m, &cause);
		free(text);
	}
	if (r < 0) {
		cw_meta_done(&e->m);
		e->error = cause;
		cause = NULL;
	}
	free(cause);
	if (id && !e->m.id)
		e->m.id = cw_xstrdup(id); /* a bundle directory is named by its id */
	cw_smap_put(&p->files, path, e);
}

/* Opens a runtime directory under the root; one we may not read is
 * remembered, so names that are missing for that reason say so. */
static DIR *open_dir(struct cw_podid *p, const char *dir)
{
	DIR *d = cw_root_opendir(p->root, dir);

	if (!d && (errno == EACCES || errno == EPERM) && !p->denied)
		p->denied = cw_sanitize_dup(dir);
	return d;
}

/* Calls fn(p, dir, name) for each entry of dir under the root. */
static void each_dirent(struct cw_podid *p, const char *dir,
			void (*fn)(struct cw_podid *, const char *, const char *))
{
	DIR *d = open_dir(p, dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			fn(p, dir, de->d_name);
	closedir(d);
}

/* Where each runtime keeps its metadata: <dir>/<entry><suffix>, with the
 * entry naming the container when id_from_dir; containerd puts a level of
 * its own namespaces (k8s.io, moby, default) in between. */
struct meta_source {
	const char *dir, *suffix;
	enum meta_kind kind;
	bool id_from_dir, nested;
};

static const struct meta_source sources[] = {
	{"/run/containerd/io.containerd.runtime.v2.task", "/config.json", MK_OCI, true, true},
	{"/run/containers/storage/overlay-containers", "/userdata/config.json", MK_OCI, true, false},
	{"/var/lib/cni/results", "", MK_CNI, false, false},
	{"/var/lib/docker/containers", "/config.v2.json", MK_DOCKER, true, false},
};

static void scan_source(struct cw_podid *p, const struct meta_source *src, const char *dir,
			bool nested)
{
	DIR *d = open_dir(p, dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *path;

		if (de->d_name[0] == '.')
			continue;
		if (nested) {
			path = cw_xasprintf("%s/%s", dir, de->d_name);
			scan_source(p, src, path, false);
		} else {
			path = cw_xasprintf("%s/%s%s", dir, de->d_name, src->suffix);
			load(p, path, src->kind, src->id_from_dir ? de->d_name : NULL);
		}
		free(path);
	}
	closedir(d);
}

static void podlog_container(struct podlog *l, const char *name)
{
	l->containers = cw_xrealloc(l->containers, (l->n + 1) * sizeof(*l->containers));
	l->containers[l->n++] = cw_xstrdup(name);
}

/* /var/log/pods/<namespace>_<name>_<uid>: namespaces and names are DNS
 * labels and never contain '_'. */
static void podlog_dir(struct cw_podid *p, const char *dir, const char *name)
{
	const char *u1 = strchr(name, '_'), *u2 = strrchr(name, '_');
	struct podlog *l;
	char *sub;
	DIR *d;
	struct dirent *de;

	if (!u1 || u1 == u2 || u1 == name || u2 == u1 + 1 || !u2[1])
		return;
	l = cw_xcalloc(1, sizeof(*l));
	l->ns = cw_xasprintf("%.*s", (int)(u1 - name), name);
	l->name = cw_xasprintf("%.*s", (int)(u2 - u1 - 1), u1 + 1);
	l->uid = cw_xstrdup(u2 + 1);
	sub = cw_xasprintf("%s/%s", dir, name);
	d = open_dir(p, sub);
	free(sub);
	if (d) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				podlog_container(l, de->d_name);
		closedir(d);
	}
	podlog_free(cw_smap_put(&p->podlogs, l->uid, l));
}

/* Resolves a namespace path from runtime metadata to its inode. Paths into
 * the host's /proc go through --procfs, the rest through --rootfs. */
static uint64_t path_inode(struct cw_podid *p, const char *path)
{
	struct stat st;
	char *full;
	int r;

	if (!path)
		return 0;
	if (strncmp(path, "/proc/", 6) == 0) {
		full = cw_path_join(p->procfs, path + 5);
		r = stat(full, &st);
		free(full);
		return r == 0 ? (uint64_t)st.st_ino : 0;
	}
	return cw_root_stat(p->root, path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static void build_index(struct cw_podid *p)
{
	struct cw_smap_iter it;
	size_t i;

	for (cw_smap_iter_init(&it, &p->files); cw_smap_next(&it);)
		((struct meta_entry *)it.val)->seen = false;
	free(p->denied);
	p->denied = NULL;
	for (i = 0; i < CW_ARRAY_LEN(sources); i++)
		scan_source(p, &sources[i], sources[i].dir, sources[i].nested);

	/* Drop what vanished, then index what is left. */
	p->nentries = 0;
	for (cw_smap_iter_init(&it, &p->files); cw_smap_next(&it);) {
		struct meta_entry *e = it.val;

		if (!e->seen) {
			cw_xgrow((void **)&p->entries, &p->capentries, p->nentries + 1, sizeof(e));
			p->entries[p->nentries++] = e;
		}
	}
	for (i = 0; i < p->nentries; i++) {
		cw_smap_del(&p->files, p->entries[i]->path);
		entry_free(p->entries[i]);
	}
	cw_smap_clear(&p->by_id, NULL);
	p->nentries = 0;
	for (cw_smap_iter_init(&it, &p->files); cw_smap_next(&it);) {
		struct meta_entry *e = it.val;

		e->netns_inode = path_inode(p, e->m.netns_path);
		/* Unparsable bundles too (their id is the directory's), so that
		 * identify can say why a container's pod has no name. */
		if (e->m.id && (e->m.runtime != CW_RT_UNKNOWN || e->error))
			cw_smap_put(&p->by_id, e->m.id, e);
		cw_xgrow((void **)&p->entries, &p->capentries, p->nentries + 1, sizeof(*p->entries));
		p->entries[p->nentries++] = e;
	}
	cw_smap_clear(&p->podlogs, podlog_free);
	each_dirent(p, "/var/log/pods", podlog_dir);
	p->stale = false;
}

static struct meta_entry *sandbox_by_inode(struct cw_podid *p, uint64_t inode, enum meta_kind kind)
{
	size_t i;

	for (i = 0; i < p->nentries; i++) {
		struct meta_entry *e = p->entries[i];

		if (e->error || e->netns_inode != inode)
			continue;
		if (kind == MK_CNI ? (e->m.runtime == CW_RT_UNKNOWN && e->m.pod_name)
				   : (e->m.type == CW_META_SANDBOX && e->m.runtime != CW_RT_UNKNOWN))
			return e;
	}
	return NULL;
}

static struct meta_entry *cni_by_sandbox(struct cw_podid *p, const char *sandbox_id)
{
	size_t i;

	for (i = 0; sandbox_id && i < p->nentries; i++) {
		struct meta_entry *e = p->entries[i];

		if (!e->error && e->m.runtime == CW_RT_UNKNOWN && e->m.pod_name && e->m.id &&
		    strcmp(e->m.id, sandbox_id) == 0)
			return e;
	}
	return NULL;
}

static void add_container(struct cw_ident *id, const char *name)
{
	size_t i;

	for (i = 0; i < id->ncontainers; i++)
		if (strcmp(id->containers[i], name) == 0)
			return;
	id->containers = cw_xrealloc(id->containers, (id->ncontainers + 1) * sizeof(char *));
	id->containers[id->ncontainers++] = cw_sanitize_dup(name);
}

static void set_pod(struct cw_ident *id, const char *ns, const char *name, const char *uid,
		    const char *source)
{
	char wl[256];

	id->kind = CW_KIND_POD;
	id->source = source;
	id->pod_ns = cw_sanitize_dup(ns ? ns : "?");
	id->pod_name = cw_sanitize_dup(name);
	id->pod_uid = uid ? cw_sanitize_dup(uid) : NULL;
	cw_workload_from_pod(id->pod_name, wl, sizeof(wl));
	id->workload = cw_xstrdup(wl);
	id->label = cw_xasprintf("%s/%s", id->pod_ns, id->pod_name);
}

/* Fills a pod from a sandbox's metadata, with its containers. */
static void pod_from_sandbox(struct cw_podid *p, struct cw_ident *id, const struct meta_entry *sb)
{
	const char *sid = sb->m.sandbox_id ? sb->m.sandbox_id : sb->m.id;
	size_t i;

	set_pod(id, sb->m.pod_ns, sb->m.pod_name, sb->m.pod_uid, cw_runtime_name(sb->m.runtime));
	id->runtime = cw_runtime_name(sb->m.runtime);
	for (i = 0; sid && i < p->nentries; i++) {
		const struct meta_entry *e = p->entries[i];

		if (e->m.type == CW_META_CONTAINER && e->m.container_name && e->m.sandbox_id &&
		    strcmp(e->m.sandbox_id, sid) == 0)
			add_container(id, e->m.container_name);
	}
}

static bool read_cgroup(struct cw_podid *p, const struct cw_nsinfo *ns, struct cw_cgroup_info *cg)
{
	size_t i;

	/* The lowest pids: a pod's pause process, or its first container. */
	for (i = 0; i < ns->npids && i < 4; i++) {
		char path[4096], *text = NULL;
		bool ok;

		snprintf(path, sizeof(path), "%s/%d/cgroup", p->procfs, (int)ns->pids[i]);
		if (cw_read_file(path, 1 << 16, &text, NULL) != 0)
			continue;
		ok = cw_cgroup_parse(text, cg);
		free(text);
		if (ok)
			return true;
	}
	memset(cg, 0, sizeof(*cg));
	return false;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static bool podman_name(struct cw_podid *p, const char *cid, struct cw_ident *id)
{
	static const char *const paths[] = {
		"/var/lib/containers/storage/overlay-containers/containers.json",
		"/run/containers/storage/overlay-containers/containers.json",
	};
	struct cw_meta m;
	size_t i;
	char *text;

	for (i = 0; i < CW_ARRAY_LEN(paths); i++) {
		if (cw_root_read_file(p->root, paths[i], META_MAX, &text) != 0)
			continue;
		if (cw_podmeta_parse_podman(text, cid, &m, NULL) == 0 && m.container_name) {
			id->kind = CW_KIND_CONTAINER;
			id->label = cw_sanitize_dup(m.container_name);
			id->runtime = "podman";
			id->source = "podman";
			cw_meta_done(&m);
			free(text);
			return true;
		}
		cw_meta_done(&m);
		free(text);
	}
	return false;
}

/* A container outside Kubernetes: docker (by pinned sandbox key or cgroup
 * id), podman, or a bare containerd bundle (nerdctl, ctr). */
static bool identify_container(struct cw_podid *p, const struct cw_nsinfo *ns,
			       const struct cw_cgroup_info *cg, struct meta_entry *bundle,
			       struct cw_ident *id)
{
	struct meta_entry *e = NULL;
	size_t i;

	for (i = 0; i < p->nentries && !e; i++)
		if (p->entries[i]->m.runtime == CW_RT_DOCKER && !p->entries[i]->error &&
		    p->entries[i]->netns_inode == ns->inode)
			e = p->entries[i];
	if (!e && bundle && bundle->m.runtime == CW_RT_DOCKER)
		e = bundle;
	if (e) {
		if (e->m.pod_name) {
			set_pod(id, e->m.pod_ns, e->m.pod_name, e->m.pod_uid, "docker");
		} else {
			id->kind = CW_KIND_CONTAINER;
			id->label = cw_sanitize_dup(e->m.container_name ? e->m.container_name : e->m.id);
			id->source = "docker";
		}
		id->runtime = "docker";
		return true;
	}
	if (cg->runtime == CW_RT_PODMAN && podman_name(p, cg->container_id, id))
		return true;
	if (bundle && !bundle->error) {
		/* The id is a directory's name or an annotation: anything. */
		char *sid = cw_sanitize_dup(bundle->m.id);

		id->kind = CW_KIND_CONTAINER;
		id->label = cw_xasprintf("%.*s", (int)cw_utf8_truncate(sid, strlen(sid), 12), sid);
		free(sid);
		id->runtime = cw_runtime_name(bundle->m.runtime);
		id->source = id->runtime;
		return true;
	}
	return false;
}

/* The sandbox that names a container's pod, through the container's own
 * bundle (*bundle), or NULL; a bundle that does not parse says so in *note. */
static struct meta_entry *sandbox_of(struct cw_podid *p, const char *cid, struct meta_entry **bundle,
				     char **note)
{
	struct meta_entry *b = cw_smap_get(&p->by_id, cid);

	*bundle = b;
	if (b && b->error) {
		if (!*note)
			cw_cause(note, 0, "runtime metadata %s: %s", b->path, b->error);
	} else if (b && b->m.type == CW_META_SANDBOX && b->m.pod_name) {
		return b;
	} else if (b && b->m.sandbox_id) {
		struct meta_entry *s = cw_smap_get(&p->by_id, b->m.sandbox_id);

		if (s && !s->error && s->m.pod_name)
			return s;
		if (b->m.pod_name)
			return b; /* the container's own annotations name the pod */
	}
	return NULL;
}

/* Why a pod the cgroup names has no name: nothing names it, or what would
 * name it cannot be read. */
static void unnamed_pod_note(const struct cw_podid *p, const char *uid, char **note)
{
	if (p->denied)
		cw_cause(note, 0, "pod %s: its runtime metadata cannot be read (%s: permission denied)",
			 uid, p->denied);
	else
		cw_cause(note, 0, "pod %s: no runtime metadata or pod log names it", uid);
}

void cw_podid_identify(struct cw_podid *p, const struct cw_nsinfo *ns, uint64_t host_inode,
		       struct cw_ident *id)
{
	struct cw_cgroup_info cg;
	struct meta_entry *sb, *bundle = NULL;
	struct podlog *log;

	memset(id, 0, sizeof(*id));
	if (ns->npids)
		cw_proc_comm(p->procfs, ns->pids[0], id->comm, sizeof(id->comm));
	if (ns->inode == host_inode) {
		id->kind = CW_KIND_HOST;
		id->label = cw_xstrdup("host");
		id->source = "host";
		return;
	}
	if (p->stale)
		build_index(p);

	/* 1. A runtime sandbox whose network namespace this is. */
	sb = sandbox_by_inode(p, ns->inode, MK_OCI);
	read_cgroup(p, ns, &cg);
	/* ... or the bundle of the container its processes' cgroup names. */
	if (!sb && cg.container_id[0])
		sb = sandbox_of(p, cg.container_id, &bundle, &id->note);
	if (sb && sb->m.pod_name) {
		pod_from_sandbox(p, id, sb);
	} else if (cg.pod_uid[0] && (log = cw_smap_get(&p->podlogs, cg.pod_uid))) {
		/* 2. cgroup pod uid + the kubelet's pod log directory */
		size_t i;

		set_pod(id, log->ns, log->name, log->uid, "cgroup");
		id->runtime = cw_runtime_name(cg.runtime);
		for (i = 0; i < log->n; i++)
			add_container(id, log->containers[i]);
	} else if ((sb = sandbox_by_inode(p, ns->inode, MK_CNI)) ||
		   (sb = cni_by_sandbox(p, cg.container_id[0] ? cg.container_id : NULL))) {
		/* 3. the CNI result cache */
		set_pod(id, sb->m.pod_ns, sb->m.pod_name, sb->m.pod_uid, "cni-cache");
		id->runtime = cw_runtime_name(cg.runtime);
	} else if (identify_container(p, ns, &cg, bundle, id)) {
		/* a container outside Kubernetes */
	} else if (ns->pin_path) {
		id->kind = CW_KIND_NAMED;
		id->netns_name = cw_sanitize_dup(base_name(ns->pin_path));
		id->label = cw_xstrdup(id->netns_name);
		id->source = ns->pin_kind == CW_PIN_DOCKER ? "docker-netns" : "netns";
	} else {
		id->kind = CW_KIND_PROCESS;
		id->label = cw_xasprintf("%s[%d]", id->comm[0] ? id->comm : "?",
					 ns->npids ? (int)ns->pids[0] : 0);
		id->source = "process";
	}
	if (id->kind != CW_KIND_POD && cg.pod_uid[0] && !id->note)
		unnamed_pod_note(p, cg.pod_uid, &id->note);
	if (id->note) {
		char *s = cw_sanitize_dup(id->note);

		free(id->note);
		id->note = s;
	}
}

const char *cw_podid_denied(const struct cw_podid *p)
{
	return p->denied;
}

void cw_podid_index(struct cw_podid *p)
{
	if (p->stale)
		build_index(p);
}

void cw_podid_identify_cgroup(struct cw_podid *p, const char *pod_uid, char *const *cids,
			      size_t ncids, enum cw_runtime runtime, pid_t first_pid,
			      struct cw_ident *id)
{
	struct meta_entry *sb = NULL, *bundle;
	struct podlog *log;
	size_t i;

	memset(id, 0, sizeof(*id));
	if (first_pid > 0)
		cw_proc_comm(p->procfs, first_pid, id->comm, sizeof(id->comm));
	if (p->stale)
		build_index(p);
	/* 1. the runtime's bundles of its containers (the sandbox is one) */
	for (i = 0; i < ncids && !sb; i++)
		sb = sandbox_of(p, cids[i], &bundle, &id->note);
	if (sb) {
		free(id->note);
		id->note = NULL;
		pod_from_sandbox(p, id, sb);
	} else if ((log = cw_smap_get(&p->podlogs, pod_uid))) {
		/* 2. the kubelet's pod log directory */
		set_pod(id, log->ns, log->name, log->uid, "cgroup");
		id->runtime = cw_runtime_name(runtime);
		for (i = 0; i < log->n; i++)
			add_container(id, log->containers[i]);
	} else {
		/* Still a pod of its own: its uid stands in for its name. */
		set_pod(id, NULL, pod_uid, pod_uid, "cgroup");
		id->runtime = cw_runtime_name(runtime);
		if (!id->note)
			unnamed_pod_note(p, pod_uid, &id->note);
	}
	id->kind = CW_KIND_HOSTNET_POD;
	if (id->note) {
		char *s = cw_sanitize_dup(id->note);

		free(id->note);
		id->note = s;
	}
}

void cw_ident_done(struct cw_ident *id)
{
	size_t i;

	free(id->label);
	free(id->pod_ns);
	free(id->pod_name);
	free(id->pod_uid);
	free(id->workload);
	for (i = 0; i < id->ncontainers; i++)
		free(id->containers[i]);
	free(id->containers);
	free(id->netns_name);
	free(id->note);
	memset(id, 0, sizeof(*id));
}
