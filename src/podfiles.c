/* podfiles: a pod's resolv.conf, environment, open-file limit and fd count. */
#include "config.h"
#include "podfiles.h"
#include "root.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Option values are kept as the file gives them, up to this. */
#define OPT_VALUE_MAX 999

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next whitespace-separated word of [*p, end), or false at the end. */
static bool next_word(const char **p, const char *end, const char **w, size_t *wlen)
{
	const char *s = *p;

	while (s < end && is_space(*s))
		s++;
	if (s == end) {
		*p = s;
		return false;
	}
	*w = s;
	while (s < end && !is_space(*s))
		s++;
	*wlen = (size_t)(s - *w);
	*p = s;
	return true;
}

static bool word_is(const char *w, size_t wlen, const char *lit)
{
	return wlen == strlen(lit) && memcmp(w, lit, wlen) == 0;
}

/* Copies outside text of len bytes (no NUL inside) into dst (size n): cut
 * at a character boundary, then sanitised. */
static void copy_clean(char *dst, size_t n, const char *src, size_t len)
{
	char tmp[1024];
	size_t cut;

	if (n > sizeof(tmp))
		n = sizeof(tmp);
	cut = cw_utf8_truncate(src, len, n - 1);
	memcpy(tmp, src, cut);
	tmp[cut] = '\0';
	cw_sanitize(dst, n, tmp);
}

static void resolv_init(struct cw_resolv *r)
{
	memset(r, 0, sizeof(*r));
	r->ndots = r->timeout = r->attempts = -1;
}

static void search_reset(struct cw_resolv *r)
{
	r->nsearch = r->nsearch_all = 0;
	memset(r->search, 0, sizeof(r->search));
}

static void search_add(struct cw_resolv *r, const char *w, size_t wlen)
{
	r->nsearch_all++;
	if (r->nsearch < CW_RESOLV_MAXSEARCH)
		copy_clean(r->search[r->nsearch++], CW_RESOLV_NAMELEN, w, wlen);
}

/* "name:N" with a decimal N; the value clamped to OPT_VALUE_MAX. */
static bool opt_value(const char *w, size_t wlen, const char *name, int *out)
{
	size_t nl = strlen(name), i;
	int v = 0;

	if (wlen <= nl || memcmp(w, name, nl) != 0)
		return false;
	for (i = nl; i < wlen; i++) {
		if (w[i] < '0' || w[i] > '9')
			return false;
		if (v < OPT_VALUE_MAX)
			v = v * 10 + (w[i] - '0');
	}
	*out = v > OPT_VALUE_MAX ? OPT_VALUE_MAX : v;
	return true;
}

static const struct {
	const char *name;
	unsigned flag;
} flag_names[] = {
	{"rotate", CW_RESOLV_ROTATE},
	{"edns0", CW_RESOLV_EDNS0},
	{"single-request", CW_RESOLV_SINGLE_REQUEST},
	{"single-request-reopen", CW_RESOLV_SINGLE_REQUEST_REOPEN},
	{"use-vc", CW_RESOLV_USE_VC},
	{"no-tld-query", CW_RESOLV_NO_TLD_QUERY},
	{"trust-ad", CW_RESOLV_TRUST_AD},
	{"no-aaaa", CW_RESOLV_NO_AAAA},
	{"inet6", CW_RESOLV_INET6},
	{"no-reload", CW_RESOLV_NO_RELOAD},
	{"debug", CW_RESOLV_DEBUG},
};

const char *cw_podfiles_flag_name(unsigned flag)
{
	size_t i;

	for (i = 0; i < CW_ARRAY_LEN(flag_names); i++)
		if (flag_names[i].flag == flag)
			return flag_names[i].name;
	return NULL;
}

void cw_podfiles_parse_options(const char *text, size_t len, struct cw_resolv *r)
{
	const char *p = text, *end = text + len, *w;
	size_t wlen, i;

	while (next_word(&p, end, &w, &wlen)) {
		bool known = opt_value(w, wlen, "ndots:", &r->ndots) ||
			     opt_value(w, wlen, "timeout:", &r->timeout) ||
			     opt_value(w, wlen, "attempts:", &r->attempts);

		for (i = 0; !known && i < CW_ARRAY_LEN(flag_names); i++)
			if (word_is(w, wlen, flag_names[i].name)) {
				r->flags |= flag_names[i].flag;
				known = true;
			}
		if (!known)
			r->unknown_opts++;
	}
}

static void add_nameserver(struct cw_resolv *r, const char *w, size_t wlen)
{
	char buf[64];
	struct cw_addr a;
	size_t n = wlen;
	const char *pct = memchr(w, '%', wlen);

	/* fe80::1%eth0: the zone names an interface of the pod, not the address. */
	if (pct)
		n = (size_t)(pct - w);
	if (n == 0 || n >= sizeof(buf)) {
		r->ns_bad++;
		return;
	}
	memcpy(buf, w, n);
	buf[n] = '\0';
	if (!cw_addr_parse(buf, &a)) {
		r->ns_bad++;
		return;
	}
	r->nns_all++;
	if (r->nns < CW_RESOLV_MAXNS)
		r->ns[r->nns++] = a;
}

/* One line, without its newline. A keyword must start the line. */
static void resolv_line(struct cw_resolv *r, const char *p, const char *end)
{
	const char *kw, *w;
	size_t klen, wlen;

	if (p == end || *p == '#' || *p == ';')
		return;
	if (memchr(p, '\0', (size_t)(end - p))) {
		r->junk++; /* binary: no resolver reads past the NUL either */
		return;
	}
	if (is_space(*p)) {
		const char *q = p;

		while (q < end && is_space(*q))
			q++;
		if (q != end)
			r->junk++;
		return;
	}
	next_word(&p, end, &kw, &klen);
	if (word_is(kw, klen, "nameserver")) {
		if (next_word(&p, end, &w, &wlen))
			add_nameserver(r, w, wlen);
		else
			r->ns_bad++;
	} else if (word_is(kw, klen, "domain")) {
		/* The local domain becomes the whole search list. */
		if (next_word(&p, end, &w, &wlen)) {
			search_reset(r);
			search_add(r, w, wlen);
		}
	} else if (word_is(kw, klen, "search")) {
		search_reset(r);
		while (next_word(&p, end, &w, &wlen))
			search_add(r, w, wlen);
	} else if (word_is(kw, klen, "options")) {
		cw_podfiles_parse_options(p, (size_t)(end - p), r);
	} else if (!word_is(kw, klen, "sortlist")) {
		r->junk++;
	}
}

void cw_podfiles_parse_resolv(const char *text, size_t len, struct cw_resolv *out)
{
	const char *p = text, *end = text + len;

	resolv_init(out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		resolv_line(out, p, eol);
		p = nl ? nl + 1 : end;
	}
}

/* The value of netdns in a GODEBUG list ("netdns=go,http2client=0"). Go
 * reads the list so that a later setting wins over an earlier one. */
static void godebug_netdns(struct cw_podenv *e, const char *v, size_t len)
{
	const char *p = v, *end = v + len;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		size_t n = (size_t)(stop - p);

		if (n >= 7 && memcmp(p, "netdns=", 7) == 0) {
			e->has_netdns = true;
			copy_clean(e->netdns, sizeof(e->netdns), p + 7, n - 7);
		}
		p = comma ? comma + 1 : end;
	}
}

void cw_podfiles_parse_environ(const char *buf, size_t len, bool truncated, struct cw_podenv *out)
{
	const char *p = buf, *end = buf + len;
	bool godebug = false;

	memset(out, 0, sizeof(*out));
	out->truncated = truncated;
	if (truncated) {
		/* The last entry may be cut short: only whole ones count. */
		while (end > buf && end[-1] != '\0')
			end--;
	}
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		const char *stop = nul ? nul : end;
		size_t n = (size_t)(stop - p);

		if (!godebug && n >= 8 && memcmp(p, "GODEBUG=", 8) == 0) {
			godebug = true;
			godebug_netdns(out, p + 8, n - 8);
		} else if (!out->has_res_options && n >= 12 && memcmp(p, "RES_OPTIONS=", 12) == 0) {
			out->has_res_options = true;
			copy_clean(out->res_options, sizeof(out->res_options), p + 12, n - 12);
		} else if (!out->has_localdomain && n >= 12 && memcmp(p, "LOCALDOMAIN=", 12) == 0) {
			out->has_localdomain = true;
			copy_clean(out->localdomain, sizeof(out->localdomain), p + 12, n - 12);
		}
		p = nul ? nul + 1 : end;
	}
}

void cw_podfiles_apply_env(struct cw_resolv *r, const struct cw_podenv *env)
{
	if (env->has_res_options)
		cw_podfiles_parse_options(env->res_options, strlen(env->res_options), r);
	if (env->has_localdomain) {
		const char *p = env->localdomain, *end = p + strlen(p), *w;
		size_t wlen;

		search_reset(r);
		while (next_word(&p, end, &w, &wlen))
			search_add(r, w, wlen);
	}
}

static bool limit_value(const char *w, size_t wlen, uint64_t *out)
{
	char buf[32];

	if (word_is(w, wlen, "unlimited")) {
		*out = CW_NOFILE_UNLIMITED;
		return true;
	}
	if (wlen == 0 || wlen >= sizeof(buf))
		return false;
	memcpy(buf, w, wlen);
	buf[wlen] = '\0';
	return cw_parse_u64(buf, out);
}

int cw_podfiles_parse_limits(const char *text, size_t len, struct cw_nofile *out)
{
	static const char key[] = "Max open files";
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *q = p + sizeof(key) - 1, *w;
		size_t wlen;
		struct cw_nofile v;

		if ((size_t)(eol - p) >= sizeof(key) - 1 && memcmp(p, key, sizeof(key) - 1) == 0 &&
		    (q == eol || is_space(*q))) {
			if (!next_word(&q, eol, &w, &wlen) || !limit_value(w, wlen, &v.soft) ||
			    !next_word(&q, eol, &w, &wlen) || !limit_value(w, wlen, &v.hard))
				return -EBADMSG;
			*out = v;
			return 0;
		}
		p = nl ? nl + 1 : end;
	}
	return -ENOENT;
}

unsigned cw_podfiles_names_per_lookup(const struct cw_resolv *r, unsigned dots)
{
	int ndots = r->ndots < 0 ? 1 : r->ndots;

	return ((int)dots < ndots ? (unsigned)r->nsearch_all : 0) + 1;
}

/* Appends to buf (size n, holding len bytes) without overflowing it. */
static void append(char *buf, size_t n, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*len + 1 >= n)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *len, n - *len, fmt, ap);
	va_end(ap);
	if (w > 0)
		*len += (size_t)w < n - *len ? (size_t)w : n - *len - 1;
}

void cw_podfiles_summary(const struct cw_resolv *r, const struct cw_podenv *env, char *buf,
			 size_t n)
{
	const char *sep = "";
	char addr[64];
	size_t len = 0, i;

	if (n == 0)
		return;
	buf[0] = '\0';
	if (r->nns) {
		append(buf, n, &len, "nameserver %s", cw_addr_str(&r->ns[0], addr, sizeof(addr)));
		if (r->nns_all > 1)
			append(buf, n, &len, " (+%zu)", r->nns_all - 1);
		sep = ", ";
	} else {
		append(buf, n, &len, "no nameserver");
		sep = ", ";
	}
	if (r->ndots >= 0)
		append(buf, n, &len, "%sndots:%d", sep, r->ndots);
	append(buf, n, &len, "%s%zu search domain%s", sep, r->nsearch_all,
	       r->nsearch_all == 1 ? "" : "s");
	if (r->timeout >= 0)
		append(buf, n, &len, ", timeout:%d", r->timeout);
	if (r->attempts >= 0)
		append(buf, n, &len, ", attempts:%d", r->attempts);
	for (i = 0; i < CW_ARRAY_LEN(flag_names); i++)
		if (r->flags & flag_names[i].flag)
			append(buf, n, &len, ", %s", flag_names[i].name);
	if (env && env->has_netdns)
		append(buf, n, &len, "; GODEBUG netdns=%s", env->netdns);
	if (env && env->has_res_options)
		append(buf, n, &len, "; RES_OPTIONS=%s", env->res_options);
	if (env && env->has_localdomain)
		append(buf, n, &len, "; LOCALDOMAIN=%s", env->localdomain);
	/* A cut may have split a character of a value (all of them valid
	 * UTF-8, sanitised): drop a last, incomplete one. */
	for (i = 1; i <= 3 && i <= len; i++) {
		unsigned char c = (unsigned char)buf[len - i];

		if ((c & 0xc0) == 0x80)
			continue; /* a continuation byte: look further back */
		if (c >= 0xc0 && i < (c >= 0xf0 ? 4u : c >= 0xe0 ? 3u : 2u))
			buf[len - i] = '\0';
		break;
	}
}

/* I/O. */

/* Makes a cause from outside text (paths under --procfs, errno). */
static int fail(char **cause, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char **cause, int err, const char *fmt, ...)
{
	char raw[512], clean[512];
	va_list ap;

	if (!cause)
		return err;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	cw_sanitize(clean, sizeof(clean), raw);
	return cw_cause(cause, err, "%s", clean);
}

static const char *why(int err)
{
	switch (err) {
	case -EFBIG:
		return "too large";
	case -EINVAL:
		return "not a regular file";
	case -ELOOP:
		return "a symlink, or too many of them";
	default:
		return strerror(-err);
	}
}

/* <procfs>/<pid>, the directory every other read starts from. */
static int pid_dir(const char *procfs, int pid, char **cause)
{
	char *path = cw_xasprintf("%s/%d", procfs, pid);
	int fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int e = -errno;

	free(path);
	if (fd < 0)
		return fail(cause, e, "pid %d: %s", pid, e == -ENOENT ? "no such process" : why(e));
	return fd;
}

/* Reads name under the pid's directory: a regular file, without blocking
 * and without following a symlink. With partial, at most max bytes and
 * *truncated tells whether there was more; otherwise -EFBIG past max. */
static int read_proc(int dir, const char *name, size_t max, bool partial, char **out, size_t *len,
		     bool *truncated)
{
	int fd = openat(dir, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	size_t n = 0;
	char *buf;
	int e = 0;

	if (fd < 0)
		return -errno;
	if (!partial) {
		e = cw_read_fd(fd, max, out, len);
		close(fd);
		return e;
	}
	*truncated = false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		e = fstat(fd, &st) != 0 ? -errno : S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		close(fd);
		return e;
	}
	buf = cw_xmalloc(max + 1);
	while (n < max) {
		ssize_t r = read(fd, buf + n, max - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (!e && n == max) {
		char more;
		ssize_t r;

		do
			r = read(fd, &more, 1);
		while (r < 0 && errno == EINTR);
		*truncated = r > 0;
	}
	close(fd);
	if (e) {
		free(buf);
		return e;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* Opens path inside the pod's root for reading, as a regular file only.
 * It is resolved with O_PATH first, which opens nothing: a pod could point
 * /etc/resolv.conf at a device whose open() has effects (a watchdog, a
 * tape), so the type is checked before the real open, which goes through
 * our own /proc/self/fd and so reaches the very file that was checked. */
static int open_in_pod(const struct cw_root *root, const char *path)
{
	char self[64];
	struct stat st;
	int fd = cw_root_openat(root, path, O_PATH), rfd;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		int e = fstat(fd, &st) != 0 ? -errno : S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;

		close(fd);
		return e;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	rfd = open(self, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	rfd = rfd < 0 ? -errno : rfd;
	close(fd);
	return rfd;
}

int cw_podfiles_read_resolv(const char *procfs, int pid, struct cw_resolv *out, char **cause)
{
	struct cw_root root = {.fd = -1};
	char *path, *text = NULL;
	size_t len = 0;
	int fd, e;

	resolv_init(out);
	/* <pid>/root is a magic link to the process's root directory, in its
	 * own mount namespace: following it is the point. Below it, src/root.c
	 * resolves every symlink as if that directory were "/". */
	path = cw_xasprintf("%s/%d/root", procfs, pid);
	e = cw_root_open(&root, path, NULL);
	free(path);
	if (e < 0)
		return fail(cause, e, "pid %d: cannot open its root: %s", pid, why(e));
	fd = open_in_pod(&root, "/etc/resolv.conf");
	cw_root_close(&root);
	if (fd < 0)
		return fail(cause, fd, "pid %d: /etc/resolv.conf: %s", pid, why(fd));
	e = cw_read_fd(fd, CW_PODFILES_MAX, &text, &len);
	close(fd);
	if (e < 0)
		return fail(cause, e, "pid %d: /etc/resolv.conf: %s%s", pid, why(e),
			    e == -EFBIG ? " (over 64 KiB)" : "");
	cw_podfiles_parse_resolv(text, len, out);
	free(text);
	return 0;
}

int cw_podfiles_read_environ(const char *procfs, int pid, struct cw_podenv *out, char **cause)
{
	int dir = pid_dir(procfs, pid, cause), e;
	bool truncated = false;
	char *buf = NULL;
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	if (dir < 0)
		return dir;
	e = read_proc(dir, "environ", CW_PODFILES_ENV_MAX, true, &buf, &len, &truncated);
	close(dir);
	if (e < 0)
		return fail(cause, e, "pid %d: environ: %s", pid, why(e));
	cw_podfiles_parse_environ(buf, len, truncated, out);
	free(buf);
	return 0;
}

int cw_podfiles_read_limits(const char *procfs, int pid, struct cw_nofile *out, char **cause)
{
	int dir = pid_dir(procfs, pid, cause), e;
	char *text = NULL;
	size_t len = 0;

	if (dir < 0)
		return dir;
	e = read_proc(dir, "limits", CW_PODFILES_MAX, false, &text, &len, NULL);
	close(dir);
	if (e < 0)
		return fail(cause, e, "pid %d: limits: %s", pid, why(e));
	e = cw_podfiles_parse_limits(text, len, out);
	free(text);
	if (e < 0)
		return fail(cause, e, "pid %d: limits: %s", pid,
			    e == -ENOENT ? "no \"Max open files\" line" : "its open-file limit does not parse");
	return 0;
}

int cw_podfiles_count_fds(const char *procfs, int pid, size_t cap, size_t *count, bool *capped,
			  char **cause)
{
	int dir = pid_dir(procfs, pid, cause), fd;
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	*count = 0;
	*capped = false;
	if (dir < 0)
		return dir;
	fd = openat(dir, "fd", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	fd = fd < 0 ? -errno : fd;
	close(dir);
	if (fd < 0)
		return fail(cause, fd, "pid %d: fd: %s", pid, fd == -ENOTDIR ? "not a directory" : why(fd));
	d = fdopendir(fd);
	if (!d) {
		int e = -errno;

		close(fd);
		return fail(cause, e, "pid %d: fd: %s", pid, why(e));
	}
	/* One entry per open descriptor. A process can hold a million: past
	 * cap, counting stops, and the caller says "at least". */
	errno = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' &&
		    (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (n == cap) {
			*capped = true;
			break;
		}
		n++;
	}
	if (!de && errno && !*capped) {
		int e = -errno;

		closedir(d);
		return fail(cause, e, "pid %d: fd: %s", pid, why(e));
	}
	closedir(d);
	*count = n;
	return 0;
}
