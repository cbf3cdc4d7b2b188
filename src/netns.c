/* netns: namespace discovery. */
#include "config.h"
#include "netns.h"
#include "util.h"

#include <dirent.h>
#include <stdbool.h>
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

struct cw_nsinfo *cw_nslist_find(const struct cw_nslist *l, uint64_t inode)
{
	void *v = cw_imap_get(&l->index, inode);

	return v ? &l->v[CW_MAP_IDX_OF(v)] : NULL;
}

static struct cw_nsinfo *get(struct cw_nslist *l, uint64_t inode)
{
	struct cw_nsinfo *ns = cw_nslist_find(l, inode);

	if (ns)
		return ns;
	cw_xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	ns = &l->v[l->n];
	memset(ns, 0, sizeof(*ns));
	ns->inode = inode;
	cw_imap_put(&l->index, inode, CW_MAP_IDX(l->n));
	l->n++;
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

/* Whether an error means we ran out of something, so what the scan did not
 * see may well exist: the list would be incomplete, not just current. */
static bool out_of_resources(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM;
}

static int scan_pins(struct cw_nslist *l, const struct cw_root *root, const char *dir,
		     enum cw_pin_kind kind, char **cause)
{
	DIR *d = cw_root_opendir(root, dir);
	struct dirent *de;
	int r = 0;

	if (!d) {
		int e = errno;

		if (out_of_resources(e))
			return cw_cause(cause, -e, "cannot open %s: %s", dir, strerror(e));
		return 0; /* absent, or not a directory: no pins there */
	}
	while ((de = readdir(d))) {
		struct statfs sfs;
		struct stat st;
		struct cw_nsinfo *ns;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		fd = openat(dirfd(d), de->d_name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			int e = errno;

			if (out_of_resources(e)) {
				r = cw_cause(cause, -e, "cannot open %s/%s: %s", dir, de->d_name,
					     strerror(e));
				break;
			}
			continue;
		}
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
	return r;
}

static void clear(struct cw_nslist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].pin_path);
	l->n = 0;
	l->denied = 0;
	cw_imap_clear(&l->index, NULL);
}

int cw_netns_scan(struct cw_nslist *out, const char *procfs, const struct cw_root *root,
		  char **cause)
{
	static const struct {
		const char *dir;
		enum cw_pin_kind kind;
	} pins[] = {
		/* /var/run is usually a symlink to /run: the inode dedups the repeats. */
		{"/run/netns", CW_PIN_NETNS},
		{"/var/run/netns", CW_PIN_NETNS},
		{"/run/docker/netns", CW_PIN_DOCKER},
		{"/var/run/docker/netns", CW_PIN_DOCKER},
	};
	DIR *d;
	struct dirent *de;
	size_t i;
	int r;

	clear(out);
	d = opendir(procfs);
	if (!d)
		return cw_cause(cause, -errno, "cannot read --procfs %s: %s", procfs, strerror(errno));
	while ((de = readdir(d))) {
		uint64_t pid, inode;

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
	for (i = 0; i < CW_ARRAY_LEN(pins); i++) {
		r = scan_pins(out, root, pins[i].dir, pins[i].kind, cause);
		if (r < 0)
			return r;
	}
	return 0;
}

void cw_nslist_swap(struct cw_nslist *a, struct cw_nslist *b)
{
	struct cw_nslist t = *a;

	*a = *b;
	*b = t;
}

void cw_nslist_done(struct cw_nslist *l)
{
	clear(l);
	free(l->v);
	cw_imap_done(&l->index, NULL);
	memset(l, 0, sizeof(*l));
}

/* Out of descriptors is not "vanished": say which limit was hit. */
static int fd_shortage(char **cause, int e)
{
	return cw_cause(cause, -e, "cannot open namespace: %s (%s)", strerror(e),
			e == EMFILE ? "EMFILE: the process's open-file limit"
				    : "ENFILE: the system's open-file limit");
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
			if (errno == EMFILE || errno == ENFILE)
				return fd_shortage(cause, errno);
			denied |= errno == EACCES || errno == EPERM;
			continue;
		}
		if (fstat(fd, &st) == 0 && (uint64_t)st.st_ino == ns->inode)
			return fd;
		close(fd);
	}
	if (ns->pin_path) {
		fd = cw_root_openat(root, ns->pin_path, O_RDONLY);
		if (fd == -EMFILE || fd == -ENFILE)
			return fd_shortage(cause, -fd);
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
