/* netns: namespace discovery. */
#include "config.h"
#include "netns.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

uint64_t cw_netns_parse_link(const char *link)
{
	uint64_t v;
	char buf[32];
	size_t n;

	if (strncmp(link, "net:[", 5) != 0)
		return 0;
	n = strlen(link + 5);
	if (n < 2 || n >= sizeof(buf) || link[5 + n - 1] != ']')
		return 0;
	memcpy(buf, link + 5, n - 1);
	buf[n - 1] = '\0';
	return cw_parse_u64(buf, &v) ? v : 0;
}

int cw_netns_of_pid(const char *procfs, pid_t pid, uint64_t *inode)
{
	char path[4096], link[64];
	ssize_t n;

	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/thread-self/ns/net");
	else
		snprintf(path, sizeof(path), "%s/%d/ns/net", procfs, (int)pid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	*inode = cw_netns_parse_link(link);
	return *inode ? 0 : -EINVAL;
}

static size_t slot_of(uint64_t inode, size_t mask)
{
	return (size_t)(inode * 0x9e3779b97f4a7c15ull >> 20) & mask;
}

static void slots_rebuild(struct cw_nslist *l, size_t ns)
{
	size_t k, i;

	free(l->slots);
	l->slots = cw_xcalloc(ns, sizeof(*l->slots));
	l->nslots = ns;
	for (k = 0; k < l->n; k++) {
		i = slot_of(l->v[k].inode, ns - 1);
		while (l->slots[i])
			i = (i + 1) & (ns - 1);
		l->slots[i] = (uint32_t)k + 1;
	}
}

struct cw_nsinfo *cw_nslist_find(const struct cw_nslist *l, uint64_t inode)
{
	size_t i, mask;

	if (!l->nslots)
		return NULL;
	mask = l->nslots - 1;
	for (i = slot_of(inode, mask); l->slots[i]; i = (i + 1) & mask)
		if (l->v[l->slots[i] - 1].inode == inode)
			return &l->v[l->slots[i] - 1];
	return NULL;
}

static struct cw_nsinfo *get(struct cw_nslist *l, uint64_t inode)
{
	struct cw_nsinfo *ns = cw_nslist_find(l, inode);

	if (ns)
		return ns;
	cw_xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	ns = &l->v[l->n++];
	memset(ns, 0, sizeof(*ns));
	ns->inode = inode;
	if (l->n * 2 > l->nslots) {
		slots_rebuild(l, l->nslots ? l->nslots * 2 : 64);
	} else {
		size_t i, mask = l->nslots - 1;

		for (i = slot_of(inode, mask); l->slots[i]; i = (i + 1) & mask)
			;
		l->slots[i] = (uint32_t)l->n;
	}
	return ns;
}

/* Keeps the CW_NETNS_MAXPIDS lowest pids, ascending. */
static void add_pid(struct cw_nsinfo *ns, pid_t pid)
{
	size_t i;

	ns->nprocs++;
	if (ns->npids == CW_NETNS_MAXPIDS && pid > ns->pids[CW_NETNS_MAXPIDS - 1])
		return;
	i = ns->npids < CW_NETNS_MAXPIDS ? ns->npids++ : CW_NETNS_MAXPIDS - 1;
	while (i > 0 && ns->pids[i - 1] > pid) {
		ns->pids[i] = ns->pids[i - 1];
		i--;
	}
	ns->pids[i] = pid;
}

static void scan_pins(struct cw_nslist *l, const struct cw_root *root, const char *dir,
		      enum cw_pin_kind kind)
{
	DIR *d = cw_root_opendir(root, dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct statfs sfs;
		struct stat st;
		struct cw_nsinfo *ns;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		fd = openat(dirfd(d), de->d_name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		/* Only a mounted nsfs file is a namespace; a leftover plain
		 * file (a failed `ip netns delete`) is not. */
		if (fstatfs(fd, &sfs) != 0 || sfs.f_type != NSFS_MAGIC || fstat(fd, &st) != 0) {
			close(fd);
			continue;
		}
		close(fd);
		ns = get(l, (uint64_t)st.st_ino);
		if (!ns->pin_path) {
			ns->pin_path = cw_xasprintf("%s/%s", dir, de->d_name);
			ns->pin_kind = kind;
		}
	}
	closedir(d);
}

static void clear(struct cw_nslist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].pin_path);
	l->n = 0;
	l->denied = 0;
	if (l->slots)
		memset(l->slots, 0, l->nslots * sizeof(*l->slots));
}

int cw_netns_scan(struct cw_nslist *out, const char *procfs, const struct cw_root *root,
		  char **cause)
{
	DIR *d;
	struct dirent *de;

	clear(out);
	d = opendir(procfs);
	if (!d)
		return cw_cause(cause, -errno, "cannot read --procfs %s: %s", procfs, strerror(errno));
	while ((de = readdir(d))) {
		uint64_t pid, inode;
		int r;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' || !cw_parse_u64(de->d_name, &pid) ||
		    pid > INT32_MAX)
			continue;
		r = cw_netns_of_pid(procfs, (pid_t)pid, &inode);
		if (r == -EACCES || r == -EPERM)
			out->denied++;
		if (r < 0)
			continue; /* gone, or hidden from us */
		add_pid(get(out, inode), (pid_t)pid);
	}
	closedir(d);
	/* /var/run is usually a symlink to /run: the inode dedups the repeats. */
	scan_pins(out, root, "/run/netns", CW_PIN_NETNS);
	scan_pins(out, root, "/var/run/netns", CW_PIN_NETNS);
	scan_pins(out, root, "/run/docker/netns", CW_PIN_DOCKER);
	scan_pins(out, root, "/var/run/docker/netns", CW_PIN_DOCKER);
	return 0;
}

void cw_nslist_done(struct cw_nslist *l)
{
	clear(l);
	free(l->v);
	free(l->slots);
	memset(l, 0, sizeof(*l));
}

int cw_netns_open(const struct cw_nsinfo *ns, const char *procfs, const struct cw_root *root,
		  char **cause)
{
	struct stat st;
	size_t i;
	int fd, denied = 0;

	for (i = 0; i < ns->npids; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%d/ns/net", procfs, (int)ns->pids[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			denied |= errno == EACCES || errno == EPERM;
			continue;
		}
		if (fstat(fd, &st) == 0 && (uint64_t)st.st_ino == ns->inode)
			return fd;
		close(fd);
	}
	if (ns->pin_path) {
		fd = cw_root_openat(root, ns->pin_path, O_RDONLY);
		if (fd >= 0) {
			if (fstat(fd, &st) == 0 && (uint64_t)st.st_ino == ns->inode)
				return fd;
			close(fd);
		}
	}
	if (denied)
		return cw_cause(cause, -EACCES, "cannot open namespace: need CAP_SYS_PTRACE");
	return cw_cause(cause, -ENOENT, "namespace vanished");
}
