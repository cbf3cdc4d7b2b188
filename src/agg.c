/* agg: counts, peers and listeners for one namespace. */
#include "config.h"
#include "agg.h"
#include "map.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The port whose connected UDP sockets are counted in udp_dns. */
#define DNS_PORT 53

/* A builder's tables are shrunk when, over this many dumps, none needed
 * more than a quarter of their room. */
#define CW_AGG_SHRINK_DUMPS 256
#define CW_AGG_MIN_ROOM 64

struct cw_agg_builder {
	struct cw_agg cur;             /* count, udp_dns, addrs of the aggregate being built */
	/* Peers, keyed by (dir, family, port, address) in an open-addressing
	 * index over the array (whole keys compared, so two peers never
	 * share a count); both kept from one dump to the next. */
	struct cw_peer *peers;
	size_t npeers, cappeers;
	uint32_t *slots;               /* 1 + position in peers; 0: empty. A power of two */
	size_t capslots;
	struct cw_listener *listeners;
	size_t nlisteners, caplisteners;
	uint8_t listening[65536 / 8];  /* local ports with a listener, this dump */
	uint8_t out_ports[65536 / 8];  /* local ports of connected sockets taken as outbound */
	bool misordered;               /* a listener came after such a socket on its port */
	size_t peak_peers, peak_listeners; /* the most one dump needed, this window */
	unsigned window;               /* dumps in this window */
};

static uint64_t peer_hash(uint8_t dir, const struct cw_addr *a, uint16_t port)
{
	size_t alen = a->family == AF_INET ? 4 : 16, i;
	uint64_t h = 1469598103934665603ull;

	h = (h ^ dir) * 1099511628211ull;
	h = (h ^ a->family) * 1099511628211ull;
	h = (h ^ port) * 1099511628211ull;
	for (i = 0; i < alen; i++)
		h = (h ^ a->bytes[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static bool peer_is(const struct cw_peer *p, uint8_t dir, const struct cw_addr *a, uint16_t port)
{
	return p->dir == dir && p->port == port && cw_addr_equal(&p->addr, a);
}

/* (Re)builds the index at a new size from the peers held. */
static void index_resize(struct cw_agg_builder *b, size_t cap)
{
	size_t i;

	free(b->slots);
	b->slots = cw_xcalloc(cap, sizeof(*b->slots));
	b->capslots = cap;
	for (i = 0; i < b->npeers; i++) {
		const struct cw_peer *p = &b->peers[i];
		size_t at = peer_hash(p->dir, &p->addr, p->port) & (cap - 1);

		while (b->slots[at])
			at = (at + 1) & (cap - 1);
		b->slots[at] = (uint32_t)(i + 1);
	}
}

static struct cw_peer *peer_get(struct cw_agg_builder *b, uint8_t dir, const struct cw_addr *a,
				uint16_t port)
{
	size_t mask, at;
	struct cw_peer *p;

	if (!b->capslots)
		index_resize(b, 2 * CW_AGG_MIN_ROOM);
	mask = b->capslots - 1;
	for (at = peer_hash(dir, a, port) & mask; b->slots[at]; at = (at + 1) & mask) {
		p = &b->peers[b->slots[at] - 1];
		if (peer_is(p, dir, a, port))
			return p;
	}
	cw_xgrow((void **)&b->peers, &b->cappeers, b->npeers + 1, sizeof(*b->peers));
	p = &b->peers[b->npeers];
	memset(p, 0, sizeof(*p));
	p->dir = dir;
	p->addr = *a;
	p->port = port;
	b->slots[at] = (uint32_t)(++b->npeers);
	/* At most half full, so probes stay short. */
	if (2 * b->npeers > b->capslots)
		index_resize(b, 2 * b->capslots);
	return p;
}

static int peer_cmp(const void *a, const void *b)
{
	const struct cw_peer *x = a, *y = b;
	uint64_t sx = (uint64_t)x->total + x->udp, sy = (uint64_t)y->total + y->udp;
	int c;

	/* A resolver with only UDP sockets toward it is as busy as a peer
	 * with as many TCP ones. */
	if (sx != sy)
		return sx > sy ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	/* Stable, readable order for equal totals. */
	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	if (x->addr.family != y->addr.family)
		return x->addr.family < y->addr.family ? -1 : 1;
	c = memcmp(x->addr.bytes, y->addr.bytes, sizeof(x->addr.bytes));
	if (c)
		return c;
	return (int)x->port - (int)y->port;
}

static int listener_cmp(const void *a, const void *b)
{
	const struct cw_listener *x = a, *y = b;

	if (x->port != y->port)
		return (int)x->port - (int)y->port;
	if (x->addr.family != y->addr.family)
		return x->addr.family < y->addr.family ? -1 : 1;
	return memcmp(x->addr.bytes, y->addr.bytes, sizeof(x->addr.bytes));
}

static bool is_loopback(const struct cw_addr *a)
{
	static const uint8_t lo6[16] = {[15] = 1};

	if (a->family == AF_INET)
		return a->bytes[0] == 127;
	return memcmp(a->bytes, lo6, 16) == 0;
}

/* Remembers the namespace's own addresses, so a peer address can be mapped
 * back to the pod that owns it. */
static void note_addr(struct cw_agg *out, const struct cw_addr *a)
{
	size_t i;

	if (out->naddrs == CW_AGG_MAXADDRS || cw_addr_is_any(a) || is_loopback(a))
		return;
	for (i = 0; i < out->naddrs; i++)
		if (cw_addr_equal(&out->addrs[i], a))
			return;
	out->addrs[out->naddrs++] = *a;
}

struct cw_agg_builder *cw_agg_builder_new(void)
{
	return cw_xcalloc(1, sizeof(struct cw_agg_builder));
}

void cw_agg_builder_free(struct cw_agg_builder *b)
{
	if (!b)
		return;
	free(b->peers);
	free(b->slots);
	free(b->listeners);
	free(b);
}

size_t cw_agg_builder_room(const struct cw_agg_builder *b)
{
	return b->cappeers + b->capslots + b->caplisteners;
}

/* Shrinks the tables at the end of a window in which no dump needed more
 * than a quarter of their room, to twice the most one needed. */
static void maybe_shrink(struct cw_agg_builder *b)
{
	size_t want;

	if (b->npeers > b->peak_peers)
		b->peak_peers = b->npeers;
	if (b->nlisteners > b->peak_listeners)
		b->peak_listeners = b->nlisteners;
	if (++b->window < CW_AGG_SHRINK_DUMPS)
		return;
	want = 2 * (b->peak_peers > CW_AGG_MIN_ROOM ? b->peak_peers : CW_AGG_MIN_ROOM);
	if (b->cappeers > 2 * want) {
		b->peers = cw_xrealloc(b->peers, want * sizeof(*b->peers));
		b->cappeers = want;
		b->npeers = 0;
		free(b->slots);
		b->slots = NULL;
		b->capslots = 0;
	}
	want = 2 * (b->peak_listeners > CW_AGG_MIN_ROOM ? b->peak_listeners : CW_AGG_MIN_ROOM);
	if (b->caplisteners > 2 * want) {
		b->listeners = cw_xrealloc(b->listeners, want * sizeof(*b->listeners));
		b->caplisteners = want;
	}
	b->window = 0;
	b->peak_peers = b->peak_listeners = 0;
}

void cw_agg_begin(struct cw_agg_builder *b)
{
	if (b->npeers)
		memset(b->slots, 0, b->capslots * sizeof(*b->slots));
	b->npeers = 0;
	b->nlisteners = 0;
	memset(&b->cur, 0, sizeof(b->cur));
	memset(b->listening, 0, sizeof(b->listening));
	memset(b->out_ports, 0, sizeof(b->out_ports));
	b->misordered = false;
}

static bool bit(const uint8_t *map, uint16_t port)
{
	return map[port >> 3] & (1u << (port & 7));
}

static void set_bit(uint8_t *map, uint16_t port)
{
	map[port >> 3] |= (uint8_t)(1u << (port & 7));
}

void cw_agg_add(struct cw_agg_builder *b, const struct cw_sock *s)
{
	struct cw_peer *p;

	if (!s->udp) {
		cw_tcpcount_add(&b->cur.count, s->state);
		if (s->state == CW_TCP_LISTEN) {
			struct cw_listener *l;

			/* Connected sockets on this port were taken as outbound. */
			if (bit(b->out_ports, s->sport))
				b->misordered = true;
			set_bit(b->listening, s->sport);
			cw_xgrow((void **)&b->listeners, &b->caplisteners, b->nlisteners + 1,
				 sizeof(*l));
			l = &b->listeners[b->nlisteners++];
			memset(l, 0, sizeof(*l)); /* padding too: aggregates compare whole */
			l->addr = s->src;
			l->port = s->sport;
			l->queue = s->rqueue;   /* for listeners: current accept queue */
			l->backlog = s->wqueue; /* and the listen() backlog */
			return;
		}
	}
	if (s->state == CW_TCP_LISTEN || s->dport == 0 || cw_addr_is_any(&s->dst))
		return; /* not connected to anyone */
	note_addr(&b->cur, &s->src);
	if (s->udp) {
		/* A connected UDP socket: always ours toward them. */
		if (s->state != CW_TCP_ESTABLISHED)
			return;
		peer_get(b, CW_PEER_OUT, &s->dst, s->dport)->udp++;
		b->cur.udp_dns += s->dport == DNS_PORT;
		return;
	}
	if (bit(b->listening, s->sport)) {
		p = peer_get(b, CW_PEER_IN, &s->dst, s->sport);
	} else {
		set_bit(b->out_ports, s->sport);
		p = peer_get(b, CW_PEER_OUT, &s->dst, s->dport);
	}
	p->tcp[cw_tcp_state_slot(s->state)]++;
	p->total++;
}

bool cw_agg_end(struct cw_agg_builder *b, struct cw_agg *out, size_t max_peers)
{
	size_t k = b->npeers < max_peers ? b->npeers : max_peers;

	if (b->misordered) {
		maybe_shrink(b);
		return false;
	}
	if (b->npeers)
		qsort(b->peers, b->npeers, sizeof(*b->peers), peer_cmp);
	/* The order changed: the index no longer matches (begin clears it). */
	if (k > out->cappeers) {
		out->peers = cw_xrealloc(out->peers, k * sizeof(*out->peers));
		out->cappeers = k;
	}
	if (k)
		memcpy(out->peers, b->peers, k * sizeof(*out->peers));
	out->npeers = k;
	out->peers_all = b->npeers;
	if (b->nlisteners > out->caplisteners) {
		out->listeners = cw_xrealloc(out->listeners, b->nlisteners * sizeof(*out->listeners));
		out->caplisteners = b->nlisteners;
	}
	if (b->nlisteners) {
		memcpy(out->listeners, b->listeners, b->nlisteners * sizeof(*out->listeners));
		qsort(out->listeners, b->nlisteners, sizeof(*out->listeners), listener_cmp);
	}
	out->nlisteners = b->nlisteners;
	out->count = b->cur.count;
	out->udp_dns = b->cur.udp_dns;
	memcpy(out->addrs, b->cur.addrs, sizeof(out->addrs));
	out->naddrs = b->cur.naddrs;
	maybe_shrink(b);
	return true;
}

void cw_agg_build_list(struct cw_agg_builder *b, struct cw_agg *out, const struct cw_sock *socks,
		       size_t n, size_t max_peers)
{
	size_t i;

	/* Listeners first, so every connected socket knows whether its
	 * local port listens, whatever the list's order. */
	cw_agg_begin(b);
	for (i = 0; i < n; i++)
		if (!socks[i].udp && socks[i].state == CW_TCP_LISTEN)
			cw_agg_add(b, &socks[i]);
	for (i = 0; i < n; i++)
		if (socks[i].udp || socks[i].state != CW_TCP_LISTEN)
			cw_agg_add(b, &socks[i]);
	cw_agg_end(b, out, max_peers);
}

void cw_agg_build(struct cw_agg *out, const struct cw_sock *socks, size_t n, size_t max_peers)
{
	struct cw_agg_builder *b = cw_agg_builder_new();

	memset(out, 0, sizeof(*out));
	cw_agg_build_list(b, out, socks, n, max_peers);
	cw_agg_builder_free(b);
}

void cw_agg_done(struct cw_agg *a)
{
	free(a->peers);
	free(a->listeners);
	memset(a, 0, sizeof(*a));
}

void cw_agg_to_row(const struct cw_agg *agg, struct cw_arena *a, struct cw_ns_row *row)
{
	row->tcp = agg->count;
	row->udp_dns = agg->udp_dns;
	row->peers = cw_arena_memdup(a, agg->peers, agg->npeers * sizeof(*agg->peers));
	row->npeers = agg->npeers;
	row->peers_all = agg->peers_all;
	row->listeners = cw_arena_memdup(a, agg->listeners, agg->nlisteners * sizeof(*agg->listeners));
	row->nlisteners = agg->nlisteners;
	row->addrs = cw_arena_memdup(a, agg->addrs, agg->naddrs * sizeof(*agg->addrs));
	row->naddrs = agg->naddrs;
}
