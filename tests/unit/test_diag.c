/* test_diag: the sock_diag client against the kernel, in a network namespace
 * of its own (root). Another NETLINK_SOCK_DIAG socket forges datagrams to
 * the client's port id, as any process with CAP_NET_ADMIN in a pod's
 * namespace could; the client must throw them away, count them, and still
 * return the real sockets. Skips without root, except under CI=true. */
#include "config.h"
#include "agg.h"
#include "collect.h"
#include "diag.h"
#include "ownnet.h"
#include "tap.h"
#include "tcp.h"
#include "util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

/* A listener and a connected pair on loopback: three sockets. */
static uint16_t make_sockets(int fds[3])
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);

	fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	fds[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fds[0] < 0 || fds[1] < 0 || bind(fds[0], (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fds[0], 4) != 0 || getsockname(fds[0], (struct sockaddr *)&sa, &sl) != 0 ||
	    connect(fds[1], (struct sockaddr *)&sa, sizeof(sa)) != 0)
		tap_bail("cannot make loopback sockets");
	fds[2] = accept(fds[0], NULL, NULL);
	if (fds[2] < 0)
		tap_bail("accept failed");
	return ntohs(sa.sin_port);
}

static void put(unsigned char *buf, size_t *len, uint16_t type, uint16_t flags, uint32_t seq,
		const void *payload, size_t plen)
{
	struct nlmsghdr h = {.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + plen), .nlmsg_type = type,
			     .nlmsg_flags = flags, .nlmsg_seq = seq};

	memcpy(buf + *len, &h, sizeof(h));
	memcpy(buf + *len + NLMSG_HDRLEN, payload, plen);
	*len += NLMSG_ALIGN(h.nlmsg_len);
}

/* A well-formed dump of one made-up socket (port 4444) and its DONE under
 * each of seqs 1..8, so one answers whatever the client asks next: if it
 * were believed, the dump would end with the made-up socket alone. Its
 * remote port is dport. */
static size_t believable_to(unsigned char *buf, uint16_t dport)
{
	struct inet_diag_msg m;
	size_t len = 0;
	uint32_t seq;
	int zero = 0;

	memset(&m, 0, sizeof(m));
	m.idiag_family = AF_INET;
	m.idiag_state = CW_TCP_ESTABLISHED;
	m.id.idiag_sport = htons(4444);
	m.id.idiag_dport = htons(dport);
	m.id.idiag_src[0] = htonl(0x0a000001);
	m.id.idiag_dst[0] = htonl(0x0a000002);
	for (seq = 1; seq <= 8; seq++) {
		put(buf, &len, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, seq, &m, sizeof(m));
		put(buf, &len, NLMSG_DONE, NLM_F_MULTI, seq, &zero, sizeof(zero));
	}
	return len;
}

static size_t believable(unsigned char *buf)
{
	return believable_to(buf, 4445);
}

static int forger_open(void)
{
	struct sockaddr_nl me = {.nl_family = AF_NETLINK};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) != 0)
		tap_bail("cannot open a second sock_diag socket");
	return fd;
}

static bool forge(int fd, uint32_t portid, const void *buf, size_t len)
{
	struct sockaddr_nl to = {.nl_family = AF_NETLINK, .nl_pid = portid};

	return sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)) ==
	       (ssize_t)len;
}

/* The dump holds exactly our three sockets, and not the made-up one. */
static void check_dump(struct cw_diag *d, uint16_t port, const char *what)
{
	struct cw_sockvec sv = {0};
	char *cause = NULL;
	size_t i, listen = 0, estab = 0, fake = 0;
	int r = cw_diag_dump(d, false, &sv, &cause);

	is_int(r, 0, "%s: dump succeeds (%s)", what, cause ? cause : "no cause");
	for (i = 0; i < sv.n; i++) {
		if (sv.v[i].sport == 4444)
			fake++;
		else if (sv.v[i].state == CW_TCP_LISTEN && sv.v[i].sport == port)
			listen++;
		else if (sv.v[i].state == CW_TCP_ESTABLISHED &&
			 (sv.v[i].sport == port || sv.v[i].dport == port))
			estab++;
	}
	is_int(sv.n, 3, "%s: three sockets", what);
	ok(listen == 1 && estab == 2, "%s: the listener and both ends (%zu, %zu)", what, listen,
	   estab);
	is_int(fake, 0, "%s: not the forged socket", what);
	free(cause);
	cw_sockvec_done(&sv);
}

static void test_client(uint16_t port)
{
	static const unsigned char hostile[16] = {0xff, 0xff, 0xff, 0xff, 0x01};
	unsigned char buf[2048];
	struct cw_diag *d = NULL;
	char *cause = NULL;
	int fd = forger_open(), i, sent = 0;
	size_t len;

	if (cw_diag_open(&d, CW_DIAG_MODE_AUTO, &cause) != 0)
		tap_bail(cause ? cause : "cw_diag_open failed");
	ok(cw_diag_portid(d) != 0, "client has a port id (%u)", cw_diag_portid(d));
	check_dump(d, port, "before forgery");
	is_int(cw_diag_rejected(d), 0, "before forgery: nothing rejected");

	len = believable(buf);
	ok(forge(fd, cw_diag_portid(d), buf, len), "forged a believable dump to the client");
	check_dump(d, port, "after a believable forged dump");
	is_int(cw_diag_rejected(d), 1, "a believable forged dump: rejected once");

	ok(forge(fd, cw_diag_portid(d), hostile, sizeof(hostile)),
	   "forged the 16-byte nlmsg_len 0xffffffff message");
	alarm(10); /* a walk that never ends fails the test instead of hanging it */
	check_dump(d, port, "after a hostile forged message");
	alarm(0);
	is_int(cw_diag_rejected(d), 2, "a hostile forged message: rejected");

	/* A flood: the dump gives up instead of reading forever, counts
	 * what it read, and the next dump is clean. */
	for (i = 0; i < 100; i++)
		sent += forge(fd, cw_diag_portid(d), hostile, sizeof(hostile));
	{
		struct cw_sockvec sv = {0};
		int r = cw_diag_dump(d, false, &sv, &cause);

		ok(sent == 100, "flood: 100 datagrams queued (%d)", sent);
		is_int(r, -EPROTO, "flood: the dump gives up (%s)", cause ? cause : "");
		is_int(sv.n, 0, "flood: no partial result");
		ok(cw_diag_rejected(d) > 2 + 64, "flood: counted (%" PRIu64 ")", cw_diag_rejected(d));
		cw_sockvec_done(&sv);
	}
	check_dump(d, port, "after the flood");

	free(cause);
	cw_diag_close(d);
	close(fd);
}

/* True when one of our own fds is the socket with this inode. */
static bool ours(unsigned long inode)
{
	char want[64], path[320], link[64];
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	bool found = false;

	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	while (d && !found && (de = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			found = strcmp(link, want) == 0;
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* Sends the hostile message to the collector's sock_diag socket in this
 * namespace: ours (by inode, through /proc/self/fd) and not the forger.
 * A connwatch that another session runs on this machine may have a socket
 * here too, having entered the namespace; it is left alone. */
static int forge_to_collector(int fd, uint32_t mine)
{
	static const unsigned char hostile[16] = {0xff, 0xff, 0xff, 0xff, 0x01};
	char *text = NULL, *line, *save = NULL;
	int n = 0;

	if (cw_read_file("/proc/self/net/netlink", 1 << 20, &text, NULL) != 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long sk;
		unsigned long inode;
		int eth;
		unsigned pid;

		/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
		if (sscanf(line, "%llx %d %u %*x %*d %*d %*d %*d %*d %lu", &sk, &eth, &pid,
			   &inode) != 4 || eth != NETLINK_SOCK_DIAG || pid == 0 || pid == mine ||
		    !ours(inode))
			continue;
		n += forge(fd, pid, hostile, sizeof(hostile));
	}
	free(text);
	return n;
}

static void test_collector(void)
{
	struct cw_collector_cfg cfg = {.procfs = "/proc", .rootfs = "/", .budget_pct = 100,
				       .interval_s = 1, .max_peers = 64};
	struct cw_wants w = {0};
	struct cw_collector *c = NULL;
	struct cw_snapshot *s;
	struct sockaddr_nl me;
	socklen_t ml = sizeof(me);
	struct stat st;
	char *cause = NULL;
	int fd = forger_open(), n;

	if (stat("/proc/thread-self/ns/net", &st) != 0)
		tap_bail("cannot stat our namespace");
	w.focus_id = (uint64_t)st.st_ino; /* dumped every tick */
	if (cw_collector_new(&c, &cfg, &cause) != 0)
		tap_bail(cause ? cause : "cw_collector_new failed");
	s = cw_collector_tick(c, &w, cw_now_ms());
	is_int(s->collector.diag_rejected, 0, "collector: nothing rejected at first");
	cw_snapshot_unref(s);
	getsockname(fd, (struct sockaddr *)&me, &ml);
	n = forge_to_collector(fd, me.nl_pid);
	is_int(n, 1, "collector: its one sock_diag socket in our namespace forged to");
	s = cw_collector_tick(c, &w, cw_now_ms());
	is_int(s->collector.diag_rejected, 1, "collector: snapshot counts the forged datagram");
	cw_snapshot_unref(s);
	s = cw_collector_tick(c, &w, cw_now_ms());
	is_int(s->collector.diag_rejected, 1, "collector: the count is cumulative");
	cw_snapshot_unref(s);
	cw_collector_free(c);
	close(fd);
	free(cause);
}

/* A UDP socket of family fam connected to addr:port (a v4 address for an
 * AF_INET6 socket is v4-mapped), or only bound when port is 0. */
static int udp_to(int fam, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&ss, 0, sizeof(ss));
	if (fam == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		sl = sizeof(*s6);
	}
	if (fd < 0 || (port ? connect(fd, (struct sockaddr *)&ss, sl) : bind(fd, (struct sockaddr *)&ss, sl)))
		tap_bail("cannot make a UDP socket");
	return fd;
}

/* Messages the kernel sent in a capture (<u32 length><buffer> records). */
static size_t captured_messages(int fd)
{
	unsigned char buf[65536];
	uint32_t l;
	size_t n = 0, off;

	lseek(fd, 0, SEEK_SET);
	while (read(fd, &l, sizeof(l)) == (ssize_t)sizeof(l) && l <= sizeof(buf) &&
	       read(fd, buf, l) == (ssize_t)l)
		for (off = 0; off + sizeof(struct nlmsghdr) <= l;) {
			struct nlmsghdr h;

			memcpy(&h, buf + off, sizeof(h));
			if (h.nlmsg_len < sizeof(h))
				break;
			n += h.nlmsg_type == SOCK_DIAG_BY_FAMILY;
			off += NLMSG_ALIGN(h.nlmsg_len);
		}
	return n;
}

/* Connected UDP sockets to port 53, of both families and v4-mapped, among
 * others to port 54, unconnected ones and a bound port-53 server: only
 * the six connected to port 53 come back, from the kernel already, and
 * aggregate into udp_dns and their peers, apart from the TCP counts. */
static void test_udp(enum cw_diag_mode mode, const char *what)
{
	int fds[12], n = 0, i, cap = memfd_create("cw-udp-capture", MFD_CLOEXEC);
	struct cw_sockvec sv = {0};
	struct cw_diag *d = NULL;
	struct cw_agg agg;
	char *cause = NULL;
	size_t dns = 0, v6 = 0, mapped = 0, tcp, same_cg = 0;
	int r;

	for (i = 0; i < 3; i++)
		fds[n++] = udp_to(AF_INET, "127.0.0.1", 53);
	fds[n++] = udp_to(AF_INET6, "::1", 53);
	fds[n++] = udp_to(AF_INET6, "::1", 53);
	fds[n++] = udp_to(AF_INET6, "::ffff:127.0.0.2", 53);
	fds[n++] = udp_to(AF_INET, "127.0.0.1", 54);
	fds[n++] = udp_to(AF_INET6, "::1", 54);
	fds[n++] = udp_to(AF_INET, "127.0.0.1", 0);
	{
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

		fds[n] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fds[n] < 0 || bind(fds[n], (struct sockaddr *)&sa, sizeof(sa)) != 0)
			tap_bail("cannot bind a UDP port-53 server");
		n++;
	}
	if (cw_diag_open(&d, mode, &cause) != 0)
		tap_bail(cause ? cause : "cw_diag_open failed");
	r = cw_diag_dump(d, false, &sv, &cause);
	is_int(r, 0, "%s: TCP dump (%s)", what, cause ? cause : "no cause");
	tcp = sv.n;
	if (cap >= 0)
		cw_diag_set_capture(d, cap);
	{
		/* A forged answer from another socket, as believable as can
		 * be (connected, to port 53), queued before the request. */
		unsigned char fb[2048];
		int ffd = forger_open();

		ok(forge(ffd, cw_diag_portid(d), fb, believable_to(fb, 53)),
		   "%s: forged a UDP port-53 dump to the client", what);
		close(ffd);
	}
	r = cw_diag_dump_udp_dns(d, &sv, &cause);
	is_int(cw_diag_rejected(d), 1, "%s: the forged UDP answer is rejected", what);
	is_int(r, 0, "%s: UDP dump (%s)", what, cause ? cause : "no cause");
	for (i = (int)tcp; i < (int)sv.n; i++) {
		const struct cw_sock *s = &sv.v[i];

		dns += s->udp && s->dport == 53 && s->state == CW_TCP_ESTABLISHED;
		v6 += s->dst.family == AF_INET6;
		mapped += s->family == AF_INET6 && s->dst.family == AF_INET;
		same_cg += tcp > 0 && s->cgroup_id == sv.v[0].cgroup_id;
	}
	/* hostNetwork pods get their share of the host's by cgroup id. */
	is_int(same_cg, 6, "%s: UDP sockets carry the cgroup id TCP ones do (%" PRIu64 ")", what,
	       tcp ? sv.v[0].cgroup_id : 0);
	is_int(sv.n - tcp, 6, "%s: six UDP sockets", what);
	is_int(dns, 6, "%s: all connected, UDP, to port 53", what);
	is_int(v6, 2, "%s: two to ::1", what);
	is_int(mapped, 1, "%s: the v4-mapped one is an IPv4 peer", what);
	if (cap >= 0)
		is_int(captured_messages(cap), 6, "%s: the kernel sent only those six", what);
	cw_agg_build(&agg, sv.v, sv.n, 20);
	is_int(agg.udp_dns, 6, "%s: agg: udp_dns", what);
	is_int(agg.count.total, 3, "%s: agg: the TCP count is TCP's alone", what);
	ok(agg.npeers >= 1 && agg.peers[0].udp == 3 && agg.peers[0].total == 0 &&
	   agg.peers[0].port == 53, "%s: agg: the busiest peer is 127.0.0.1:53, UDP only", what);
	cw_agg_done(&agg);
	cw_sockvec_done(&sv);
	cw_diag_close(d);
	free(cause);
	for (i = 0; i < n; i++)
		close(fds[i]);
	if (cap >= 0)
		close(cap);
}

int main(void)
{
	int fds[3], i;
	uint16_t port;

	tap_need_root(geteuid() == 0);
	/* Our own namespace: the dumps see only what this test made. */
	own_netns();
	port = make_sockets(fds);
	test_client(port);
	test_collector();
	test_udp(CW_DIAG_MODE_AUTO, "udp, auto mode");
	test_udp(CW_DIAG_MODE_FAMILY, "udp, family mode");
	for (i = 0; i < 3; i++)
		close(fds[i]);
	return tap_done();
}
