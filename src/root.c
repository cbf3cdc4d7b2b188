/* root: path resolution confined to --rootfs. */
#include "config.h"
#include "root.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

/* The kernel's own limit on symlinks followed in one lookup (MAXSYMLINKS). */
#define CW_ROOT_MAX_HOPS 40

int cw_root_open(struct cw_root *r, const char *path, char **cause)
{
	const char *knob = getenv("CW_ROOT_NO_OPENAT2");

	r->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0)
		return cw_cause(cause, -errno, "cannot open --rootfs %s: %s", path, strerror(errno));
	r->path = cw_xstrdup(path);
	r->no_openat2 = knob && strcmp(knob, "1") == 0;
	return 0;
}

void cw_root_close(struct cw_root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->path);
	r->path = NULL;
}

/* The directories walked so far below the root, deepest last: ".." pops
 * one, and never the root itself. Popping, rather than opening "..",
 * cannot climb out even if a directory is moved away during the walk. */
struct walk {
	int root;
	int *fd;
	size_t n, cap;
};

static int walk_top(const struct walk *w)
{
	return w->n ? w->fd[w->n - 1] : w->root;
}

static void walk_pop(struct walk *w)
{
	if (w->n)
		close(w->fd[--w->n]);
}

static void walk_push(struct walk *w, int fd)
{
	cw_xgrow((void **)&w->fd, &w->cap, w->n + 1, sizeof(*w->fd));
	w->fd[w->n++] = fd;
}

/* Resolves path inside the root by hand, for kernels without openat2:
 * component by component with O_PATH|O_NOFOLLOW, reading each symlink
 * and resolving its target the same way (an absolute one from the root),
 * at most CW_ROOT_MAX_HOPS of them. Magic links (/proc/<pid>/fd/...) are
 * read as text like any other link, so they never lead out either. */
static int open_in_root(const struct cw_root *r, const char *path, int flags)
{
	struct walk w = {.root = r->fd};
	char *todo = cw_xstrdup(path), *link = NULL;
	const char *p = todo;
	int hops = 0, res;

	for (;;) {
		const char *end, *next;
		char *name;
		struct stat st;
		bool last;
		int fd;

		while (*p == '/')
			p++;
		if (!*p) {
			/* The path ended on a directory: "/", ".", ".." or a link to one. */
			res = openat(walk_top(&w), ".", flags | O_CLOEXEC);
			res = res < 0 ? -errno : res;
			break;
		}
		end = strchrnul(p, '/');
		next = end;
		while (*next == '/')
			next++;
		last = !*next;
		if (end - p == 1 && p[0] == '.') {
			p = end;
			continue;
		}
		if (end - p == 2 && p[0] == '.' && p[1] == '.') {
			walk_pop(&w);
			p = end;
			continue;
		}
		name = cw_xasprintf("%.*s", (int)(end - p), p);
		if (last && (flags & O_NOFOLLOW)) {
			res = openat(walk_top(&w), name, flags | O_CLOEXEC);
			res = res < 0 ? -errno : res;
			free(name);
			break;
		}
		fd = openat(walk_top(&w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) != 0) {
			res = -errno;
			if (fd >= 0)
				close(fd);
			free(name);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX], *rest;
			ssize_t n = -1;

			/* An empty name reads the link an O_PATH fd refers to. */
			if (++hops > CW_ROOT_MAX_HOPS)
				errno = ELOOP;
			else
				n = readlinkat(fd, "", target, sizeof(target));
			res = n < 0 ? -errno : n == 0 ? -ENOENT : -ENAMETOOLONG;
			close(fd);
			free(name);
			if (n <= 0 || n >= (ssize_t)sizeof(target))
				break;
			if (target[0] == '/')
				while (w.n)
					walk_pop(&w);
			/* Go on with the link's target, then what followed the link. */
			rest = cw_xasprintf("%.*s%s%s", (int)n, target, *next ? "/" : "", next);
			free(link);
			link = rest;
			p = link;
			continue;
		}
		if (last) {
			if ((flags & O_PATH) && (!(flags & O_DIRECTORY) || S_ISDIR(st.st_mode))) {
				res = fd; /* already what was asked for */
			} else {
				/* O_NOFOLLOW: should it have become a link since, fail
				 * (ELOOP) rather than follow it out of the root. */
				res = openat(walk_top(&w), name, flags | O_NOFOLLOW | O_CLOEXEC);
				res = res < 0 ? -errno : res;
				close(fd);
			}
			free(name);
			break;
		}
		free(name);
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			res = -ENOTDIR;
			break;
		}
		walk_push(&w, fd);
		p = end;
	}
	while (w.n)
		walk_pop(&w);
	free(w.fd);
	free(link);
	free(todo);
	return res;
}

int cw_root_openat(const struct cw_root *r, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *rel = path;
	long fd;

	if (r->no_openat2)
		return open_in_root(r, path, flags);
	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	fd = syscall(SYS_openat2, r->fd, rel, &how, sizeof(how));
	if (fd >= 0)
		return (int)fd;
	if (errno != ENOSYS)
		return -errno;
	return open_in_root(r, path, flags);
}

int cw_root_read_file(const struct cw_root *r, const char *path, size_t max, char **out)
{
	/* O_NONBLOCK: a FIFO would otherwise block the open until a writer
	 * comes; cw_read_fd then refuses anything but a regular file. */
	int fd = cw_root_openat(r, path, O_RDONLY | O_NONBLOCK);
	int e;

	if (fd < 0)
		return fd;
	e = cw_read_fd(fd, max, out, NULL);
	close(fd);
	return e;
}

DIR *cw_root_opendir(const struct cw_root *r, const char *path)
{
	int fd = cw_root_openat(r, path, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

int cw_root_stat(const struct cw_root *r, const char *path, struct stat *st)
{
	int fd = cw_root_openat(r, path, O_PATH);
	int e = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, st) != 0)
		e = -errno;
	close(fd);
	return e;
}
