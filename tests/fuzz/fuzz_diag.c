/* fuzz_diag: bytes -> cw_diag_parse, as if one recv() of a sock_diag dump
 * returned them. The request's sequence number is taken from the first
 * header, so captured dumps used as seeds are parsed, not skipped. Every
 * socket it returns must be in a TCP state and family it knows. The same
 * bytes are parsed again as a UDP dump (cw_diag_parse_proto), whose
 * sockets must all be marked UDP and connected or not (ESTABLISHED or
 * CLOSE), and which must agree with the TCP parse on the status. And
 * once more through a sink into an aggregate builder (kept from one input
 * to the next, as the collector keeps it), which must be handed the very
 * sockets of the list, in order, and aggregate them as cw_agg_build does
 * whenever no listener came after a connected socket on its port. */
#include "config.h"

#include <stdlib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "agg.h"
#include "diag_parse.h"
#include "fuzz.h"
#include "tcp.h"

struct seen {
	struct cw_agg_builder *b;
	const struct cw_sockvec *list;
	size_t n;
};

static void seen_sock(void *arg, const struct cw_sock *s)
{
	struct seen *x = arg;

	if (x->n >= x->list->n || memcmp(&x->list->v[x->n], s, sizeof(*s)) != 0)
		abort(); /* the sink is handed other sockets than the list holds */
	x->n++;
	cw_agg_add(x->b, s);
}

/* The sink's parse of the same bytes agrees with the list's. */
static void check_sink(const void *buf, size_t size, uint32_t seq, int r,
		       const struct cw_sockvec *out)
{
	static struct cw_agg_builder *b;
	static struct cw_agg streamed;
	struct seen x = {.list = out};
	const struct cw_diag_sink sink = {.sock = seen_sock, .arg = &x};
	char *cause = NULL;
	int sr;

	if (!b)
		b = cw_agg_builder_new();
	x.b = b;
	cw_agg_begin(b);
	sr = cw_diag_parse_sink(buf, size, seq, IPPROTO_TCP, &sink, NULL, &cause);
	if (sr != r || x.n != out->n)
		abort(); /* the sink changes nothing of the walk */
	free(cause);
	if (r >= 0 && cw_agg_end(b, &streamed, 20)) {
		struct cw_agg l;

		cw_agg_build(&l, out->v, out->n, 20);
		if (memcmp(&l.count, &streamed.count, sizeof(l.count)) != 0 ||
		    l.peers_all != streamed.peers_all || l.npeers != streamed.npeers ||
		    l.nlisteners != streamed.nlisteners ||
		    (l.npeers && memcmp(l.peers, streamed.peers, l.npeers * sizeof(*l.peers)) != 0))
			abort(); /* streamed in order, aggregated otherwise */
		cw_agg_done(&l);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cw_sockvec out = {0};
	struct cw_diag_parse_stats stats = {0};
	uint32_t seq = 0;
	char *cause = NULL;
	size_t i;
	int r;
	/* An exact-size heap copy: a read past the end is an ASan report. */
	void *buf = cw_xmalloc(size ? size : 1);

	if (size)
		memcpy(buf, data, size);
	if (size >= 12)
		memcpy(&seq, data + 8, sizeof(seq)); /* nlmsghdr.nlmsg_seq */
	r = cw_diag_parse(buf, size, seq, &out, &stats, &cause);
	if ((r < 0 && !cause) || r > CW_DIAG_MORE)
		abort(); /* an error always says why; no other status exists */
	for (i = 0; i < out.n; i++) {
		const struct cw_sock *s = &out.v[i];

		if (!cw_tcp_state_slot(s->state) ||
		    (s->family != AF_INET && s->family != AF_INET6) ||
		    (s->src.family != AF_INET && s->src.family != AF_INET6))
			abort(); /* a socket in a state or family the parser refuses */
	}
	{
		struct cw_sockvec udp = {0};
		char *ucause = NULL;
		int ur = cw_diag_parse_proto(buf, size, seq, IPPROTO_UDP, &udp, NULL, &ucause);

		if (ur != r || udp.n > out.n || (ur < 0 && !ucause))
			abort(); /* the protocol changes which sockets, never the walk */
		for (i = 0; i < udp.n; i++)
			if (!udp.v[i].udp || (udp.v[i].state != CW_TCP_ESTABLISHED &&
					      udp.v[i].state != CW_TCP_CLOSE))
				abort();
		free(ucause);
		cw_sockvec_done(&udp);
	}
	check_sink(buf, size, seq, r, &out);
	free(cause);
	cw_sockvec_done(&out);
	free(buf);
	return 0;
}
