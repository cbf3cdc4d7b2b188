/* recfile: recordings on disk, plain or zstd, written and read line by
 * line. libzstd does the compression; the line framing, the rotation and
 * the recovery from a failed write are what no library does for us. */
#include "config.h"
#include "recfile.h"
#include "json_out.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* Fast, and still about ten to one on snapshot JSON. */
#define ZSTD_LEVEL 3

struct cw_recw {
	char *path;
	int fd;
	bool zst;
	uint64_t max_bytes, size;
	unsigned keep;
	ZSTD_CCtx *cctx;
	char *text;            /* one line of JSON, reused */
	size_t textcap;
	void *packed;          /* its frame, reused */
	size_t packedcap;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

char *cw_recfile_rotated(const char *path, unsigned n)
{
	if (ends_with(path, ".zst"))
		return cw_xasprintf("%.*s.%u.zst", (int)(strlen(path) - 4), path, n);
	return cw_xasprintf("%s.%u", path, n);
}

static int open_current(struct cw_recw *w, char **cause)
{
	struct stat st;

	/* O_NOFOLLOW: a recording path an attacker can plant a link at must
	 * not make root write elsewhere. Appending: a restart adds to it. */
	w->fd = open(w->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (w->fd < 0)
		return cw_cause(cause, -errno, "%s: %s", w->path, strerror(errno));
	if (fstat(w->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(w->fd);
		w->fd = -1;
		return cw_cause(cause, -EINVAL, "%s: not a regular file", w->path);
	}
	w->size = (uint64_t)st.st_size;
	return 0;
}

int cw_recw_open(struct cw_recw **out, const char *path, uint64_t max_bytes, unsigned keep,
		 char **cause)
{
	struct cw_recw *w = cw_xcalloc(1, sizeof(*w));
	int r;

	w->path = cw_xstrdup(path);
	w->zst = ends_with(path, ".zst");
	w->max_bytes = max_bytes;
	w->keep = keep ? keep : 1;
	if (w->zst) {
		w->cctx = ZSTD_createCCtx();
		if (!w->cctx)
			cw_fatal("out of memory for zstd");
		ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, ZSTD_LEVEL);
		ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	}
	r = open_current(w, cause);
	if (r < 0) {
		cw_recw_close(w);
		return r;
	}
	*out = w;
	return 0;
}

/* FILE -> FILE.1 -> ... -> FILE.(keep-1); the oldest goes. */
static int rotate(struct cw_recw *w, char **cause)
{
	unsigned n;
	int r;

	close(w->fd);
	w->fd = -1;
	if (w->keep == 1) {
		if (unlink(w->path) < 0 && errno != ENOENT)
			return cw_cause(cause, -errno, "%s: %s", w->path, strerror(errno));
	} else {
		char *last = cw_recfile_rotated(w->path, w->keep - 1);

		unlink(last);
		free(last);
		for (n = w->keep - 1; n >= 1; n--) {
			char *from = n == 1 ? cw_xstrdup(w->path) : cw_recfile_rotated(w->path, n - 1);
			char *to = cw_recfile_rotated(w->path, n);

			r = rename(from, to) < 0 && errno != ENOENT ? -errno : 0;
			free(from);
			free(to);
			if (r < 0)
				return cw_cause(cause, r, "rotating %s: %s", w->path, strerror(-r));
		}
	}
	return open_current(w, cause);
}

/* The snapshot as one line of JSON in w->text; its length. */
static size_t render(struct cw_recw *w, const struct cw_snapshot *s)
{
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);

	if (!f || cw_json_write(f, s) < 0 || fclose(f) != 0)
		cw_fatal("out of memory writing a snapshot");
	free(w->text);
	w->text = buf;
	return len;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t k = write(fd, c, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -EIO;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

int cw_recw_write(struct cw_recw *w, const struct cw_snapshot *s, char **cause)
{
	size_t len, n;
	const void *data;
	int r;

	if (w->fd < 0) {
		r = open_current(w, cause); /* an earlier rotation failed: try again */
		if (r < 0)
			return r;
	}
	if (w->max_bytes && w->size >= w->max_bytes) {
		r = rotate(w, cause);
		if (r < 0)
			return r;
	}
	len = render(w, s);
	data = w->text;
	n = len;
	if (w->zst) {
		size_t bound = ZSTD_compressBound(len);

		if (bound > w->packedcap) {
			free(w->packed);
			w->packed = cw_xmalloc(bound);
			w->packedcap = bound;
		}
		n = ZSTD_compress2(w->cctx, w->packed, w->packedcap, w->text, len);
		if (ZSTD_isError(n))
			return cw_cause(cause, -EIO, "%s: zstd: %s", w->path, ZSTD_getErrorName(n));
		data = w->packed;
	}
	r = write_all(w->fd, data, n);
	if (r < 0) {
		/* Cut the part that got out, so the file still ends with a
		 * whole line and the next write starts a whole one. */
		if (ftruncate(w->fd, (off_t)w->size) < 0) {
			/* nothing better to do: the reader skips a cut last line */
		}
		return cw_cause(cause, r, "%s: %s", w->path, strerror(-r));
	}
	w->size += n;
	return 0;
}

uint64_t cw_recw_size(const struct cw_recw *w)
{
	return w->size;
}

const char *cw_recw_path(const struct cw_recw *w)
{
	return w->path;
}

void cw_recw_close(struct cw_recw *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	ZSTD_freeCCtx(w->cctx);
	free(w->text);
	free(w->packed);
	free(w->path);
	free(w);
}

/* ---- reading ---- */

#define CHUNK (1u << 16)

struct cw_recr {
	char *path;
	int fd;
	bool zst, eof;
	ZSTD_DCtx *dctx;
	uint64_t consumed;     /* zstd: input bytes decoded so far, */
	uint64_t frame_at;     /* ... and where the last whole frame ended */
	unsigned char in[CHUNK];
	ZSTD_inBuffer zin;
	char *buf;             /* decoded text not yet returned */
	size_t start, len, cap;
	size_t lineno, partial;
	uint64_t cut;          /* zstd: input bytes of a frame cut short */
	bool need_shift;
};

int cw_recr_open(struct cw_recr **out, const char *path, char **cause)
{
	struct cw_recr *r = cw_xcalloc(1, sizeof(*r));
	unsigned char magic[4];
	ssize_t n;

	r->path = cw_xstrdup(path);
	r->fd = cw_open_regular(path, 0);
	if (r->fd < 0) {
		int e = r->fd;

		cw_recr_close(r);
		return cw_cause(cause, e, "%s: %s", path,
				e == -EINVAL ? "not a regular file" : strerror(-e));
	}
	n = pread(r->fd, magic, sizeof(magic), 0);
	r->zst = n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd;
	if (r->zst) {
		r->dctx = ZSTD_createDCtx();
		if (!r->dctx)
			cw_fatal("out of memory for zstd");
		/* A frame may not ask for a window past 128 MiB: a hostile file
		 * cannot make us allocate more. */
		ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_windowLogMax, 27);
	}
	r->zin.src = r->in;
	*out = r;
	return 0;
}

static void reserve(struct cw_recr *r, size_t more)
{
	if (r->start && (r->len + more > r->cap)) {
		memmove(r->buf, r->buf + r->start, r->len);
		r->start = 0;
	}
	if (r->start + r->len + more > r->cap) {
		size_t cap = r->cap ? r->cap : CHUNK;

		while (cap < r->start + r->len + more)
			cap *= 2;
		r->buf = cw_xrealloc(r->buf, cap + 1);
		r->cap = cap;
	}
}

bool cw_zstd_magic_in(const void *buf, size_t len)
{
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i + 4 <= len; i++)
		if (b[i] == 0x28 && b[i + 1] == 0xb5 && b[i + 2] == 0x2f && b[i + 3] == 0xfd)
			return true;
	return false;
}

/* Whether a zstd frame begins in the file between from and to. */
static bool frame_follows(const struct cw_recr *r, uint64_t from, uint64_t to)
{
	unsigned char b[4096];
	uint64_t at = from;

	while (at + 4 <= to) {
		size_t want = to - at < sizeof(b) ? (size_t)(to - at) : sizeof(b);
		ssize_t n = pread(r->fd, b, want, (off_t)at);

		if (n < 4)
			return false;
		if (cw_zstd_magic_in(b, (size_t)n))
			return true;
		at += (uint64_t)n - 3;
	}
	return false;
}

/* Adds decoded text to the buffer: 1 if some came, 0 at the end of the
 * file, -errno with a cause. */
static int fill(struct cw_recr *r, char **cause)
{
	ssize_t n;

	if (r->eof)
		return 0;
	if (!r->zst) {
		reserve(r, CHUNK);
		n = read(r->fd, r->buf + r->start + r->len, CHUNK);
		if (n < 0)
			return cw_cause(cause, -errno, "%s: %s", r->path, strerror(errno));
		if (n == 0) {
			r->eof = true;
			return 0;
		}
		r->len += (size_t)n;
		return 1;
	}
	for (;;) {
		ZSTD_outBuffer zout;
		size_t ret;

		if (r->zin.pos == r->zin.size) {
			n = read(r->fd, r->in, sizeof(r->in));
			if (n < 0)
				return cw_cause(cause, -errno, "%s: %s", r->path, strerror(errno));
			if (n == 0) {
				r->eof = true;
				/* A frame cut short: what it gave is a cut line,
				 * dropped by the caller; what it did not give
				 * counts as cut too. */
				if (r->consumed > r->frame_at &&
				    frame_follows(r, r->frame_at + 1, r->consumed))
					return cw_cause(cause, -EBADMSG,
							"%s: line %zu: corrupt zstd data (a frame "
							"header runs past the frames after it)",
							r->path, r->lineno + 1);
				if (r->consumed > r->frame_at)
					r->cut = r->consumed - r->frame_at;
				return 0;
			}
			r->zin.size = (size_t)n;
			r->zin.pos = 0;
		}
		reserve(r, CHUNK);
		zout.dst = r->buf + r->start + r->len;
		zout.size = CHUNK;
		zout.pos = 0;
		n = (ssize_t)r->zin.pos;
		ret = ZSTD_decompressStream(r->dctx, &zout, &r->zin);
		r->consumed += r->zin.pos - (size_t)n;
		if (ret == 0)
			r->frame_at = r->consumed;
		if (ZSTD_isError(ret))
			return cw_cause(cause, -EBADMSG, "%s: line %zu: corrupt zstd data (%s)", r->path,
					r->lineno + 1, ZSTD_getErrorName(ret));
		r->len += zout.pos;
		if (zout.pos)
			return 1;
	}
}

int cw_recr_next(struct cw_recr *r, const char **line, size_t *lineno, char **cause)
{
	size_t scanned = 0;
	int f;

	for (;;) {
		char *nl = r->len > scanned ? memchr(r->buf + r->start + scanned, '\n', r->len - scanned)
					    : NULL;

		if (nl) {
			size_t n = (size_t)(nl - (r->buf + r->start));

			*nl = '\0';
			*line = r->buf + r->start;
			*lineno = ++r->lineno;
			r->start += n + 1;
			r->len -= n + 1;
			if (!r->len)
				r->start = 0;
			return 1;
		}
		scanned = r->len;
		if (r->len > CW_RECFILE_MAX_LINE)
			return cw_cause(cause, -EFBIG, "%s: line %zu: longer than %u MiB", r->path,
					r->lineno + 1, CW_RECFILE_MAX_LINE >> 20);
		/* The line is moved to the front before more comes, so that
		 * the pointer handed out last is no longer needed. */
		f = fill(r, cause);
		if (f < 0)
			return f;
		if (f == 0) {
			r->partial = r->len ? r->len : (size_t)r->cut;
			r->len = 0;
			return 0;
		}
	}
}

size_t cw_recr_partial(const struct cw_recr *r)
{
	return r->partial;
}

bool cw_recr_compressed(const struct cw_recr *r)
{
	return r->zst;
}

void cw_recr_close(struct cw_recr *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->buf);
	free(r->path);
	free(r);
}
