/* exporter: the Prometheus sink (--listen). Serves GET /metrics in the text
 * exposition format (0.0.4) from libmicrohttpd's own thread, rendering the
 * latest published snapshot; owns the listening socket, the HTTP daemon and
 * the reference to that snapshot. */
#ifndef CW_EXPORTER_H
#define CW_EXPORTER_H

#include <stddef.h>
#include <sys/socket.h>

#include "opts.h"
#include "sink.h"
#include "snapshot.h"

/* Connections served at once; more wait in the kernel's accept queue. */
#define CW_EXPORTER_MAX_CONNS 32
/* Descriptors the exporter can hold at most: the connections, the listening
 * socket, the daemon's epoll descriptor and its wake-up eventfd. */
#define CW_EXPORTER_FDS (CW_EXPORTER_MAX_CONNS + 3)
/* Connections one client address may hold: a single misbehaving client
 * (idle connections, a slow sender) cannot take every slot. */
#define CW_EXPORTER_PER_IP 8
/* Seconds a connection may sit without sending or receiving anything. */
#define CW_EXPORTER_TIMEOUT_S 10
/* Bytes of request (line, headers, and what is read of a body) a connection
 * may hold; a longer request is refused. */
#define CW_EXPORTER_CONN_MEMORY (16 * 1024)

/* Parses --listen's ADDR:PORT: ":PORT" (127.0.0.1), "1.2.3.4:PORT" or
 * "[::1]:PORT", numeric addresses only, port 1-65535. 0, or -EINVAL with a
 * one-line *cause. */
int cw_exporter_parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len,
			     char **cause);

/* The text exposition of one snapshot: every metric family once, with its
 * HELP and TYPE. peers: the top peers per row to export (0: none). Returns
 * a cw_xmalloc'd text of *len bytes. */
char *cw_exporter_render(const struct cw_snapshot *s, size_t peers, size_t *len);

/* The sink; its start() binds o->listen and fails with a one-line cause. */
struct cw_sink *cw_exporter_sink_new(const struct cw_opts *o);

#endif
