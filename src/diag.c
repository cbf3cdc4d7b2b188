/* diag: sock_diag requests and the dump loop for one namespace. */
#include "config.h"
#include "diag.h"
#include "diag_parse.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <pthread.h>

/* 64 KiB: dumps fill each skb up to the reader's buffer (32 KiB at most per
 * skb), so this takes whole batches and halves the syscalls of 8 KiB. */
#define CW_DIAG_BUFSZ (64 * 1024)
#define CW_DIAG_TIMEOUT_S 5
/* Forged datagrams one dump tolerates before it gives up: a sender that
 * keeps the queue full must not keep the collector reading forever. */
#define CW_DIAG_MAX_REJECTS 64

/* One receive buffer for every client in the process, made with the first
 * and freed with the last: a node keeps a client per namespace, and dumps
 * run one at a time, so a buffer each would only hold memory. The lock
 * keeps dumps from two threads (none today) from sharing it at once. */
static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static char *rx_buf;
static size_t rx_users;

struct cw_diag {
	struct mnl_socket *nl;
	uint32_t seq;
	enum cw_diag_mode mode;
	int capture_fd;
	char *buf;           /* rx_buf, while a dump holds rx_lock; else NULL */
	uint64_t rejected;   /* datagrams not from the kernel, or with a foreign seq */
	uint64_t retried;    /* dumps interrupted (NLM_F_DUMP_INTR) and asked again */
	bool no_udp;         /* the kernel has no UDP sock_diag */
};

int cw_diag_open(struct cw_diag **out, enum cw_diag_mode mode, char **cause)
{
	struct timeval tv = {.tv_sec = CW_DIAG_TIMEOUT_S};
	int rcvbuf = 1 << 20;
	struct cw_diag *d;
	struct mnl_socket *nl;
	int e;

	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl)
		return cw_cause(cause, -errno, "sock_diag socket: %s", strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		e = errno;
		mnl_socket_close(nl);
		return cw_cause(cause, -e, "sock_diag bind: %s", strerror(e));
	}
	/* A timeout so a wedged dump cannot stall the collector forever. */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* Best effort (the kernel caps it at net.core.rmem_max): room for the
	 * kernel's answers next to datagrams other processes may send us. The
	 * socket joins no multicast group, so ENOBUFS can only mean that the
	 * kernel dropped an answer to a full queue; dump_one then discards the
	 * partial dump, drains the socket and returns the error, and the next
	 * tick dumps again. */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	d = cw_xcalloc(1, sizeof(*d));
	d->nl = nl;
	d->mode = mode;
	d->capture_fd = -1;
	pthread_mutex_lock(&rx_lock);
	if (!rx_users++)
		rx_buf = cw_xmalloc(CW_DIAG_BUFSZ);
	pthread_mutex_unlock(&rx_lock);
	*out = d;
	return 0;
}

void cw_diag_close(struct cw_diag *d)
{
	if (!d)
		return;
	mnl_socket_close(d->nl);
	pthread_mutex_lock(&rx_lock);
	if (!--rx_users) {
		free(rx_buf);
		rx_buf = NULL;
	}
	pthread_mutex_unlock(&rx_lock);
	free(d);
}

enum cw_diag_mode cw_diag_mode_used(const struct cw_diag *d)
{
	return d->mode;
}

void cw_diag_set_capture(struct cw_diag *d, int fd)
{
	d->capture_fd = fd;
}

uint64_t cw_diag_rejected(const struct cw_diag *d)
{
	return d->rejected;
}

uint64_t cw_diag_retried(const struct cw_diag *d)
{
	return d->retried;
}

uint32_t cw_diag_portid(const struct cw_diag *d)
{
	return mnl_socket_get_portid(d->nl);
}

static int send_request(struct cw_diag *d, int family, int proto, unsigned ext, char **cause)
{
	char req[256]; /* header + the larger request struct */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++d->seq;
	if (proto == IPPROTO_UDP) {
		struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));

		/* udp_diag's dump compares the request's own idiag_dport (and
		 * sport) with each socket when they are non-zero, and the state
		 * bits with sk_state, before it formats anything: so the filter
		 * costs no bytecode attribute (nor its audit), and only
		 * connected sockets (TCP_ESTABLISHED; unconnected ones are
		 * TCP_CLOSE) to port 53 come back. The walk itself still visits
		 * every slot of the UDP hash, which is the cost. */
		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		r->sdiag_family = (uint8_t)family;
		r->sdiag_protocol = IPPROTO_UDP;
		r->idiag_states = 1u << CW_TCP_ESTABLISHED;
		r->id.idiag_dport = htons(CW_DIAG_DNS_PORT);
	} else if (family == AF_UNSPEC) {
		/* Legacy request: the kernel's compat path dumps AF_UNSPEC, both
		 * families in one walk of the hash tables. */
		struct inet_diag_req *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));

		nlh->nlmsg_type = TCPDIAG_GETSOCK;
		r->idiag_family = AF_UNSPEC;
		r->idiag_states = CW_TCP_STATE_MASK;
		r->idiag_ext = (uint8_t)ext;
	} else {
		struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));

		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		r->sdiag_family = (uint8_t)family;
		r->sdiag_protocol = IPPROTO_TCP;
		r->idiag_states = CW_TCP_STATE_MASK;
		r->idiag_ext = (uint8_t)ext;
	}
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		return cw_cause(cause, -errno, "sock_diag send: %s", strerror(errno));
	return 0;
}

static void capture(struct cw_diag *d, const void *buf, size_t len)
{
	uint32_t l = (uint32_t)len;

	if (d->capture_fd < 0)
		return;
	if (write(d->capture_fd, &l, sizeof(l)) != (ssize_t)sizeof(l) ||
	    write(d->capture_fd, buf, len) != (ssize_t)len)
		d->capture_fd = -1;
}

/* Reads what is left of an abandoned dump so the next request is not
 * answered with EBUSY or stale messages. */
static void drain(struct cw_diag *d)
{
	int fd = mnl_socket_get_fd(d->nl);
	int i;

	for (i = 0; i < 100000; i++)
		if (recv(fd, d->buf, CW_DIAG_BUFSZ, MSG_DONTWAIT) <= 0 && errno != EINTR)
			break;
}

/* Receives one datagram and says who sent it. recvmsg rather than
 * mnl_socket_recvfrom, which drops the sender's address: any process with
 * CAP_NET_ADMIN in the namespace can send to our port id, and only the
 * kernel sends from port id 0 (a user socket can never bind to it). */
static ssize_t receive(struct cw_diag *d, uint32_t *sender, bool *truncated)
{
	struct sockaddr_nl sa;
	struct iovec iov = {.iov_base = d->buf, .iov_len = CW_DIAG_BUFSZ};
	struct msghdr mh = {.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
			    .msg_iovlen = 1};
	ssize_t n;

	memset(&sa, 0, sizeof(sa));
	n = recvmsg(mnl_socket_get_fd(d->nl), &mh, 0);
	if (n < 0)
		return -errno;
	*sender = mh.msg_namelen >= sizeof(sa) && sa.nl_family == AF_NETLINK ? sa.nl_pid : UINT32_MAX;
	*truncated = (mh.msg_flags & MSG_TRUNC) != 0;
	return n;
}

/* One request/response cycle for one family (or AF_UNSPEC). */
/* Where a dump's sockets go: appended to a list, or handed to a sink. */
struct dest {
	struct cw_sockvec *vec;
	const struct cw_diag_sink *sink;
};

/* Forgets what a dump stored since vec held start sockets (a list), or
 * since the sink's last reset. */
static void rewind_to(const struct dest *out, size_t start)
{
	if (out->vec)
		out->vec->n = start;
	else if (out->sink->reset)
		out->sink->reset(out->sink->arg);
}

static int dump_one(struct cw_diag *d, int family, int proto, unsigned ext, const struct dest *out,
		    char **cause)
{
	size_t start = out->vec ? out->vec->n : 0;
	unsigned rejects = 0;
	ssize_t n;
	int r;

	r = send_request(d, family, proto, ext, cause);
	if (r < 0)
		return r;
	for (;;) {
		struct cw_diag_parse_stats st = {0};
		uint32_t sender = UINT32_MAX;
		bool truncated = false;

		n = receive(d, &sender, &truncated);
		if (n < 0) {
			r = (int)n;
			if (r == -EINTR)
				continue;
			rewind_to(out, start);
			drain(d);
			if (r == -ENOBUFS)
				return cw_cause(cause, r, "sock_diag: receive queue overrun (ENOBUFS)");
			if (r == -EAGAIN)
				return cw_cause(cause, -ETIMEDOUT, "sock_diag: dump timed out");
			return cw_cause(cause, r, "sock_diag receive: %s", strerror(-r));
		}
		if (sender != 0) {
			/* Not from the kernel: never parsed, only counted. */
			d->rejected++;
			if (++rejects > CW_DIAG_MAX_REJECTS) {
				rewind_to(out, start);
				drain(d);
				return cw_cause(cause, -EPROTO, "sock_diag: flooded by datagrams "
							      "not from the kernel");
			}
			continue;
		}
		if (truncated) {
			rewind_to(out, start);
			drain(d);
			return cw_cause(cause, -EMSGSIZE, "sock_diag: a datagram larger than %d bytes",
					CW_DIAG_BUFSZ);
		}
		capture(d, d->buf, (size_t)n);
		r = out->vec ? cw_diag_parse_proto(d->buf, (size_t)n, d->seq, proto, out->vec, &st, cause)
			     : cw_diag_parse_sink(d->buf, (size_t)n, d->seq, proto, out->sink, &st, cause);
		if (st.foreign)
			d->rejected++; /* the rest of an abandoned dump */
		if (r == CW_DIAG_DONE)
			return 0;
		if (r < 0) {
			rewind_to(out, start);
			drain(d);
			return r;
		}
	}
}

static void clear_cause(char **cause)
{
	if (cause) {
		free(*cause);
		*cause = NULL;
	}
}

static int dump_families(struct cw_diag *d, unsigned ext, const struct dest *out, char **cause)
{
	int r = dump_one(d, AF_INET, IPPROTO_TCP, ext, out, cause);

	if (r == 0)
		r = dump_one(d, AF_INET6, IPPROTO_TCP, ext, out, cause);
	return r;
}

/* Takes the shared receive buffer for one dump. */
static void hold_buffer(struct cw_diag *d)
{
	pthread_mutex_lock(&rx_lock);
	d->buf = rx_buf;
}

static void release_buffer(struct cw_diag *d)
{
	d->buf = NULL;
	pthread_mutex_unlock(&rx_lock);
}

static int dump_tcp(struct cw_diag *d, bool with_info, const struct dest *out, char **cause)
{
	unsigned ext = with_info ? 1u << (INET_DIAG_INFO - 1) : 0;
	size_t start = out->vec ? out->vec->n : 0;
	int r, tries;

	/* A dump interrupted by a concurrent change (NLM_F_DUMP_INTR) is retried once. */
	for (tries = 0; tries < 2; tries++) {
		rewind_to(out, start);
		if (d->mode == CW_DIAG_MODE_FAMILY) {
			r = dump_families(d, ext, out, cause);
		} else {
			r = dump_one(d, AF_UNSPEC, IPPROTO_TCP, ext, out, cause);
			if (d->mode == CW_DIAG_MODE_AUTO) {
				/* Kernels without the compat request answer EINVAL/ENOENT/EOPNOTSUPP. */
				if (r == -EINVAL || r == -ENOENT || r == -EOPNOTSUPP) {
					d->mode = CW_DIAG_MODE_FAMILY;
					rewind_to(out, start);
					r = dump_families(d, ext, out, cause);
				} else if (r == 0) {
					d->mode = CW_DIAG_MODE_LEGACY;
				}
			}
		}
		if (r != -EINTR)
			break;
		if (tries == 0)
			d->retried++;
	}
	/* All or nothing: per family, the IPv4 dump may have worked before
	 * the IPv6 one failed. */
	if (r < 0)
		rewind_to(out, start);
	if (r == -EINTR)
		return cw_cause(cause, r, "sock_diag: dump interrupted by a concurrent change, "
					  "and again when retried");
	/* An attempt that failed before the one that worked (an interrupted
	 * dump, or the legacy request refused) left its words: they are not
	 * this dump's. */
	if (r == 0)
		clear_cause(cause);
	return r;
}

/* A TCP dump into a list or a sink, holding the shared receive buffer. */
static int dump_tcp_held(struct cw_diag *d, bool with_info, const struct dest *to, char **cause)
{
	int r;

	hold_buffer(d);
	r = dump_tcp(d, with_info, to, cause);
	release_buffer(d);
	return r;
}

int cw_diag_dump(struct cw_diag *d, bool with_info, struct cw_sockvec *out, char **cause)
{
	struct dest to = {.vec = out};

	return dump_tcp_held(d, with_info, &to, cause);
}

int cw_diag_dump_sink(struct cw_diag *d, bool with_info, const struct cw_diag_sink *sink,
		      char **cause)
{
	struct dest to = {.sink = sink};

	return dump_tcp_held(d, with_info, &to, cause);
}

int cw_diag_dump_udp_dns(struct cw_diag *d, struct cw_sockvec *out, char **cause)
{
	struct dest to = {.vec = out};
	size_t start = out->n, i, k;
	int r = 0, tries;

	if (d->no_udp)
		return cw_cause(cause, -EOPNOTSUPP, "UDP sock_diag: not in this kernel (udp_diag)");
	hold_buffer(d);
	for (tries = 0; tries < 2; tries++) {
		out->n = start;
		r = dump_one(d, AF_INET, IPPROTO_UDP, 0, &to, cause);
		if (r == 0)
			r = dump_one(d, AF_INET6, IPPROTO_UDP, 0, &to, cause);
		if (r != -EINTR)
			break;
		if (tries == 0)
			d->retried++;
	}
	release_buffer(d);
	if (r == 0)
		clear_cause(cause);
	if (r < 0)
		out->n = start; /* all or nothing, as for TCP */
	/* No handler for the protocol: sock_diag asks for the module and,
	 * without it, answers ENOENT. */
	if (r == -ENOENT || r == -EOPNOTSUPP) {
		d->no_udp = true;
		return cw_cause(cause, r, "UDP sock_diag: not in this kernel (udp_diag)");
	}
	if (r < 0)
		return r;
	/* The kernel filtered already; this keeps the promise whatever a
	 * kernel did with the request: connected, to the port, and UDP. */
	for (i = k = start; i < out->n; i++) {
		const struct cw_sock *s = &out->v[i];

		if (s->udp && s->state == CW_TCP_ESTABLISHED && s->dport == CW_DIAG_DNS_PORT &&
		    !cw_addr_is_any(&s->dst))
			out->v[k++] = *s;
	}
	out->n = k;
	return 0;
}
