/* agg: turns one namespace's socket list into what every view shows: counts
 * by state, peers (remote endpoints with per-state counts) and listeners.
 * Pure: no I/O, no clock. */
#ifndef CW_AGG_H
#define CW_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "tcp.h"

enum cw_peer_dir {
	CW_PEER_OUT = 0, /* we connected: grouped by (remote addr, remote port) */
	CW_PEER_IN = 1,  /* they connected to a listening port: (remote addr, local port) */
};

struct cw_peer {
	struct cw_addr addr;
	uint16_t port;
	uint8_t dir;
	uint32_t total;
	uint32_t tcp[CW_TCP_NSTATES];
};

struct cw_listener {
	struct cw_addr addr;
	uint16_t port;
	uint32_t queue, backlog;
};

/* Counts indexed by state slot (1..11); slot 0 unused. */
struct cw_tcpcount {
	uint32_t tcp[CW_TCP_NSTATES];
	uint32_t total;
};

#define CW_AGG_MAXADDRS 8

struct cw_agg {
	struct cw_tcpcount count;
	struct cw_addr addrs[CW_AGG_MAXADDRS]; /* local non-loopback addresses seen */
	size_t naddrs;
	struct cw_peer *peers;     /* sorted by total, descending; at most max_peers */
	size_t npeers;
	size_t peers_all;          /* peers before truncation */
	struct cw_listener *listeners; /* sorted by port */
	size_t nlisteners;
};

/* Aggregates socks. Keeps the max_peers busiest peers. */
void cw_agg_build(struct cw_agg *out, const struct cw_sock *socks, size_t n, size_t max_peers);
void cw_agg_done(struct cw_agg *a);

/* Adds one socket's state to a count. */
void cw_tcpcount_add(struct cw_tcpcount *c, unsigned state);

const char *cw_peer_dir_name(unsigned dir);

#endif
