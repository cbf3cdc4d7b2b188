/* diag: a sock_diag (NETLINK_SOCK_DIAG) client for one network namespace.
 * The socket is created once, inside the namespace, and reused every tick.
 * It dumps every TCP socket of both families, preferring the legacy
 * TCPDIAG_GETSOCK request that walks the hash tables once for both, and
 * the UDP sockets connected to port 53 (the DNS storm rule counts them). */
#ifndef CW_DIAG_H
#define CW_DIAG_H

#include <stdbool.h>
#include <stdint.h>

#include "diag_parse.h"
#include "sockvec.h"

struct cw_diag;

enum cw_diag_mode {
	CW_DIAG_MODE_AUTO,     /* try legacy, fall back to per-family on error */
	CW_DIAG_MODE_LEGACY,   /* TCPDIAG_GETSOCK, AF_UNSPEC: one walk */
	CW_DIAG_MODE_FAMILY,   /* SOCK_DIAG_BY_FAMILY, AF_INET then AF_INET6 */
};

/* Opens a client in the calling thread's current network namespace. */
int cw_diag_open(struct cw_diag **out, enum cw_diag_mode mode, char **cause);
void cw_diag_close(struct cw_diag *d);

/* Dumps all TCP sockets into out (appended). with_info asks for tcp_info.
 * All or nothing: on error out is left as it was. *cause is set on error
 * only (and cleared on success). */
int cw_diag_dump(struct cw_diag *d, bool with_info, struct cw_sockvec *out, char **cause);
/* The same, handing each socket to a sink as it is parsed (no list is
 * kept, nothing is allocated): the sink's reset is called whenever the
 * dump starts over (a retry after an interrupted dump) and when it fails,
 * so that what it holds is always one whole dump or nothing. */
int cw_diag_dump_sink(struct cw_diag *d, bool with_info, const struct cw_diag_sink *sink,
		      char **cause);

/* Appends the UDP sockets of both families connected to port 53, marked
 * udp. Always two SOCK_DIAG_BY_FAMILY requests, whatever the TCP mode: the
 * legacy request knows TCP and DCCP only. A kernel without UDP sock_diag
 * (the udp_diag module) answers -ENOENT once; later calls then return
 * -EOPNOTSUPP at once, without asking again. */
int cw_diag_dump_udp_dns(struct cw_diag *d, struct cw_sockvec *out, char **cause);

/* The port whose connected UDP sockets cw_diag_dump_udp_dns dumps. */
#define CW_DIAG_DNS_PORT 53

enum cw_diag_mode cw_diag_mode_used(const struct cw_diag *d);

/* Datagrams received and thrown away, since open: those not sent by the
 * kernel (port id 0), which another process with CAP_NET_ADMIN in the
 * namespace can send to our port id, and those answering another request
 * (a foreign sequence number). */
uint64_t cw_diag_rejected(const struct cw_diag *d);
/* Dumps (TCP or UDP) interrupted by a concurrent change (NLM_F_DUMP_INTR)
 * and therefore asked again, since open. A retry interrupted too fails the
 * dump with -EINTR. */
uint64_t cw_diag_retried(const struct cw_diag *d);
/* The socket's netlink port id (for tests). */
uint32_t cw_diag_portid(const struct cw_diag *d);

/* When set, every received buffer is also appended to this file descriptor
 * (used by tests/tools to capture fixtures). */
void cw_diag_set_capture(struct cw_diag *d, int fd);

#endif
