/* replay: an index over a recording, and random access to its lines. */
#include "config.h"
#include "replay.h"
#include "json_in.h"
#include "json_schema.h"
#include "recfile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

struct line {
	uint64_t off;          /* where its bytes (plain) or its frame (zstd) start */
	uint32_t len;          /* their length */
	int64_t time_ms;
};

struct cw_replay {
	char *path;
	int fd;
	bool zst;
	struct line *lines;
	size_t n, cap, partial;
	ZSTD_DCtx *dctx;
	char *text;            /* the line being read */
	size_t textcap;
};

static bool is_zstd(int fd)
{
	unsigned char m[4];

	return pread(fd, m, 4, 0) == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd;
}

/* The document's time, from the first bytes of its line: connwatch writes
 * "schema" then "time" first. A line without one sorts as time 0. */
static int64_t line_time(const char *s, size_t n)
{
	static const char key[] = "\"time\":\"";
	const char *p = memmem(s, n < 200 ? n : 200, key, sizeof(key) - 1);
	char stamp[32];
	int64_t t;

	if (!p || (size_t)(p - s) + sizeof(key) - 1 + 24 > n)
		return 0;
	memcpy(stamp, p + sizeof(key) - 1, 24);
	stamp[24] = '\0';
	return cw_json_time_parse(stamp, &t) ? t : 0;
}

static void add(struct cw_replay *r, uint64_t off, size_t len, int64_t t)
{
	cw_xgrow((void **)&r->lines, &r->cap, r->n + 1, sizeof(*r->lines));
	r->lines[r->n++] = (struct line){off, (uint32_t)len, t};
}

static int index_plain(struct cw_replay *r, char **cause)
{
	struct cw_recr *rd;
	const char *line;
	size_t lineno;
	uint64_t off = 0;
	int rc;

	/* The streaming reader finds the lines; their offsets follow from
	 * their lengths (each ends with one newline). */
	rc = cw_recr_open(&rd, r->path, cause);
	if (rc < 0)
		return rc;
	while ((rc = cw_recr_next(rd, &line, &lineno, cause)) > 0) {
		size_t len = strlen(line);

		if (len > UINT32_MAX) {
			cw_recr_close(rd);
			return cw_cause(cause, -EFBIG, "%s: line %zu: too long", r->path, lineno);
		}
		add(r, off, len, line_time(line, len));
		off += len + 1;
	}
	r->partial = cw_recr_partial(rd);
	cw_recr_close(rd);
	return rc;
}

static int read_at(struct cw_replay *r, uint64_t off, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = pread(r->fd, (char *)buf + got, n - got, (off_t)(off + got));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (int)(got == n);
}

/* Decompresses the frame at line i into r->text: 0, or -errno with cause. */
static int frame_text(struct cw_replay *r, const struct line *l, size_t lineno, size_t *len,
		      char **cause)
{
	void *packed = cw_xmalloc(l->len ? l->len : 1);
	unsigned long long size;
	size_t n;
	int rc = read_at(r, l->off, packed, l->len);

	if (rc <= 0) {
		free(packed);
		return cw_cause(cause, rc < 0 ? rc : -EIO, "%s: line %zu: cannot read it", r->path, lineno);
	}
	size = ZSTD_getFrameContentSize(packed, l->len);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
	    size > CW_RECFILE_MAX_LINE) {
		free(packed);
		return cw_cause(cause, -EBADMSG, "%s: line %zu: %s", r->path, lineno,
				size == ZSTD_CONTENTSIZE_UNKNOWN
					? "a zstd frame of unknown size: not written by connwatch (decompress it with zstd -d to replay it)"
					: "corrupt zstd data");
	}
	if (size + 1 > r->textcap) {
		free(r->text);
		r->textcap = size + 1;
		r->text = cw_xmalloc(r->textcap);
	}
	n = ZSTD_decompressDCtx(r->dctx, r->text, r->textcap, packed, l->len);
	free(packed);
	if (ZSTD_isError(n))
		return cw_cause(cause, -EBADMSG, "%s: line %zu: corrupt zstd data (%s)", r->path, lineno,
				ZSTD_getErrorName(n));
	/* One line per frame, ending with its newline. */
	if (!n || r->text[n - 1] != '\n' || memchr(r->text, '\n', n - 1))
		return cw_cause(cause, -EBADMSG,
				"%s: line %zu: a zstd frame that is not one line: not written by connwatch "
				"(decompress it with zstd -d to replay it)", r->path, lineno);
	r->text[n - 1] = '\0';
	*len = n - 1;
	return 0;
}

static int index_zstd(struct cw_replay *r, char **cause)
{
	struct stat st;
	uint64_t off = 0;
	size_t want = 1 << 16;
	void *buf = NULL;

	if (fstat(r->fd, &st) < 0)
		return cw_cause(cause, -errno, "%s: %s", r->path, strerror(errno));
	while (off < (uint64_t)st.st_size) {
		size_t have = (uint64_t)st.st_size - off < want ? (size_t)((uint64_t)st.st_size - off) : want;
		size_t fsize, len;
		int rc;

		buf = cw_xrealloc(buf, want);
		rc = read_at(r, off, buf, have);
		if (rc < 0) {
			free(buf);
			return cw_cause(cause, rc, "%s: %s", r->path, strerror(-rc));
		}
		fsize = ZSTD_findFrameCompressedSize(buf, have);
		if (ZSTD_isError(fsize)) {
			if (have == (uint64_t)st.st_size - off && have < want) {
				/* The file ends inside this frame: a cut last line,
				 * unless it is not a frame at all, or another
				 * frame follows its start. */
				if ((ZSTD_getFrameContentSize(buf, have) == ZSTD_CONTENTSIZE_ERROR &&
				     have >= 4 && !(((unsigned char *)buf)[0] == 0x28)) ||
				    (have > 1 && cw_zstd_magic_in((unsigned char *)buf + 1, have - 1))) {
					free(buf);
					return cw_cause(cause, -EBADMSG, "%s: line %zu: corrupt zstd data",
							r->path, r->n + 1);
				}
				r->partial = have;
				break;
			}
			if (want >= (size_t)CW_RECFILE_MAX_LINE) {
				free(buf);
				return cw_cause(cause, -EBADMSG, "%s: line %zu: corrupt zstd data", r->path,
						r->n + 1);
			}
			want *= 2;
			continue;
		}
		if (fsize > UINT32_MAX) {
			free(buf);
			return cw_cause(cause, -EFBIG, "%s: line %zu: too long", r->path, r->n + 1);
		}
		add(r, off, fsize, 0);
		rc = frame_text(r, &r->lines[r->n - 1], r->n, &len, cause);
		if (rc < 0) {
			free(buf);
			return rc;
		}
		r->lines[r->n - 1].time_ms = line_time(r->text, len);
		off += fsize;
	}
	free(buf);
	return 0;
}

int cw_replay_open(struct cw_replay **out, const char *path, char **cause)
{
	struct cw_replay *r = cw_xcalloc(1, sizeof(*r));
	int rc;

	r->path = cw_xstrdup(path);
	r->fd = cw_open_regular(path, 0);
	if (r->fd < 0) {
		int e = r->fd;

		cw_replay_close(r);
		return cw_cause(cause, e, "%s: %s", path,
				e == -EINVAL ? "not a regular file" : strerror(-e));
	}
	r->zst = is_zstd(r->fd);
	if (r->zst) {
		r->dctx = ZSTD_createDCtx();
		if (!r->dctx)
			cw_fatal("out of memory for zstd");
		ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_windowLogMax, 27);
	}
	rc = r->zst ? index_zstd(r, cause) : index_plain(r, cause);
	if (rc < 0) {
		cw_replay_close(r);
		return rc;
	}
	if (!r->n) {
		rc = cw_cause(cause, -ENODATA, "%s: no snapshot in it%s", path,
			      r->partial ? " (only a cut line)" : "");
		cw_replay_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

size_t cw_replay_count(const struct cw_replay *r)
{
	return r->n;
}

size_t cw_replay_partial(const struct cw_replay *r)
{
	return r->partial;
}

int64_t cw_replay_time(const struct cw_replay *r, size_t i)
{
	return i < r->n ? r->lines[i].time_ms : 0;
}

size_t cw_replay_find(const struct cw_replay *r, int64_t t)
{
	size_t i;

	/* Linear: a recording's times normally only grow, but a clock step
	 * or two recordings appended make no promise. */
	for (i = 0; i < r->n; i++)
		if (r->lines[i].time_ms >= t)
			return i;
	return r->n - 1;
}

struct cw_snapshot *cw_replay_read(struct cw_replay *r, size_t i, char **cause)
{
	const struct line *l;
	struct cw_snapshot *s;
	char *why = NULL;
	size_t len;
	int rc;

	if (i >= r->n) {
		cw_cause(cause, -ERANGE, "%s: no line %zu", r->path, i + 1);
		return NULL;
	}
	l = &r->lines[i];
	if (r->zst) {
		if (frame_text(r, l, i + 1, &len, cause) < 0)
			return NULL;
	} else {
		if ((size_t)l->len + 1 > r->textcap) {
			free(r->text);
			r->textcap = (size_t)l->len + 1;
			r->text = cw_xmalloc(r->textcap);
		}
		rc = read_at(r, l->off, r->text, l->len);
		if (rc <= 0) {
			cw_cause(cause, rc < 0 ? rc : -EIO, "%s: line %zu: cannot read it (changed since it was opened?)",
				 r->path, i + 1);
			return NULL;
		}
		r->text[l->len] = '\0';
	}
	s = cw_json_in_snapshot(r->text, &why);
	if (!s) {
		cw_cause(cause, -EBADMSG, "%s: line %zu: %s", r->path, i + 1, why);
		free(why);
		return NULL;
	}
	s->replay.active = true;
	s->replay.index = i;
	s->replay.count = r->n;
	return s;
}

void cw_replay_close(struct cw_replay *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->lines);
	free(r->text);
	free(r->path);
	free(r);
}
