/* root: files under --rootfs, resolved as if rootfs were "/". An absolute
 * symlink inside it (the host's /var/run -> /run) stays inside it, which a
 * plain string join would not do, and ".." never climbs above it. Uses
 * openat2(RESOLVE_IN_ROOT); without it (kernels before 5.6, valgrind),
 * resolves symlinks by hand, component by component, with the same rules. */
#ifndef CW_ROOT_H
#define CW_ROOT_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct cw_root {
	int fd;
	char *path;
	bool no_openat2;  /* resolve by hand even where openat2 exists */
};

/* Test knob: with CW_ROOT_NO_OPENAT2=1 in the environment, cw_root_open
 * sets no_openat2, so the tests can run the fallback on any kernel. */
int cw_root_open(struct cw_root *r, const char *path, char **cause);
void cw_root_close(struct cw_root *r);

/* Opens path (absolute, as seen on the host) under the root. Returns an fd
 * or -errno (-ELOOP past 40 symlinks). */
int cw_root_openat(const struct cw_root *r, const char *path, int flags);
/* Reads a regular file of at most max bytes (see cw_read_fd); never blocks
 * on a FIFO. */
int cw_root_read_file(const struct cw_root *r, const char *path, size_t max, char **out);
DIR *cw_root_opendir(const struct cw_root *r, const char *path);
int cw_root_stat(const struct cw_root *r, const char *path, struct stat *st);

#endif
