/* diag_parse: turns the bytes of a sock_diag (inet_diag) dump into
 * struct cw_sock records. A pure function over a buffer: no I/O, no pointers
 * kept into the buffer, safe on hostile input. */
#ifndef CW_DIAG_PARSE_H
#define CW_DIAG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "sockvec.h"

enum cw_diag_parse_status {
	CW_DIAG_MORE = 1,   /* buffer consumed, the dump continues */
	CW_DIAG_DONE = 0,   /* NLMSG_DONE seen */
	/* negative values are -errno: an NLMSG_ERROR from the kernel, or
	 * -EBADMSG for a malformed message, -EINTR for NLM_F_DUMP_INTR */
};

struct cw_diag_parse_stats {
	size_t messages;    /* inet_diag messages accepted */
	size_t skipped;     /* messages of another type, or unknown states */
	size_t foreign;     /* messages with another seq: not an answer to us */
};

/* Parses one receive buffer. Sockets are appended to out. seq is the
 * request's sequence number; messages with another seq (0 included) are
 * skipped and counted in stats->foreign. Every length is checked against
 * len before use, so any bytes at all are safe to pass.
 * Returns CW_DIAG_MORE, CW_DIAG_DONE or -errno (with *cause set). */
int cw_diag_parse(const void *buf, size_t len, uint32_t seq, struct cw_sockvec *out,
		  struct cw_diag_parse_stats *stats, char **cause);
/* The same for a dump of another protocol (IPPROTO_TCP or IPPROTO_UDP):
 * the answer does not say which protocol it lists, the request did. UDP
 * sockets are marked (cw_sock.udp); their state is TCP_ESTABLISHED when
 * connected and TCP_CLOSE when not, which is how the kernel keeps them. */
int cw_diag_parse_proto(const void *buf, size_t len, uint32_t seq, int proto,
			struct cw_sockvec *out, struct cw_diag_parse_stats *stats, char **cause);

/* Where parsed sockets go when no list is kept: sock is called once per
 * socket with a record that lives only for the call; reset (if set) when
 * a dump starts over, so what was handed over since the last reset no
 * longer counts. */
struct cw_diag_sink {
	void (*sock)(void *arg, const struct cw_sock *s);
	void (*reset)(void *arg);
	void *arg;
};

/* cw_diag_parse_proto, handing each socket to sink instead of a list:
 * parsing allocates nothing. */
int cw_diag_parse_sink(const void *buf, size_t len, uint32_t seq, int proto,
		       const struct cw_diag_sink *sink, struct cw_diag_parse_stats *stats,
		       char **cause);

#endif
