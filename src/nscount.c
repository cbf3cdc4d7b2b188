/* nscount: per-namespace /proc/net counters. */
#include "config.h"
#include "nscount.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const file_names[CW_NSCOUNT_NFILES] = {"sockstat", "sockstat6", "snmp", "netstat"};

int cw_nscount_open(struct cw_nscount *c, const char *dir, char **cause)
{
	int i;

	for (i = 0; i < CW_NSCOUNT_NFILES; i++)
		c->fd[i] = -1;
	for (i = 0; i < CW_NSCOUNT_NFILES; i++) {
		char *p = cw_xasprintf("%s/%s", dir, file_names[i]);
		int fd = cw_open_regular(p, O_NOFOLLOW);

		free(p);
		if (fd >= 0)
			c->fd[i] = fd;
		else if (i == CW_NSCOUNT_SOCKSTAT)
			return cw_cause(cause, fd, "cannot open %s/sockstat: %s", dir,
					fd == -EINVAL ? "not a regular file" : strerror(-fd));
	}
	return 0;
}

void cw_nscount_close(struct cw_nscount *c)
{
	int i;

	for (i = 0; i < CW_NSCOUNT_NFILES; i++) {
		if (c->fd[i] >= 0)
			close(c->fd[i]);
		c->fd[i] = -1;
	}
}

bool cw_nscount_is_open(const struct cw_nscount *c)
{
	return c->fd[CW_NSCOUNT_SOCKSTAT] >= 0;
}

/* Reads a whole small /proc file from offset 0 into buf. */
static int pread_all(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got + 1 < n) {
		r = pread(fd, buf + got, n - 1 - got, (off_t)got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return 0;
}

int cw_nscount_read(struct cw_nscount *c, struct cw_counters *out, char **cause)
{
	static bool (*const parse[CW_NSCOUNT_NFILES])(const char *, struct cw_counters *) = {
		cw_nscount_parse_sockstat, cw_nscount_parse_sockstat6, cw_nscount_parse_snmp,
		cw_nscount_parse_netstat,
	};
	char buf[8192];
	int i, r;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < CW_NSCOUNT_NFILES; i++) {
		if (c->fd[i] < 0)
			continue;
		r = pread_all(c->fd[i], buf, sizeof(buf));
		if (r < 0)
			return cw_cause(cause, r, "cannot read %s: %s", file_names[i], strerror(-r));
		if (!parse[i](buf, out))
			return cw_cause(cause, -EBADMSG, "unexpected format in %s", file_names[i]);
	}
	out->valid = true;
	return 0;
}

/* Finds "key value" in the line that starts with prefix. */
static bool field_after(const char *text, const char *prefix, const char *key, uint64_t *out)
{
	size_t pl = strlen(prefix), kl = strlen(key);
	const char *line = text, *p, *eol;

	for (; line && *line; line = eol ? eol + 1 : NULL) {
		eol = strchr(line, '\n');
		if (strncmp(line, prefix, pl) != 0)
			continue;
		for (p = line + pl; *p && p != eol; p++) {
			if (p[-1] == ' ' && strncmp(p, key, kl) == 0 && p[kl] == ' ') {
				char *end;
				unsigned long long v;

				if (p[kl + 1] < '0' || p[kl + 1] > '9')
					return false; /* strtoull would wrap "-1" */
				errno = 0;
				v = strtoull(p + kl + 1, &end, 10);
				if (errno || end == p + kl + 1)
					return false;
				*out = v;
				return true;
			}
		}
		return false;
	}
	return false;
}

bool cw_nscount_parse_sockstat(const char *text, struct cw_counters *out)
{
	uint64_t inuse, tw;

	if (!field_after(text, "TCP: ", "inuse", &inuse) || !field_after(text, "TCP: ", "tw", &tw))
		return false;
	out->inuse += inuse;
	out->tw = tw;
	return true;
}

bool cw_nscount_parse_sockstat6(const char *text, struct cw_counters *out)
{
	uint64_t inuse;

	if (!field_after(text, "TCP6: ", "inuse", &inuse))
		return false;
	out->inuse += inuse;
	return true;
}

/* Splits one whitespace-separated token from *p; returns its length. */
static size_t token(const char **p, const char *eol)
{
	const char *s = *p;
	size_t n = 0;

	while (s < eol && *s == ' ')
		s++;
	while (s + n < eol && s[n] != ' ')
		n++;
	*p = s;
	return n;
}

bool cw_nscount_table_get(const char *text, const char *prefix, const char *key, uint64_t *out)
{
	size_t pl = strlen(prefix), kl = strlen(key);
	const char *hdr, *val, *he, *ve;

	/* The header line and the value line both start with prefix and
	 * follow each other. */
	for (hdr = text; hdr && *hdr; hdr = he ? he + 1 : NULL) {
		he = strchr(hdr, '\n');
		if (!he)
			return false;
		if (strncmp(hdr, prefix, pl) != 0)
			continue;
		val = he + 1;
		if (strncmp(val, prefix, pl) != 0)
			return false;
		ve = strchr(val, '\n');
		if (!ve)
			ve = val + strlen(val);
		hdr += pl;
		val += pl;
		for (;;) {
			size_t hn = token(&hdr, he), vn = token(&val, ve);

			if (hn == 0 || vn == 0)
				return false;
			if (hn == kl && strncmp(hdr, key, kl) == 0) {
				char tmp[32];
				uint64_t v;

				if (vn >= sizeof(tmp))
					return false;
				memcpy(tmp, val, vn);
				tmp[vn] = '\0';
				/* snmp prints MaxConn as -1: never one we read */
				if (!cw_parse_u64(tmp, &v))
					return false;
				*out = v;
				return true;
			}
			hdr += hn;
			val += vn;
		}
	}
	return false;
}

bool cw_nscount_parse_snmp(const char *text, struct cw_counters *out)
{
	return cw_nscount_table_get(text, "Tcp:", "CurrEstab", &out->curr_estab) &&
	       cw_nscount_table_get(text, "Tcp:", "ActiveOpens", &out->active_opens) &&
	       cw_nscount_table_get(text, "Tcp:", "PassiveOpens", &out->passive_opens) &&
	       cw_nscount_table_get(text, "Tcp:", "AttemptFails", &out->attempt_fails) &&
	       cw_nscount_table_get(text, "Tcp:", "EstabResets", &out->estab_resets) &&
	       cw_nscount_table_get(text, "Tcp:", "InErrs", &out->in_errs) &&
	       cw_nscount_table_get(text, "Tcp:", "OutRsts", &out->out_rsts);
}

bool cw_nscount_parse_netstat(const char *text, struct cw_counters *out)
{
	return cw_nscount_table_get(text, "TcpExt:", "ListenOverflows", &out->listen_overflows) &&
	       cw_nscount_table_get(text, "TcpExt:", "ListenDrops", &out->listen_drops);
}

bool cw_counters_moved(const struct cw_counters *a, const struct cw_counters *b)
{
	return a->valid != b->valid || a->inuse != b->inuse || a->tw != b->tw ||
	       a->curr_estab != b->curr_estab || a->active_opens != b->active_opens ||
	       a->passive_opens != b->passive_opens || a->attempt_fails != b->attempt_fails ||
	       a->estab_resets != b->estab_resets || a->out_rsts != b->out_rsts;
}
