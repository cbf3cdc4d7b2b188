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
	size_t cappeers, caplisteners; /* the arrays' room (cw_agg_end reuses them) */
};

/* Aggregates socks. Keeps the max_peers busiest peers, by TCP and UDP
 * sockets together. */
void cw_agg_build(struct cw_agg *out, const struct cw_sock *socks, size_t n, size_t max_peers);
void cw_agg_done(struct cw_agg *a);

/* The same, one socket at a time, as a dump is parsed: no socket list is
 * kept, and the builder's tables (peers, listeners) are reused from one
 * dump to the next, so a dump in steady state allocates nothing. A table
 * much larger than the dumps have needed for a while is shrunk.
 * A connected socket counts toward an inbound peer when its local port is
 * listening, which needs the listeners first: sock_diag walks a family's
 * listening hash before its established hash, so they are. Should a
 * listener come after a connected socket on its port (a kernel that walks
 * otherwise), cw_agg_end says so, and the caller aggregates a list
 * instead. */
struct cw_agg_builder;

struct cw_agg_builder *cw_agg_builder_new(void);
void cw_agg_builder_free(struct cw_agg_builder *b);
/* Starts a new aggregate (forgets what was added since the last begin). */
void cw_agg_begin(struct cw_agg_builder *b);
void cw_agg_add(struct cw_agg_builder *b, const struct cw_sock *s);
/* The sockets added since begin, aggregated into out, whose arrays are
 * reused (out must be zeroed or hold an earlier aggregate). False when a
 * listener came after a connected socket on its port: out is then left
 * as it was. */
bool cw_agg_end(struct cw_agg_builder *b, struct cw_agg *out, size_t max_peers);
/* cw_agg_build with a builder's tables and into out's arrays (reused as
 * by cw_agg_end): a list in any order. */
void cw_agg_build_list(struct cw_agg_builder *b, struct cw_agg *out, const struct cw_sock *socks,
		       size_t n, size_t max_peers);
/* The room the builder's tables hold now, in entries (for tests). */
size_t cw_agg_builder_room(const struct cw_agg_builder *b);
/* Copies an aggregate's counts, peers, listeners and addresses into a
 * snapshot row, in the snapshot's arena. */
void cw_agg_to_row(const struct cw_agg *agg, struct cw_arena *a, struct cw_ns_row *row);

#endif
