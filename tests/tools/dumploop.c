/* dumploop: the bare baseline for tests/bench/collect.sh. It opens one
 * sock_diag socket per network namespace (setns in, socket, setns back:
 * the way connwatch does it, once), then for R rounds dumps every namespace
 * once and only counts the sockets that come back: no parsing into records,
 * no aggregation. Per round it prints the thread CPU time (which includes
 * the kernel's walk: a netlink dump runs in the reader's recvmsg) and the
 * wall time:
 *   round N cpu_ms X wall_ms Y sockets Z
 * then "median cpu_ms X wall_ms Y". Usage:
 *   dumploop [-r ROUNDS] [-m legacy|family|parse-legacy|parse-family|parse-legacy-udp|udp|counters]
 *            [-b BUFSZ] [-p PAUSE_MS] [-v] NETNS...
 * NETNS is a namespace file (/run/netns/NAME, /proc/PID/ns/net), or "." for
 * the current namespace. Modes:
 *   legacy        TCPDIAG_GETSOCK with AF_UNSPEC: one walk for both families
 *                 (default; what connwatch asks for)
 *   family        SOCK_DIAG_BY_FAMILY, AF_INET then AF_INET6: two walks
 *   parse-legacy, parse-family
 *                 the same through connwatch's own cw_diag_dump (request,
 *                 receive and cw_diag_parse into struct cw_sock records), to
 *                 show what parsing adds to the bare walk
 *   parse-legacy-udp
 *                 parse-legacy, then cw_diag_dump_udp_dns (the UDP sockets
 *                 connected to port 53, two more walks of the UDP hash):
 *                 connwatch's whole dump per namespace
 *   udp           cw_diag_dump_udp_dns alone
 *   counters      no dump: connwatch's cheap counters (cw_nscount_read of
 *                 sockstat, sockstat6, snmp, netstat) for every namespace
 * Every mode asks for idiag_states 0x1ffe (CW_TCP_STATE_MASK) and no
 * extensions, as connwatch's tick does. -b is the receive buffer (default
 * 64 KiB, connwatch's). -p sleeps that long between rounds, as a ticking
 * collector does (caches go cold in between). -v adds one line per namespace per round. Exit 1 on
 * any error (a namespace that cannot be entered, a dump error). */
#include "config.h"
#include "diag.h"
#include "nscount.h"
#include "nsenter.h"
#include "tcp.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

enum mode { M_LEGACY, M_FAMILY, M_PARSE_LEGACY, M_PARSE_FAMILY, M_PARSE_LEGACY_UDP, M_UDP, M_COUNTERS };

struct ns {
	const char *path;
	int fd;                   /* raw netlink socket (M_LEGACY, M_FAMILY) */
	struct cw_diag *diag;     /* M_PARSE_* */
	struct cw_nscount cnt;    /* M_COUNTERS */
};

struct open_ctx {
	struct ns *ns;
	enum mode mode;
	char *cause;
};

static uint32_t seq;
static char *buf;
static size_t bufsz = 64 * 1024;
static unsigned long dump_intr;

static void usage(FILE *f)
{
	fputs("usage: dumploop [-r ROUNDS]\n"
	      "                [-m legacy|family|parse-legacy|parse-family|parse-legacy-udp|udp|counters]\n"
	      "                [-b BUFSZ] [-p PAUSE_MS] [-v] NETNS...\n", f);
}

/* Runs inside the namespace: the handle that must be created there. */
static int open_inside(void *arg)
{
	struct open_ctx *x = arg;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};

	switch (x->mode) {
	case M_LEGACY:
	case M_FAMILY:
		x->ns->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
		if (x->ns->fd < 0)
			return cw_cause(&x->cause, -errno, "socket: %s", strerror(errno));
		if (bind(x->ns->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
			return cw_cause(&x->cause, -errno, "bind: %s", strerror(errno));
		return 0;
	case M_PARSE_LEGACY:
	case M_PARSE_FAMILY:
	case M_PARSE_LEGACY_UDP:
	case M_UDP:
		return cw_diag_open(&x->ns->diag,
				    x->mode == M_PARSE_FAMILY ? CW_DIAG_MODE_FAMILY : CW_DIAG_MODE_LEGACY,
				    &x->cause);
	case M_COUNTERS:
		/* thread-self/net is the namespace just entered; the files keep
		 * reading it after we leave (as connwatch's setup does). */
		return cw_nscount_open(&x->ns->cnt, "/proc/thread-self/net", &x->cause);
	}
	return -EINVAL;
}

static int send_req(int fd, int family)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct {
		struct nlmsghdr nlh;
		union {
			struct inet_diag_req legacy;
			struct inet_diag_req_v2 v2;
		} r;
	} req;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = ++seq;
	if (family == AF_UNSPEC) {
		/* The compat request: both families in one walk of the hashes. */
		req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(req.r.legacy));
		req.nlh.nlmsg_type = TCPDIAG_GETSOCK;
		req.r.legacy.idiag_family = AF_UNSPEC;
		req.r.legacy.idiag_states = CW_TCP_STATE_MASK;
	} else {
		req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(req.r.v2));
		req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
		req.r.v2.sdiag_family = (uint8_t)family;
		req.r.v2.sdiag_protocol = IPPROTO_TCP;
		req.r.v2.idiag_states = CW_TCP_STATE_MASK;
	}
	if (sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

/* One dump: counts the socket messages until NLMSG_DONE. */
static int dump_count(int fd, int family, unsigned long *count)
{
	int r = send_req(fd, family);

	if (r < 0)
		return r;
	for (;;) {
		ssize_t n = recv(fd, buf, bufsz, 0);
		struct nlmsghdr *h;
		size_t len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (size_t)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				dump_intr++;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error ? e->error : -EIO;
			}
			(*count)++;
		}
	}
}

static int pass_one(struct ns *ns, enum mode mode, unsigned long *count, char **cause)
{
	struct cw_sockvec sv = {0};
	struct cw_counters c;
	int r = 0;

	switch (mode) {
	case M_LEGACY:
		r = dump_count(ns->fd, AF_UNSPEC, count);
		break;
	case M_FAMILY:
		r = dump_count(ns->fd, AF_INET, count);
		if (r == 0)
			r = dump_count(ns->fd, AF_INET6, count);
		break;
	case M_PARSE_LEGACY:
	case M_PARSE_FAMILY:
	case M_PARSE_LEGACY_UDP:
	case M_UDP:
		if (mode != M_UDP)
			r = cw_diag_dump(ns->diag, false, &sv, cause);
		if (r == 0 && (mode == M_PARSE_LEGACY_UDP || mode == M_UDP))
			r = cw_diag_dump_udp_dns(ns->diag, &sv, cause);
		*count += sv.n;
		cw_sockvec_done(&sv);
		return r;
	case M_COUNTERS:
		r = cw_nscount_read(&ns->cnt, &c, cause);
		/* the count is what sockstat says is in use, plus TIME_WAIT */
		*count += c.inuse + c.tw;
		return r;
	}
	if (r < 0)
		cw_cause(cause, r, "dump: %s", strerror(-r));
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	enum mode mode = M_LEGACY;
	int rounds = 5, verbose = 0, pause_ms = 0, opt, round;
	size_t nns, k;
	struct ns *v;
	double *cpu, *wall;

	while ((opt = getopt(argc, argv, "r:m:b:p:vh")) != -1) {
		switch (opt) {
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'm':
			if (strcmp(optarg, "legacy") == 0)
				mode = M_LEGACY;
			else if (strcmp(optarg, "family") == 0)
				mode = M_FAMILY;
			else if (strcmp(optarg, "parse-legacy") == 0)
				mode = M_PARSE_LEGACY;
			else if (strcmp(optarg, "parse-family") == 0)
				mode = M_PARSE_FAMILY;
			else if (strcmp(optarg, "parse-legacy-udp") == 0)
				mode = M_PARSE_LEGACY_UDP;
			else if (strcmp(optarg, "udp") == 0)
				mode = M_UDP;
			else if (strcmp(optarg, "counters") == 0)
				mode = M_COUNTERS;
			else {
				usage(stderr);
				return 2;
			}
			break;
		case 'b':
			bufsz = (size_t)atol(optarg);
			break;
		case 'p':
			pause_ms = atoi(optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc || rounds < 1 || bufsz < 8192) {
		usage(stderr);
		return 2;
	}
	nns = (size_t)(argc - optind);
	v = cw_xcalloc(nns, sizeof(*v));
	buf = cw_xmalloc(bufsz);
	cpu = cw_xcalloc((size_t)rounds, sizeof(*cpu));
	wall = cw_xcalloc((size_t)rounds, sizeof(*wall));

	/* Setup, once: not timed. */
	for (k = 0; k < nns; k++) {
		struct open_ctx x = {.ns = &v[k], .mode = mode};
		int fd, r;

		v[k].path = argv[optind + (int)k];
		v[k].fd = -1;
		v[k].cnt = (struct cw_nscount)CW_NSCOUNT_CLOSED;
		if (strcmp(v[k].path, ".") == 0) {
			r = open_inside(&x);
		} else {
			fd = open(v[k].path, O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				fprintf(stderr, "dumploop: %s: %s\n", v[k].path, strerror(errno));
				return 1;
			}
			r = cw_nsenter_call(fd, open_inside, &x, &x.cause);
			close(fd);
		}
		if (r < 0) {
			fprintf(stderr, "dumploop: %s: %s\n", v[k].path,
				x.cause ? x.cause : strerror(-r));
			return 1;
		}
		free(x.cause);
	}

	for (round = 0; round < rounds; round++) {
		int64_t c0, w0;
		unsigned long total = 0;

		if (pause_ms > 0 && round > 0)
			usleep((useconds_t)pause_ms * 1000);
		c0 = cw_thread_cpu_ns();
		w0 = cw_mono_ns();

		for (k = 0; k < nns; k++) {
			int64_t kc0 = cw_thread_cpu_ns();
			unsigned long n = 0;
			char *cause = NULL;

			if (pass_one(&v[k], mode, &n, &cause) < 0) {
				fprintf(stderr, "dumploop: %s: %s\n", v[k].path, cause ? cause : "failed");
				return 1;
			}
			total += n;
			if (verbose)
				printf("  ns %s sockets %lu cpu_ms %.3f\n", v[k].path, n,
				       (double)(cw_thread_cpu_ns() - kc0) / 1e6);
		}
		cpu[round] = (double)(cw_thread_cpu_ns() - c0) / 1e6;
		wall[round] = (double)(cw_mono_ns() - w0) / 1e6;
		printf("round %d cpu_ms %.3f wall_ms %.3f sockets %lu\n", round + 1, cpu[round],
		       wall[round], total);
		fflush(stdout);
	}
	printf("median cpu_ms %.3f wall_ms %.3f\n", median(cpu, rounds), median(wall, rounds));
	if (dump_intr)
		printf("# %lu messages carried NLM_F_DUMP_INTR (the tables changed mid-dump)\n",
		       dump_intr);

	for (k = 0; k < nns; k++) {
		if (v[k].fd >= 0)
			close(v[k].fd);
		cw_diag_close(v[k].diag);
		cw_nscount_close(&v[k].cnt);
	}
	free(v);
	free(buf);
	free(cpu);
	free(wall);
	return 0;
}
