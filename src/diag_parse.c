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
#include <libmnl/libmnl.h>

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

/* Returns 1 for a socket appended, 0 for a skipped state, or -errno. */
static int parse_one(const struct nlmsghdr *nlh, struct cw_sockvec *out, char **cause)
{
	const struct inet_diag_msg *m;
	const struct nlattr *attr;
	const void *attrs;
	struct cw_sock *s;
	size_t plen = mnl_nlmsg_get_payload_len(nlh);

	if (plen < sizeof(*m))
		return cw_cause(cause, -EBADMSG, "sock_diag: truncated message (%zu bytes)", plen);
	m = mnl_nlmsg_get_payload(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return cw_cause(cause, -EBADMSG, "sock_diag: unexpected family %u", m->idiag_family);
	if (cw_tcp_state_slot(m->idiag_state) == 0)
		return 0; /* a state we did not ask for (e.g. BOUND_INACTIVE): skip */

	s = cw_sockvec_push(out);
	s->state = m->idiag_state;
	s->family = m->idiag_family;
	s->sport = ntohs(m->id.idiag_sport);
	s->dport = ntohs(m->id.idiag_dport);
	set_addr(&s->src, m->idiag_family, m->id.idiag_src);
	set_addr(&s->dst, m->idiag_family, m->id.idiag_dst);
	s->cookie = (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
	s->inode = m->idiag_inode;
	s->uid = m->idiag_uid;
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
	s->timer = m->idiag_timer;
	s->retrans = m->idiag_retrans;
	s->expires_ms = m->idiag_expires;

	/* Stops at the first attribute whose length does not fit. Bounded by
	 * nlmsg_len itself, not its aligned end (mnl_attr_for_each), which can
	 * lie past the buffer when a hostile nlmsg_len is not a multiple of 4. */
	attrs = (const char *)m + sizeof(*m);
	mnl_attr_for_each_payload(attrs, plen - sizeof(*m)) {
		uint16_t type = mnl_attr_get_type(attr);
		uint16_t alen = mnl_attr_get_payload_len(attr);

		switch (type) {
		case INET_DIAG_INFO:
			set_info(s, mnl_attr_get_payload(attr), alen);
			break;
		case INET_DIAG_CGROUP_ID:
			if (alen >= sizeof(uint64_t)) {
				uint64_t id;

				memcpy(&id, mnl_attr_get_payload(attr), sizeof(id));
				s->cgroup_id = id;
			}
			break;
		default:
			break;
		}
	}
	return 1;
}

int cw_diag_parse(const void *buf, size_t len, uint32_t seq, struct cw_sockvec *out,
		  struct cw_diag_parse_stats *stats, char **cause)
{
	const struct nlmsghdr *nlh = buf;
	int n = (int)(len > INT32_MAX ? INT32_MAX : len);
	int r;

	while (mnl_nlmsg_ok(nlh, n)) {
		if (nlh->nlmsg_seq != seq && nlh->nlmsg_seq != 0) {
			if (stats)
				stats->skipped++;
			nlh = mnl_nlmsg_next(nlh, &n);
			continue;
		}
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			return cw_cause(cause, -EINTR, "sock_diag: dump interrupted by a concurrent change");
		switch (nlh->nlmsg_type) {
		case NLMSG_DONE:
			return CW_DIAG_DONE;
		case NLMSG_ERROR: {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
				return cw_cause(cause, -EBADMSG, "sock_diag: truncated error message");
			if (e->error == 0)
				break; /* an ACK */
			r = e->error < 0 ? e->error : -e->error;
			if (r < -4095)
				r = -EBADMSG; /* not an errno; -INT_MIN would overflow below */
			return cw_cause(cause, r, "sock_diag: kernel error: %s", strerror(-r));
		}
		case NLMSG_NOOP:
			break;
		case SOCK_DIAG_BY_FAMILY:
		case TCPDIAG_GETSOCK:
			r = parse_one(nlh, out, cause);
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
		nlh = mnl_nlmsg_next(nlh, &n);
	}
	if (n >= (int)NLMSG_ALIGNTO) /* fewer bytes can only be alignment padding */
		return cw_cause(cause, -EBADMSG, "sock_diag: %d trailing bytes do not form a message", n);
	return CW_DIAG_MORE;
}
