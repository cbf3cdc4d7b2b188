/* test_diag_parse: the sock_diag parser, over dumps captured from a real
 * kernel (tests/fixtures/diag, made by make-fixtures.sh and checked against
 * ss there) and over hostile messages built here. */
#include "config.h"
#include "diag_parse.h"
#include "tap.h"
#include "tcp.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- replay of captured dumps ---- */

static const char *srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s && *s ? s : ".";
}

static char *fixture(const char *name, size_t *len)
{
	char *path = cw_xasprintf("%s/tests/fixtures/diag/%s", srcdir(), name), *text = NULL;
	int r = cw_read_file(path, 1 << 22, &text, len);

	if (r < 0) {
		printf("# cannot read %s: %s\n", path, strerror(-r));
		text = NULL;
	}
	free(path);
	return text;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expected records: "STATE LOCAL LPORT REMOTE RPORT ino:N sk:HEX [cg:HEX]". */
struct expect {
	char **lines;    /* without cg:, sorted */
	size_t n;
	uint64_t *cg_cookie, *cg_id; /* cookie -> cgroup id, where ss knew it */
	size_t ncg;
};

static bool load_expect(const char *name, struct expect *e)
{
	size_t len, cap = 0, cgcap = 0;
	char *text = fixture(name, &len), *line, *save = NULL;

	memset(e, 0, sizeof(*e));
	if (!text)
		return false;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *cg, *sk;

		if (line[0] == '#' || !line[0])
			continue;
		cg = strstr(line, " cg:");
		sk = strstr(line, " sk:");
		if (cg && sk) {
			cw_xgrow((void **)&e->cg_cookie, &cgcap, e->ncg + 1, sizeof(uint64_t));
			e->cg_id = cw_xrealloc(e->cg_id, cgcap * sizeof(uint64_t));
			e->cg_cookie[e->ncg] = strtoull(sk + 4, NULL, 16);
			e->cg_id[e->ncg] = strtoull(cg + 4, NULL, 16);
			e->ncg++;
			*cg = '\0';
		}
		cw_xgrow((void **)&e->lines, &cap, e->n + 1, sizeof(char *));
		e->lines[e->n++] = cw_xstrdup(line);
	}
	free(text);
	qsort(e->lines, e->n, sizeof(char *), cmp_str);
	return true;
}

static void free_expect(struct expect *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->lines[i]);
	free(e->lines);
	free(e->cg_cookie);
	free(e->cg_id);
}

static char *sock_line(const struct cw_sock *s)
{
	char a[64], b[64];

	return cw_xasprintf("%s %s %u %s %u ino:%" PRIu32 " sk:%" PRIx64,
			    cw_tcp_state_name(cw_tcp_state_slot(s->state)),
			    cw_addr_str(&s->src, a, sizeof(a)), (unsigned)s->sport,
			    cw_addr_str(&s->dst, b, sizeof(b)), (unsigned)s->dport, s->inode, s->cookie);
}

/* Replays name.bin as diag.c's dump loop would: seq 1 for the first request,
 * the next seq after each NLMSG_DONE. Returns the number of records. */
static size_t replay(const char *bin, size_t want_dones, struct cw_sockvec *sv, size_t *dones,
		     size_t *messages, bool *clean)
{
	size_t len, off = 0, nrec = 0;
	char *data = fixture(bin, &len), *cause = NULL;
	struct cw_diag_parse_stats st = {0};
	uint32_t seq = 1;

	*dones = 0;
	*clean = data != NULL;
	while (data && off + 4 <= len) {
		uint32_t l;
		char *rec;
		int r;

		memcpy(&l, data + off, 4);
		off += 4;
		if (l > len - off) {
			printf("# %s: record %zu overruns the file\n", bin, nrec);
			*clean = false;
			break;
		}
		/* An exactly sized copy, so a sanitizer sees any over-read. */
		rec = cw_xmalloc(l);
		memcpy(rec, data + off, l);
		off += l;
		if (*dones >= want_dones) {
			printf("# %s: record %zu follows the last NLMSG_DONE\n", bin, nrec + 1);
			*clean = false;
		}
		r = cw_diag_parse(rec, l, seq, sv, &st, &cause);
		free(rec);
		nrec++;
		if (r == CW_DIAG_DONE) {
			(*dones)++;
			seq++;
		} else if (r != CW_DIAG_MORE) {
			printf("# %s: record %zu: %d %s\n", bin, nrec, r, cause ? cause : "");
			*clean = false;
		}
	}
	if (data && off != len)
		*clean = false;
	*messages = st.messages;
	if (st.skipped || st.foreign)
		*clean = false;
	free(cause);
	free(data);
	return nrec;
}

static void check_fixture(const char *name, size_t want_dones, size_t min_records, bool info)
{
	char *bin = cw_xasprintf("%s.bin", name), *txt = cw_xasprintf("%s.txt", name);
	struct cw_sockvec sv = {0};
	struct expect e;
	size_t dones, messages, nrec, i, with_info = 0, want_info = 0, cg_ok = 0;
	char **got;
	bool clean, all_same = true;

	if (!load_expect(txt, &e)) {
		ok(false, "%s: expected records readable", txt);
		goto out;
	}
	nrec = replay(bin, want_dones, &sv, &dones, &messages, &clean);
	ok(clean, "%s: every record parses, no skipped message, nothing after DONE", bin);
	is_int(dones, want_dones, "%s: NLMSG_DONE count (one per request)", bin);
	ok(nrec >= min_records, "%s: %zu receive buffers (at least %zu)", bin, nrec, min_records);
	is_int(sv.n, e.n, "%s: socket count matches ss", bin);
	is_int(messages, e.n, "%s: stats.messages", bin);

	got = cw_xcalloc(sv.n ? sv.n : 1, sizeof(char *));
	for (i = 0; i < sv.n; i++)
		got[i] = sock_line(&sv.v[i]);
	qsort(got, sv.n, sizeof(char *), cmp_str);
	for (i = 0; i < e.n && i < sv.n; i++) {
		if (e.n <= 40)
			is_str(got[i], e.lines[i], "%s: record %zu", bin, i + 1);
		else if (strcmp(got[i], e.lines[i]) != 0 && all_same) {
			printf("#   first difference at %zu:\n#   got: %s\n#  want: %s\n", i + 1,
			       got[i], e.lines[i]);
			all_same = false;
		}
	}
	if (e.n > 40)
		ok(all_same && e.n == sv.n, "%s: all %zu records match ss", bin, e.n);
	for (i = 0; i < sv.n; i++)
		free(got[i]);
	free(got);

	/* cgroup ids, where ss printed them; request and timewait sockets have none. */
	for (i = 0; i < e.ncg; i++) {
		size_t k;

		for (k = 0; k < sv.n; k++)
			if (sv.v[k].cookie == e.cg_cookie[i] && sv.v[k].cgroup_id == e.cg_id[i])
				cg_ok++;
	}
	is_int(cg_ok, e.ncg, "%s: INET_DIAG_CGROUP_ID matches ss for %zu sockets", bin, e.ncg);

	/* tcp_info comes for full sockets only: not TIME_WAIT, not the timewait
	 * FIN_WAIT2 (ino 0) and not request sockets. */
	for (i = 0; i < sv.n; i++) {
		const struct cw_sock *s = &sv.v[i];
		bool full = s->state != CW_TCP_TIME_WAIT && s->state != CW_TCP_NEW_SYN_RECV &&
			    s->inode != 0;

		if (s->has_info)
			with_info++;
		if (info && full)
			want_info++;
		if (s->has_info && s->state == CW_TCP_ESTABLISHED && s->info.rtt_us == 0) {
			printf("# ESTABLISHED socket with rtt 0\n");
			want_info = SIZE_MAX;
		}
	}
	is_int(with_info, want_info, "%s: sockets with tcp_info", bin);
out:
	free_expect(&e);
	cw_sockvec_done(&sv);
	free(bin);
	free(txt);
}

/* The small fixtures hold one socket in each interesting form. */
static void check_small_specifics(void)
{
	struct cw_sockvec sv = {0};
	size_t dones, messages, i;
	bool clean, mapped_server = false, mapped_client = false, v6 = false, nsr = false;

	replay("legacy.bin", 1, &sv, &dones, &messages, &clean);
	for (i = 0; i < sv.n; i++) {
		const struct cw_sock *s = &sv.v[i];

		if (s->family == AF_INET6 && s->src.family == AF_INET && s->sport == 8081 &&
		    s->state == CW_TCP_ESTABLISHED)
			mapped_server = s->src.bytes[0] == 127 && s->dst.family == AF_INET;
		if (s->family == AF_INET6 && s->src.family == AF_INET && s->dport == 8080)
			mapped_client = true;
		if (s->family == AF_INET6 && s->src.family == AF_INET6 && s->sport == 8082 &&
		    s->state == CW_TCP_ESTABLISHED)
			v6 = s->src.bytes[15] == 1 && s->dst.bytes[15] == 1;
		/* The kernel reports request sockets as SYN_RECV (3), not
		 * NEW_SYN_RECV (12), in dumps. */
		if (s->state == CW_TCP_SYN_RECV)
			nsr = s->sport == 8083 && s->inode == 0 && s->dst.bytes[3] == 2;
	}
	ok(mapped_server, "legacy.bin: v4-mapped server socket (AF_INET6) stored as IPv4");
	ok(mapped_client, "legacy.bin: v4-mapped client socket stored as IPv4");
	ok(v6, "legacy.bin: ::1 pair stays IPv6");
	ok(nsr, "legacy.bin: request socket (SYN_RECV, inode 0) from 10.9.0.2");
	cw_sockvec_done(&sv);

	/* The same bytes answered to another request: all skipped. */
	{
		size_t len, off = 0, recs = 0, n = 0;
		char *data = fixture("legacy.bin", &len), *cause = NULL;
		struct cw_diag_parse_stats st = {0};
		struct cw_sockvec other = {0};
		bool more = true;

		while (data && off + 4 <= len) {
			uint32_t l;

			memcpy(&l, data + off, 4);
			if (l > len - off - 4)
				break;
			more = more && cw_diag_parse(data + off + 4, l, 99, &other, &st, &cause) ==
					       CW_DIAG_MORE;
			off += 4 + l;
			recs++;
		}
		n = other.n;
		ok(data && recs == 2 && more, "legacy.bin under seq 99: no DONE, no error");
		is_int(n, 0, "legacy.bin under seq 99: no socket");
		is_int(st.foreign, 18, "legacy.bin under seq 99: 17 sockets + DONE foreign");
		is_int(st.skipped, 0, "legacy.bin under seq 99: nothing else skipped");
		free(data);
		free(cause);
		cw_sockvec_done(&other);
	}
}

/* Every prefix of a real buffer: never a crash, only MORE (at a message
 * boundary) or -EBADMSG. */
static void check_truncations(void)
{
	size_t len, l, bad = 0, boundaries = 0;
	char *data = fixture("legacy-info.bin", &len);
	uint32_t rl;

	if (!data || len < 4) {
		ok(false, "legacy-info.bin readable");
		free(data);
		return;
	}
	memcpy(&rl, data, 4);
	for (l = 0; l < rl && 4 + rl <= len; l++) {
		struct cw_sockvec sv = {0};
		char *cause = NULL, *rec = cw_xmalloc(l ? l : 1);
		int r;

		memcpy(rec, data + 4, l);
		r = cw_diag_parse(rec, l, 1, &sv, NULL, &cause);
		if (r == CW_DIAG_MORE)
			boundaries++;
		else if (r != -EBADMSG)
			bad++;
		if (r == -EBADMSG && !cause)
			bad++;
		free(rec);
		free(cause);
		cw_sockvec_done(&sv);
	}
	is_int(bad, 0, "every truncation of a real buffer: MORE or -EBADMSG with a cause");
	/* 0..3 bytes (padding) and each message boundary parse cleanly. */
	ok(boundaries >= 4 + 10, "truncations at message boundaries parse (%zu)", boundaries);
	free(data);
}

/* ---- synthetic messages ---- */

struct buf {
	unsigned char *b;
	size_t len, cap;
};

static struct nlmsghdr *msg_start(struct buf *m, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr h = {.nlmsg_len = sizeof(h), .nlmsg_type = type, .nlmsg_flags = flags,
			     .nlmsg_seq = seq, .nlmsg_pid = 0};

	cw_xgrow((void **)&m->b, &m->cap, m->len + 65536, 1);
	memcpy(m->b + m->len, &h, sizeof(h));
	m->len += sizeof(h);
	return (struct nlmsghdr *)(m->b + m->len - sizeof(h));
}

/* Appends bytes to the last message (aligned to 4), updating its length. */
static void msg_put(struct buf *m, struct nlmsghdr *h, const void *p, size_t n)
{
	size_t pad = NLMSG_ALIGN(n) - n;

	memcpy(m->b + m->len, p, n);
	memset(m->b + m->len + n, 0, pad);
	m->len += n + pad;
	h->nlmsg_len += (uint32_t)(n + pad);
}

static void msg_attr(struct buf *m, struct nlmsghdr *h, uint16_t type, const void *p, size_t n)
{
	struct nlattr a = {.nla_len = (uint16_t)(sizeof(a) + n), .nla_type = type};
	unsigned char tmp[4096];

	memcpy(tmp, &a, sizeof(a));
	memcpy(tmp + sizeof(a), p, n);
	msg_put(m, h, tmp, sizeof(a) + n);
}

static struct inet_diag_msg diag_msg(uint8_t family, uint8_t state, const char *src,
				     uint16_t sport, const char *dst, uint16_t dport)
{
	struct inet_diag_msg d;

	memset(&d, 0, sizeof(d));
	d.idiag_family = family;
	d.idiag_state = state;
	d.id.idiag_sport = htons(sport);
	d.id.idiag_dport = htons(dport);
	inet_pton(family, src, d.id.idiag_src);
	inet_pton(family, dst, d.id.idiag_dst);
	d.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	d.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	return d;
}

static struct nlmsghdr *put_sock(struct buf *m, uint32_t seq, const struct inet_diag_msg *d)
{
	struct nlmsghdr *h = msg_start(m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, seq);

	msg_put(m, h, d, sizeof(*d));
	return h;
}

static void put_done(struct buf *m, uint32_t seq, uint16_t flags)
{
	struct nlmsghdr *h = msg_start(m, NLMSG_DONE, NLM_F_MULTI | flags, seq);
	int zero = 0;

	msg_put(m, h, &zero, sizeof(zero));
}

static void put_error(struct buf *m, uint32_t seq, int err, size_t payload)
{
	struct nlmsghdr *h = msg_start(m, NLMSG_ERROR, 0, seq);
	struct nlmsgerr e;

	memset(&e, 0, sizeof(e));
	e.error = err;
	msg_put(m, h, &e, payload < sizeof(e) ? payload : sizeof(e));
}

/* Parses m in an exactly sized heap copy. */
static int parse(const struct buf *m, uint32_t seq, struct cw_sockvec *sv,
		 struct cw_diag_parse_stats *st, char **cause)
{
	void *copy = cw_xmalloc(m->len ? m->len : 1);
	int r;

	memcpy(copy, m->b, m->len);
	r = cw_diag_parse(copy, m->len, seq, sv, st, cause);
	free(copy);
	return r;
}

static void reset(struct buf *m, struct cw_sockvec *sv, struct cw_diag_parse_stats *st, char **cause)
{
	m->len = 0;
	cw_sockvec_clear(sv);
	memset(st, 0, sizeof(*st));
	free(*cause);
	*cause = NULL;
}

static void test_valid(void)
{
	struct buf m = {0};
	struct cw_sockvec sv = {0};
	struct cw_diag_parse_stats st = {0};
	struct inet_diag_msg d;
	struct nlmsghdr *h;
	char *cause = NULL, a[64];
	uint64_t cg = 0x0000000100000abcull;
	int r;

	d = diag_msg(AF_INET, CW_TCP_ESTABLISHED, "10.0.0.1", 1234, "10.0.0.2", 80);
	d.id.idiag_cookie[0] = 0x89abcdef;
	d.id.idiag_cookie[1] = 0x01234567;
	d.idiag_inode = 4242;
	d.idiag_uid = 1000;
	d.idiag_rqueue = 5;
	d.idiag_wqueue = 6;
	d.idiag_timer = 1;
	d.idiag_retrans = 2;
	d.idiag_expires = 300;
	h = put_sock(&m, 7, &d);
	msg_attr(&m, h, INET_DIAG_CGROUP_ID, &cg, sizeof(cg));
	r = parse(&m, 7, &sv, &st, &cause);
	is_int(r, CW_DIAG_MORE, "one socket, no DONE: MORE");
	is_int(sv.n, 1, "one socket");
	if (sv.n == 1) {
		const struct cw_sock *s = &sv.v[0];

		is_int(s->state, CW_TCP_ESTABLISHED, "state");
		is_int(s->family, AF_INET, "family");
		is_str(cw_addr_str(&s->src, a, sizeof(a)), "10.0.0.1", "src");
		is_str(cw_addr_str(&s->dst, a, sizeof(a)), "10.0.0.2", "dst");
		is_int(s->sport, 1234, "sport (network order converted)");
		is_int(s->dport, 80, "dport");
		ok(s->cookie == 0x0123456789abcdefull, "cookie: [1] is the high word, [0] the low (got %" PRIx64 ")", s->cookie);
		is_int(s->inode, 4242, "inode");
		is_int(s->uid, 1000, "uid");
		is_int(s->rqueue, 5, "rqueue");
		is_int(s->wqueue, 6, "wqueue");
		is_int(s->timer, 1, "timer");
		is_int(s->retrans, 2, "retrans");
		is_int(s->expires_ms, 300, "expires");
		ok(s->cgroup_id == 0x0000000100000abcull, "INET_DIAG_CGROUP_ID (got %" PRIx64 ")", s->cgroup_id);
		ok(!s->has_info, "no tcp_info");
	}
	is_int(st.messages, 1, "stats.messages");
	is_int(st.skipped, 0, "stats.skipped");

	/* Appends after what is there; DONE ends the dump. */
	m.len = 0;
	d = diag_msg(AF_INET6, CW_TCP_LISTEN, "fd00::1", 443, "::", 0);
	put_sock(&m, 7, &d);
	d = diag_msg(AF_INET6, CW_TCP_SYN_SENT, "::ffff:10.1.2.3", 40000, "::ffff:192.168.0.9", 5432);
	put_sock(&m, 7, &d);
	d = diag_msg(AF_INET, CW_TCP_NEW_SYN_RECV, "10.0.0.1", 80, "10.0.0.3", 50000);
	put_sock(&m, 7, &d);
	put_done(&m, 7, 0);
	r = parse(&m, 7, &sv, &st, &cause);
	is_int(r, CW_DIAG_DONE, "three sockets and DONE: DONE");
	is_int(sv.n, 4, "appended to the vector (1 + 3)");
	if (sv.n == 4) {
		is_int(sv.v[1].src.family, AF_INET6, "IPv6 listener stays IPv6");
		is_str(cw_addr_str(&sv.v[1].src, a, sizeof(a)), "fd00::1", "IPv6 src");
		is_str(cw_addr_str(&sv.v[1].dst, a, sizeof(a)), "::", "IPv6 any dst");
		is_int(sv.v[2].family, AF_INET6, "v4-mapped: socket family stays AF_INET6");
		is_int(sv.v[2].src.family, AF_INET, "v4-mapped src normalised to AF_INET");
		is_int(sv.v[2].dst.family, AF_INET, "v4-mapped dst normalised to AF_INET");
		is_str(cw_addr_str(&sv.v[2].src, a, sizeof(a)), "10.1.2.3", "v4-mapped src address");
		is_str(cw_addr_str(&sv.v[2].dst, a, sizeof(a)), "192.168.0.9", "v4-mapped dst address");
		ok(memcmp(sv.v[2].src.bytes + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0,
		   "v4-mapped: bytes past the IPv4 address are zero");
		is_int(sv.v[3].state, CW_TCP_NEW_SYN_RECV, "NEW_SYN_RECV kept raw (folded later)");
		ok(sv.v[1].cookie == ((uint64_t)INET_DIAG_NOCOOKIE << 32 | INET_DIAG_NOCOOKIE),
		   "cookie of all ones assembled as all ones");
	}
	is_int(st.messages, 4, "stats.messages accumulates");

	/* A near-v4-mapped address (::fffe:...) is IPv6. */
	reset(&m, &sv, &st, &cause);
	d = diag_msg(AF_INET6, CW_TCP_ESTABLISHED, "::fffe:10.1.2.3", 1, "::1:ffff:10.1.2.3", 2);
	put_sock(&m, 7, &d);
	parse(&m, 7, &sv, &st, &cause);
	ok(sv.n == 1 && sv.v[0].src.family == AF_INET6 && sv.v[0].dst.family == AF_INET6,
	   "::fffe:a.b.c.d and ::1:ffff:a.b.c.d are not v4-mapped");

	/* TCPDIAG_GETSOCK replies (legacy) parse the same. */
	reset(&m, &sv, &st, &cause);
	d = diag_msg(AF_INET, CW_TCP_CLOSE_WAIT, "10.0.0.1", 1, "10.0.0.2", 2);
	h = msg_start(&m, TCPDIAG_GETSOCK, NLM_F_MULTI, 3);
	msg_put(&m, h, &d, sizeof(d));
	r = parse(&m, 3, &sv, &st, &cause);
	ok(r == CW_DIAG_MORE && sv.n == 1 && sv.v[0].state == CW_TCP_CLOSE_WAIT,
	   "TCPDIAG_GETSOCK message type accepted");

	/* seq 0 is not an answer to our request: the socket joins no
	 * multicast group, so only a forged message would carry it. */
	reset(&m, &sv, &st, &cause);
	put_sock(&m, 0, &d);
	put_done(&m, 0, 0);
	r = parse(&m, 3, &sv, &st, &cause);
	ok(r == CW_DIAG_MORE && sv.n == 0, "seq 0: skipped, its DONE does not end the dump");
	is_int(st.foreign, 2, "seq 0: both messages counted as foreign");

	/* Empty buffer and padding-only buffers. */
	reset(&m, &sv, &st, &cause);
	is_int(cw_diag_parse("", 0, 1, &sv, &st, &cause), CW_DIAG_MORE, "empty buffer: MORE");
	is_int(cw_diag_parse("\0\0\0", 3, 1, &sv, &st, &cause), CW_DIAG_MORE,
	       "3 bytes of padding: MORE");
	is_int(sv.n, 0, "no socket from nothing");

	free(cause);
	free(m.b);
	cw_sockvec_done(&sv);
}

static void test_info(void)
{
	struct buf m = {0};
	struct cw_sockvec sv = {0};
	struct cw_diag_parse_stats st = {0};
	struct inet_diag_msg d = diag_msg(AF_INET, CW_TCP_ESTABLISHED, "10.0.0.1", 1, "10.0.0.2", 2);
	struct tcp_info ti;
	unsigned char big[sizeof(struct tcp_info) + 64];
	struct nlmsghdr *h;
	char *cause = NULL;
	size_t min = offsetof(struct tcp_info, tcpi_total_retrans) + sizeof(ti.tcpi_total_retrans);
	int r;

	memset(&ti, 0, sizeof(ti));
	ti.tcpi_rtt = 1500;
	ti.tcpi_rttvar = 250;
	ti.tcpi_retransmits = 1;
	ti.tcpi_total_retrans = 7;
	ti.tcpi_last_data_sent = 10;
	ti.tcpi_last_data_recv = 20;
	ti.tcpi_unacked = 3;
	ti.tcpi_lost = 2;

	h = put_sock(&m, 1, &d);
	msg_attr(&m, h, INET_DIAG_INFO, &ti, sizeof(ti));
	r = parse(&m, 1, &sv, &st, &cause);
	is_int(r, CW_DIAG_MORE, "full tcp_info parses");
	ok(sv.n == 1 && sv.v[0].has_info, "has_info with a full tcp_info");
	if (sv.n == 1) {
		const struct cw_tcpinfo *i = &sv.v[0].info;

		is_int(i->rtt_us, 1500, "rtt");
		is_int(i->rttvar_us, 250, "rttvar");
		is_int(i->retransmits, 1, "retransmits");
		is_int(i->total_retrans, 7, "total_retrans");
		is_int(i->last_data_sent_ms, 10, "last_data_sent");
		is_int(i->last_data_recv_ms, 20, "last_data_recv");
		is_int(i->unacked, 3, "unacked");
		is_int(i->lost, 2, "lost");
	}

	/* 8 bytes: too short. */
	reset(&m, &sv, &st, &cause);
	h = put_sock(&m, 1, &d);
	msg_attr(&m, h, INET_DIAG_INFO, &ti, 8);
	r = parse(&m, 1, &sv, &st, &cause);
	ok(r == CW_DIAG_MORE && sv.n == 1, "8-byte tcp_info: the socket is kept");
	ok(sv.n == 1 && !sv.v[0].has_info, "8-byte tcp_info: has_info false");
	ok(sv.n == 1 && sv.v[0].info.rtt_us == 0, "8-byte tcp_info: no fields set");

	/* Exactly up to tcpi_total_retrans: enough; one byte less: not. */
	reset(&m, &sv, &st, &cause);
	h = put_sock(&m, 1, &d);
	msg_attr(&m, h, INET_DIAG_INFO, &ti, min);
	parse(&m, 1, &sv, &st, &cause);
	ok(sv.n == 1 && sv.v[0].has_info && sv.v[0].info.total_retrans == 7 &&
	   sv.v[0].info.rtt_us == 1500, "tcp_info up to tcpi_total_retrans (%zu bytes): has_info", min);
	reset(&m, &sv, &st, &cause);
	h = put_sock(&m, 1, &d);
	msg_attr(&m, h, INET_DIAG_INFO, &ti, min - 1);
	parse(&m, 1, &sv, &st, &cause);
	ok(sv.n == 1 && !sv.v[0].has_info, "tcp_info one byte shorter (%zu): has_info false", min - 1);

	/* Longer than this build's struct (a newer kernel): the known prefix. */
	reset(&m, &sv, &st, &cause);
	memset(big, 0xee, sizeof(big));
	memcpy(big, &ti, sizeof(ti));
	h = put_sock(&m, 1, &d);
	msg_attr(&m, h, INET_DIAG_INFO, big, sizeof(big));
	r = parse(&m, 1, &sv, &st, &cause);
	ok(r == CW_DIAG_MORE && sv.n == 1 && sv.v[0].has_info && sv.v[0].info.rtt_us == 1500 &&
	   sv.v[0].info.lost == 2, "over-long tcp_info (%zu bytes): known fields read", sizeof(big));

	/* Empty INFO attribute. */
	reset(&m, &sv, &st, &cause);
	h = put_sock(&m, 1, &d);
	msg_attr(&m, h, INET_DIAG_INFO, "", 0);
	r = parse(&m, 1, &sv, &st, &cause);
	ok(r == CW_DIAG_MORE && sv.n == 1 && !sv.v[0].has_info, "empty tcp_info attribute");

	free(cause);
	free(m.b);
	cw_sockvec_done(&sv);
}

static void test_hostile(void)
{
	struct buf m = {0};
	struct cw_sockvec sv = {0};
	struct cw_diag_parse_stats st = {0};
	struct inet_diag_msg d = diag_msg(AF_INET, CW_TCP_ESTABLISHED, "10.0.0.1", 1, "10.0.0.2", 2);
	struct tcp_info ti;
	struct nlmsghdr *h;
	char *cause = NULL;
	uint64_t cg = 99;
	uint32_t cg32 = 5;
	int r;

	memset(&ti, 0, sizeof(ti));
	ti.tcpi_rtt = 77;

	/* Truncated nlmsghdr. */
	reset(&m, &sv, &st, &cause);
	put_sock(&m, 1, &d);
	m.len = 10;
	r = parse(&m, 1, &sv, &st, &cause);
	is_int(r, -EBADMSG, "10 bytes of a header: -EBADMSG");
	ok(cause && strstr(cause, "trailing bytes"), "cause says what is wrong (%s)", cause ? cause : "");
	is_int(sv.n, 0, "no socket");

	/* nlmsg_len larger than the buffer. */
	reset(&m, &sv, &st, &cause);
	h = put_sock(&m, 1, &d);
	h->nlmsg_len += 100;
	r = parse(&m, 1, &sv, &st, &cause);
	is_int(r, -EBADMSG, "nlmsg_len past the buffer: -EBADMSG");
	is_int(sv.n, 0, "no socket from it");

	/* nlmsg_len smaller than a header. */
	reset(&m, &sv, &st, &cause);
	h = put_sock(&m, 1, &d);
	h->nlmsg_len = 8;
	r = parse(&m, 1, &sv, &st, &cause);
	is_int(r, -EBADMSG, "nlmsg_len 8 (< header): -EBADMSG");

	/* A good message followed by a truncated one. */
	reset(&m, &sv, &st, &cause);
	put_sock(&m, 1, &d);
	put_sock(&m, 1, &d);
	m.len -= 30;
	r = parse(&m, 1, &sv, &st, &cause);
	is_int(r, -EBADMSG, "second message cut short: -EBADMSG");

	/* inet_diag_msg shorter than its struct. */
	reset(&m, &sv, &st, &cause);
	h = msg_start(&m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 1);
	msg_put(&m, h, &d, 40);
	r = parse(&m, 1, &sv, &st, &cause);
	is_int(r, -EBADMSG, "40-byte inet_diag_msg: -EBADMSG");
	ok(cause && strstr(cause, "truncated message (40 bytes)"), "cause names the size (%s)",
	   cause ? cause : "");
	is_int(sv.n, 0, "no socket from a short message");

	/* Not a TCP address family. */
	reset(&m, &sv, &st, &cause);
	{
		struct inet_diag_msg u = d;

		u.idiag_family = AF_UNIX;
		put_sock(&m, 1, &u);
	}
	r = parse(&m, 1, &sv, &st, &cause);
	is_int(r, -EBADMSG, "family AF_UNIX: -EBADMSG");

	/* Attribute with nla_len below its header: iteration stops, socket kept. */
	reset(&m, &sv, &st, &cause);
	h = put_sock(&m, 1, &d);
	{
		struct nlattr *a;

		msg_attr(&m, h, INET_DIAG_SHUTDOWN, "\0\0\0", 4);
		a = (struct nlattr *)(m.b + m.len - 8);
		a->nla_len = 2;
		msg_attr(&m, h, INET_DIAG_INFO, &ti, sizeof(ti));
	}
	r = parse(&m, 1, &sv, &st, &cause);
	ok(r == CW_DIAG_MORE && sv.n == 1, "nla_len 2: socket kept");
	ok(sv.n == 1 && !sv.v[0].has_info, "nla_len 2: later attributes ignored");

	/* Attribute longer than what is left of the message. */
	reset(&m, &sv, &st, &cause);
	h = put_sock(&m, 1, &d);
	{
		struct nlattr *a;

		msg_attr(&m, h, INET_DIAG_INFO, &ti, sizeof(ti));
		a = (struct nlattr *)(m.b + m.len - NLMSG_ALIGN(sizeof(ti) + 4));
		a->nla_len = (uint16_t)(sizeof(ti) + 4 + 64);
	}
	put_sock(&m, 1, &d); /* the next message must still be found */
	r = parse(&m, 1, &sv, &st, &cause);
	ok(r == CW_DIAG_MORE && sv.n == 2, "over-long attribute: both sockets kept");
	ok(sv.n == 2 && !sv.v[0].has_info && !sv.v[1].has_info,
	   "over-long attribute: not read past its message");

	/* nlmsg_len not a multiple of 4, the buffer ending with it: an attribute
	 * that fits the aligned length but not the message must not be read
	 * (a sanitizer flags the 3 bytes past the buffer). */
	reset(&m, &sv, &st, &cause);
	h = put_sock(&m, 1, &d);
	msg_attr(&m, h, INET_DIAG_INFO, "\x01\x02\x03\x04", 4);
	h->nlmsg_len -= 3;
	m.len = h->nlmsg_len;
	r = parse(&m, 1, &sv, &st, &cause);
	ok(r == CW_DIAG_MORE && sv.n == 1, "unaligned nlmsg_len at the buffer end: socket kept");
	ok(sv.n == 1 && !sv.v[0].has_info, "attribute cut by nlmsg_len: no tcp_info");

	/* INET_DIAG_CGROUP_ID shorter than 8 bytes is ignored. */
	reset(&m, &sv, &st, &cause);
	h = put_sock(&m, 1, &d);
	msg_attr(&m, h, INET_DIAG_CGROUP_ID, &cg32, sizeof(cg32));
	parse(&m, 1, &sv, &st, &cause);
	ok(sv.n == 1 && sv.v[0].cgroup_id == 0, "4-byte INET_DIAG_CGROUP_ID ignored");

	/* Unknown attributes are skipped, later known ones read. */
	reset(&m, &sv, &st, &cause);
	h = put_sock(&m, 1, &d);
	msg_attr(&m, h, 200, "abcdefg", 7);
	msg_attr(&m, h, INET_DIAG_CGROUP_ID, &cg, sizeof(cg));
	parse(&m, 1, &sv, &st, &cause);
	ok(sv.n == 1 && sv.v[0].cgroup_id == 99, "unknown attribute (odd length) skipped");

	/* NLMSG_ERROR. */
	reset(&m, &sv, &st, &cause);
	put_error(&m, 1, -EINVAL, sizeof(struct nlmsgerr));
	r = parse(&m, 1, &sv, &st, &cause);
	is_int(r, -EINVAL, "NLMSG_ERROR -EINVAL: -EINVAL");
	ok(cause && strstr(cause, "Invalid argument"), "cause has the error text (%s)", cause ? cause : "");
	reset(&m, &sv, &st, &cause);
	put_error(&m, 1, EOPNOTSUPP, sizeof(struct nlmsgerr));
	is_int(parse(&m, 1, &sv, &st, &cause), -EOPNOTSUPP, "NLMSG_ERROR with a positive errno");
	reset(&m, &sv, &st, &cause);
	put_error(&m, 1, -ENOENT, sizeof(int));
	r = parse(&m, 1, &sv, &st, &cause);
	is_int(r, -EBADMSG, "NLMSG_ERROR with a truncated nlmsgerr (4 bytes): -EBADMSG");
	ok(cause && strstr(cause, "truncated error"), "cause says truncated (%s)", cause ? cause : "");
	reset(&m, &sv, &st, &cause);
	put_error(&m, 1, INT_MIN, sizeof(struct nlmsgerr));
	r = parse(&m, 1, &sv, &st, &cause);
	ok(r < 0 && r != INT_MIN, "NLMSG_ERROR INT_MIN: an error, not INT_MIN (%d)", r);
	reset(&m, &sv, &st, &cause);
	put_error(&m, 1, 0, sizeof(struct nlmsgerr));
	put_sock(&m, 1, &d);
	r = parse(&m, 1, &sv, &st, &cause);
	ok(r == CW_DIAG_MORE && sv.n == 1, "NLMSG_ERROR 0 (an ACK) is not an error");
	reset(&m, &sv, &st, &cause);
	put_error(&m, 9, -EINVAL, sizeof(struct nlmsgerr));
	r = parse(&m, 1, &sv, &st, &cause);
	is_int(r, CW_DIAG_MORE, "NLMSG_ERROR for another seq is skipped");
	is_int(st.foreign, 1, "NLMSG_ERROR for another seq: counted as foreign");

	/* NLM_F_DUMP_INTR, on a socket message or on DONE. */
	reset(&m, &sv, &st, &cause);
	h = put_sock(&m, 1, &d);
	h->nlmsg_flags |= NLM_F_DUMP_INTR;
	r = parse(&m, 1, &sv, &st, &cause);
	is_int(r, -EINTR, "NLM_F_DUMP_INTR on a message: -EINTR");
	ok(cause && strstr(cause, "interrupted"), "cause says interrupted (%s)", cause ? cause : "");
	reset(&m, &sv, &st, &cause);
	put_sock(&m, 1, &d);
	put_done(&m, 1, NLM_F_DUMP_INTR);
	is_int(parse(&m, 1, &sv, &st, &cause), -EINTR, "NLM_F_DUMP_INTR on DONE: -EINTR");

	/* NLMSG_DONE stops parsing: what follows is not read. */
	reset(&m, &sv, &st, &cause);
	put_done(&m, 1, 0);
	put_sock(&m, 1, &d);
	r = parse(&m, 1, &sv, &st, &cause);
	ok(r == CW_DIAG_DONE && sv.n == 0, "DONE first: DONE, nothing after it read");

	/* Wrong seq: skipped, including its DONE. */
	reset(&m, &sv, &st, &cause);
	put_sock(&m, 4, &d);
	put_done(&m, 4, 0);
	put_sock(&m, 5, &d);
	r = parse(&m, 5, &sv, &st, &cause);
	is_int(r, CW_DIAG_MORE, "a stale dump's DONE does not end this one");
	is_int(sv.n, 1, "only the socket with our seq");
	is_int(st.foreign, 2, "stats.foreign counts the stale messages");
	is_int(st.skipped, 0, "stats.skipped does not");
	is_int(st.messages, 1, "stats.messages counts ours");

	/* Unknown states: 13 (TCP_BOUND_INACTIVE), 0 and 255 are skipped. */
	reset(&m, &sv, &st, &cause);
	{
		struct inet_diag_msg x = d;

		x.idiag_state = 13;
		put_sock(&m, 1, &x);
		x.idiag_state = 0;
		put_sock(&m, 1, &x);
		x.idiag_state = 255;
		put_sock(&m, 1, &x);
		x.idiag_state = CW_TCP_CLOSING;
		put_sock(&m, 1, &x);
	}
	r = parse(&m, 1, &sv, &st, &cause);
	is_int(r, CW_DIAG_MORE, "unknown states: not an error");
	ok(sv.n == 1 && sv.v[0].state == CW_TCP_CLOSING, "states 13, 0, 255 skipped; CLOSING kept");
	is_int(st.skipped, 3, "stats.skipped counts unknown states");
	is_int(st.messages, 1, "stats.messages counts accepted messages only");

	/* Other message types: NOOP ignored, unknown types skipped. */
	reset(&m, &sv, &st, &cause);
	msg_start(&m, NLMSG_NOOP, 0, 1);
	msg_start(&m, 0x77, 0, 1);
	put_sock(&m, 1, &d);
	r = parse(&m, 1, &sv, &st, &cause);
	ok(r == CW_DIAG_MORE && sv.n == 1, "NOOP and unknown message types pass");
	is_int(st.skipped, 1, "unknown message type counted as skipped");

	free(cause);
	free(m.b);
	cw_sockvec_done(&sv);
}

/* ---- forged datagrams, as another process could send them ---- */

struct guarded {
	int r;
	size_t n;
	char cause[160];
};

/* Parses bytes placed at the very end of a page that is followed by an
 * inaccessible one, in a child process with an alarm: an over-read faults
 * and a walk that never ends is killed, and either is reported as a
 * failure here instead of ending (or hanging) the whole test. */
static bool parse_guarded(const unsigned char *bytes, size_t len, struct guarded *g, char *why,
			  size_t whylen)
{
	long page = sysconf(_SC_PAGESIZE);
	int fds[2], status;
	pid_t pid;

	memset(g, 0, sizeof(*g));
	if (pipe(fds) != 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return false;
	}
	fflush(stdout); /* or the child could write what is buffered a second time */
	pid = fork();
	if (pid == 0) {
		unsigned char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct cw_sockvec sv = {0};
		char *cause = NULL;

		close(fds[0]);
		if (map == MAP_FAILED || mprotect(map + page, (size_t)page, PROT_NONE) != 0)
			_exit(3);
		memcpy(map + page - len, bytes, len);
		alarm(2);
		g->r = cw_diag_parse(map + page - len, len, 1, &sv, NULL, &cause);
		g->n = sv.n;
		snprintf(g->cause, sizeof(g->cause), "%s", cause ? cause : "");
		if (write(fds[1], g, sizeof(*g)) != (ssize_t)sizeof(*g))
			_exit(4);
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		snprintf(why, whylen, "fork/wait: %s", strerror(errno));
		close(fds[0]);
		return false;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, whylen, "killed by %s", WTERMSIG(status) == SIGALRM ? "the alarm (a loop)"
						     : strsignal(WTERMSIG(status)));
		close(fds[0]);
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    read(fds[0], g, sizeof(*g)) != (ssize_t)sizeof(*g)) {
		snprintf(why, whylen, "child failed (status %d)", status);
		close(fds[0]);
		return false;
	}
	close(fds[0]);
	snprintf(why, whylen, "returned %d", g->r);
	return true;
}

static void test_forged(void)
{
	static const struct {
		unsigned char b[16];
		const char *what;
	} cases[] = {
		/* nlmsg_len 0xffffffff, NLMSG_NOOP: a signed compare lets it
		 * pass and the aligned step wraps to 0, so the walk spun. */
		{{0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		 "nlmsg_len 0xffffffff, NOOP"},
		/* nlmsg_len 2^31, SOCK_DIAG_BY_FAMILY: the payload was read
		 * past the 16 bytes received. */
		{{0x00, 0x00, 0x00, 0x80, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		 "nlmsg_len 2^31, SOCK_DIAG_BY_FAMILY"},
		/* nlmsg_len 0xffffffff, NLMSG_ERROR: e->error was read past it. */
		{{0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		 "nlmsg_len 0xffffffff, NLMSG_ERROR"},
	};
	size_t i;

	for (i = 0; i < CW_ARRAY_LEN(cases); i++) {
		struct guarded g;
		char why[200];
		bool done = parse_guarded(cases[i].b, sizeof(cases[i].b), &g, why, sizeof(why));

		ok(done, "forged %s: the parse ends, within the buffer (%s)", cases[i].what, why);
		is_int(g.r, -EBADMSG, "forged %s: -EBADMSG", cases[i].what);
		ok(g.n == 0 && strstr(g.cause, "does not fit"), "forged %s: no socket, cause: %s",
		   cases[i].what, g.cause);
	}
}

/* ---- fuzzer reproducers (tests/fuzz/crashes/diag) ---- */

/* Parses one reproducer as fuzz_diag does: an exact-size copy, the seq of
 * its first header. Returns the parser's result. */
static int reproducer(const char *name, struct cw_sockvec *sv, char **cause)
{
	char *path = cw_xasprintf("%s/tests/fuzz/crashes/diag/%s", srcdir(), name), *data = NULL;
	struct cw_diag_parse_stats st = {0};
	uint32_t seq = 0;
	size_t len = 0;
	int r = cw_read_file(path, 1 << 20, &data, &len);

	free(path);
	if (r < 0) {
		printf("# cannot read reproducer %s: %s\n", name, strerror(-r));
		return 1;
	}
	if (len >= 12)
		memcpy(&seq, data + 8, sizeof(seq));
	r = cw_diag_parse(data, len, seq, sv, &st, cause);
	free(data);
	return r;
}

/* Found by fuzzing: an nlmsg_len past the buffer. 0xff000014 is negative
 * as an int, which libmnl's mnl_nlmsg_ok accepted, and the next message was
 * looked for 4 GB away; an ordinary overlong length in a later message
 * walked off the end too. Both are refused with the length in the cause. */
static void test_fuzz_reproducers(void)
{
	static const struct {
		const char *file;
		size_t socks;
	} cases[] = {
		{"nlmsg-len-wraps", 0},       /* an NLMSG_ERROR, 20 bytes, nlmsg_len 0xff000014 */
		{"nlmsg-len-past-buffer", 2}, /* two good sockets, then a length past the end */
	};
	size_t i;

	for (i = 0; i < CW_ARRAY_LEN(cases); i++) {
		struct cw_sockvec sv = {0};
		char *cause = NULL;

		is_int(reproducer(cases[i].file, &sv, &cause), -EBADMSG, "%s: -EBADMSG", cases[i].file);
		ok(cause && strstr(cause, "does not fit"), "%s: cause names the length: %s",
		   cases[i].file, cause ? cause : "(none)");
		is_int(sv.n, cases[i].socks, "%s: sockets before the bad length", cases[i].file);
		free(cause);
		cw_sockvec_done(&sv);
	}
}

/* A UDP dump: sockets are marked, only the states a UDP socket can be in
 * are kept, and the same checks guard lengths, seq and errors. */
static void test_udp(void)
{
	struct buf m = {0};
	struct cw_sockvec sv = {0};
	struct cw_diag_parse_stats st = {0};
	struct inet_diag_msg d;
	char *cause = NULL, a[64];
	void *copy;
	int r;

	d = diag_msg(AF_INET, CW_TCP_ESTABLISHED, "10.1.0.5", 40000, "10.96.0.10", 53);
	put_sock(&m, 9, &d);
	d = diag_msg(AF_INET6, CW_TCP_ESTABLISHED, "::ffff:10.1.0.5", 40001, "::ffff:10.96.0.10", 53);
	put_sock(&m, 9, &d);
	d = diag_msg(AF_INET, CW_TCP_CLOSE, "10.1.0.5", 40002, "0.0.0.0", 0);
	put_sock(&m, 9, &d);
	d = diag_msg(AF_INET, CW_TCP_LISTEN, "10.1.0.5", 53, "0.0.0.0", 0); /* no UDP socket listens */
	put_sock(&m, 9, &d);
	d = diag_msg(AF_INET, CW_TCP_ESTABLISHED, "10.1.0.5", 40003, "10.96.0.10", 53);
	put_sock(&m, 8, &d); /* another request's */
	put_done(&m, 9, 0);
	copy = cw_xmalloc(m.len);
	memcpy(copy, m.b, m.len);
	r = cw_diag_parse_proto(copy, m.len, 9, IPPROTO_UDP, &sv, &st, &cause);
	is_int(r, CW_DIAG_DONE, "udp: DONE");
	is_int(sv.n, 3, "udp: connected, v4-mapped and unconnected kept; LISTEN and foreign not");
	is_int(st.skipped, 1, "udp: the LISTEN one skipped");
	is_int(st.foreign, 1, "udp: the foreign seq counted");
	if (sv.n == 3) {
		ok(sv.v[0].udp && sv.v[1].udp && sv.v[2].udp, "udp: every socket marked");
		is_str(cw_addr_str(&sv.v[1].dst, a, sizeof(a)), "10.96.0.10", "udp: v4-mapped stored as IPv4");
		is_int(sv.v[1].dport, 53, "udp: dport");
		is_int(sv.v[2].state, CW_TCP_CLOSE, "udp: unconnected is CLOSE");
	}
	cw_sockvec_clear(&sv);
	r = cw_diag_parse(copy, m.len, 9, &sv, &st, &cause);
	ok(r == CW_DIAG_DONE && sv.n == 4 && !sv.v[0].udp, "the same bytes as TCP: unmarked, LISTEN kept");
	free(copy);
	/* A length past the buffer is refused in UDP mode too. */
	reset(&m, &sv, &st, &cause);
	d = diag_msg(AF_INET, CW_TCP_ESTABLISHED, "10.1.0.5", 40000, "10.96.0.10", 53);
	put_sock(&m, 9, &d)->nlmsg_len = 0x80000000u;
	copy = cw_xmalloc(m.len);
	memcpy(copy, m.b, m.len);
	r = cw_diag_parse_proto(copy, m.len, 9, IPPROTO_UDP, &sv, &st, &cause);
	ok(r == -EBADMSG && sv.n == 0, "udp: a hostile nlmsg_len is refused (%s)", cause ? cause : "");
	free(copy);
	reset(&m, &sv, &st, &cause);
	free(m.b);
	cw_sockvec_done(&sv);
}

int main(void)
{
	check_fixture("legacy", 1, 2, false);
	check_fixture("legacy-info", 1, 2, true);
	check_fixture("family", 2, 4, false);
	check_fixture("family-info", 2, 4, true);
	check_fixture("many-legacy-info", 1, 4, true);
	check_fixture("many-family", 2, 4, false);
	check_small_specifics();
	check_truncations();
	test_valid();
	test_info();
	test_hostile();
	test_forged();
	test_fuzz_reproducers();
	test_udp();
	return tap_done();
}
