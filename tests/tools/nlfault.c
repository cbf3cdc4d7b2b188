/* nlfault: a fault-injection library for the integration tests, loaded
 * into the real connwatch with LD_PRELOAD. The kernel cannot be made to
 * overrun a netlink receive queue or to interrupt a sock_diag dump on
 * demand, so this makes real dumps of real namespaces fail the way the
 * kernel would: it wraps send/sendto/sendmsg (to see each dump request
 * start) and recv/recvfrom/recvmsg (to fault one datagram of the reply),
 * on NETLINK_SOCK_DIAG sockets only (SO_DOMAIN AF_NETLINK and SO_PROTOCOL
 * NETLINK_SOCK_DIAG); every other socket passes through untouched. It
 * wraps socket() too, to note the namespace each one is made in.
 *
 * Steering, read once at load:
 *   CW_FAULT_NL="RULE[;RULE...]"   RULE = KIND[:KEY=VAL[,KEY=VAL...]]
 *     KIND  enobufs   the faulted datagram is received and dropped, and the
 *                     receive fails with ENOBUFS, as when the kernel finds
 *                     the queue full (sk_err); the rest of the dump stays
 *                     queued, as it would
 *           dumpintr  the faulted datagram is delivered with NLM_F_DUMP_INTR
 *                     set on each of its messages; the bytes are otherwise
 *                     the kernel's
 *     netns=INODE  only sockets of that network namespace (SIOCGSKNETNS)
 *     from=N       the first dump that may be faulted (default 1)
 *     every=N      then every Nth dump (default 1: each one)
 *     count=K      at most K faults (default: no limit)
 *     at=M         the Mth datagram of the reply, or its last one (the one
 *                  with NLMSG_DONE or NLMSG_ERROR) when it has fewer (default 1)
 *   Dumps are numbered per socket (connwatch keeps one per namespace), and
 *   only requests for TCP count: TCPDIAG_GETSOCK, or SOCK_DIAG_BY_FAMILY
 *   for IPPROTO_TCP. Other requests (connwatch's UDP port 53 dumps) pass.
 *   The first rule that matches a dump faults it; count is per socket.
 *   CW_FAULT_NL_LOG=FILE  appends one line per fault injected:
 *     "KIND netns=INODE dump=N datagram=M"
 * Receives with MSG_PEEK are never faulted. Not async-signal-safe; a mutex
 * guards the per-socket table. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/sockios.h>

#ifndef SIOCGSKNETNS
#define SIOCGSKNETNS 0x894C
#endif
#define NF_TCPDIAG_GETSOCK 18      /* linux/inet_diag.h */
#define NF_SOCK_DIAG_BY_FAMILY 20  /* linux/sock_diag.h */
#define NF_MAXRULES 8
#define NF_MAXSOCKS 256

enum nf_kind { NF_ENOBUFS, NF_DUMPINTR };

struct nf_rule {
	enum nf_kind kind;
	uint64_t netns;          /* 0: any */
	unsigned long from, every, count, at;
};

struct nf_sock {
	bool used;
	int fd;
	ino_t ino;               /* the socket's own inode: a reused fd is a new socket */
	uint64_t netns;
	unsigned long dumps;     /* TCP dump requests seen */
	unsigned long fired[NF_MAXRULES];
	int rule;                /* the rule faulting the current dump, or -1 */
	unsigned long datagram;  /* datagrams of the current dump received */
};

static struct nf_rule rules[NF_MAXRULES];
static int nrules;
static struct nf_sock socks[NF_MAXSOCKS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *log_path;

static int (*real_socket)(int, int, int);
static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static ssize_t (*real_recv)(int, void *, size_t, int);
static ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
static ssize_t (*real_recvmsg)(int, struct msghdr *, int);

static void die(const char *what)
{
	fprintf(stderr, "nlfault: bad CW_FAULT_NL: %s\n", what);
	_exit(99);
}

static unsigned long num(const char *v, const char *key)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || (n == 0 && strcmp(key, "netns") != 0))
		die(key);
	return n;
}

static void parse_rule(char *s)
{
	struct nf_rule *r;
	char *opts = strchr(s, ':'), *kv, *save = NULL;

	if (nrules == NF_MAXRULES)
		die("too many rules");
	r = &rules[nrules++];
	*r = (struct nf_rule){.from = 1, .every = 1, .count = (unsigned long)-1, .at = 1};
	if (opts)
		*opts++ = '\0';
	if (!strcmp(s, "enobufs"))
		r->kind = NF_ENOBUFS;
	else if (!strcmp(s, "dumpintr"))
		r->kind = NF_DUMPINTR;
	else
		die(s);
	for (kv = opts ? strtok_r(opts, ",", &save) : NULL; kv; kv = strtok_r(NULL, ",", &save)) {
		char *v = strchr(kv, '=');

		if (!v)
			die(kv);
		*v++ = '\0';
		if (!strcmp(kv, "netns"))
			r->netns = num(v, kv);
		else if (!strcmp(kv, "from"))
			r->from = num(v, kv);
		else if (!strcmp(kv, "every"))
			r->every = num(v, kv);
		else if (!strcmp(kv, "count"))
			r->count = num(v, kv);
		else if (!strcmp(kv, "at"))
			r->at = num(v, kv);
		else
			die(kv);
	}
}

__attribute__((constructor)) static void nf_init(void)
{
	const char *env = getenv("CW_FAULT_NL");
	char *copy, *rule, *save = NULL;

	real_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	real_send = (ssize_t (*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
	real_sendto = (ssize_t (*)(int, const void *, size_t, int, const struct sockaddr *,
				   socklen_t))dlsym(RTLD_NEXT, "sendto");
	real_sendmsg = (ssize_t (*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
	real_recv = (ssize_t (*)(int, void *, size_t, int))dlsym(RTLD_NEXT, "recv");
	real_recvfrom = (ssize_t (*)(int, void *, size_t, int, struct sockaddr *,
				     socklen_t *))dlsym(RTLD_NEXT, "recvfrom");
	real_recvmsg = (ssize_t (*)(int, struct msghdr *, int))dlsym(RTLD_NEXT, "recvmsg");
	if (!real_socket || !real_send || !real_sendto || !real_sendmsg || !real_recv || !real_recvfrom || !real_recvmsg) {
		fprintf(stderr, "nlfault: dlsym: %s\n", dlerror());
		_exit(99);
	}
	log_path = getenv("CW_FAULT_NL_LOG");
	if (!env || !*env)
		return;
	copy = strdup(env);
	if (!copy)
		_exit(99);
	for (rule = strtok_r(copy, ";", &save); rule; rule = strtok_r(NULL, ";", &save))
		parse_rule(rule);
	free(copy); /* the rules hold numbers only */
}

/* The table entry of a sock_diag socket, made on first sight; NULL for any
 * other descriptor. Called with lock held. */
static struct nf_sock *lookup(int fd)
{
	struct stat st;
	struct nf_sock *free_slot = NULL;
	int dom = 0, proto = 0, nsfd, i;
	socklen_t l = sizeof(int);

	if (!nrules || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return NULL;
	for (i = 0; i < NF_MAXSOCKS; i++) {
		if (socks[i].used && socks[i].fd == fd) {
			if (socks[i].ino == st.st_ino)
				return &socks[i];
			socks[i].used = false; /* closed, and the number reused */
		}
		if (!socks[i].used && !free_slot)
			free_slot = &socks[i];
	}
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) < 0 || dom != AF_NETLINK)
		return NULL;
	l = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) < 0 || proto != NETLINK_SOCK_DIAG)
		return NULL;
	if (!free_slot)
		return NULL;
	*free_slot = (struct nf_sock){.used = true, .fd = fd, .ino = st.st_ino, .rule = -1};
	/* The socket stays in the namespace it was made in, whichever the
	 * calling thread is in now: socket() noted it; for one made before
	 * this library loaded, ask the socket (which needs CAP_NET_ADMIN,
	 * and connwatch may have dropped it by then). */
	nsfd = ioctl(fd, SIOCGSKNETNS);
	if (nsfd >= 0) {
		if (fstat(nsfd, &st) == 0)
			free_slot->netns = st.st_ino;
		close(nsfd);
	}
	return free_slot;
}

static void log_fault(const struct nf_sock *s, enum nf_kind kind)
{
	char line[160];
	int fd, n;

	if (!log_path)
		return;
	n = snprintf(line, sizeof(line), "%s netns=%llu dump=%lu datagram=%lu\n",
		     kind == NF_ENOBUFS ? "enobufs" : "dumpintr", (unsigned long long)s->netns, s->dumps,
		     s->datagram);
	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n) {
		/* nothing to do: the test will see a missing line */
	}
	close(fd);
}

int socket(int domain, int type, int protocol)
{
	int fd = real_socket(domain, type, protocol);
	struct nf_sock *s;
	struct stat st;

	if (fd < 0 || domain != AF_NETLINK || protocol != NETLINK_SOCK_DIAG)
		return fd;
	pthread_mutex_lock(&lock);
	s = lookup(fd);
	/* Made in the calling thread's namespace (connwatch enters it first). */
	if (s && stat("/proc/thread-self/ns/net", &st) == 0)
		s->netns = st.st_ino;
	pthread_mutex_unlock(&lock);
	return fd;
}

/* A request goes out: a TCP dump starts, maybe a faulted one. */
static void on_send(int fd, const void *buf, size_t len)
{
	const struct nlmsghdr *h = buf;
	struct nf_sock *s;
	bool tcp;
	int i;

	if (!buf || len < sizeof(*h))
		return;
	pthread_mutex_lock(&lock);
	s = lookup(fd);
	if (!s)
		goto out;
	s->rule = -1;
	s->datagram = 0;
	tcp = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP &&
	      (h->nlmsg_type == NF_TCPDIAG_GETSOCK ||
	       (h->nlmsg_type == NF_SOCK_DIAG_BY_FAMILY && len >= sizeof(*h) + 2 &&
		((const uint8_t *)buf)[sizeof(*h) + 1] == 6 /* IPPROTO_TCP */));
	if (!tcp)
		goto out;
	s->dumps++;
	for (i = 0; i < nrules; i++) {
		const struct nf_rule *r = &rules[i];

		if ((r->netns && r->netns != s->netns) || s->dumps < r->from ||
		    (s->dumps - r->from) % r->every || s->fired[i] >= r->count)
			continue;
		s->rule = i;
		break;
	}
out:
	pthread_mutex_unlock(&lock);
}

/* Whether the datagram ends the reply (NLMSG_DONE or NLMSG_ERROR in it). */
static bool last_of_dump(const uint8_t *b, size_t n)
{
	size_t off = 0;

	while (n - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;

		memcpy(&h, b + off, sizeof(h));
		if (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR)
			return true;
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > n - off)
			return true;
		off += NLMSG_ALIGN(h.nlmsg_len) < n - off ? NLMSG_ALIGN(h.nlmsg_len) : n - off;
	}
	return false;
}

/* Sets NLM_F_DUMP_INTR on every message of the datagram. */
static void mark_intr(uint8_t *b, size_t n)
{
	size_t off = 0;

	while (n - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;

		memcpy(&h, b + off, sizeof(h));
		h.nlmsg_flags |= NLM_F_DUMP_INTR;
		memcpy(b + off, &h, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > n - off)
			return;
		off += NLMSG_ALIGN(h.nlmsg_len) < n - off ? NLMSG_ALIGN(h.nlmsg_len) : n - off;
	}
}

/* A datagram came in (n bytes at b, all in one buffer): 0 to deliver it
 * (perhaps marked), or -1 with errno set to fail the receive instead. */
static int on_recv(int fd, void *b, size_t n, int flags)
{
	struct nf_sock *s;
	int ret = 0;

	if (flags & MSG_PEEK)
		return 0;
	pthread_mutex_lock(&lock);
	s = lookup(fd);
	if (!s || s->rule < 0)
		goto out;
	s->datagram++;
	if (s->datagram < rules[s->rule].at && !last_of_dump(b, n))
		goto out;
	s->fired[s->rule]++;
	log_fault(s, rules[s->rule].kind);
	if (rules[s->rule].kind == NF_ENOBUFS) {
		errno = ENOBUFS;
		ret = -1;
	} else {
		mark_intr(b, n);
	}
	s->rule = -1;
out:
	pthread_mutex_unlock(&lock);
	return ret;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	on_send(fd, buf, len);
	return real_send(fd, buf, len, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	on_send(fd, buf, len);
	return real_sendto(fd, buf, len, flags, to, tolen);
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	if (m && m->msg_iovlen > 0)
		on_send(fd, m->msg_iov[0].iov_base, m->msg_iov[0].iov_len);
	return real_sendmsg(fd, m, flags);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	ssize_t n = real_recv(fd, buf, len, flags);

	if (n > 0 && on_recv(fd, buf, (size_t)n < len ? (size_t)n : len, flags) < 0)
		return -1;
	return n;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
	ssize_t n = real_recvfrom(fd, buf, len, flags, from, fromlen);

	if (n > 0 && on_recv(fd, buf, (size_t)n < len ? (size_t)n : len, flags) < 0)
		return -1;
	return n;
}

ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	ssize_t n = real_recvmsg(fd, m, flags);

	/* Only a datagram received into one buffer is faulted (connwatch's
	 * case); a scattered one passes. */
	if (n > 0 && m->msg_iovlen == 1 &&
	    on_recv(fd, m->msg_iov[0].iov_base,
		    (size_t)n < m->msg_iov[0].iov_len ? (size_t)n : m->msg_iov[0].iov_len, flags) < 0)
		return -1;
	return n;
}
