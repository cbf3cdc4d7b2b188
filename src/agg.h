/* agg: turns one namespace's socket list into what every view shows: counts
 * by state, peers (remote endpoints with per-state counts) and listeners.
 * UDP sockets in the list (cw_sock.udp: those connected to port 53) count
 * apart: in udp_dns and in their peer's udp, never in a TCP state.
 * Pure: no I/O, no clock. */
#ifndef CW_AGG_H
#define CW_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

#define CW_AGG_MAXADDRS 8

struct cw_agg {
	struct cw_tcpcount count;
	uint32_t udp_dns;          /* connected UDP sockets to port 53 */
	struct cw_addr addrs[CW_AGG_MAXADDRS]; /* local non-loopback addresses seen */
	size_t naddrs;
	struct cw_peer *peers;     /* sorted by total, descending; at most max_peers */
	size_t npeers;
	size_t peers_all;          /* peers before truncation */
	struct cw_listener *listeners; /* sorted by port */
	size_t nlisteners;
};

/* Aggregates socks. Keeps the max_peers busiest peers, by TCP and UDP
 * sockets together. */
void cw_agg_build(struct cw_agg *out, const struct cw_sock *socks, size_t n, size_t max_peers);
void cw_agg_done(struct cw_agg *a);
/* Copies an aggregate's counts, peers, listeners and addresses into a
 * snapshot row, in the snapshot's arena. */
void cw_agg_to_row(const struct cw_agg *agg, struct cw_arena *a, struct cw_ns_row *row);

#endif
