/* diag_parse: inet_diag dump bytes -> struct cw_sock. */
#include "config.h"
#include "diag_parse.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

/* Stores an address as the family it means: a v4-mapped IPv6 address
 * (::ffff:a.b.c.d, from a dual-stack socket) becomes IPv4. */
static void set_addr(struct cw_addr *a, uint8_t family, const __be32 raw[4])
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(a, 0, sizeof(*a));
	if (family == AF_INET6 && memcmp(raw, mapped, sizeof(mapped)) == 0) {
		a->family = AF_INET;
		memcpy(a->bytes, (const uint8_t *)raw + 12, 4);
	} else if (family == AF_INET6) {
		a->family = AF_INET6;
		memcpy(a->bytes, raw, 16);
	} else {
		a->family = AF_INET;
		memcpy(a->bytes, raw, 4);
	}
}

/* Copies tcp_info fields that fit in the attribute: older kernels send a
 * shorter struct, and a hostile one could send a few bytes only. */
static void set_info(struct cw_sock *s, const void *p, size_t len)
{
	struct tcp_info ti;

	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, p, len < sizeof(ti) ? len : sizeof(ti));
	if (len < offsetof(struct tcp_info, tcpi_total_retrans) + sizeof(ti.tcpi_total_retrans))
		return; /* too short to carry what the socket screen shows */
	s->has_info = true;
	s->info.rtt_us = ti.tcpi_rtt;
	s->info.rttvar_us = ti.tcpi_rttvar;
	s->info.retransmits = ti.tcpi_retransmits;
	s->info.total_retrans = ti.tcpi_total_retrans;
	s->info.last_data_sent_ms = ti.tcpi_last_data_sent;
	s->info.last_data_recv_ms = ti.tcpi_last_data_recv;
	s->info.unacked = ti.tcpi_unacked;
	s->info.lost = ti.tcpi_lost;
}

/* Reads the attributes after the inet_diag_msg. Stops at the first one
 * whose length does not fit what is left of the message: a hostile length
 * must never move the walk past nlmsg_len, nor past the buffer. */
static void parse_attrs(struct cw_sock *s, const unsigned char *p, size_t left)
{
	while (left >= sizeof(struct nlattr)) {
		struct nlattr a;
		size_t alen, step;

		memcpy(&a, p, sizeof(a));
		alen = a.nla_len;
		if (alen < sizeof(a) || alen > left)
			return;
		switch (a.nla_type & NLA_TYPE_MASK) {
		case INET_DIAG_INFO:
			set_info(s, p + NLA_HDRLEN, alen - NLA_HDRLEN);
			break;
		case INET_DIAG_CGROUP_ID:
			if (alen - NLA_HDRLEN >= sizeof(uint64_t)) {
				uint64_t id;

				memcpy(&id, p + NLA_HDRLEN, sizeof(id));
				s->cgroup_id = id;
			}
			break;
		default:
			break;
		}
		/* The last attribute's padding may be cut by an unaligned nlmsg_len. */
		step = NLA_ALIGN(alen);
		if (step > left)
			return;
		p += step;
		left -= step;
	}
}

/* Where parse_one puts a socket: appended to a list, or handed to a sink. */
struct dest {
	struct cw_sockvec *vec;
	const struct cw_diag_sink *sink;
};

/* Returns 1 for a socket stored, 0 for a skipped state, or -errno.
 * plen is the payload's length, already checked against the buffer. */
static int parse_one(const unsigned char *payload, size_t plen, bool udp, const struct dest *out,
		     char **cause)
{
	struct inet_diag_msg m;
	struct cw_sock one, *s;

	if (plen < sizeof(m))
		return cw_cause(cause, -EBADMSG, "sock_diag: truncated message (%zu bytes)", plen);
	memcpy(&m, payload, sizeof(m));
	if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6)
		return cw_cause(cause, -EBADMSG, "sock_diag: unexpected family %u", m.idiag_family);
	if (cw_tcp_state_slot(m.idiag_state) == 0)
		return 0; /* a state we did not ask for (e.g. BOUND_INACTIVE): skip */
	if (udp && m.idiag_state != CW_TCP_ESTABLISHED && m.idiag_state != CW_TCP_CLOSE)
		return 0; /* no UDP socket is ever in any other */

	if (out->vec) {
		s = cw_sockvec_push(out->vec);
	} else {
		s = &one;
		memset(s, 0, sizeof(*s));
	}
	s->udp = udp;
	s->state = m.idiag_state;
	s->family = m.idiag_family;
	s->sport = ntohs(m.id.idiag_sport);
	s->dport = ntohs(m.id.idiag_dport);
	set_addr(&s->src, m.idiag_family, m.id.idiag_src);
	set_addr(&s->dst, m.idiag_family, m.id.idiag_dst);
	s->cookie = (uint64_t)m.id.idiag_cookie[1] << 32 | m.id.idiag_cookie[0];
	s->inode = m.idiag_inode;
	s->uid = m.idiag_uid;
	s->rqueue = m.idiag_rqueue;
	s->wqueue = m.idiag_wqueue;
	s->timer = m.idiag_timer;
	s->retrans = m.idiag_retrans;
	s->expires_ms = m.idiag_expires;
	parse_attrs(s, payload + sizeof(m), plen - sizeof(m));
	if (!out->vec)
		out->sink->sock(out->sink->arg, s);
	return 1;
}

/* The walk over messages is ours, in size_t, rather than libmnl's
 * mnl_nlmsg_ok/mnl_nlmsg_next: those compare nlmsg_len as an int, so a
 * length of 2^31 or more passes as negative and is read past the buffer,
 * and for lengths near 2^32 the 32-bit alignment in mnl_nlmsg_next wraps
 * to 0, so the walk never advances. Here every length is checked against
 * the bytes received, unsigned, before anything behind it is read. */
int cw_diag_parse(const void *buf, size_t len, uint32_t seq, struct cw_sockvec *out,
		  struct cw_diag_parse_stats *stats, char **cause)
{
	return cw_diag_parse_proto(buf, len, seq, IPPROTO_TCP, out, stats, cause);
}

static int parse(const void *buf, size_t len, uint32_t seq, int proto, const struct dest *out,
		 struct cw_diag_parse_stats *stats, char **cause);

int cw_diag_parse_proto(const void *buf, size_t len, uint32_t seq, int proto,
			struct cw_sockvec *out, struct cw_diag_parse_stats *stats, char **cause)
{
	struct dest d = {.vec = out};

	return parse(buf, len, seq, proto, &d, stats, cause);
}

int cw_diag_parse_sink(const void *buf, size_t len, uint32_t seq, int proto,
		       const struct cw_diag_sink *sink, struct cw_diag_parse_stats *stats,
		       char **cause)
{
	struct dest d = {.sink = sink};

	return parse(buf, len, seq, proto, &d, stats, cause);
}

static int parse(const void *buf, size_t len, uint32_t seq, int proto, const struct dest *out,
		 struct cw_diag_parse_stats *stats, char **cause)
{
	const unsigned char *p = buf;
	size_t off = 0;
	int r;

	while (len - off >= sizeof(struct nlmsghdr)) {
		const unsigned char *payload = p + off + NLMSG_HDRLEN;
		struct nlmsghdr h;
		size_t mlen, plen, step;

		memcpy(&h, p + off, sizeof(h));
		mlen = h.nlmsg_len;
		if (mlen < sizeof(h) || mlen > len - off)
			return cw_cause(cause, -EBADMSG,
					"sock_diag: message length %zu does not fit the %zu bytes left",
					mlen, len - off);
		plen = mlen - NLMSG_HDRLEN;
		/* A message in the last aligned step may lack its padding. */
		step = NLMSG_ALIGN(mlen);
		if (step > len - off)
			step = len - off;
		off += step;
		if (h.nlmsg_seq != seq) {
			if (stats)
				stats->foreign++;
			continue;
		}
		if (h.nlmsg_flags & NLM_F_DUMP_INTR)
			return cw_cause(cause, -EINTR, "sock_diag: dump interrupted by a concurrent change");
		switch (h.nlmsg_type) {
		case NLMSG_DONE:
			return CW_DIAG_DONE;
		case NLMSG_ERROR: {
			struct nlmsgerr e;

			if (plen < sizeof(e))
				return cw_cause(cause, -EBADMSG, "sock_diag: truncated error message");
			memcpy(&e, payload, sizeof(e));
			if (e.error == 0)
				break; /* an ACK */
			r = e.error < 0 ? e.error : -e.error;
			if (r < -4095)
				r = -EBADMSG; /* not an errno; -INT_MIN would overflow below */
			return cw_cause(cause, r, "sock_diag: kernel error: %s", strerror(-r));
		}
		case NLMSG_NOOP:
			break;
		case SOCK_DIAG_BY_FAMILY:
		case TCPDIAG_GETSOCK:
			r = parse_one(payload, plen, proto == IPPROTO_UDP, out, cause);
			if (r < 0)
				return r;
			if (stats && r)
				stats->messages++;
			else if (stats)
				stats->skipped++;
			break;
		default:
			if (stats)
				stats->skipped++;
			break;
		}
	}
	if (len - off >= NLMSG_ALIGNTO) /* fewer bytes can only be alignment padding */
		return cw_cause(cause, -EBADMSG, "sock_diag: %zu trailing bytes do not form a message",
				len - off);
	return CW_DIAG_MORE;
}
