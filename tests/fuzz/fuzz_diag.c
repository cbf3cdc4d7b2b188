/* fuzz_diag: bytes -> cw_diag_parse, as if one recv() of a sock_diag dump
 * returned them. The request's sequence number is taken from the first
 * header, so captured dumps used as seeds are parsed, not skipped. Every
 * socket it returns must be in a TCP state and family it knows. The same
 * bytes are parsed again as a UDP dump (cw_diag_parse_proto), whose
 * sockets must all be marked UDP and connected or not (ESTABLISHED or
 * CLOSE), and which must agree with the TCP parse on the status. */
#include "config.h"

#include <stdlib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "diag_parse.h"
#include "fuzz.h"
#include "tcp.h"

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
	free(cause);
	cw_sockvec_done(&out);
	free(buf);
	return 0;
}
