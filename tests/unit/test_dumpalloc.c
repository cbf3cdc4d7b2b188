/* test_dumpalloc: a dump, parsed and aggregated, allocates nothing once its
 * tables have grown: the collector's path (cw_diag_dump_sink into a
 * cw_agg_builder, cw_agg_end into an aggregate from the last dump) and the
 * list path (cw_diag_dump into a kept sockvec, cw_agg_build_list), against
 * the kernel, in a network namespace of its own (root) holding a listener
 * and 600 connected pairs from 30 source addresses (31 peers: 30 inbound,
 * and the listener as every client's outbound one). The streamed aggregate
 * must equal the list's.
 *
 * Allocations are counted by defining malloc, calloc, realloc and free here
 * (the program's definitions win over libc's for every caller), forwarding
 * to glibc's own entry points. ASan's allocator cannot be replaced that way:
 * there the counts are left to the plain build and the rest still runs. */
#include "config.h"
#include "agg.h"
#include "diag.h"
#include "ownnet.h"
#include "tap.h"
#include "tcp.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define CW_NO_COUNT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CW_NO_COUNT 1
#endif
#endif

static bool counting;
static unsigned long counted;

#ifndef CW_NO_COUNT
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

void *malloc(size_t n)
{
	counted += counting;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	counted += counting;
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	counted += counting;
	return __libc_realloc(p, n);
}

/* The pair of the above, so that a tool replacing libc's allocator
 * (valgrind) never frees what they allocated. */
void free(void *p)
{
	__libc_free(p);
}
#endif

/* Whether the definitions above are the ones called: a tool that replaces
 * the allocator in every object (valgrind) replaces them too. */
static bool can_count(void)
{
#ifdef CW_NO_COUNT
	return false;
#else
	/* Called through a volatile pointer: a compiler may drop a malloc
	 * whose memory is only freed. */
	void *(*volatile alloc)(size_t) = malloc;
	void *p;

	counted = 0;
	counting = true;
	p = alloc(16);
	counting = false;
	free(p);
	return counted == 1;
#endif
}

#define NADDRS 30
#define PAIRS 600

/* A listener on 127.0.0.1, and PAIRS connections to it from 127.0.1.k
 * (0 < k <= NADDRS): an inbound peer per source address, and one outbound
 * peer (the listener) for every client. The descriptors stay open until
 * exit. */
static void make_sockets(void)
{
	/* A port below the ephemeral range: a client whose own port were the
	 * listener's would count as inbound (peers go by port). */
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons(5000)};
	const rlim_t need = 2 * PAIRS + 64; /* past the usual soft limit of 1024 */
	struct rlimit rl;
	int l, i;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < need)
			tap_bail("RLIMIT_NOFILE is below the 2 descriptors a pair this needs");
	}
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(l, 1024) != 0)
		tap_bail("cannot listen on loopback");
	for (i = 0; i < PAIRS; i++) {
		struct sockaddr_in me = {.sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(0x7f000100u + (uint32_t)(i % NADDRS) + 1)};
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (c < 0 || bind(c, (struct sockaddr *)&me, sizeof(me)) != 0 ||
		    connect(c, (struct sockaddr *)&sa, sizeof(sa)) != 0 || accept(l, NULL, NULL) < 0)
			tap_bail("cannot connect a loopback pair");
	}
}

static void add(void *arg, const struct cw_sock *s)
{
	cw_agg_add(arg, s);
}

static void restart(void *arg)
{
	cw_agg_begin(arg);
}

int main(void)
{
	struct cw_agg_builder *b = cw_agg_builder_new(), *lb = cw_agg_builder_new();
	const struct cw_diag_sink sink = {.sock = add, .reset = restart, .arg = b};
	struct cw_sockvec v = {0};
	struct cw_agg s, l;
	struct cw_diag *d = NULL;
	unsigned long per_stream[3], per_list[3];
	char *cause = NULL;
	int round, r;
	bool same = true;

	tap_need_root(geteuid() == 0);
	own_netns();
	make_sockets();
	if (cw_diag_open(&d, CW_DIAG_MODE_AUTO, &cause) != 0)
		tap_bail(cause ? cause : "cw_diag_open failed");
	memset(&s, 0, sizeof(s));
	memset(&l, 0, sizeof(l));
	for (round = 0; round < 3; round++) {
		counted = 0;
		counting = true;
		cw_agg_begin(b);
		r = cw_diag_dump_sink(d, false, &sink, &cause);
		if (r == 0 && !cw_agg_end(b, &s, 20))
			r = -EPROTO;
		counting = false;
		per_stream[round] = counted;
		is_int(r, 0, "round %d: streamed dump and aggregate", round);

		counted = 0;
		counting = true;
		cw_sockvec_clear(&v);
		r = cw_diag_dump(d, false, &v, &cause);
		if (r == 0)
			cw_agg_build_list(lb, &l, v.v, v.n, 20);
		counting = false;
		per_list[round] = counted;
		is_int(r, 0, "round %d: dump into a list, aggregated", round);

		same &= memcmp(&s.count, &l.count, sizeof(s.count)) == 0 && s.npeers == l.npeers &&
			s.peers_all == l.peers_all && s.nlisteners == l.nlisteners &&
			memcmp(s.peers, l.peers, s.npeers * sizeof(*s.peers)) == 0;
	}
	is_int(s.count.tcp[CW_TCP_ESTABLISHED], 2 * PAIRS, "every ESTABLISHED socket counted");
	is_int(s.count.tcp[CW_TCP_LISTEN], 1, "the listener counted");
	is_int(s.peers_all, NADDRS + 1, "an inbound peer per client address, one outbound");
	is_int(s.nlisteners, 1, "one listener");
	ok(same, "the streamed aggregate equals the list's, every round");
	if (!can_count()) {
		/* Not a skip: these counts are asserted by the plain build, which
		 * CI runs too; a sanitizer's allocator is simply not ours. */
		printf("# allocation counts left to the plain build: the allocator is not this program's"
		       " (ASan, valgrind)\n");
	} else {
		ok(per_stream[0] > 0, "the first streamed dump grows the tables (%lu allocations)",
		   per_stream[0]);
		ok(per_stream[1] == 0 && per_stream[2] == 0,
		   "later streamed dumps allocate nothing (%lu, %lu)", per_stream[1], per_stream[2]);
		ok(per_list[1] == 0 && per_list[2] == 0,
		   "list path: later dumps into a kept list allocate nothing (%lu, %lu)", per_list[1],
		   per_list[2]);
	}
	free(cause);
	cw_diag_close(d);
	cw_agg_done(&s);
	cw_agg_done(&l);
	cw_sockvec_done(&v);
	cw_agg_builder_free(b);
	cw_agg_builder_free(lb);
	return tap_done();
}
