/* root: path resolution confined to --rootfs. */
#include "config.h"
#include "root.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

int cw_root_open(struct cw_root *r, const char *path, char **cause)
{
	r->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0)
		return cw_cause(cause, -errno, "cannot open --rootfs %s: %s", path, strerror(errno));
	r->path = cw_xstrdup(path);
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

int cw_root_openat(const struct cw_root *r, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *rel = path;
	char *joined;
	long fd;

	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	fd = syscall(SYS_openat2, r->fd, rel, &how, sizeof(how));
	if (fd >= 0)
		return (int)fd;
	if (errno != ENOSYS)
		return -errno;
	joined = cw_path_join(r->path, path);
	fd = open(joined, flags | O_CLOEXEC);
	free(joined);
	return fd >= 0 ? (int)fd : -errno;
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
