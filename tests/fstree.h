/* fstree.h: for unit tests that build file trees under a temporary
 * directory (fake /proc, --rootfs, cgroup trees): making directories and
 * files, and a guard that ends a test whose read hangs (a FIFO where a file
 * is expected), removing its tree first so nothing is left behind. Every
 * function is static inline: include it once per test program. */
#ifndef CW_TEST_FSTREE_H
#define CW_TEST_FSTREE_H

#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *fstree_tree;  /* what the guard removes */
static char fstree_msg[160];     /* what the guard says */

static inline int fstree_rm(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static inline void fstree_on_alarm(int sig)
{
	(void)sig;
	fflush(stdout); /* the main thread is blocked in open(), not in stdio */
	(void)!write(1, fstree_msg, strlen(fstree_msg));
	nftw(fstree_tree, fstree_rm, 16, FTW_DEPTH | FTW_PHYS); /* a FIFO's opener is stuck, not us */
	_exit(1);
}

/* From now on an alarm() that goes off bails out with "Bail out! WHAT
 * hangs" and removes tree. */
static inline void fstree_guard(const char *tree, const char *what)
{
	fstree_tree = tree;
	snprintf(fstree_msg, sizeof(fstree_msg), "Bail out! %s hangs\n", what);
	signal(SIGALRM, fstree_on_alarm);
}

/* mkdir -p. */
static inline void fstree_mkdirs(const char *path)
{
	char buf[4096];
	size_t i;

	snprintf(buf, sizeof(buf), "%s", path);
	for (i = 1; buf[i]; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		mkdir(buf, 0755);
		buf[i] = '/';
	}
	mkdir(buf, 0755);
}

/* Writes text to path (which must have its parent). */
static inline void fstree_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		printf("# cannot write %s\n", path);
	if (fd >= 0)
		close(fd);
}

#endif
