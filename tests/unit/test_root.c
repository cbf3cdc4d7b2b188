/* test_root: resolution under --rootfs, through openat2 where the kernel
 * has it and through the hand-made fallback (forced), with the same
 * answers: absolute and relative symlinks, ".." and loops all stay inside
 * the root. Each file that could be reached from outside the root by
 * mistake exists there too, reading "outside", so an escape shows. */
#include "config.h"
#include "root.h"
#include "fstree.h"
#include "tap.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/cw-test-root-XXXXXX";
static char *rootfs;

/* Writes text to <base><path>, making parent directories. */
static void put(const char *base, const char *path, const char *text)
{
	char *full = cw_xasprintf("%s%s", base, path), *dir = cw_xstrdup(full);

	*strrchr(dir, '/') = '\0';
	fstree_mkdirs(dir);
	fstree_write(full, text);
	free(dir);
	free(full);
}

/* Makes <rootfs><path> a symlink to target. */
static void link_to(const char *target, const char *path)
{
	char *full = cw_xasprintf("%s%s", rootfs, path), *dir = cw_xstrdup(full);

	*strrchr(dir, '/') = '\0';
	fstree_mkdirs(dir);
	if (symlink(target, full) != 0)
		printf("# cannot link %s\n", full);
	free(dir);
	free(full);
}

static void build_tree(void)
{
	char *abs_out = cw_xasprintf("%s/outside/secret", tmp);
	char *in_copy = cw_xasprintf("%s", abs_out);
	char *dir = cw_xasprintf("%s/run/deep", rootfs);
	int i;

	/* Outside the root: what an escape would read. */
	put(tmp, "/outside/secret", "outside");
	/* Inside: the same paths, reading "inside". */
	put(rootfs, "/outside/secret", "inside");
	put(rootfs, in_copy, "inside");
	put(rootfs, "/run/file", "run");
	put(rootfs, "/d/sub/file", "sub");
	fstree_mkdirs(dir);

	link_to("/run", "/var/run");                  /* absolute, to a directory */
	link_to(abs_out, "/abs");                     /* absolute, to the host's path */
	link_to("../../outside/secret", "/rel");      /* relative, climbing past the root */
	link_to("../../../../../outside/secret", "/a/b/c/deep");
	link_to("sub/file", "/d/rel2");               /* relative, down */
	link_to("/var/run/file", "/chain1");          /* link through a link */
	link_to("chain1", "/chain2");
	link_to("loop2", "/loop1");                   /* loops */
	link_to("loop1", "/loop2");
	link_to("self", "/self");
	link_to("/missing", "/dangling");
	link_to("../../..", "/run/deep/up");          /* a link to a directory above */
	link_to("/run/file", "/run/file-link");
	/* A chain of exactly 40 links to a file, and one of 41. */
	for (i = 0; i < 41; i++) {
		char name[32], target[32];

		snprintf(name, sizeof(name), "/c%d", i);
		if (i == 40)
			snprintf(target, sizeof(target), "/run/file");
		else
			snprintf(target, sizeof(target), "c%d", i + 1);
		link_to(target, name);
	}
	free(abs_out);
	free(in_copy);
	free(dir);
}

static void check_read(const struct cw_root *r, const char *mode, const char *path,
		       const char *want, int want_err)
{
	char *text = NULL;
	int e = cw_root_read_file(r, path, 4096, &text);

	if (want) {
		ok(e == 0 && text && strcmp(text, want) == 0, "%s: %s reads \"%s\" (got %d \"%s\")",
		   mode, path, want, e, text ? text : "");
	} else {
		is_int(e, want_err, "%s: %s fails with %s", mode, path, strerror(-want_err));
	}
	free(text);
}

static void check_root(const struct cw_root *r, const char *mode)
{
	char *abs_path = cw_xasprintf("%s/outside/secret", tmp);
	struct stat st;
	DIR *d;

	check_read(r, mode, "/run/file", "run", 0);
	check_read(r, mode, "/var/run/file", "run", 0);
	check_read(r, mode, "/abs", "inside", 0);
	check_read(r, mode, "/rel", "inside", 0);
	check_read(r, mode, "/a/b/c/deep", "inside", 0);
	check_read(r, mode, "/../../outside/secret", "inside", 0);
	check_read(r, mode, "/run/../../../outside/secret", "inside", 0);
	check_read(r, mode, "run/./file", "run", 0);
	check_read(r, mode, "//run//file", "run", 0);
	check_read(r, mode, "/d/rel2", "sub", 0);
	check_read(r, mode, "/chain2", "run", 0);
	check_read(r, mode, "/run/deep/up/outside/secret", "inside", 0);
	check_read(r, mode, "/run/deep/up/../../outside/secret", "inside", 0);
	check_read(r, mode, "/run/file-link", "run", 0);
	check_read(r, mode, "/c1", "run", 0);   /* 40 links: the limit */
	check_read(r, mode, "/c0", NULL, -ELOOP);
	check_read(r, mode, "/loop1", NULL, -ELOOP);
	check_read(r, mode, "/self", NULL, -ELOOP);
	check_read(r, mode, "/dangling", NULL, -ENOENT);
	check_read(r, mode, "/run/file/x", NULL, -ENOTDIR);
	check_read(r, mode, "/run", NULL, -EISDIR);
	check_read(r, mode, abs_path, "inside", 0);

	/* Directories and stat go the same way. */
	d = cw_root_opendir(r, "/var/run");
	ok(d != NULL, "%s: opendir through an absolute link", mode);
	if (d)
		closedir(d);
	d = cw_root_opendir(r, "/run/file");
	ok(d == NULL && errno == ENOTDIR, "%s: opendir of a file: ENOTDIR", mode);
	if (d)
		closedir(d);
	d = cw_root_opendir(r, "/");
	ok(d != NULL, "%s: opendir of the root itself", mode);
	if (d)
		closedir(d);
	{
		struct stat in, want;
		char *p = cw_xasprintf("%s/run/file", rootfs);

		ok(cw_root_stat(r, "/var/run/file", &in) == 0 && stat(p, &want) == 0 &&
		   in.st_ino == want.st_ino, "%s: stat through a link: the file inside", mode);
		ok(cw_root_stat(r, "/..", &in) == 0 && stat(rootfs, &want) == 0 &&
		   in.st_ino == want.st_ino, "%s: stat of /.. is the root", mode);
		ok(cw_root_stat(r, "/run/deep/up", &in) == 0 && in.st_ino == want.st_ino,
		   "%s: a link above the root lands on the root", mode);
		free(p);
	}
	is_int(cw_root_stat(r, "/loop2", &st), -ELOOP, "%s: stat of a loop: -ELOOP", mode);
	free(abs_path);
}

/* A FIFO where a file is expected: the read fails at once, not blocks. */
static void check_fifo(const struct cw_root *r, const char *mode)
{
	char *text = NULL;
	int e;

	alarm(5);
	e = cw_root_read_file(r, "/etc/hostname", 4096, &text);
	alarm(0);
	is_int(e, -EINVAL, "%s: a FIFO as /etc/hostname: -EINVAL, without blocking", mode);
	ok(text == NULL, "%s: no text from a FIFO", mode);
	free(text);
	alarm(5);
	e = cw_root_read_file(r, "/etc/hostname-link", 4096, &text);
	alarm(0);
	is_int(e, -EINVAL, "%s: a link to a FIFO: -EINVAL", mode);
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

int main(void)
{
	struct cw_root r = {.fd = -1};
	char *cause = NULL, *fifo;

	fstree_guard(tmp, "a read under the root");
	if (!mkdtemp(tmp))
		tap_skip_all("mkdtemp failed");
	rootfs = cw_xasprintf("%s/root", tmp);
	fstree_mkdirs(rootfs);
	build_tree();
	put(rootfs, "/etc/placeholder", "");
	fifo = cw_xasprintf("%s/etc/hostname", rootfs);
	if (mkfifo(fifo, 0600) != 0)
		printf("# mkfifo failed\n");
	link_to("/etc/hostname", "/etc/hostname-link");

	unsetenv("CW_ROOT_NO_OPENAT2");
	if (cw_root_open(&r, rootfs, &cause) != 0)
		tap_skip_all("cannot open the root");
	ok(!r.no_openat2, "without the knob, openat2 is tried first");
	check_root(&r, "default");
	check_fifo(&r, "default");
	cw_root_close(&r);

	setenv("CW_ROOT_NO_OPENAT2", "1", 1);
	if (cw_root_open(&r, rootfs, &cause) != 0)
		tap_skip_all("cannot open the root");
	ok(r.no_openat2, "CW_ROOT_NO_OPENAT2=1 forces the fallback");
	check_root(&r, "fallback");
	check_fifo(&r, "fallback");
	cw_root_close(&r);
	setenv("CW_ROOT_NO_OPENAT2", "0", 1);
	if (cw_root_open(&r, rootfs, &cause) == 0) {
		ok(!r.no_openat2, "CW_ROOT_NO_OPENAT2=0 does not");
		cw_root_close(&r);
	}
	unsetenv("CW_ROOT_NO_OPENAT2");

	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(fifo);
	free(rootfs);
	free(cause);
	return tap_done();
}
