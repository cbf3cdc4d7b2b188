/* util: allocation, the fatal path, sanitising, clocks and file helpers. */
#include "config.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void (*fatal_hook)(void);

void cw_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

_Noreturn void cw_fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook)
		fatal_hook();
	fputs("connwatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *cw_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		cw_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *cw_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		cw_fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *cw_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		cw_fatal("out of memory (%zu bytes)", n);
	return q;
}

void cw_xgrow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap;

	if (need <= c)
		return;
	if (c < 8)
		c = 8;
	while (c < need)
		c *= 2;
	if (c > SIZE_MAX / size)
		cw_fatal("allocation overflow");
	*p = cw_xrealloc(*p, c * size);
	*cap = c;
}

char *cw_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = cw_xmalloc(n);

	memcpy(d, s, n);
	return d;
}

static char *xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	char *s;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		cw_fatal("bad format string");
	s = cw_xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *cw_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int cw_cause(char **cause, int err, const char *fmt, ...)
{
	va_list ap;

	if (!cause)
		return err;
	free(*cause);
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
	return err;
}

/* Length of the valid, printable UTF-8 sequence at s, or 0. C1 controls
 * (U+0080..U+009F) are rejected: some terminals treat them as CSI. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return (s[0] >= 0x20 && s[0] != 0x7f) ? 1 : 0;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
		return 0; /* overlong */
	if (cp < 0xa0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return 0; /* line separators and bidi overrides */
	return n;
}

void cw_sanitize(char *dst, size_t n, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, l;

	if (n == 0)
		return;
	while (*s && o + 1 < n) {
		l = utf8_len(s);
		if (l == 0) {
			dst[o++] = '?';
			s++;
			continue;
		}
		if (o + l >= n)
			break;
		memcpy(dst + o, s, l);
		o += l;
		s += l;
	}
	dst[o] = '\0';
}

char *cw_sanitize_dup(const char *src)
{
	size_t n = strlen(src) + 1;
	char *d = cw_xmalloc(n);

	cw_sanitize(d, n, src);
	return d;
}

size_t cw_utf8_truncate(const char *s, size_t len, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t cut = max;

	if (len <= max)
		return len;
	/* s[max] is the first byte dropped: while it continues a character
	 * (10xxxxxx), that character's start moves out too. A character has
	 * at most 3 continuation bytes; past that the text is not UTF-8 and
	 * bytes are cut as bytes. */
	while (cut > 0 && max - cut < 3 && (u[cut] & 0xc0) == 0x80)
		cut--;
	return (u[cut] & 0xc0) == 0x80 ? max : cut;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t cw_now_ms(void)
{
	return clock_ns(CLOCK_REALTIME) / 1000000;
}

int64_t cw_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

int64_t cw_thread_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

int64_t cw_process_cpu_ns(void)
{
	return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

int cw_read_fd(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	struct stat st;
	char *buf;
	ssize_t r;

	/* Only regular files: a FIFO, socket or device could block or never
	 * end. procfs and sysfs files are regular (with a size of 0). */
	if (fstat(fd, &st) != 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size > 0 && (uint64_t)st.st_size > max)
		return -EFBIG; /* before reading a byte of it */
	buf = cw_xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			buf = cw_xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(buf);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int cw_read_file(const char *path, size_t max, char **out, size_t *len)
{
	/* O_NONBLOCK: opening a FIFO would wait for a writer. O_NOFOLLOW: the
	 * files read here (/proc/<pid>/comm, cgroup, /proc/sys) are never
	 * links themselves, though links before them (/proc/self) are fine. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
	int r;

	if (fd < 0)
		return -errno;
	r = cw_read_fd(fd, max, out, len);
	close(fd);
	return r;
}

int cw_open_regular(const char *path, int extra)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | extra), e;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0)
		e = -errno;
	else if (!S_ISREG(st.st_mode))
		e = -EINVAL;
	else
		return fd;
	close(fd);
	return e;
}

char *cw_path_join(const char *root, const char *path)
{
	size_t rl = strlen(root);

	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	while (*path == '/')
		path++;
	return cw_xasprintf("%.*s/%s", (int)rl, root, path);
}

void cw_proc_comm(const char *procfs, int pid, char *buf, size_t n)
{
	char path[4096], *text;
	size_t len;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%d/comm", procfs, pid);
	if (cw_read_file(path, 4096, &text, &len) != 0)
		return;
	if (len && text[len - 1] == '\n')
		text[len - 1] = '\0';
	cw_sanitize(buf, n, text);
	free(text);
}

bool cw_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

bool cw_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || v != v)
		return false;
	*out = v;
	return true;
}

#include <sys/resource.h>

int cw_nofile_raise(uint64_t *soft)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -errno;
	if (rl.rlim_cur != rl.rlim_max) {
		struct rlimit want = {rl.rlim_max, rl.rlim_max};

		/* An unlimited hard limit cannot be the soft one (setrlimit
		 * fails with EPERM above fs.nr_open): keep what we have then. */
		if (setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl = want;
	}
	*soft = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
	return 0;
}
