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

/* Peers, keyed by (dir, family, port, address bytes) in a byte-keyed map
 * that compares whole keys, so two peers never share a count. */
struct peer_table {
	struct cw_peer *v;
	size_t n, cap;
	struct cw_smap index; /* key -> CW_MAP_IDX(position in v) */
};

static struct cw_peer *peer_get(struct peer_table *t, uint8_t dir, const struct cw_addr *a,
				uint16_t port)
{
	uint8_t key[4 + 16];
	size_t alen = a->family == AF_INET ? 4 : 16;
	struct cw_peer *p;
	void *v;

	key[0] = dir;
	key[1] = (uint8_t)a->family;
	key[2] = (uint8_t)(port >> 8);
	key[3] = (uint8_t)port;
	memcpy(key + 4, a->bytes, alen);
	v = cw_smap_getb(&t->index, key, 4 + alen);
	if (v)
		return &t->v[CW_MAP_IDX_OF(v)];
	cw_xgrow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v));
	p = &t->v[t->n];
	memset(p, 0, sizeof(*p));
	p->dir = dir;
	p->addr = *a;
	p->port = port;
	cw_smap_putb(&t->index, key, 4 + alen, CW_MAP_IDX(t->n));
	t->n++;
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

void cw_agg_build(struct cw_agg *out, const struct cw_sock *socks, size_t n, size_t max_peers)
{
	struct peer_table t = {0};
	uint8_t *listening = cw_xcalloc(65536 / 8, 1);
	size_t i, lcap = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		const struct cw_sock *s = &socks[i];

		if (s->udp)
			continue;
		cw_tcpcount_add(&out->count, s->state);
		if (s->state == CW_TCP_LISTEN) {
			struct cw_listener *l;

			listening[s->sport >> 3] |= (uint8_t)(1u << (s->sport & 7));
			cw_xgrow((void **)&out->listeners, &lcap, out->nlisteners + 1, sizeof(*l));
			l = &out->listeners[out->nlisteners++];
			l->addr = s->src;
			l->port = s->sport;
			l->queue = s->rqueue;   /* for listeners: current accept queue */
			l->backlog = s->wqueue; /* and the listen() backlog */
		}
	}
	for (i = 0; i < n; i++) {
		const struct cw_sock *s = &socks[i];
		struct cw_peer *p;
		bool in;

		if (s->state == CW_TCP_LISTEN || s->dport == 0 || cw_addr_is_any(&s->dst))
			continue; /* not connected to anyone */
		note_addr(out, &s->src);
		if (s->udp) {
			/* A connected UDP socket: always ours toward them. */
			if (s->state != CW_TCP_ESTABLISHED)
				continue;
			peer_get(&t, CW_PEER_OUT, &s->dst, s->dport)->udp++;
			out->udp_dns += s->dport == DNS_PORT;
			continue;
		}
		in = listening[s->sport >> 3] & (1u << (s->sport & 7));
		p = in ? peer_get(&t, CW_PEER_IN, &s->dst, s->sport)
		       : peer_get(&t, CW_PEER_OUT, &s->dst, s->dport);
		p->tcp[cw_tcp_state_slot(s->state)]++;
		p->total++;
	}
	free(listening);
	cw_smap_done(&t.index, NULL);
	if (t.n)
		qsort(t.v, t.n, sizeof(*t.v), peer_cmp);
	out->peers_all = t.n;
	out->npeers = t.n < max_peers ? t.n : max_peers;
	if (out->npeers == 0) {
		free(t.v);
		t.v = NULL;
	} else if (out->npeers < t.n) {
		t.v = cw_xrealloc(t.v, out->npeers * sizeof(*t.v)); /* keep only what is shown */
	}
	out->peers = t.v;
	if (out->nlisteners)
		qsort(out->listeners, out->nlisteners, sizeof(*out->listeners), listener_cmp);
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
