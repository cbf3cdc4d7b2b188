/* test_recfile: recordings written and read back, plain and zstd: the same
 * lines in order; a file cut at every byte offset reads back its whole
 * lines and says the last was cut; a corrupted zstd file is an error that
 * names the line; rotation names and keeps the right files; a failed write
 * leaves the file ending with a whole line. */
#include "config.h"
#include "recfile.h"
#include "json_in.h"
#include "json_out.h"
#include "tap.h"
#include "util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/cwt-recfile.XXXXXX";

static struct cw_snapshot *snap(int i)
{
	struct cw_snapshot *s = cw_snapshot_new();
	char label[32];
	int k;

	s->time_ms = 1700000000000LL + i * 1000;
	s->nrows = 3;
	s->rows = cw_arena_alloc(&s->arena, 3 * sizeof(*s->rows));
	for (k = 0; k < 3; k++) {
		struct cw_ns_row *r = &s->rows[k];

		snprintf(label, sizeof(label), "ns-%d/pod-%d", i, k);
		r->id = r->inode = 4026532000u + (unsigned)k;
		r->kind = CW_KIND_NAMED;
		r->label = cw_arena_strdup(&s->arena, label);
		r->has_exact = true;
		r->tcp.tcp[CW_TCP_ESTABLISHED] = (uint32_t)(i * 10 + k);
		r->tcp.total = (uint32_t)(i * 10 + k);
	}
	return s;
}

/* Reads a whole recording: the number of lines, whether each is snapshot
 * i's JSON, and the result of the last call. */
static int read_all(const char *path, size_t *n, bool *same, size_t *partial, char **cause)
{
	struct cw_recr *r;
	const char *line;
	size_t lineno;
	int rc;

	*n = 0;
	*same = true;
	rc = cw_recr_open(&r, path, cause);
	if (rc < 0)
		return rc;
	while ((rc = cw_recr_next(r, &line, &lineno, cause)) > 0) {
		struct cw_snapshot *s = snap((int)*n);
		char *want = cw_json_snapshot(s);

		if (strcmp(want, line) != 0 || lineno != *n + 1)
			*same = false;
		free(want);
		cw_snapshot_unref(s);
		(*n)++;
	}
	*partial = cw_recr_partial(r);
	cw_recr_close(r);
	return rc;
}

static size_t ends[8]; /* the file's size after each write of the last write_n */

static void write_n(const char *path, int n, uint64_t max, unsigned keep)
{
	struct cw_recw *w;
	char *cause = NULL;
	int i;

	if (cw_recw_open(&w, path, max, keep, &cause) < 0) {
		ok(0, "open %s: %s", path, cause);
		free(cause);
		return;
	}
	for (i = 0; i < n; i++) {
		struct cw_snapshot *s = snap(i);

		if (cw_recw_write(w, s, &cause) < 0) {
			ok(0, "write: %s", cause);
			free(cause);
			cause = NULL;
		}
		if (i < 8)
			ends[i] = (size_t)cw_recw_size(w);
		cw_snapshot_unref(s);
	}
	cw_recw_close(w);
}

static void test_round_trip(const char *name)
{
	char *path = cw_xasprintf("%s/%s", dir, name), *cause = NULL;
	size_t n, partial;
	bool same;

	write_n(path, 20, 0, 1);
	ok(read_all(path, &n, &same, &partial, &cause) == 0 && n == 20 && same && !partial,
	   "%s: 20 snapshots read back, the same lines in order", name);
	free(cause);
	free(path);
}

static size_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

/* Cut at every offset: whole lines come back, never an error, and a cut
 * in the middle of a line is said. */
static void test_cuts(const char *name)
{
	char *path = cw_xasprintf("%s/%s", dir, name), *cut = cw_xasprintf("%s/cut-%s", dir, name);
	size_t size, off, bad = 0, prev = 0, n, partial, unsaid = 0, lines = 0;
	char *data, *cause = NULL;
	bool same;
	size_t len;
	bool at_end;

	write_n(path, 3, 0, 1);
	size = file_size(path);
	cw_read_file(path, 1 << 20, &data, &len);
	for (off = 0; off <= size; off++) {
		int fd = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd < 0 || write(fd, data, off) != (ssize_t)off) {
			bad++;
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		if (read_all(cut, &n, &same, &partial, &cause) != 0 || !same || n < prev || n > 3) {
			bad++;
			free(cause);
			cause = NULL;
		}
		/* Where a line ends nothing is cut; anywhere else it is said. */
		at_end = off == 0 || off == ends[0] || off == ends[1] || off == ends[2];
		if (at_end != !partial)
			unsaid++;
		if (n > prev)
			lines++;
		prev = n;
	}
	ok(bad == 0, "%s: cut at each of %zu offsets: whole lines only, never an error", name, size + 1);
	ok(prev == 3 && lines == 3, "%s: lines appear one by one as the cut moves on", name);
	is_int(unsaid, 0, "%s: a cut is said exactly when it is inside a line", name);
	free(data);
	free(cut);
	free(path);
}

static void test_corrupt(void)
{
	char *path = cw_xasprintf("%s/corrupt.ndjson.zst", dir), *cause = NULL;
	size_t n, partial, size;
	bool same;
	int fd, rc;
	char c;

	write_n(path, 5, 0, 1);
	size = file_size(path);
	/* A byte flipped in the middle of the third frame or so. */
	fd = open(path, O_RDWR);
	pread(fd, &c, 1, (off_t)(size * 6 / 10));
	c ^= 0x5a;
	pwrite(fd, &c, 1, (off_t)(size * 6 / 10));
	close(fd);
	rc = read_all(path, &n, &same, &partial, &cause);
	ok(rc < 0 && cause && strstr(cause, "line ") && strstr(cause, "corrupt zstd"),
	   "a corrupted zstd recording is an error naming the line: %s", cause ? cause : "");
	ok(n >= 1 && n < 5 && same, "the lines before it read back (%zu)", n);
	free(cause);
	free(path);
}

static void test_rotation(void)
{
	char *path = cw_xasprintf("%s/rot.ndjson.zst", dir), *p1, *p2, *p3;
	char *plain = cw_xasprintf("%s/rot.ndjson", dir), *q1;

	p1 = cw_recfile_rotated(path, 1);
	q1 = cw_recfile_rotated(plain, 1);
	ok(strcmp(strrchr(p1, '/'), "/rot.ndjson.1.zst") == 0 && strcmp(strrchr(q1, '/'), "/rot.ndjson.1") == 0,
	   "rotated names: %s, %s", strrchr(p1, '/') + 1, strrchr(q1, '/') + 1);
	/* 1-byte files: each write rotates; 3 kept. */
	write_n(path, 6, 1, 3);
	p2 = cw_recfile_rotated(path, 2);
	p3 = cw_recfile_rotated(path, 3);
	ok(access(path, F_OK) == 0 && access(p1, F_OK) == 0 && access(p2, F_OK) == 0 &&
	   access(p3, F_OK) != 0, "three files kept: FILE, FILE.1, FILE.2");
	{
		struct cw_recr *r;
		const char *line;
		size_t lineno;
		char *cause = NULL;
		bool newest = false;

		if (cw_recr_open(&r, path, &cause) == 0) {
			struct cw_snapshot *s5 = snap(5);
			char *want = cw_json_snapshot(s5);

			newest = cw_recr_next(r, &line, &lineno, &cause) == 1 && strcmp(line, want) == 0 &&
				 cw_recr_next(r, &line, &lineno, &cause) == 0;
			free(want);
			cw_snapshot_unref(s5);
			cw_recr_close(r);
		}
		ok(newest, "the current file holds the newest snapshot only");
		free(cause);
	}
	free(p1);
	free(p2);
	free(p3);
	free(q1);
	free(plain);
	free(path);
}

/* A full device: the error comes back, the file still ends whole. */
static void test_full(void)
{
	struct cw_recw *w;
	char *cause = NULL;
	struct cw_snapshot *s = snap(0);
	int rc;

	rc = cw_recw_open(&w, "/dev/full", 0, 1, &cause);
	ok(rc < 0 && cause && strstr(cause, "not a regular file"), "a device is refused: %s",
	   cause ? cause : "");
	free(cause);
	cause = NULL;
	rc = cw_recw_open(&w, dir, 0, 1, &cause);
	ok(rc < 0 && cause, "a directory is refused: %s", cause ? cause : "");
	free(cause);
	cw_snapshot_unref(s);
}

int main(void)
{
	char *cmd;

	if (!mkdtemp(dir))
		return 1;
	test_round_trip("plain.ndjson");
	test_round_trip("packed.ndjson.zst");
	test_cuts("c.ndjson");
	test_cuts("c.ndjson.zst");
	test_corrupt();
	test_rotation();
	test_full();
	cmd = cw_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
	return tap_done();
}
