/* node: node limits and per-namespace kernel settings (see node.h). */
#include "config.h"
#include "node.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const sysctl_names[CW_SYSCTL_NFILES] = {
	[CW_SYSCTL_TW_REUSE] = "net/ipv4/tcp_tw_reuse",
	[CW_SYSCTL_FIN_TIMEOUT] = "net/ipv4/tcp_fin_timeout",
	[CW_SYSCTL_MAX_TW_BUCKETS] = "net/ipv4/tcp_max_tw_buckets",
	[CW_SYSCTL_PORT_RANGE] = "net/ipv4/ip_local_port_range",
	[CW_SYSCTL_SOMAXCONN] = "net/core/somaxconn",
	[CW_SYSCTL_CHILD_EHASH] = "net/ipv4/tcp_child_ehash_entries",
	[CW_SYSCTL_CONNTRACK_COUNT] = "net/netfilter/nf_conntrack_count",
};

static const char *const node_names[CW_NODE_NFILES] = {
	[CW_NODE_FILE_NR] = "sys/fs/file-nr",
	[CW_NODE_FILE_MAX] = "sys/fs/file-max",
	/* Global: in a namespace other than the first it reads the same
	 * value, read-only. */
	[CW_NODE_CONNTRACK_MAX] = "sys/net/netfilter/nf_conntrack_max",
};

/* Reads up to n - 1 bytes from offset 0; the text is NUL-terminated. */
static bool pread_text(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got + 1 < n) {
		r = pread(fd, buf + got, n - 1 - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return false;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return true;
}

/* ---- parsers ---- */

/* A decimal number at *p (leading blanks skipped); *p moves past it. */
static bool number(const char **p, int64_t *v)
{
	const char *s = *p;
	int64_t x = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > (INT64_MAX - (*s - '0')) / 10)
			return false;
		x = x * 10 + (*s - '0');
	}
	*p = s;
	*v = x;
	return true;
}

/* Nothing but blanks and one optional newline left. */
static bool at_end(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\n')
		p++;
	return *p == '\0';
}

bool cw_node_parse_int(const char *text, int64_t *v)
{
	const char *p = text;
	int64_t x;

	if (!number(&p, &x) || !at_end(p))
		return false;
	*v = x;
	return true;
}

bool cw_node_parse_file_nr(const char *text, int64_t *allocated)
{
	const char *p = text;
	int64_t a, f, m;

	if (!number(&p, &a) || !number(&p, &f) || !number(&p, &m) || !at_end(p))
		return false;
	*allocated = a;
	return true;
}

bool cw_node_parse_range(const char *text, int64_t *lo, int64_t *hi)
{
	const char *p = text;
	int64_t a, b;

	if (!number(&p, &a) || !number(&p, &b) || !at_end(p) || a > 65535 || b > 65535)
		return false;
	*lo = a;
	*hi = b;
	return true;
}

bool cw_node_parse_ctstat(const char *text, int64_t *entries)
{
	const char *p = strchr(text, '\n'), *s;
	int64_t x = 0;
	int digits = 0;

	if (!p || strncmp(text, "entries", 7) != 0)
		return false;
	/* At most 15 hex digits: 16 could overflow; the kernel prints 8. */
	for (s = p + 1; digits < 15; s++, digits++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0'
			: *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;

		if (d < 0)
			break;
		x = x * 16 + d;
	}
	/* Hex digits, then a blank: anything else is not that file. */
	if (digits == 0 || (*s != ' ' && *s != '\t'))
		return false;
	*entries = x;
	return true;
}

/* ---- one namespace's sysctls ---- */

void cw_sysctl_fds_init(struct cw_sysctl_fds *f)
{
	int i;

	for (i = 0; i < CW_SYSCTL_NFILES; i++)
		f->fd[i] = -1;
}

int cw_sysctl_open(struct cw_sysctl_fds *f, const char *procsys)
{
	int i, n = 0;

	for (i = 0; i < CW_SYSCTL_NFILES; i++) {
		char *path = cw_xasprintf("%s/%s", procsys, sysctl_names[i]);
		int fd = cw_open_regular(path, O_NOFOLLOW);

		free(path);
		f->fd[i] = fd >= 0 ? fd : -1;
		n += fd >= 0;
	}
	return n;
}

void cw_sysctl_close(struct cw_sysctl_fds *f)
{
	int i;

	for (i = 0; i < CW_SYSCTL_NFILES; i++) {
		if (f->fd[i] >= 0)
			close(f->fd[i]);
		f->fd[i] = -1;
	}
}

bool cw_sysctl_is_open(const struct cw_sysctl_fds *f)
{
	int i;

	for (i = 0; i < CW_SYSCTL_NFILES; i++)
		if (f->fd[i] >= 0)
			return true;
	return false;
}

/* One file's text into its place in out. */
static void parse_sysctl(int which, const char *text, struct cw_sysctls *out)
{
	int64_t *dst[CW_SYSCTL_NFILES] = {
		[CW_SYSCTL_TW_REUSE] = &out->tcp_tw_reuse,
		[CW_SYSCTL_FIN_TIMEOUT] = &out->tcp_fin_timeout,
		[CW_SYSCTL_MAX_TW_BUCKETS] = &out->tcp_max_tw_buckets,
		[CW_SYSCTL_SOMAXCONN] = &out->somaxconn,
		[CW_SYSCTL_CHILD_EHASH] = &out->tcp_child_ehash_entries,
		[CW_SYSCTL_CONNTRACK_COUNT] = &out->conntrack_count,
	};
	int64_t v, lo, hi;

	if (which == CW_SYSCTL_PORT_RANGE) {
		if (cw_node_parse_range(text, &lo, &hi)) {
			out->port_lo = lo;
			out->port_hi = hi;
		}
	} else if (cw_node_parse_int(text, &v)) {
		*dst[which] = v;
	}
}

void cw_sysctl_read(const struct cw_sysctl_fds *f, struct cw_sysctls *out)
{
	char buf[128];
	int i;

	cw_sysctls_unknown(out);
	for (i = 0; i < CW_SYSCTL_NFILES; i++)
		if (f->fd[i] >= 0 && pread_text(f->fd[i], buf, sizeof(buf)))
			parse_sysctl(i, buf, out);
}

int cw_sysctl_read_once(const char *procsys, struct cw_sysctls *out)
{
	struct cw_sysctl_fds f;
	int n;

	n = cw_sysctl_open(&f, procsys);
	cw_sysctl_read(&f, out);
	cw_sysctl_close(&f);
	return n ? 0 : -ENOENT;
}

/* ---- the node ---- */

void cw_node_files_init(struct cw_node_files *n)
{
	int i;

	for (i = 0; i < CW_NODE_NFILES; i++)
		n->fd[i] = -1;
	cw_sysctl_fds_init(&n->host);
}

void cw_node_files_open(struct cw_node_files *n, const char *procfs)
{
	int i;

	for (i = 0; i < CW_NODE_NFILES; i++) {
		char *path;
		int fd;

		if (n->fd[i] >= 0)
			continue;
		path = cw_xasprintf("%s/%s", procfs, node_names[i]);
		fd = cw_open_regular(path, O_NOFOLLOW);
		free(path);
		n->fd[i] = fd >= 0 ? fd : -1;
	}
}

void cw_node_files_close(struct cw_node_files *n)
{
	int i;

	for (i = 0; i < CW_NODE_NFILES; i++) {
		if (n->fd[i] >= 0)
			close(n->fd[i]);
		n->fd[i] = -1;
	}
	cw_sysctl_close(&n->host);
}

void cw_node_files_read(const struct cw_node_files *n, struct cw_node *out)
{
	char buf[128];
	int64_t v;

	cw_node_unknown(out);
	if (n->fd[CW_NODE_FILE_NR] >= 0 && pread_text(n->fd[CW_NODE_FILE_NR], buf, sizeof(buf)) &&
	    cw_node_parse_file_nr(buf, &v))
		out->file_nr = v;
	if (n->fd[CW_NODE_FILE_MAX] >= 0 && pread_text(n->fd[CW_NODE_FILE_MAX], buf, sizeof(buf)) &&
	    cw_node_parse_int(buf, &v))
		out->file_max = v;
	if (n->fd[CW_NODE_CONNTRACK_MAX] >= 0 &&
	    pread_text(n->fd[CW_NODE_CONNTRACK_MAX], buf, sizeof(buf)) && cw_node_parse_int(buf, &v))
		out->conntrack_max = v;
	cw_sysctl_read(&n->host, &out->sysctl);
	out->valid = out->file_nr >= 0 || out->file_max >= 0 || out->conntrack_max >= 0 ||
		     cw_sysctl_is_open(&n->host);
}

/* ---- conntrack entries per namespace ---- */

int cw_ctstat_open(const char *netdir)
{
	char *path = cw_xasprintf("%s/stat/nf_conntrack", netdir);
	int fd = cw_open_regular(path, O_NOFOLLOW);

	free(path);
	return fd;
}

int64_t cw_ctstat_read(int fd)
{
	/* A header and one line per possible CPU, each repeating the
	 * namespace's total in its first column ("entries" is not per CPU).
	 * The file is a seq_file that formats lines only as far as the read
	 * asks, so reading the first 512 bytes (the header and the first CPU
	 * line or two) costs the same on 4 CPUs as on 256. */
	char buf[512];
	int64_t v;

	if (fd < 0 || !pread_text(fd, buf, sizeof(buf)) || !cw_node_parse_ctstat(buf, &v))
		return -1;
	return v;
}
