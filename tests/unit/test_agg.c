/* test_agg: counts, peers and listeners from a socket list. */
#include "config.h"
#include "agg.h"
#include "tap.h"

#include <sys/socket.h>

static struct cw_sock sk(unsigned state, const char *src, unsigned sport, const char *dst,
			 unsigned dport)
{
	struct cw_sock s;

	memset(&s, 0, sizeof(s));
	s.state = (uint8_t)state;
	cw_addr_parse(src, &s.src);
	cw_addr_parse(dst, &s.dst);
	s.family = s.src.family;
	s.sport = (uint16_t)sport;
	s.dport = (uint16_t)dport;
	return s;
}

static const char *astr(const struct cw_addr *a)
{
	static char buf[4][64];
	static int i;

	i = (i + 1) % 4;
	return cw_addr_str(a, buf[i], sizeof(buf[i]));
}

static void check_peer(const struct cw_agg *a, size_t i, unsigned dir, const char *addr,
		       unsigned port, unsigned total)
{
	if (i >= a->npeers) {
		ok(false, "peer %zu exists", i);
		return;
	}
	ok(a->peers[i].dir == dir && strcmp(astr(&a->peers[i].addr), addr) == 0 &&
	   a->peers[i].port == port && a->peers[i].total == total,
	   "peer %zu: %s %s:%u total %u (got %s %s:%u total %u)", i, cw_peer_dir_name(dir), addr,
	   port, total, cw_peer_dir_name(a->peers[i].dir), astr(&a->peers[i].addr),
	   a->peers[i].port, a->peers[i].total);
}

int main(void)
{
	struct cw_sock v[32];
	size_t n = 0, i;
	struct cw_agg a;
	struct cw_tcpcount c;

	/* Listeners: port 80 (v4 any), 443 (v6 any), 8080 (loopback). */
	v[n] = sk(CW_TCP_LISTEN, "0.0.0.0", 80, "0.0.0.0", 0);
	v[n].rqueue = 3;
	v[n++].wqueue = 128;
	v[n] = sk(CW_TCP_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0);
	v[n].wqueue = 511;
	n++;
	v[n] = sk(CW_TCP_LISTEN, "::", 443, "::", 0);
	v[n++].wqueue = 4096;
	/* Inbound to 80 from 10.0.0.5 (three), and a request socket from .6. */
	v[n++] = sk(CW_TCP_ESTABLISHED, "10.0.0.1", 80, "10.0.0.5", 50001);
	v[n++] = sk(CW_TCP_ESTABLISHED, "10.0.0.1", 80, "10.0.0.5", 50002);
	v[n++] = sk(CW_TCP_CLOSE_WAIT, "10.0.0.1", 80, "10.0.0.5", 50003);
	v[n++] = sk(CW_TCP_NEW_SYN_RECV, "10.0.0.1", 80, "10.0.0.6", 40000);
	/* Inbound over IPv6 to 443. */
	v[n++] = sk(CW_TCP_ESTABLISHED, "fd00::1", 443, "fd00::7", 33333);
	/* Outbound to 10.0.0.9:5432: one IPv4 socket, one v4-mapped (an
	 * AF_INET6 socket whose addresses the parser stored as IPv4). */
	v[n++] = sk(CW_TCP_ESTABLISHED, "10.0.0.1", 40001, "10.0.0.9", 5432);
	v[n] = sk(CW_TCP_TIME_WAIT, "10.0.0.1", 40002, "10.0.0.9", 5432);
	v[n++].family = AF_INET6;
	/* Outbound elsewhere. */
	v[n++] = sk(CW_TCP_SYN_SENT, "10.0.0.1", 40003, "8.8.8.8", 53);
	v[n++] = sk(CW_TCP_ESTABLISHED, "10.0.0.1", 40004, "10.0.0.9", 6379);
	/* Not connected to anyone: no peer. */
	v[n++] = sk(CW_TCP_CLOSE, "10.0.0.1", 40005, "0.0.0.0", 0);
	v[n++] = sk(CW_TCP_SYN_SENT, "10.0.0.1", 40006, "0.0.0.0", 9);
	v[n++] = sk(CW_TCP_FIN_WAIT1, "::", 40007, "::", 0);

	cw_agg_build(&a, v, n, 20);

	/* Counts by state slot. */
	is_int(a.count.total, 15, "total sockets");
	is_int(a.count.tcp[CW_TCP_LISTEN], 3, "LISTEN");
	is_int(a.count.tcp[CW_TCP_ESTABLISHED], 5, "ESTABLISHED");
	is_int(a.count.tcp[CW_TCP_CLOSE_WAIT], 1, "CLOSE_WAIT");
	is_int(a.count.tcp[CW_TCP_SYN_RECV], 1, "NEW_SYN_RECV counted as SYN_RECV");
	is_int(a.count.tcp[CW_TCP_TIME_WAIT], 1, "TIME_WAIT");
	is_int(a.count.tcp[CW_TCP_SYN_SENT], 2, "SYN_SENT");
	is_int(a.count.tcp[CW_TCP_CLOSE], 1, "CLOSE");
	is_int(a.count.tcp[CW_TCP_FIN_WAIT1], 1, "FIN_WAIT1");
	is_int(a.count.tcp[0], 0, "slot 0 unused");

	/* Peers: busiest first, then out before in, IPv4 before IPv6, by address, by port. */
	is_int(a.peers_all, 6, "six peers");
	is_int(a.npeers, 6, "all kept under max_peers");
	check_peer(&a, 0, CW_PEER_IN, "10.0.0.5", 80, 3);
	check_peer(&a, 1, CW_PEER_OUT, "10.0.0.9", 5432, 2);
	check_peer(&a, 2, CW_PEER_OUT, "8.8.8.8", 53, 1);
	check_peer(&a, 3, CW_PEER_OUT, "10.0.0.9", 6379, 1);
	check_peer(&a, 4, CW_PEER_IN, "10.0.0.6", 80, 1);
	check_peer(&a, 5, CW_PEER_IN, "fd00::7", 443, 1);
	if (a.npeers == 6) {
		is_int(a.peers[0].tcp[CW_TCP_ESTABLISHED], 2, "in peer: 2 ESTABLISHED");
		is_int(a.peers[0].tcp[CW_TCP_CLOSE_WAIT], 1, "in peer: 1 CLOSE_WAIT");
		is_int(a.peers[1].tcp[CW_TCP_ESTABLISHED], 1, "v4-mapped grouped with IPv4: ESTABLISHED");
		is_int(a.peers[1].tcp[CW_TCP_TIME_WAIT], 1, "v4-mapped grouped with IPv4: TIME_WAIT");
		is_int(a.peers[1].addr.family, AF_INET, "grouped peer is IPv4");
		is_int(a.peers[4].tcp[CW_TCP_SYN_RECV], 1, "request socket in SYN_RECV slot");
		is_int(a.peers[2].tcp[CW_TCP_SYN_SENT], 1, "SYN_SENT peer");
	}

	/* Listeners by port. */
	is_int(a.nlisteners, 3, "three listeners");
	if (a.nlisteners == 3) {
		ok(a.listeners[0].port == 80 && strcmp(astr(&a.listeners[0].addr), "0.0.0.0") == 0,
		   "listener 0: 0.0.0.0:80");
		is_int(a.listeners[0].queue, 3, "listener 80: accept queue (rqueue)");
		is_int(a.listeners[0].backlog, 128, "listener 80: backlog (wqueue)");
		ok(a.listeners[1].port == 443 && a.listeners[1].addr.family == AF_INET6,
		   "listener 1: [::]:443");
		is_int(a.listeners[1].backlog, 4096, "listener 443: backlog");
		ok(a.listeners[2].port == 8080 && strcmp(astr(&a.listeners[2].addr), "127.0.0.1") == 0,
		   "listener 2: 127.0.0.1:8080");
		is_int(a.listeners[2].backlog, 511, "listener 8080: backlog");
	}
	cw_agg_done(&a);
	ok(a.peers == NULL && a.listeners == NULL && a.npeers == 0, "cw_agg_done clears");

	/* Truncation keeps the busiest. */
	cw_agg_build(&a, v, n, 3);
	is_int(a.npeers, 3, "max_peers 3: three kept");
	is_int(a.peers_all, 6, "max_peers 3: peers_all still 6");
	check_peer(&a, 0, CW_PEER_IN, "10.0.0.5", 80, 3);
	check_peer(&a, 2, CW_PEER_OUT, "8.8.8.8", 53, 1);
	is_int(a.count.total, 15, "truncation does not touch counts");
	cw_agg_done(&a);
	cw_agg_build(&a, v, n, 0);
	ok(a.npeers == 0 && a.peers == NULL && a.peers_all == 6, "max_peers 0: no peers, peers_all 6");
	is_int(a.nlisteners, 3, "max_peers 0: listeners kept");
	cw_agg_done(&a);

	/* Empty input. */
	cw_agg_build(&a, NULL, 0, 20);
	ok(a.count.total == 0 && a.npeers == 0 && a.peers_all == 0 && a.nlisteners == 0 &&
	   a.peers == NULL && a.listeners == NULL, "no sockets: all empty");
	cw_agg_done(&a);

	/* Without a listener on 80, the same sockets are outbound from port 80. */
	cw_agg_build(&a, v + 3, 4, 20);
	is_int(a.peers_all, 4, "no listener: each grouped by its remote port");
	check_peer(&a, 0, CW_PEER_OUT, "10.0.0.5", 50001, 1);
	cw_agg_done(&a);

	/* Many peers: the table grows, every socket lands once. */
	{
		static struct cw_sock many[3000];
		uint32_t sum = 0;

		for (i = 0; i < 3000; i++) {
			char dst[32];

			snprintf(dst, sizeof(dst), "10.%zu.%zu.%zu", i / 1000, (i / 10) % 100, i % 10);
			many[i] = sk(CW_TCP_ESTABLISHED, "10.255.0.1", (unsigned)(20000 + i), dst,
				     i % 2 ? 443 : 80);
		}
		/* 3000 distinct addresses, one socket each. */
		cw_agg_build(&a, many, 3000, 5000);
		is_int(a.peers_all, 3000, "3000 distinct peers");
		for (i = 0; i < a.npeers; i++)
			sum += a.peers[i].total;
		is_int(sum, 3000, "every socket counted once");
		ok(a.npeers == 3000 && a.peers[0].total == 1 && a.peers[2999].total == 1, "all totals 1");
		cw_agg_done(&a);
		for (i = 0; i < 3000; i++)
			many[i].dport = 5432; /* now 3000 addresses, same port */
		for (i = 0; i < 3000; i++)
			cw_addr_parse(i % 3 ? "192.168.1.1" : "192.168.1.2", &many[i].dst);
		cw_agg_build(&a, many, 3000, 5000);
		is_int(a.peers_all, 2, "3000 sockets to 2 peers");
		ok(a.npeers == 2 && a.peers[0].total == 2000 && a.peers[1].total == 1000,
		   "busiest peer first: 2000 then 1000");
		cw_agg_done(&a);
	}

	/* The builder, one socket at a time, in the kernel's order (listeners
	 * first): the same aggregate as the list, and its tables reused. */
	{
		struct cw_agg_builder *b = cw_agg_builder_new();
		struct cw_agg s, l;
		size_t room, round;

		memset(&s, 0, sizeof(s));
		cw_agg_build(&l, v, n, 20);
		for (round = 0; round < 2; round++) {
			cw_agg_begin(b);
			for (i = 0; i < n; i++)
				cw_agg_add(b, &v[i]);
			ok(cw_agg_end(b, &s, 20), "streamed, round %zu: in order", round);
			ok(memcmp(&s.count, &l.count, sizeof(l.count)) == 0 && s.udp_dns == l.udp_dns &&
			   s.naddrs == l.naddrs && memcmp(s.addrs, l.addrs, sizeof(l.addrs)) == 0,
			   "streamed, round %zu: counts and addresses as the list's", round);
			ok(s.npeers == l.npeers && s.peers_all == l.peers_all &&
			   memcmp(s.peers, l.peers, l.npeers * sizeof(*l.peers)) == 0,
			   "streamed, round %zu: peers as the list's, in the same order", round);
			ok(s.nlisteners == l.nlisteners &&
			   memcmp(s.listeners, l.listeners, l.nlisteners * sizeof(*l.listeners)) == 0,
			   "streamed, round %zu: listeners as the list's", round);
		}
		/* A second aggregate reuses the arrays, and holds nothing of the first. */
		{
			const struct cw_peer *before = s.peers;

			cw_agg_begin(b);
			cw_agg_add(b, &v[8]); /* ESTABLISHED 10.0.0.1:40001 -> 10.0.0.9:5432 */
			ok(cw_agg_end(b, &s, 20), "a second aggregate");
			ok(s.peers == before, "... into the same peer array");
			is_int(s.count.total, 1, "... counts only its own socket");
			ok(s.npeers == 1 && s.peers_all == 1 && s.peers[0].total == 1 &&
			   s.peers[0].port == 5432 && s.nlisteners == 0, "... one peer, no listener");
		}
		/* A listener after a connected socket on its port: said, and
		 * the aggregate left as it was. */
		cw_agg_begin(b);
		cw_agg_add(b, &v[3]);   /* ESTABLISHED 10.0.0.1:80 <- 10.0.0.5 */
		cw_agg_add(b, &v[0]);   /* LISTEN 0.0.0.0:80 */
		ok(!cw_agg_end(b, &s, 20), "a listener after a connected socket on its port: out of order");
		is_int(s.count.total, 1, "... and the aggregate is untouched");
		/* A listener after connected sockets on other ports is fine. */
		cw_agg_begin(b);
		cw_agg_add(b, &v[8]);
		cw_agg_add(b, &v[0]);
		ok(cw_agg_end(b, &s, 20), "a listener after sockets on other ports: in order");
		/* Grown by a big dump, shrunk after a window of small ones. */
		{
			static struct cw_sock many[5000];

			for (i = 0; i < 5000; i++) {
				char dst[32];

				snprintf(dst, sizeof(dst), "10.%zu.%zu.%zu", i / 1000, (i / 10) % 100, i % 10);
				many[i] = sk(CW_TCP_ESTABLISHED, "10.255.0.1", (unsigned)(20000 + i), dst, 80);
			}
			cw_agg_begin(b);
			for (i = 0; i < 5000; i++)
				cw_agg_add(b, &many[i]);
			ok(cw_agg_end(b, &s, 20), "5000 peers");
			is_int(s.peers_all, 5000, "... all counted");
			room = cw_agg_builder_room(b);
			ok(room >= 3 * 5000, "... the tables grew (room %zu)", room);
			for (round = 0; round < 100; round++) {
				cw_agg_begin(b);
				cw_agg_add(b, &v[8]);
				cw_agg_end(b, &s, 20);
			}
			is_int(cw_agg_builder_room(b), room, "100 small dumps later: still grown");
			for (round = 0; round < 600; round++) {
				cw_agg_begin(b);
				cw_agg_add(b, &v[8]);
				cw_agg_end(b, &s, 20);
			}
			ok(cw_agg_builder_room(b) < room / 10,
			   "a window of small dumps later: shrunk (%zu -> %zu)", room,
			   cw_agg_builder_room(b));
			cw_agg_begin(b);
			for (i = 0; i < 5000; i++)
				cw_agg_add(b, &many[i]);
			ok(cw_agg_end(b, &s, 20) && s.peers_all == 5000, "... and grows again when needed");
		}
		cw_agg_done(&s);
		cw_agg_done(&l);
		cw_agg_builder_free(b);
	}

	/* UDP sockets connected to port 53 count apart from TCP, in udp_dns
	 * and in their peers; a resolver with only UDP sockets is a peer,
	 * ranked by its sockets of both kinds. */
	{
		struct cw_sock u[8];
		size_t k = 0;

		for (i = 0; i < 3; i++) {
			u[k] = sk(CW_TCP_ESTABLISHED, "10.1.0.5", 40000 + (unsigned)i, "10.96.0.10", 53);
			u[k++].udp = true;
		}
		u[k] = sk(CW_TCP_ESTABLISHED, "fd00::5", 40010, "fd00::a", 53);
		u[k++].udp = true;
		u[k] = sk(CW_TCP_CLOSE, "10.1.0.5", 40011, "0.0.0.0", 0); /* unconnected */
		u[k++].udp = true;
		u[k] = sk(CW_TCP_CLOSE, "10.1.0.5", 40012, "10.96.0.10", 53); /* hostile: not connected */
		u[k++].udp = true;
		u[k++] = sk(CW_TCP_ESTABLISHED, "10.1.0.5", 50000, "10.0.0.9", 5432);
		u[k++] = sk(CW_TCP_SYN_SENT, "10.1.0.5", 50001, "10.96.0.10", 53);
		cw_agg_build(&a, u, k, 20);
		is_int(a.udp_dns, 4, "udp: four connected to port 53");
		is_int(a.count.total, 2, "udp: TCP counts only TCP sockets");
		is_int(a.count.tcp[CW_TCP_CLOSE], 0, "udp: an unconnected UDP socket is no TCP CLOSE");
		is_int(a.peers_all, 3, "udp: three peers");
		check_peer(&a, 0, CW_PEER_OUT, "10.96.0.10", 53, 1);
		if (a.npeers == 3) {
			is_int(a.peers[0].udp, 3, "udp: the resolver's UDP sockets");
			is_int(a.peers[0].tcp[CW_TCP_SYN_SENT], 1, "udp: and its TCP one");
			check_peer(&a, 1, CW_PEER_OUT, "10.0.0.9", 5432, 1);
			check_peer(&a, 2, CW_PEER_OUT, "fd00::a", 53, 0);
			is_int(a.peers[2].udp, 1, "udp: a UDP-only peer ranks by its UDP sockets");
		}
		cw_agg_done(&a);
		/* Truncation keeps the UDP-only resolver over a lighter TCP peer. */
		u[0] = sk(CW_TCP_ESTABLISHED, "fd00::5", 40020, "fd00::a", 53);
		u[0].udp = true;
		u[1] = u[0];
		u[1].sport = 40021;
		u[2] = sk(CW_TCP_ESTABLISHED, "10.1.0.5", 50002, "10.0.0.8", 80);
		cw_agg_build(&a, u, 3, 1);
		ok(a.npeers == 1 && a.peers[0].udp == 2 && a.peers[0].total == 0,
		   "udp: max_peers 1 keeps the UDP-only resolver");
		cw_agg_done(&a);
	}

	/* cw_tcpcount_add. */
	memset(&c, 0, sizeof(c));
	cw_tcpcount_add(&c, CW_TCP_ESTABLISHED);
	cw_tcpcount_add(&c, CW_TCP_NEW_SYN_RECV);
	cw_tcpcount_add(&c, 0);
	cw_tcpcount_add(&c, 13);
	cw_tcpcount_add(&c, 255);
	ok(c.total == 2 && c.tcp[CW_TCP_ESTABLISHED] == 1 && c.tcp[CW_TCP_SYN_RECV] == 1,
	   "cw_tcpcount_add: invalid states ignored, NEW_SYN_RECV folded");
	is_str(cw_peer_dir_name(CW_PEER_IN), "in", "dir name in");
	is_str(cw_peer_dir_name(CW_PEER_OUT), "out", "dir name out");
	return tap_done();
}
