/* sockgen: puts real TCP sockets in chosen states inside the current network
 * namespace, and holds them until SIGTERM or SIGINT (then exits 0). Run it
 * inside a namespace: `ip netns exec NS sockgen --estab 10 --closewait 3`.
 * It prints one line "ready" (flushed) once every requested socket is in
 * place; on any error it prints one line to stderr and exits 1 (2 for bad
 * usage). Plain C11 + POSIX + Linux socket options; no dependencies.
 * It brings lo up if it is down.
 *
 * Every static state is built over loopback against listeners of its own, and
 * checked with TCP_INFO before "ready":
 *   LISTEN       0.0.0.0:P (--port, default 8080), backlog 4096. It accepts
 *                every connection that is not one of its own (other
 *                namespaces' --out, --leak and --churn) and holds it until the
 *                peer closes, then closes too.
 *   --estab N    N pairs over 127.0.0.1: 2N ESTABLISHED.
 *   --estab6 N   N pairs on a dual-stack listener [::]:P+1 (IPV6_V6ONLY off):
 *                ceil(N/2) from ::1 (plain IPv6) and floor(N/2) from
 *                127.0.0.1, whose server side is an AF_INET6 socket with
 *                v4-mapped addresses (::ffff:127.0.0.1). Adds one LISTEN.
 *   --timewait N client closes first, server closes after EOF: N TIME_WAIT
 *                (60 s, the kernel's fixed TIME_WAIT length).
 *   --closewait N server shutdown(SHUT_WR) and keeps its fd, client keeps its
 *                fd and never closes: N CLOSE_WAIT + N FIN_WAIT2 (a FIN_WAIT2
 *                socket with an open fd has no timeout).
 *   --synsent N  N connects that are never answered: N SYN_SENT (TCP_SYNCNT
 *                127, so they outlive any test). The blackhole is, by default,
 *                a listener 127.0.0.1:P+2 with backlog 0 that never accepts:
 *                one connection fills its accept queue (adding 2 ESTABLISHED
 *                and 1 LISTEN), and the kernel then drops every SYN
 *                (ListenOverflows). With --blackhole ADDR they go to ADDR:P
 *                instead: an address the caller routes into a link that drops
 *                everything, e.g. a veth whose peer stays down, with ARP off
 *                (so no failed neighbour lookup turns the drop into "host
 *                unreachable"): `ip link add bh0 type veth peer name bh1;
 *                ip link set bh0 arp off up; ip addr add 10.215.0.1/16 dev
 *                bh0`. A NOARP `dummy` link does the same where the kernel
 *                has the dummy driver.
 *   --synrecv N  a listener 127.0.0.1:P+4 with TCP_DEFER_ACCEPT (1 hour): the
 *                handshake's bare ACK is ignored, so the server side stays a
 *                request socket: N SYN_RECV (NEW_SYN_RECV) + N ESTABLISHED
 *                clients, + 1 LISTEN.
 *   --finwait1 N client fills a zero receive window (a listener 127.0.0.1:P+5
 *                with a tiny SO_RCVBUF whose children never read), then
 *                shutdown(SHUT_WR): its FIN waits behind unsent data.
 *                N FIN_WAIT1 + N ESTABLISHED.
 *   --lastack N  server shuts down first (client CLOSE_WAIT), then the client
 *                fills the server's zero window and shuts down: N LAST_ACK +
 *                N FIN_WAIT2.
 *   --closing N  client fills the server's zero window and shuts down
 *                (FIN_WAIT1), then the server shuts down: the client gets a
 *                FIN before its own is acked: N CLOSING + N FIN_WAIT2.
 *   (the three above add the P+5 LISTEN)
 *   --listen-backlog-overflow N
 *                a listener 127.0.0.1:P+3 with backlog 1 that never accepts,
 *                and N clients: the first min(N,2) fill the accept queue
 *                (queue 2 > backlog 1; both ends ESTABLISHED), the rest stay
 *                SYN_SENT.
 *   --remote ADDR:PORT (repeatable; [v6]:PORT) with --out N
 *                N ESTABLISHED outbound connections to each remote listener
 *                (another namespace's sockgen); retried for --wait seconds
 *                while the remote is not listening yet, and re-established
 *                (once a second) when the remote drops them.
 * And continuous loads, after "ready" (RATE per second, fractions allowed):
 *   --churn RATE connect + close (to the first --remote, else to P): TIME_WAIT
 *                churn in this namespace.
 *   --leak RATE  connect and never close (to the first --remote, else to P):
 *                a connection-pool leak; ESTABLISHED grows.
 *   --closewait-rate RATE
 *                one more CLOSE_WAIT (+ FIN_WAIT2) pair per 1/RATE s.
 *   --dns RATE   non-blocking connects to port 53 of the blackhole: the
 *                --blackhole ADDR, else a never-accepting listener
 *                127.0.0.53:53 (as above). Each gives up after
 *                --dns-retries SYN retransmits (default 2: about 7 s), like a
 *                resolver, so about 7*RATE sit in SYN_SENT.
 *   --dns-udp RATE
 *                UDP sockets connected to port 53 of the same resolver, each
 *                sending one question and closed after 5 s (a resolver's
 *                timeout), so about 5*RATE are open.
 *   --connfail RATE with --connfail-to ADDR:PORT
 *                non-blocking connects to ADDR:PORT (an address that drops
 *                SYNs) giving up after --connfail-retries SYN retransmits
 *                (default 1: about 3 s): AttemptFails rises by RATE/s and
 *                about 3*RATE sit in SYN_SENT.
 *   --overflow RATE
 *                a listener 0.0.0.0:P+6 with backlog --overflow-backlog B
 *                (default 4) that never accepts, its accept queue filled
 *                (B+1 connections from 127.0.0.1, both ends ESTABLISHED),
 *                and RATE connects per second to it from 127.0.0.1, each
 *                giving up after one SYN retransmit (about 3 s): every SYN
 *                is dropped, so ListenOverflows and ListenDrops rise.
 *   --hold N     N more ESTABLISHED connections to the load target, held: at
 *                once after "ready", or from --hold-after S seconds after
 *                "ready", or from --hold-at T (seconds since the epoch,
 *                CLOCK_REALTIME, so several processes jump together).
 *   --target ADDR:PORT
 *                the load target of --churn, --leak and --hold (default:
 *                the first --remote, else 127.0.0.1:P).
 *   --closer     a listener 0.0.0.0:P+7 that shuts down its side of every
 *                connection it accepts at once (as a server closing idle
 *                keep-alive connections does) and keeps the fd: the client
 *                sits in CLOSE_WAIT until it closes, this side in FIN_WAIT2.
 *   --closewait-remote ADDR:PORT
 *                --closewait and --closewait-rate connect to ADDR:PORT (a
 *                --closer listener elsewhere) instead of making loopback
 *                pairs: only the CLOSE_WAIT half is here, facing that peer.
 *   --max N      stop growing a continuous load at N sockets (default 20000).
 * RLIMIT_NOFILE is raised as far as needed (the hard limit too, given
 * CAP_SYS_RESOURCE); without that, the static sockets must fit under the hard
 * limit, and --max shrinks so that the continuous loads do. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>

#define MAX_REMOTES 16

struct endpoint {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct config {
	unsigned port;
	long estab, estab6, timewait, closewait, synsent, synrecv;
	long finwait1, lastack, closing, overflow, out;
	double churn, leak, closewait_rate, dns, dns_udp, connfail, overflow_rate;
	long max, hold, overflow_backlog;
	int dns_retries, connfail_retries;
	double wait_s, hold_after, hold_at;
	bool have_blackhole, have_connfail_to, have_target, closer, have_cw_remote;
	struct endpoint blackhole, connfail_to, target, cw_remote;
	struct endpoint remotes[MAX_REMOTES];
	int nremotes;
};

static volatile sig_atomic_t stopping;
static const char *prog = "sockgen";
static int epfd = -1;

/* Every fd we keep (so nothing is closed by accident); plain growable array. */
static int *kept;
static size_t nkept, capkept;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;

	if (stopping)
		exit(0); /* interrupted while setting up: that is a clean stop */
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

__attribute__((noreturn)) static void usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s (try --help)\n", prog, msg, arg ? ": " : "", arg ? arg : "");
	exit(2);
}

static void keep(int fd)
{
	if (nkept == capkept) {
		size_t n = capkept ? capkept * 2 : 1024;
		int *p = realloc(kept, n * sizeof(*p));

		if (!p)
			die("out of memory");
		kept = p;
		capkept = n;
	}
	kept[nkept++] = fd;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stopping)
		;
}

static void check_stop(void)
{
	if (stopping)
		exit(0);
}

/* ---- addresses ---- */

static bool parse_addr(const char *s, unsigned port, struct endpoint *e)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&e->ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&e->ss;

	memset(e, 0, sizeof(*e));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		e->len = sizeof(*a4);
		return true;
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		e->len = sizeof(*a6);
		return true;
	}
	return false;
}

static bool parse_port(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > 65535)
		return false;
	*out = (unsigned)v;
	return true;
}

/* "ADDR:PORT" or "[ADDR6]:PORT" */
static bool parse_hostport(const char *s, struct endpoint *e)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	unsigned port;
	size_t n;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return false;
		n = (size_t)(rb - s - 1);
		colon = rb + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	return parse_port(colon + 1, &port) && parse_addr(host, port, e);
}

static void set_port(struct endpoint *e, unsigned port)
{
	if (e->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&e->ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&e->ss)->sin6_port = htons((uint16_t)port);
}

static const char *ep_str(const struct endpoint *e)
{
	static char buf[INET6_ADDRSTRLEN + 16];
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port;

	if (e->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&e->ss;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		port = ntohs(s->sin_port);
		snprintf(buf, sizeof(buf), "%s:%u", a, port);
	} else {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&e->ss;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		port = ntohs(s->sin6_port);
		snprintf(buf, sizeof(buf), "[%s]:%u", a, port);
	}
	return buf;
}

static bool same_endpoint(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	{
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
}

/* An IPv4 address as the v4-mapped IPv6 address an AF_INET6 socket sees. */
static void map_v4(const struct sockaddr_storage *in, struct sockaddr_storage *out)
{
	const struct sockaddr_in *a4 = (const void *)in;
	struct sockaddr_in6 *a6 = (void *)out;

	if (in->ss_family != AF_INET) {
		*out = *in;
		return;
	}
	memset(out, 0, sizeof(*out));
	a6->sin6_family = AF_INET6;
	a6->sin6_port = a4->sin_port;
	a6->sin6_addr.s6_addr[10] = 0xff;
	a6->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&a6->sin6_addr.s6_addr[12], &a4->sin_addr, 4);
}

/* ---- sockets ---- */

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return -1;
	return ti.tcpi_state;
}

static const char *state_name(int st)
{
	static const char *const names[] = {
		"?",          "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
		"TIME_WAIT",  "CLOSE",       "CLOSE_WAIT", "LAST_ACK", "LISTEN",  "CLOSING",
	};

	return st >= 0 && st < (int)(sizeof(names) / sizeof(names[0])) ? names[st] : "?";
}

/* Waits (up to 2 s) until fd reaches state want. */
static void expect_state(int fd, int want, const char *what)
{
	int i, st = -1;

	for (i = 0; i < 400; i++) {
		st = tcp_state(fd);
		if (st == want)
			return;
		check_stop();
		sleep_ms(5);
	}
	die("%s: socket in %s, expected %s", what, state_name(st), state_name(want));
}

static void set_int(int fd, int level, int opt, int v, const char *what)
{
	if (setsockopt(fd, level, opt, &v, sizeof(v)) != 0)
		die("setsockopt %s: %s", what, strerror(errno));
}

static void set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) != 0)
		die("fcntl: %s", strerror(errno));
}

static int new_socket(int family)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket: %s", strerror(errno));
	return fd;
}

/* A listener on addr:port. rcvbuf > 0 shrinks its children's receive buffer
 * (it must be set before the handshake to shrink the advertised window). */
static int listen_on(const char *addr, unsigned port, int backlog, bool dual, int rcvbuf)
{
	struct endpoint e;
	int fd;

	if (!parse_addr(addr, port, &e))
		die("bad listen address %s", addr);
	fd = new_socket(e.ss.ss_family);
	set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (e.ss.ss_family == AF_INET6)
		set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? 0 : 1, "IPV6_V6ONLY");
	if (rcvbuf > 0)
		set_int(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf, "SO_RCVBUF");
	if (bind(fd, (struct sockaddr *)&e.ss, e.len) != 0)
		die("bind %s: %s", ep_str(&e), strerror(errno));
	if (listen(fd, backlog) != 0)
		die("listen %s: %s", ep_str(&e), strerror(errno));
	set_nonblock(fd, true);
	keep(fd);
	return fd;
}

/* Starts a non-blocking connect. Returns the fd; *done tells whether it is
 * already connected. Fails hard on anything but "in progress". */
static int connect_start(const struct endpoint *to, const struct endpoint *from, int syncnt,
			 int rcvbuf, int *err)
{
	int fd = new_socket(to->ss.ss_family);

	set_nonblock(fd, true);
	if (syncnt > 0)
		set_int(fd, IPPROTO_TCP, TCP_SYNCNT, syncnt, "TCP_SYNCNT");
	if (rcvbuf > 0)
		set_int(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf, "SO_RCVBUF");
	if (from && bind(fd, (const struct sockaddr *)&from->ss, from->len) != 0)
		die("bind %s: %s", ep_str(from), strerror(errno));
	*err = 0;
	if (connect(fd, (const struct sockaddr *)&to->ss, to->len) != 0 && errno != EINPROGRESS)
		*err = errno;
	return fd;
}

/* Connects and waits for the handshake (up to timeout_s). Returns the fd, or
 * -errno (the fd closed) on a refused or failed connect. */
static int connect_wait(const struct endpoint *to, const struct endpoint *from, int rcvbuf,
			double timeout_s)
{
	struct pollfd p;
	int err, fd = connect_start(to, from, 0, rcvbuf, &err);
	socklen_t len = sizeof(err);
	int r;

	if (err) {
		close(fd);
		return -err;
	}
	p.fd = fd;
	p.events = POLLOUT;
	do {
		r = poll(&p, 1, (int)(timeout_s * 1000));
		check_stop();
	} while (r < 0 && errno == EINTR);
	if (r <= 0) {
		close(fd);
		return -ETIMEDOUT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err) {
		close(fd);
		return -err;
	}
	return fd;
}

/* Connects, retrying refusals for cfg->wait_s (a remote may not listen yet). */
static int connect_retry(const struct endpoint *to, const struct endpoint *from, int rcvbuf,
			 double wait_s)
{
	double deadline = now_s() + wait_s;
	int fd;

	for (;;) {
		fd = connect_wait(to, from, rcvbuf, wait_s > 1 ? wait_s : 1);
		if (fd >= 0)
			return fd;
		if ((fd != -ECONNREFUSED && fd != -ENETUNREACH && fd != -EHOSTUNREACH) ||
		    now_s() >= deadline)
			die("connect %s: %s", ep_str(to), strerror(-fd));
		sleep_ms(100);
	}
}

/* ---- incoming connections that are not our own pairs ---- */

struct conn {
	int fd;
	bool listener;
	bool closer; /* a listener whose connections are shut down at once */
	long *probe; /* a probe connect (DNS storm, failing connect, overflow
		      * client): closed once it ends either way; counts down
		      * *probe then */
	int remote; /* an --out connection to remotes[remote], or -1 */
	struct conn *prev, *next; /* every watched conn, so exit can free them */
};

static struct conn *conns;

static struct conn *conn_new(int fd)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		die("out of memory");
	c->fd = fd;
	c->remote = -1;
	c->next = conns;
	if (conns)
		conns->prev = c;
	conns = c;
	return c;
}

/* Stops watching c, closes and frees it. */
static void conn_drop(struct conn *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
}

/* Connections lost per remote, re-established by the main loop. */
static long deficit[MAX_REMOTES];

static void watch(int fd, bool listener, int remote)
{
	struct epoll_event ev;
	struct conn *c = conn_new(fd);

	c->listener = listener;
	c->remote = remote;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		die("epoll_ctl: %s", strerror(errno));
}

/* An accepted connection nobody here waits for: held until the peer closes. */
static void adopt(int fd)
{
	set_nonblock(fd, true);
	watch(fd, false, -1);
}

/* Accepts on listener until the connection from client arrives; adopts others. */
static int accept_match(int lfd, int client)
{
	struct sockaddr_storage want, got, mapped;
	socklen_t len = sizeof(want);
	int i, fd;

	if (getsockname(client, (struct sockaddr *)&want, &len) != 0)
		die("getsockname: %s", strerror(errno));
	map_v4(&want, &mapped);
	for (i = 0; i < 2000; i++) {
		len = sizeof(got);
		fd = accept4(lfd, (struct sockaddr *)&got, &len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				die("accept: %s", strerror(errno));
			check_stop();
			sleep_ms(1);
			continue;
		}
		if (same_endpoint(&got, &want) || same_endpoint(&got, &mapped))
			return fd;
		adopt(fd);
	}
	die("accept: our own connection did not arrive");
}

/* A connected pair over loopback: the client and the accepted server side. */
static void pair(int lfd, const struct endpoint *to, const struct endpoint *from, int rcvbuf,
		 int *cfd, int *sfd)
{
	*cfd = connect_retry(to, from, rcvbuf, 5);
	*sfd = accept_match(lfd, *cfd);
}

/* Writes until the peer's window is closed and data sits unsent behind it. */
static void fill_window(int fd, const char *what)
{
	static char junk[65536];
	int i, unsent = 0;

	set_int(fd, SOL_SOCKET, SO_SNDBUF, 65536, "SO_SNDBUF");
	set_nonblock(fd, true);
	for (i = 0; i < 200; i++) {
		ssize_t w;

		while ((w = write(fd, junk, sizeof(junk))) > 0)
			;
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			die("%s: write: %s", what, strerror(errno));
		if (ioctl(fd, SIOCOUTQNSD, &unsent) != 0)
			die("%s: SIOCOUTQNSD: %s", what, strerror(errno));
		if (unsent > 0 && i >= 2)
			return;
		check_stop();
		sleep_ms(5);
	}
	die("%s: could not fill the peer's window", what);
}

/* ---- the states ---- */

static void make_estab(int lfd, const struct endpoint *to, const struct endpoint *from)
{
	int c, s;

	pair(lfd, to, from, 0, &c, &s);
	expect_state(c, TCP_ESTABLISHED, "estab client");
	expect_state(s, TCP_ESTABLISHED, "estab server");
	keep(c);
	keep(s);
}

static void make_timewait(int lfd, const struct endpoint *to)
{
	char b;
	int c, s;

	pair(lfd, to, NULL, 0, &c, &s);
	close(c); /* client FIN first: the client is the one that waits */
	set_nonblock(s, false);
	if (read(s, &b, 1) != 0)
		die("timewait: expected EOF");
	shutdown(s, SHUT_WR);
	/* The server reaches CLOSE only when the client acked our FIN from
	 * TIME_WAIT. */
	expect_state(s, TCP_CLOSE, "timewait server");
	close(s);
}

static void make_closewait(int lfd, const struct endpoint *to)
{
	int c, s;

	pair(lfd, to, NULL, 0, &c, &s);
	shutdown(s, SHUT_WR);
	expect_state(c, TCP_CLOSE_WAIT, "closewait client");
	expect_state(s, TCP_FIN_WAIT2, "closewait server");
	keep(c);
	keep(s);
}

/* Waits up to timeout_s for fd to reach state want; false if it does not. */
static bool wait_state(int fd, int want, double timeout_s)
{
	double end = now_s() + timeout_s;

	do {
		if (tcp_state(fd) == want)
			return true;
		check_stop();
		sleep_ms(5);
	} while (now_s() < end);
	return false;
}

/* A connection to a --closer listener elsewhere, kept open once the peer
 * closed its side: one CLOSE_WAIT here. fatal: die if it does not work
 * (at start-up), else give up quietly and return false (a load keeps
 * going, and tries again). */
static bool make_closewait_remote(const struct endpoint *to, double wait_s, bool fatal)
{
	int c = fatal ? connect_retry(to, NULL, 0, wait_s) : connect_wait(to, NULL, 0, 1);

	if (c < 0)
		return false;
	if (!wait_state(c, TCP_CLOSE_WAIT, fatal ? wait_s : 2)) {
		if (fatal)
			die("closewait: %s did not close its side (is it a --closer?)", ep_str(to));
		close(c);
		return false;
	}
	keep(c);
	return true;
}

static void make_finwait1(int tiny, const struct endpoint *to)
{
	int c, s;

	pair(tiny, to, NULL, 0, &c, &s);
	fill_window(c, "finwait1");
	shutdown(c, SHUT_WR);
	expect_state(c, TCP_FIN_WAIT1, "finwait1 client");
	keep(c);
	keep(s);
}

static void make_lastack(int tiny, const struct endpoint *to)
{
	int c, s;

	pair(tiny, to, NULL, 0, &c, &s);
	shutdown(s, SHUT_WR);
	expect_state(c, TCP_CLOSE_WAIT, "lastack client");
	fill_window(c, "lastack");
	shutdown(c, SHUT_WR);
	expect_state(c, TCP_LAST_ACK, "lastack client");
	expect_state(s, TCP_FIN_WAIT2, "lastack server");
	keep(c);
	keep(s);
}

static void make_closing(int tiny, const struct endpoint *to)
{
	int c, s;

	pair(tiny, to, NULL, 0, &c, &s);
	fill_window(c, "closing");
	shutdown(c, SHUT_WR);
	expect_state(c, TCP_FIN_WAIT1, "closing client");
	shutdown(s, SHUT_WR);
	expect_state(c, TCP_CLOSING, "closing client");
	expect_state(s, TCP_FIN_WAIT2, "closing server");
	keep(c);
	keep(s);
}

/* Listener queue length (sk_ack_backlog) through TCP_INFO. */
static unsigned listen_queue(int lfd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(lfd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		die("TCP_INFO: %s", strerror(errno));
	return ti.tcpi_unacked;
}

/* A never-accepting listener with a full accept queue: it drops every SYN. */
static int sink(const char *addr, unsigned port, int backlog, long nfill, struct endpoint *to)
{
	int lfd = listen_on(addr, port, backlog, false, 0), i;

	parse_addr(addr, port, to);
	for (i = 0; i < nfill; i++) {
		int c = connect_retry(to, NULL, 0, 5);

		expect_state(c, TCP_ESTABLISHED, "sink filler");
		keep(c);
	}
	for (i = 0; i < 400 && listen_queue(lfd) < (unsigned)nfill; i++)
		sleep_ms(5);
	if (listen_queue(lfd) < (unsigned)nfill)
		die("listener %s:%u: accept queue did not fill", addr, port);
	return lfd;
}

static void make_synsent(const struct endpoint *to, int syncnt, const char *what)
{
	int err, fd = connect_start(to, NULL, syncnt, 0, &err);

	if (err)
		die("%s: connect %s: %s", what, ep_str(to), strerror(err));
	expect_state(fd, TCP_SYN_SENT, what);
	keep(fd);
}

/* ---- continuous loads ---- */

static long dns_pending, fail_pending, ovf_pending;

/* One non-blocking connect that gives up after `retries` SYN retransmits
 * (TCP_SYNCNT); *pending counts those in flight, up to max. Each one that
 * times out (or is closed) in SYN_SENT counts as an AttemptFails. */
static void probe_one(const struct endpoint *to, int retries, long *pending, long max)
{
	struct epoll_event ev;
	struct conn *c;
	int err, fd;

	if (*pending >= max)
		return;
	fd = connect_start(to, NULL, retries, 0, &err);
	if (err) {
		close(fd);
		return; /* e.g. ports exhausted: a storm may fail, that is the point */
	}
	c = conn_new(fd);
	c->probe = pending;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT | EPOLLRDHUP; /* connected or failed: either way, done */
	ev.data.ptr = c;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		die("epoll_ctl: %s", strerror(errno));
	(*pending)++;
}

/* UDP "queries" to the resolver: connected UDP sockets, each holding one
 * datagram's worth of question, closed after UDP_LIFE_S as a resolver's
 * timeout would; a FIFO, since they all live the same time. */
#define UDP_LIFE_S 5.0
static struct udp_q {
	int fd;
	double expires;
} *udpq;
static size_t udp_head, udp_len, udp_cap;

static void udp_one(const struct endpoint *to, double now, long max)
{
	/* A DNS question: id, RD, one A query for cwlab.svc.cluster.local. */
	static const unsigned char q[] = {
		0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		5, 'c', 'w', 'l', 'a', 'b', 3, 's', 'v', 'c', 7, 'c', 'l', 'u', 's', 't', 'e', 'r',
		5, 'l', 'o', 'c', 'a', 'l', 0, 0x00, 0x01, 0x00, 0x01,
	};
	int fd;

	if ((long)udp_len >= max)
		return;
	fd = socket(to->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (const struct sockaddr *)&to->ss, to->len) != 0) {
		close(fd);
		return;
	}
	if (send(fd, q, sizeof(q), 0) < 0) {
		/* the blackhole may refuse at once; the socket stays all the same */
	}
	if (udp_len == udp_cap) {
		size_t n = udp_cap ? udp_cap * 2 : 256, i;
		struct udp_q *p = malloc(n * sizeof(*p));

		if (!p)
			die("out of memory");
		for (i = 0; i < udp_len; i++)
			p[i] = udpq[(udp_head + i) % udp_cap];
		free(udpq);
		udpq = p;
		udp_cap = n;
		udp_head = 0;
	}
	udpq[(udp_head + udp_len) % udp_cap] = (struct udp_q){fd, now + UDP_LIFE_S};
	udp_len++;
}

static void udp_expire(double now)
{
	while (udp_len && udpq[udp_head].expires <= now) {
		close(udpq[udp_head].fd);
		udp_head = (udp_head + 1) % udp_cap;
		udp_len--;
	}
}

static void on_event(struct epoll_event *ev)
{
	struct conn *c = ev->data.ptr;
	char buf[4096];
	ssize_t n;

	if (c->listener) {
		int fd;

		static bool told;

		while ((fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			if (c->closer)
				shutdown(fd, SHUT_WR); /* the peer gets our FIN: CLOSE_WAIT there */
			adopt(fd);
		}
		if ((errno == EMFILE || errno == ENFILE) && !told) {
			told = true;
			fprintf(stderr, "sockgen: accept: %s: incoming connections wait in the queue\n",
				strerror(errno));
		}
		return;
	}
	if (c->probe) {
		/* a probe connect finished one way or the other */
		(*c->probe)--;
		conn_drop(c);
		return;
	}
	while ((n = read(c->fd, buf, sizeof(buf))) > 0)
		;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		if (c->remote >= 0)
			deficit[c->remote]++;
		conn_drop(c);
	}
}

/* Raises RLIMIT_NOFILE toward want (the hard limit too, with
 * CAP_SYS_RESOURCE). Returns the soft limit in force. */
static rlim_t raise_nofile(rlim_t want)
{
	struct rlimit rl, up;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		die("getrlimit: %s", strerror(errno));
	if (rl.rlim_cur >= want)
		return rl.rlim_cur;
	up = rl;
	if (up.rlim_max < want) {
		rlim_t nr_open = 1048576;
		FILE *f = fopen("/proc/sys/fs/nr_open", "r");
		unsigned long v;

		if (f) {
			if (fscanf(f, "%lu", &v) == 1)
				nr_open = v;
			fclose(f);
		}
		up.rlim_max = want < nr_open ? want : nr_open;
		up.rlim_cur = up.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			return up.rlim_cur;
		up = rl; /* no CAP_SYS_RESOURCE: the hard limit is the ceiling */
	}
	up.rlim_cur = want < up.rlim_max ? want : up.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &up) != 0)
		die("setrlimit NOFILE %lu: %s", (unsigned long)up.rlim_cur, strerror(errno));
	return up.rlim_cur;
}

/* Brings lo up if it is down (a fresh namespace); ignores failures, since
 * connecting will then say what is wrong. */
static void lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) == 0)
			sleep_ms(50); /* let ::1 settle */
	}
	close(fd);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sockgen [OPTION]...  (run inside a network namespace)\n"
		"Creates TCP sockets in the given states over loopback, prints \"ready\",\n"
		"and holds them until SIGTERM/SIGINT (exit 0). Errors: one line, exit 1.\n"
		"  --port P                 main listener 0.0.0.0:P (default 8080); also\n"
		"                           uses P+1 (dual-stack), P+2 (SYN sink), P+3\n"
		"                           (overflow), P+4 (defer-accept), P+5 (tiny window),\n"
		"                           P+6 (--overflow), P+7 (--closer)\n"
		"  --estab N                N ESTABLISHED pairs over 127.0.0.1\n"
		"  --estab6 N               N pairs on [::]:P+1: half over ::1, half v4-mapped\n"
		"  --timewait N             N TIME_WAIT (client closes first)\n"
		"  --closewait N            N CLOSE_WAIT + N FIN_WAIT2 (fds kept)\n"
		"  --synsent N              N SYN_SENT to a blackhole (see --blackhole)\n"
		"  --synrecv N              N SYN_RECV (TCP_DEFER_ACCEPT) + N ESTABLISHED\n"
		"  --finwait1 N             N FIN_WAIT1 + N ESTABLISHED (zero window)\n"
		"  --lastack N              N LAST_ACK + N FIN_WAIT2 (zero window)\n"
		"  --closing N              N CLOSING + N FIN_WAIT2 (zero window)\n"
		"  --listen-backlog-overflow N\n"
		"                           backlog-1 listener that never accepts, N clients\n"
		"  --remote ADDR:PORT       a listener elsewhere (repeatable; [v6]:PORT)\n"
		"  --out N                  N ESTABLISHED connections to each --remote\n"
		"  --blackhole ADDR         drop-everything address for --synsent (ADDR:P) and\n"
		"                           --dns (ADDR:53), e.g. routed into a dummy link;\n"
		"                           default: never-accepting full listeners on\n"
		"                           127.0.0.1:P+2 and 127.0.0.53:53\n"
		"  --churn RATE             connect+close per second (TIME_WAIT churn)\n"
		"  --leak RATE              connections per second never closed (pool leak)\n"
		"  --closewait-rate RATE    CLOSE_WAIT pairs per second (pile-up)\n"
		"  --dns RATE               SYN_SENT to port 53 per second (DNS storm)\n"
		"  --dns-retries N          SYN retransmits before a DNS connect gives up (2)\n"
		"  --dns-udp RATE           UDP sockets to port 53 per second, each open 5 s\n"
		"  --connfail RATE          connects per second to --connfail-to ADDR:PORT\n"
		"                           (dropping SYNs), giving up after\n"
		"  --connfail-retries N     SYN retransmits (default 1: about 3 s)\n"
		"  --overflow RATE          connects per second to a never-accepting listener\n"
		"                           0.0.0.0:P+6 whose queue is full (ListenOverflows)\n"
		"  --overflow-backlog B     that listener's backlog (default 4)\n"
		"  --closer                 listener 0.0.0.0:P+7 that closes its side of every\n"
		"                           connection at once (peers go CLOSE_WAIT)\n"
		"  --closewait-remote ADDR:PORT\n"
		"                           --closewait/--closewait-rate toward a --closer\n"
		"                           elsewhere instead of loopback pairs\n"
		"  --hold N                 N more ESTABLISHED to the load target, held\n"
		"  --hold-after S           ... from S seconds after ready (default 0)\n"
		"  --hold-at T              ... from T, seconds since the epoch\n"
		"  --target ADDR:PORT       load target of --churn, --leak, --hold\n"
		"                           (default: the first --remote, else 127.0.0.1:P)\n"
		"  --max N                  cap for each continuous load (default 20000)\n"
		"  --wait S                 how long to retry a refused --remote (default 10)\n"
		"  -h, --help               this text\n");
}

static long parse_count(const char *opt, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 10000000)
		usage_error("bad count for", opt);
	return v;
}

static double parse_rate(const char *opt, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 1e6)
		usage_error("bad rate for", opt);
	return v;
}

enum {
	O_PORT = 256, O_ESTAB, O_ESTAB6, O_TIMEWAIT, O_CLOSEWAIT, O_SYNSENT, O_SYNRECV,
	O_FINWAIT1, O_LASTACK, O_CLOSING, O_OVERFLOW, O_REMOTE, O_OUT, O_BLACKHOLE,
	O_CHURN, O_LEAK, O_CWRATE, O_DNS, O_DNSRETRIES, O_MAX, O_WAIT,
	O_DNSUDP, O_CONNFAIL, O_CONNFAIL_TO, O_CONNFAIL_RETRIES, O_OVFRATE, O_OVFBACKLOG,
	O_HOLD, O_HOLD_AFTER, O_HOLD_AT, O_TARGET, O_CLOSER, O_CWREMOTE,
};

static void parse_args(struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{"port", required_argument, NULL, O_PORT},
		{"estab", required_argument, NULL, O_ESTAB},
		{"estab6", required_argument, NULL, O_ESTAB6},
		{"timewait", required_argument, NULL, O_TIMEWAIT},
		{"closewait", required_argument, NULL, O_CLOSEWAIT},
		{"synsent", required_argument, NULL, O_SYNSENT},
		{"synrecv", required_argument, NULL, O_SYNRECV},
		{"finwait1", required_argument, NULL, O_FINWAIT1},
		{"lastack", required_argument, NULL, O_LASTACK},
		{"closing", required_argument, NULL, O_CLOSING},
		{"listen-backlog-overflow", required_argument, NULL, O_OVERFLOW},
		{"remote", required_argument, NULL, O_REMOTE},
		{"out", required_argument, NULL, O_OUT},
		{"blackhole", required_argument, NULL, O_BLACKHOLE},
		{"churn", required_argument, NULL, O_CHURN},
		{"leak", required_argument, NULL, O_LEAK},
		{"closewait-rate", required_argument, NULL, O_CWRATE},
		{"dns", required_argument, NULL, O_DNS},
		{"dns-retries", required_argument, NULL, O_DNSRETRIES},
		{"max", required_argument, NULL, O_MAX},
		{"wait", required_argument, NULL, O_WAIT},
		{"dns-udp", required_argument, NULL, O_DNSUDP},
		{"connfail", required_argument, NULL, O_CONNFAIL},
		{"connfail-to", required_argument, NULL, O_CONNFAIL_TO},
		{"connfail-retries", required_argument, NULL, O_CONNFAIL_RETRIES},
		{"overflow", required_argument, NULL, O_OVFRATE},
		{"overflow-backlog", required_argument, NULL, O_OVFBACKLOG},
		{"hold", required_argument, NULL, O_HOLD},
		{"hold-after", required_argument, NULL, O_HOLD_AFTER},
		{"hold-at", required_argument, NULL, O_HOLD_AT},
		{"target", required_argument, NULL, O_TARGET},
		{"closer", no_argument, NULL, O_CLOSER},
		{"closewait-remote", required_argument, NULL, O_CWREMOTE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->port = 8080;
	cfg->max = 20000;
	cfg->dns_retries = 2;
	cfg->connfail_retries = 1;
	cfg->overflow_backlog = 4;
	cfg->wait_s = 10;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *a = optarg;

		switch (c) {
		case O_PORT:
			if (!parse_port(a, &cfg->port) || cfg->port > 65535 - 7)
				usage_error("bad --port", a);
			break;
		case O_ESTAB: cfg->estab = parse_count("--estab", a); break;
		case O_ESTAB6: cfg->estab6 = parse_count("--estab6", a); break;
		case O_TIMEWAIT: cfg->timewait = parse_count("--timewait", a); break;
		case O_CLOSEWAIT: cfg->closewait = parse_count("--closewait", a); break;
		case O_SYNSENT: cfg->synsent = parse_count("--synsent", a); break;
		case O_SYNRECV: cfg->synrecv = parse_count("--synrecv", a); break;
		case O_FINWAIT1: cfg->finwait1 = parse_count("--finwait1", a); break;
		case O_LASTACK: cfg->lastack = parse_count("--lastack", a); break;
		case O_CLOSING: cfg->closing = parse_count("--closing", a); break;
		case O_OVERFLOW: cfg->overflow = parse_count("--listen-backlog-overflow", a); break;
		case O_OUT: cfg->out = parse_count("--out", a); break;
		case O_MAX: cfg->max = parse_count("--max", a); break;
		case O_DNSRETRIES: {
			long v = parse_count("--dns-retries", a);

			if (v < 1 || v > 127)
				usage_error("--dns-retries must be 1..127", a);
			cfg->dns_retries = (int)v;
			break;
		}
		case O_CHURN: cfg->churn = parse_rate("--churn", a); break;
		case O_LEAK: cfg->leak = parse_rate("--leak", a); break;
		case O_CWRATE: cfg->closewait_rate = parse_rate("--closewait-rate", a); break;
		case O_DNS: cfg->dns = parse_rate("--dns", a); break;
		case O_WAIT: cfg->wait_s = parse_rate("--wait", a); break;
		case O_DNSUDP: cfg->dns_udp = parse_rate("--dns-udp", a); break;
		case O_CONNFAIL: cfg->connfail = parse_rate("--connfail", a); break;
		case O_OVFRATE: cfg->overflow_rate = parse_rate("--overflow", a); break;
		case O_HOLD: cfg->hold = parse_count("--hold", a); break;
		case O_HOLD_AFTER: cfg->hold_after = parse_rate("--hold-after", a); break;
		case O_HOLD_AT: {
			char *end;

			errno = 0;
			cfg->hold_at = strtod(a, &end);
			if (errno || end == a || *end || !(cfg->hold_at > 0))
				usage_error("bad --hold-at (seconds since the epoch)", a);
			break;
		}
		case O_OVFBACKLOG: {
			long v = parse_count("--overflow-backlog", a);

			if (v < 1 || v > 4096)
				usage_error("--overflow-backlog must be 1..4096", a);
			cfg->overflow_backlog = v;
			break;
		}
		case O_CONNFAIL_RETRIES: {
			long v = parse_count("--connfail-retries", a);

			if (v < 1 || v > 127)
				usage_error("--connfail-retries must be 1..127", a);
			cfg->connfail_retries = (int)v;
			break;
		}
		case O_CONNFAIL_TO:
			if (!parse_hostport(a, &cfg->connfail_to))
				usage_error("bad --connfail-to (want ADDR:PORT or [ADDR6]:PORT)", a);
			cfg->have_connfail_to = true;
			break;
		case O_CLOSER: cfg->closer = true; break;
		case O_CWREMOTE:
			if (!parse_hostport(a, &cfg->cw_remote))
				usage_error("bad --closewait-remote (want ADDR:PORT or [ADDR6]:PORT)", a);
			cfg->have_cw_remote = true;
			break;
		case O_TARGET:
			if (!parse_hostport(a, &cfg->target))
				usage_error("bad --target (want ADDR:PORT or [ADDR6]:PORT)", a);
			cfg->have_target = true;
			break;
		case O_REMOTE:
			if (cfg->nremotes == MAX_REMOTES)
				usage_error("too many --remote", a);
			if (!parse_hostport(a, &cfg->remotes[cfg->nremotes++]))
				usage_error("bad --remote (want ADDR:PORT or [ADDR6]:PORT)", a);
			break;
		case O_BLACKHOLE:
			if (!parse_addr(a, 0, &cfg->blackhole))
				usage_error("bad --blackhole address", a);
			cfg->have_blackhole = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			usage_error("missing value for", argv[optind - 1]);
		default:
			usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument", argv[optind]);
	if (cfg->out && !cfg->nremotes)
		usage_error("--out needs --remote", NULL);
	if (cfg->connfail > 0 && !cfg->have_connfail_to)
		usage_error("--connfail needs --connfail-to", NULL);
	if ((cfg->hold_after > 0 || cfg->hold_at > 0) && !cfg->hold)
		usage_error("--hold-after and --hold-at need --hold", NULL);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct endpoint lo4, lo6, dns, ovf;
	struct sigaction sa;
	int lfd, i;
	long k;
	rlim_t need, want, limit;
	int nloads;

	parse_args(&cfg, argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: blocking calls return EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Static sockets must fit; continuous loads share what is left. */
	need = 256 + 2 * (rlim_t)(cfg.estab + cfg.estab6 + cfg.timewait + cfg.closewait +
				  cfg.synrecv + cfg.finwait1 + cfg.lastack + cfg.closing) +
	       (rlim_t)(cfg.synsent + cfg.overflow + 4) +
	       (rlim_t)cfg.out * (rlim_t)(cfg.nremotes ? cfg.nremotes : 1) +
	       (rlim_t)cfg.hold + 2 * (rlim_t)(cfg.overflow_rate > 0 ? cfg.overflow_backlog + 1 : 0);
	nloads = (cfg.leak > 0) + (cfg.closewait_rate > 0) + (cfg.dns > 0) + (cfg.dns_udp > 0) +
		 (cfg.connfail > 0) + (cfg.overflow_rate > 0);
	want = need + (cfg.nremotes || cfg.churn > 0 || cfg.leak > 0 ? 1024 : 0) +
	       2 * (rlim_t)cfg.max * (rlim_t)nloads;
	limit = raise_nofile(want);
	/* The listener holds incoming connections too (other namespaces'
	 * --out, --leak, --churn, CLOSE_WAITs toward a --closer), how many is
	 * not known here: the soft limit goes up to the hard one, as a
	 * server's would. (Past it, accept fails and the peers' connections
	 * wait in the queue: a lab backend under a soft limit of 1024 stopped
	 * accepting at about 1,400.) */
	{
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max &&
		    rl.rlim_max != RLIM_INFINITY) {
			rl.rlim_cur = rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
				limit = rl.rlim_cur;
		}
	}
	if (limit < need)
		die("RLIMIT_NOFILE %lu is below the %lu descriptors needed",
		    (unsigned long)limit, (unsigned long)need);
	if (nloads && limit < want) {
		/* Shrink the caps to fit, keeping room for incoming connections. */
		rlim_t room = limit - need > 1024 ? limit - need - 1024 : 0;
		long fit = (long)(room / 2 / (rlim_t)nloads);

		if (fit < cfg.max)
			cfg.max = fit;
	}

	lo_up();
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		die("epoll_create1: %s", strerror(errno));

	parse_addr("127.0.0.1", cfg.port, &lo4);
	lfd = listen_on("0.0.0.0", cfg.port, 4096, false, 0);

	for (k = 0; k < cfg.estab; k++)
		make_estab(lfd, &lo4, NULL);
	for (k = 0; k < cfg.timewait; k++)
		make_timewait(lfd, &lo4);
	if (cfg.closer) {
		int cl = listen_on("0.0.0.0", cfg.port + 7, 4096, false, 0);

		watch(cl, true, -1);
		conns->closer = true; /* watch() put it first */
	}
	for (k = 0; k < cfg.closewait; k++) {
		if (cfg.have_cw_remote)
			make_closewait_remote(&cfg.cw_remote, cfg.wait_s, true);
		else
			make_closewait(lfd, &lo4);
	}

	if (cfg.estab6) {
		int l6 = listen_on("::", cfg.port + 1, 4096, true, 0);
		struct endpoint to4;

		parse_addr("::1", cfg.port + 1, &lo6);
		parse_addr("127.0.0.1", cfg.port + 1, &to4);
		for (k = 0; k < cfg.estab6; k++)
			make_estab(l6, k % 2 == 0 ? &lo6 : &to4, NULL);
	}
	if (cfg.synsent) {
		struct endpoint to;

		if (cfg.have_blackhole) {
			to = cfg.blackhole;
			set_port(&to, cfg.port);
		} else {
			sink("127.0.0.1", cfg.port + 2, 0, 1, &to);
		}
		for (k = 0; k < cfg.synsent; k++)
			make_synsent(&to, 127, "synsent");
	}
	if (cfg.overflow) {
		struct endpoint to;
		long nfill = cfg.overflow < 2 ? cfg.overflow : 2;
		int ofd = sink("127.0.0.1", cfg.port + 3, 1, nfill, &to);

		for (k = nfill; k < cfg.overflow; k++)
			make_synsent(&to, 127, "overflow client");
		(void)ofd;
	}
	if (cfg.synrecv) {
		int dfd = listen_on("127.0.0.1", cfg.port + 4, 4096, false, 0);
		struct endpoint to;

		set_int(dfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, 3600, "TCP_DEFER_ACCEPT");
		parse_addr("127.0.0.1", cfg.port + 4, &to);
		for (k = 0; k < cfg.synrecv; k++) {
			int c = connect_retry(&to, NULL, 0, 5);

			expect_state(c, TCP_ESTABLISHED, "synrecv client");
			keep(c);
		}
		sleep_ms(20);
		if (listen_queue(dfd) != 0)
			die("synrecv: TCP_DEFER_ACCEPT did not hold the handshake");
	}
	if (cfg.finwait1 || cfg.lastack || cfg.closing) {
		int tiny = listen_on("127.0.0.1", cfg.port + 5, 4096, false, 2048);
		struct endpoint to;

		parse_addr("127.0.0.1", cfg.port + 5, &to);
		for (k = 0; k < cfg.finwait1; k++)
			make_finwait1(tiny, &to);
		for (k = 0; k < cfg.lastack; k++)
			make_lastack(tiny, &to);
		for (k = 0; k < cfg.closing; k++)
			make_closing(tiny, &to);
	}
	for (i = 0; i < cfg.nremotes; i++)
		for (k = 0; k < cfg.out; k++) {
			int c = connect_retry(&cfg.remotes[i], NULL, 0, cfg.wait_s);

			set_nonblock(c, true);
			watch(c, false, i); /* re-established if the remote drops it */
		}

	if (cfg.overflow_rate > 0) {
		long nfill = cfg.overflow_backlog + 1;
		int ofd = listen_on("0.0.0.0", cfg.port + 6, (int)cfg.overflow_backlog, false, 0);

		/* The kernel calls an accept queue full when it holds more than
		 * the backlog, so backlog + 1 handshakes fill it; from then on
		 * every SYN is dropped and counted (ListenOverflows, ListenDrops). */
		parse_addr("127.0.0.1", cfg.port + 6, &ovf);
		for (k = 0; k < nfill; k++) {
			int c = connect_retry(&ovf, NULL, 0, 5);

			expect_state(c, TCP_ESTABLISHED, "overflow filler");
			keep(c);
		}
		for (i = 0; i < 400 && listen_queue(ofd) < (unsigned)nfill; i++)
			sleep_ms(5);
		if (listen_queue(ofd) < (unsigned)nfill)
			die("overflow listener: accept queue did not fill");
	}
	if (cfg.dns > 0 || cfg.dns_udp > 0) {
		if (cfg.have_blackhole) {
			dns = cfg.blackhole;
			set_port(&dns, 53);
		} else {
			sink("127.0.0.53", 53, 0, 1, &dns);
		}
	}
	/* From here on, the main listener serves everyone else's connections. */
	watch(lfd, true, -1);
	check_stop();
	printf("ready\n");
	if (fflush(stdout) != 0)
		die("stdout: %s", strerror(errno));

	{
		const struct endpoint *target = cfg.have_target ? &cfg.target
						: cfg.nremotes	? &cfg.remotes[0]
								: &lo4;
		double t0 = now_s(), last_fix = t0;
		long churned = 0, leaked = 0, cwd = 0, dnsed = 0, udped = 0, failed = 0, ovfed = 0;
		bool held = cfg.hold == 0;
		struct epoll_event evs[256];

		while (!stopping) {
			bool loads = cfg.churn > 0 || cfg.leak > 0 || cfg.closewait_rate > 0 ||
				     cfg.dns > 0 || cfg.dns_udp > 0 || cfg.connfail > 0 ||
				     cfg.overflow_rate > 0 || !held;
			bool lost = false;
			int n;
			double t;

			for (i = 0; i < cfg.nremotes; i++)
				lost |= deficit[i] > 0;
			n = epoll_wait(epfd, evs, 256, loads ? 10 : lost ? 1000 : -1);
			t = now_s() - t0;
			for (i = 0; i < n; i++)
				on_event(&evs[i]);
			/* Once a second, restore --out connections a remote dropped. */
			if (lost && now_s() - last_fix >= 1) {
				last_fix = now_s();
				for (i = 0; i < cfg.nremotes; i++)
					while (deficit[i] > 0) {
						int c = connect_wait(&cfg.remotes[i], NULL, 0, 0.5);

						if (c < 0)
							break;
						set_nonblock(c, true);
						watch(c, false, i);
						deficit[i]--;
					}
			}
			for (; cfg.churn > 0 && churned < (long)(t * cfg.churn); churned++) {
				int c = connect_wait(target, NULL, 0, 1);

				if (c >= 0)
					close(c);
			}
			/* A pile-up keeps its rate: an attempt that fails (a
			 * peer too busy to accept in time) is made again on
			 * the next turn, not counted as done. */
			for (; cfg.leak > 0 && leaked < cfg.max && leaked < (long)(t * cfg.leak);
			     leaked++) {
				int c = connect_wait(target, NULL, 0, 1);

				if (c < 0)
					break;
				keep(c);
			}
			for (; cfg.closewait_rate > 0 && cwd < cfg.max &&
			       cwd < (long)(t * cfg.closewait_rate);
			     cwd++) {
				if (!cfg.have_cw_remote)
					make_closewait(lfd, &lo4);
				else if (!make_closewait_remote(&cfg.cw_remote, 0, false))
					break;
			}
			for (; cfg.dns > 0 && dnsed < (long)(t * cfg.dns); dnsed++)
				probe_one(&dns, cfg.dns_retries, &dns_pending, cfg.max);
			udp_expire(now_s());
			for (; cfg.dns_udp > 0 && udped < (long)(t * cfg.dns_udp); udped++)
				udp_one(&dns, now_s(), cfg.max);
			for (; cfg.connfail > 0 && failed < (long)(t * cfg.connfail); failed++)
				probe_one(&cfg.connfail_to, cfg.connfail_retries, &fail_pending,
					  cfg.max);
			for (; cfg.overflow_rate > 0 && ovfed < (long)(t * cfg.overflow_rate); ovfed++)
				probe_one(&ovf, 1, &ovf_pending, cfg.max);
			if (!held && t >= cfg.hold_after && wall_s() >= cfg.hold_at) {
				/* A step, not a ramp: every connection at once. */
				for (k = 0; k < cfg.hold; k++) {
					int c = connect_wait(target, NULL, 0, 1);

					if (c >= 0)
						keep(c);
				}
				held = true;
			}
		}
	}
	/* Tidy up, so leak checkers (an ASan build) see nothing and exit stays 0. */
	while (conns)
		conn_drop(conns);
	udp_expire(1e300);
	free(udpq);
	for (size_t j = 0; j < nkept; j++)
		close(kept[j]);
	free(kept);
	close(epfd);
	return 0;
}
