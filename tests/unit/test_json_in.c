/* test_json_in: JSON -> snapshot. A hand-built snapshot with every kind of
 * row survives json_out -> json_in -> json_out byte for byte; so does a
 * real tick when run as root, and every fixture under
 * tests/fixtures/snapshots. Walking json_schema's tables: every key is
 * written, and read (deleting it changes what is read); an unknown key and
 * a wrong type are refused at every object with the path in the cause.
 * Hostile documents are refused with a one-line cause (or, for strings,
 * sanitised) without crashing. */
#include "config.h"
#include "collect.h"
#include "json_in.h"
#include "json_out.h"
#include "json_schema.h"
#include "snapshot.h"
#include "tap.h"
#include "util.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static struct cw_addr A(const char *s)
{
	struct cw_addr a;

	if (!cw_addr_parse(s, &a))
		cw_fatal("bad test address %s", s);
	return a;
}

/* A v4-mapped address as the collector stores it: as IPv4 (diag_parse
 * normalises ::ffff:a.b.c.d). The socket keeps the kernel's AF_INET6. */
static struct cw_addr mapped(const char *v4)
{
	return A(v4);
}

static const char **strv(struct cw_arena *ar, const char *a, const char *b)
{
	const char **v = cw_arena_alloc(ar, 2 * sizeof(*v));

	v[0] = cw_arena_strdup(ar, a);
	v[1] = cw_arena_strdup(ar, b);
	return v;
}

static void base_row(struct cw_ns_row *r, uint64_t inode, enum cw_ns_kind kind, const char *label)
{
	r->id = inode;
	r->inode = inode;
	r->kind = kind;
	r->label = label;
	r->is_pod = kind == CW_KIND_POD || kind == CW_KIND_HOSTNET_POD;
	r->exact_age_ms = -1;
	r->shared_ehash = -1;
}

static void set_counters(struct cw_counters *c, uint64_t base)
{
	c->valid = true;
	c->inuse = base + 1;
	c->tw = base + 2;
	c->curr_estab = base + 3;
	c->active_opens = base + 4;
	c->passive_opens = base + 5;
	c->attempt_fails = base + 6;
	c->estab_resets = base + 7;
	c->in_errs = base + 8;
	c->out_rsts = base + 9;
	c->listen_overflows = base + 10;
	c->listen_drops = base + 11;
}

static struct cw_snapshot *rich(void)
{
	struct cw_snapshot *s = cw_snapshot_new();
	struct cw_arena *ar = &s->arena;
	struct cw_ns_row *r;
	struct cw_sock *k;
	unsigned st;

	s->time_ms = 1764184878123; /* 2025-11-26T19:21:18.123Z */
	s->hostname = "node-a.example";
	s->collector.cpu_ms = 3.25;
	s->collector.budget_ms = 50;
	s->collector.dump_ms = 0.0625;
	s->collector.netns_total = 7;
	s->collector.netns_dumped = 4;
	s->collector.procs_denied = 2;
	s->collector.host_netns_from = "pid1";
	s->collector.dump_mode = "family";
	s->collector.note = "processes hidden: grant CAP_SYS_PTRACE";
	s->nrows = 8;
	s->rows = cw_arena_alloc(ar, s->nrows * sizeof(*s->rows));

	/* 0: the host, with everything: peers both ways, v4 and v6, listeners,
	 * sockets with owners and tcp_info. */
	r = &s->rows[0];
	base_row(r, 4026531840, CW_KIND_HOST, "host");
	r->id_source = "host";
	r->pids[0] = 1;
	r->pids[1] = 2;
	r->npids = 2;
	r->nprocs = 311;
	r->comm = "systemd";
	r->has_exact = true;
	r->exact_age_ms = 0;
	r->dumped = true;
	r->dump_ms = 1.375;
	r->shared_ehash = 1;
	for (st = CW_TCP_ESTABLISHED; st <= CW_TCP_CLOSING; st++)
		r->tcp.tcp[st] = st * 3;
	r->tcp.total = 198;
	set_counters(&r->counters, (uint64_t)1 << 40);
	r->npeers = 3;
	r->peers_all = 9;
	r->peers = cw_arena_alloc(ar, r->npeers * sizeof(*r->peers));
	r->peers[0] = (struct cw_peer){.addr = A("10.96.0.10"), .port = 5432, .dir = CW_PEER_OUT,
				       .total = 12};
	r->peers[0].tcp[CW_TCP_ESTABLISHED] = 10;
	r->peers[0].tcp[CW_TCP_CLOSE_WAIT] = 2;
	r->peers[0].udp = 4;
	r->udp_dns = 7;
	r->peers[1] = (struct cw_peer){.addr = A("fd00:10:244::7"), .port = 443, .dir = CW_PEER_IN,
				       .total = 3};
	r->peers[1].tcp[CW_TCP_SYN_RECV] = 3;
	r->peers[2] = (struct cw_peer){.addr = mapped("192.168.1.20"), .port = 22, .dir = CW_PEER_IN,
				       .total = 1};
	r->peers[2].tcp[CW_TCP_ESTABLISHED] = 1;
	r->naddrs = 3;
	r->addrs = cw_arena_alloc(ar, r->naddrs * sizeof(*r->addrs));
	r->addrs[0] = A("192.168.1.10");
	r->addrs[1] = A("2001:db8::10");
	r->addrs[2] = A("fe80::1");
	r->nlisteners = 2;
	r->listeners = cw_arena_alloc(ar, r->nlisteners * sizeof(*r->listeners));
	r->listeners[0] = (struct cw_listener){.addr = A("0.0.0.0"), .port = 22, .queue = 0,
					       .backlog = 128};
	r->listeners[1] = (struct cw_listener){.addr = A("::"), .port = 443, .queue = 5,
					       .backlog = 4096};
	r->nsocks = 4;
	r->socks = cw_arena_alloc(ar, r->nsocks * sizeof(*r->socks));
	r->owners = cw_arena_alloc(ar, r->nsocks * sizeof(*r->owners));
	k = &r->socks[0];
	*k = (struct cw_sock){.cookie = (uint64_t)1 << 49, .cgroup_id = 12345, .inode = 99001,
			      .uid = 1000, .rqueue = 0, .wqueue = 17, .expires_ms = 200, .sport = 40000,
			      .dport = 5432, .state = CW_TCP_ESTABLISHED, .family = AF_INET, .timer = 1,
			      .has_info = true, .src = A("192.168.1.10"), .dst = A("10.96.0.10")};
	k->info = (struct cw_tcpinfo){.rtt_us = 250, .rttvar_us = 40, .retransmits = 1,
				      .total_retrans = 7, .last_data_sent_ms = 12,
				      .last_data_recv_ms = 13, .unacked = 2, .lost = 1};
	r->owners[0].pid = 4242;
	snprintf(r->owners[0].comm, sizeof(r->owners[0].comm), "java");
	/* v4-mapped, stored as IPv4 by the parser; the kernel said AF_INET6 */
	k = &r->socks[1];
	*k = (struct cw_sock){.cookie = 77, .inode = 99002, .sport = 22, .dport = 51000,
			      .state = CW_TCP_ESTABLISHED, .family = AF_INET6,
			      .src = mapped("192.168.1.10"), .dst = mapped("192.168.1.20")};
	r->owners[1].pid = 900;
	snprintf(r->owners[1].comm, sizeof(r->owners[1].comm), "sshd");
	k = &r->socks[2];
	*k = (struct cw_sock){.cookie = 78, .sport = 443, .dport = 60000,
			      .state = CW_TCP_NEW_SYN_RECV, .family = AF_INET6,
			      .src = A("2001:db8::10"), .dst = A("fd00:10:244::7")};
	k = &r->socks[3]; /* TIME_WAIT: nobody holds it */
	*k = (struct cw_sock){.cookie = 79, .sport = 40001, .dport = 5432, .timer = 3,
			      .expires_ms = 59000, .state = CW_TCP_TIME_WAIT, .family = AF_INET,
			      .src = A("192.168.1.10"), .dst = A("10.96.0.10")};

	/* 1: a pod with containers, counters, dumped earlier (not this tick). */
	r = &s->rows[1];
	base_row(r, 4026532001, CW_KIND_POD, "shop/checkout-7d9f8b6c5d-x2x4q");
	r->pod_ns = "shop";
	r->pod_name = "checkout-7d9f8b6c5d-x2x4q";
	r->pod_uid = "0f6a4c5e-1b2a-4a57-9c1e-6a2f1c0b9e11";
	r->workload = "checkout";
	r->containers = strv(ar, "app", "istio-proxy");
	r->ncontainers = 2;
	r->runtime = "containerd";
	r->id_source = "containerd";
	r->pids[0] = 5100;
	r->npids = 1;
	r->nprocs = 1;
	r->comm = "pause";
	r->has_exact = true;
	r->exact_age_ms = 4000;
	r->shared_ehash = 0;
	r->tcp.tcp[CW_TCP_ESTABLISHED] = 12;
	r->tcp.tcp[CW_TCP_LISTEN] = 2;
	r->tcp.total = 14;
	set_counters(&r->counters, 100);
	r->npeers = 1;
	r->peers_all = 1;
	r->peers = cw_arena_alloc(ar, sizeof(*r->peers));
	r->peers[0] = (struct cw_peer){.addr = A("10.244.1.9"), .port = 8080, .dir = CW_PEER_IN,
				       .total = 12};
	r->peers[0].tcp[CW_TCP_ESTABLISHED] = 12;
	r->nlisteners = 1;
	r->listeners = cw_arena_alloc(ar, sizeof(*r->listeners));
	r->listeners[0] = (struct cw_listener){.addr = A("10.244.1.5"), .port = 8080, .backlog = 511};

	/* 2: a pod with no containers known, sockets asked for but none. */
	r = &s->rows[2];
	base_row(r, 4026532002, CW_KIND_POD, "kube-system/coredns-5d78c9869d-abcde");
	r->pod_ns = "kube-system";
	r->pod_name = "coredns-5d78c9869d-abcde";
	r->runtime = "cri-o";
	r->id_source = "cgroup";
	r->has_exact = true;
	r->exact_age_ms = 0;
	r->dumped = true;
	r->dump_ms = 0;
	r->socks = cw_arena_alloc(ar, sizeof(*r->socks));
	r->owners = cw_arena_alloc(ar, sizeof(*r->owners));
	r->nsocks = 0;

	/* 3: a docker container. */
	r = &s->rows[3];
	base_row(r, 4026532003, CW_KIND_CONTAINER, "redis");
	r->runtime = "docker";
	r->id_source = "docker";
	r->pids[0] = 7000;
	r->npids = 1;
	r->nprocs = 4;
	r->comm = "redis-server";
	r->has_exact = true;
	r->exact_age_ms = 1000;
	r->shared_ehash = 0;
	r->tcp.tcp[CW_TCP_LISTEN] = 1;
	r->tcp.total = 1;

	/* 4: a named namespace. */
	r = &s->rows[4];
	base_row(r, 4026532004, CW_KIND_NAMED, "blue");
	r->netns_name = "blue";
	r->id_source = "netns";

	/* 5: a process: stale, without tcp, with a status. */
	r = &s->rows[5];
	base_row(r, 4026532005, CW_KIND_PROCESS, "nginx[8123]");
	r->id_source = "process";
	for (st = 0; st < CW_ROW_MAXPIDS; st++)
		r->pids[st] = 8123 + (int32_t)st;
	r->npids = CW_ROW_MAXPIDS;
	r->nprocs = 40;
	r->comm = "nginx";
	r->status = "setns: Operation not permitted";
	set_counters(&r->counters, 0);

	/* 6: a process with nothing at all but its name. */
	r = &s->rows[6];
	base_row(r, 4026532006, CW_KIND_PROCESS, "?[1]");

	/* 7: a hostNetwork pod: the host's inode, its own id. */
	r = &s->rows[7];
	base_row(r, 4026531840, CW_KIND_HOSTNET_POD, "monitoring/node-exporter-q8v5n");
	r->id = 987654321 | CW_ROW_ID_CGROUP;
	r->pod_ns = "monitoring";
	r->pod_name = "node-exporter-q8v5n";
	r->pod_uid = "5e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b";
	r->workload = "node-exporter";
	r->containers = strv(ar, "node-exporter", "kube-rbac-proxy");
	r->ncontainers = 2;
	r->runtime = "containerd";
	r->id_source = "containerd";
	r->pids[0] = 2300;
	r->npids = 1;
	r->nprocs = 3;
	r->has_exact = true;
	r->exact_age_ms = 0;
	r->tcp.tcp[CW_TCP_LISTEN] = 1;
	r->tcp.tcp[CW_TCP_ESTABLISHED] = 4;
	r->tcp.total = 5;
	return s;
}

/* json_out -> json_in -> json_out; returns the read-back snapshot. */
static struct cw_snapshot *round_trip(const struct cw_snapshot *s, const char *what, char **jout)
{
	char *j1 = cw_json_snapshot(s), *j2, *cause = NULL, name[128];
	struct cw_snapshot *b = cw_json_in_snapshot(j1, &cause);

	ok(b != NULL, "%s: reads back", what);
	if (!b) {
		printf("#   cause: %s\n", cause);
		free(cause);
		free(j1);
		return NULL;
	}
	j2 = cw_json_snapshot(b);
	snprintf(name, sizeof(name), "%s: round trip is byte-identical", what);
	if (!tap_ok(strcmp(j1, j2) == 0, name)) {
		size_t i = 0;

		while (j1[i] && j1[i] == j2[i])
			i++;
		printf("#   differ at byte %zu\n#   out: %.120s\n#    in: %.120s\n", i,
		       j1 + (i > 40 ? i - 40 : 0), j2 + (i > 40 ? i - 40 : 0));
	}
	if (jout)
		*jout = j1;
	else
		free(j1);
	free(j2);
	return b;
}

static void test_rich(void)
{
	struct cw_snapshot *s = rich(), *b;
	const struct cw_ns_row *r;
	char buf[64];

	b = round_trip(s, "hand-built snapshot", NULL);
	if (!b) {
		cw_snapshot_unref(s);
		return;
	}
	is_int(b->schema, 2, "schema");
	is_int(b->time_ms, s->time_ms, "time_ms from RFC 3339");
	is_str(b->hostname, "node-a.example", "hostname");
	ok(b->collector.dump_mode == s->collector.dump_mode ||
	   strcmp(b->collector.dump_mode, "family") == 0, "dump_mode");
	ok(b->collector.cpu_ms == 3.25 && b->collector.dump_ms == 0.0625, "collector doubles exact");
	is_int(b->collector.netns_total, 7, "netns_total");
	is_int(b->collector.procs_denied, 2, "procs_denied");
	is_int(b->nrows, 8, "rows");

	r = cw_snapshot_find(b, 4026531840);
	ok(r && r->kind == CW_KIND_HOST && !r->is_pod, "host row");
	if (r) {
		ok(r->has_exact && r->exact_age_ms == 0 && r->dumped && r->dump_ms == 1.375,
		   "host: exact and dumped");
		is_int(r->shared_ehash, 1, "host: shared_ehash");
		is_int(r->tcp.tcp[CW_TCP_CLOSING], 33, "host: tcp CLOSING");
		is_int(r->tcp.total, 198, "host: tcp_total");
		ok(r->counters.valid && r->counters.listen_drops == ((uint64_t)1 << 40) + 11,
		   "host: counters");
		is_int(r->npeers, 3, "host: peers");
		is_int(r->peers_all, 9, "host: peers_total");
		ok(r->peers[1].dir == CW_PEER_IN && r->peers[1].addr.family == AF_INET6 &&
		   r->peers[1].port == 443 && r->peers[1].tcp[CW_TCP_SYN_RECV] == 3, "host: v6 peer in");
		ok(r->peers[0].dir == CW_PEER_OUT && r->peers[0].tcp[CW_TCP_CLOSE_WAIT] == 2,
		   "host: peer out");
		is_int(r->udp_dns, 7, "host: udp_dns");
		is_int(r->peers[0].udp, 4, "host: a peer's udp");
		is_int(r->peers[1].udp, 0, "host: a peer without udp");
		is_str(cw_addr_str(&r->addrs[1], buf, sizeof(buf)), "2001:db8::10", "host: addrs");
		ok(r->nlisteners == 2 && r->listeners[1].backlog == 4096 &&
		   r->listeners[1].addr.family == AF_INET6, "host: listeners");
		is_int(r->nsocks, 4, "host: sockets");
		ok(r->owners && r->owners[0].pid == 4242 && strcmp(r->owners[0].comm, "java") == 0,
		   "host: owner of socket 0");
		ok(r->owners && r->owners[3].pid == 0 && r->owners[3].comm[0] == '\0',
		   "host: TIME_WAIT has no owner");
		ok(r->socks[0].has_info && r->socks[0].info.total_retrans == 7 &&
		   r->socks[0].info.last_data_recv_ms == 13, "host: tcp_info");
		/* cJSON prints 15 significant digits when they read back "close
		 * enough", so integers past 10^15 do not survive json_out. */
		ok(r->socks[0].cookie == (uint64_t)1 << 49 && r->socks[0].cgroup_id == 12345,
		   "host: cookie (2^49) and cgroup id");
		is_int(r->socks[1].family, AF_INET, "v4-mapped socket reads back as AF_INET");
		is_int(r->socks[2].family, AF_INET6, "v6 socket is AF_INET6");
		is_int(r->socks[2].state, CW_TCP_SYN_RECV, "NEW_SYN_RECV reads back as its slot");
		ok(r->socks[3].timer == 3 && r->socks[3].expires_ms == 59000, "timer and expiry");
	}
	r = cw_snapshot_find(b, 987654321 | CW_ROW_ID_CGROUP);
	ok(r && r->kind == CW_KIND_HOSTNET_POD && r->is_pod && r->inode == 4026531840 &&
	   strcmp(r->pod_name, "node-exporter-q8v5n") == 0 && r->ncontainers == 2 &&
	   r->tcp.total == 5, "hostnet-pod: found by its id, the host's inode, a pod");
	ok(cw_snapshot_find(b, 4026531840) && cw_snapshot_find(b, 4026531840)->kind == CW_KIND_HOST,
	   "the host's inode still finds the host row");
	ok(cw_snapshot_find(b, 987654321) == NULL, "a cgroup id without the bit is no row's id");
	r = cw_snapshot_find(b, 4026532001);
	ok(r && r->is_pod && r->ncontainers == 2 && strcmp(r->containers[1], "istio-proxy") == 0 &&
	   strcmp(r->workload, "checkout") == 0 && strcmp(r->pod_ns, "shop") == 0,
	   "pod with containers");
	ok(r && !r->dumped && r->exact_age_ms == 4000 && r->shared_ehash == 0, "pod: exact, not dumped");
	r = cw_snapshot_find(b, 4026532002);
	ok(r && r->socks != NULL && r->nsocks == 0 && r->ncontainers == 0 && r->shared_ehash == -1,
	   "pod: empty socket list is kept, no containers");
	ok(r && r->peers && r->listeners && r->addrs && r->npeers + r->nlisteners + r->naddrs == 0,
	   "pod: empty lists read back empty, not NULL");
	r = cw_snapshot_find(b, 4026532004);
	ok(r && r->kind == CW_KIND_NAMED && strcmp(r->netns_name, "blue") == 0, "named row");
	r = cw_snapshot_find(b, 4026532005);
	ok(r && !r->has_exact && r->exact_age_ms == -1 && r->npeers == 0 && r->peers_all == 0 &&
	   r->tcp.total == 0, "stale row: no exact counts");
	ok(r && r->npids == CW_ROW_MAXPIDS && r->nprocs == 40 && r->counters.valid,
	   "stale row: pids and counters");
	is_str(r ? r->status : NULL, "setns: Operation not permitted", "status");
	r = cw_snapshot_find(b, 4026532006);
	ok(r && !r->status && !r->counters.valid && r->npids == 0 && !r->comm && !r->dumped,
	   "bare row: status ok is NULL, nothing else");

	cw_snapshot_unref(b);
	cw_snapshot_unref(s);
}

/* cookie and cgroup_id past 2^53 survive: written as decimal strings. */
static void test_big_ids(void)
{
	struct cw_snapshot *s = rich(), *b;
	struct cw_sock *k = &s->rows[0].socks[0];
	char *j = NULL;

	k->cookie = UINT64_MAX;
	k->cgroup_id = ((uint64_t)1 << 53) + 1; /* the first integer a double cannot hold */
	s->rows[0].socks[1].cookie = 0;
	b = round_trip(s, "cookie 2^64-1", &j);
	ok(j && strstr(j, "\"cookie\":\"18446744073709551615\",\"cgroup_id\":\"9007199254740993\""),
	   "written as decimal strings");
	ok(j && strstr(j, "\"cookie\":\"0\""), "cookie 0 written as \"0\"");
	ok(b && b->rows[0].socks[0].cookie == UINT64_MAX, "cookie 2^64-1 read back");
	ok(b && b->rows[0].socks[0].cgroup_id == ((uint64_t)1 << 53) + 1, "cgroup_id 2^53+1 read back");
	ok(b && b->rows[0].socks[1].cookie == 0 && b->rows[0].socks[1].cgroup_id == 0,
	   "cookie 0, cgroup_id absent: 0");
	free(j);
	cw_snapshot_unref(b);
	cw_snapshot_unref(s);
}

/* Times before 1970 round-trip (they were written "1970-01-01T00:00:00.-01Z"). */
static void test_old_times(void)
{
	static const int64_t ms[] = {-1, -999, -1000, -1001, -86400001, -2208988800000LL};
	static const char head[] = "{\"schema\":2,\"time\":\"1969-12-31T23:59:59.999Z\",";
	struct cw_snapshot *s = cw_snapshot_new(), *b;
	char *cause = NULL, *j;
	size_t i;

	b = cw_json_in_snapshot("{\"schema\":2,\"time\":\"1969-12-31T23:59:59.999Z\"}", &cause);
	ok(b && b->time_ms == -1, "1969-12-31T23:59:59.999Z reads as -1 ms (%s)", cause ? cause : "ok");
	j = b ? cw_json_snapshot(b) : NULL;
	ok(j && strncmp(j, head, strlen(head)) == 0, "and is written back the same: %.46s", j ? j : "");
	free(j);
	free(cause);
	cw_snapshot_unref(b);
	for (i = 0; i < CW_ARRAY_LEN(ms); i++) {
		char what[64];

		s->time_ms = ms[i];
		snprintf(what, sizeof(what), "time %" PRId64 " ms", ms[i]);
		b = round_trip(s, what, NULL);
		ok(b && b->time_ms == ms[i], "%s read back", what);
		cw_snapshot_unref(b);
	}
	cw_snapshot_unref(s);
}

/* ---- walking the tables ---- */

/* rich(), with every value that has a default away from it, so that
 * deleting any key changes what is read. */
/* What the findings stage adds: a crit finding about row 0 toward a peer,
 * with evidence of both kinds, one about the hostnet pod, one about the
 * node. Worst first, as the stage sorts them. */
static void add_findings(struct cw_snapshot *s)
{
	struct cw_arena *ar = &s->arena;
	struct cw_finding *f = cw_arena_alloc(ar, 3 * sizeof(*f));
	struct cw_evidence *ev = cw_arena_alloc(ar, 2 * sizeof(*ev));

	f[0] = (struct cw_finding){.rule = CW_RULE_POOL_LEAK, .severity = CW_SEV_CRIT,
				   .id = s->rows[0].id, .inode = s->rows[0].inode,
				   .label = s->rows[0].label, .since_ms = s->time_ms - 360000,
				   .text = "pool leak: +14 ESTAB/min to 10.96.3.4:5432 for 6 min",
				   .next = "look at the pool settings of java[4123]",
				   .evidence = ev, .nevidence = 2, .has_peer = true, .pid = 4123};
	cw_addr_parse("10.96.3.4", &f[0].peer.addr);
	f[0].peer.port = 5432;
	f[0].peer.dir = CW_PEER_OUT;
	ev[0] = (struct cw_evidence){.key = "slope_per_min", .num = 14.25};
	ev[1] = (struct cw_evidence){.key = "process", .str = "java[4123]"};
	f[1] = (struct cw_finding){.rule = CW_RULE_CLOSE_WAIT, .severity = CW_SEV_WARN,
				   .id = s->rows[7].id, .inode = s->rows[7].inode,
				   .label = s->rows[7].label, .since_ms = s->time_ms - 1000,
				   .text = "CLOSE_WAIT: 120", .evidence = ev, .nevidence = 0};
	f[2] = (struct cw_finding){.rule = CW_RULE_NODE_LIMIT, .severity = CW_SEV_INFO,
				   .label = "node", .since_ms = s->time_ms,
				   .text = "file-nr at 91% of file-max", .evidence = ev, .nevidence = 0};
	s->findings = f;
	s->nfindings = 3;
}

static struct cw_snapshot *full(void);

static void test_findings(void)
{
	struct cw_snapshot *s = full(), *b;
	char *text = cw_json_snapshot(s), *cause = NULL;
	const struct cw_finding *f;

	b = cw_json_in_snapshot(text, &cause);
	ok(b != NULL, "findings: read back%s%s", cause ? ": " : "", cause ? cause : "");
	if (b) {
		is_int(b->nfindings, 3, "findings: three");
		f = &b->findings[0];
		ok(f->rule == CW_RULE_POOL_LEAK && f->severity == CW_SEV_CRIT && f->pid == 4123 &&
		   f->has_peer && f->peer.port == 5432 && f->since_ms == s->time_ms - 360000 &&
		   f->id == s->rows[0].id, "findings: the first, whole");
		ok(f->nevidence == 2 && strcmp(f->evidence[0].key, "slope_per_min") == 0 &&
		   !f->evidence[0].str && f->evidence[0].num == 14.25 &&
		   strcmp(f->evidence[1].str, "java[4123]") == 0, "findings: evidence in order, typed");
		ok(b->findings[1].id == (987654321 | CW_ROW_ID_CGROUP), "findings: a hostnet pod's id");
		ok(b->findings[2].id == 0 && b->findings[2].inode == 0, "findings: the node's");
		ok(cw_snapshot_find(b, s->rows[0].id)->finding == 1 &&
		   cw_snapshot_find(b, 987654321 | CW_ROW_ID_CGROUP)->finding == 2 &&
		   cw_snapshot_find(b, s->rows[2].id)->finding == 0,
		   "findings: each row knows its worst");
		ok(cw_snapshot_find(b, s->rows[0].id)->has_baseline &&
		   cw_snapshot_find(b, s->rows[0].id)->baseline[CW_TCP_ESTABLISHED] == 4.5,
		   "baseline read back");
	}
	cw_snapshot_unref(b);
	free(cause);
	free(text);
	text = cw_xstrdup("{\"schema\":2,\"findings\":[{\"rule\":\"pool-leek\",\"severity\":\"warn\","
			  "\"inode\":1,\"label\":\"x\",\"since\":\"2026-01-01T00:00:00.000Z\",\"text\":\"t\"}]}");
	b = cw_json_in_snapshot(text, &cause);
	ok(!b && cause && strstr(cause, "findings[0].rule") && strstr(cause, "unknown rule"),
	   "an unknown rule id is refused by name: %s", cause ? cause : "");
	cw_snapshot_unref(b);
	free(cause);
	cause = NULL;
	free(text);
	text = cw_xstrdup("{\"schema\":2,\"findings\":[{\"rule\":\"dns-storm\",\"severity\":\"warn\","
			  "\"inode\":1,\"label\":\"x\",\"since\":\"2026-01-01T00:00:00.000Z\",\"text\":\"t\","
			  "\"evidence\":{\"a\":[1]}}]}");
	b = cw_json_in_snapshot(text, &cause);
	ok(!b && cause && strstr(cause, "findings[0].evidence.a"),
	   "evidence that is neither a number nor a string is refused: %s", cause ? cause : "");
	cw_snapshot_unref(b);
	free(cause);
	free(text);
	cw_snapshot_unref(s);
}

static struct cw_snapshot *full(void)
{
	struct cw_snapshot *s = rich();

	s->rows[3].tcp.total = 2;          /* not its states' sum: tcp_total is read */
	s->rows[0].peers[0].total = 13;    /* the same for a peer's total */
	s->rows[0].socks[0].rqueue = 3;
	/* What the history stage adds. */
	s->collector.diag_rejected = 2;
	s->collector.dumps_failed = 5;
	s->collector.dumps_retried = 6;
	s->collector.age_bound_ms = 105000;
	s->collector.round_ms = 84000;
	s->collector.wall_ms = 812.5;
	s->collector.exact_all = true;
	s->collector.oldest_exact_ms = 109000;
	s->rows[0].first_seen_ms = s->time_ms - 61000;
	s->rows[1].vanished = true;
	s->rows[0].has_change = true;
	s->rows[0].change[CW_TCP_ESTABLISHED] = 2.5;
	s->rows[0].change[CW_TCP_TIME_WAIT] = -1.25;
	s->rows[0].change[0] = 1.25;
	s->rows[0].rates = (struct cw_rates){.valid = true, .active_opens = 1.5, .passive_opens = 2,
					     .attempt_fails = 0.25, .estab_resets = 3, .in_errs = 4,
					     .out_rsts = 5, .listen_overflows = 6, .listen_drops = 7};
	s->rows[0].has_baseline = true;
	s->rows[0].baseline[CW_TCP_ESTABLISHED] = 4.5;
	s->rows[0].baseline[CW_TCP_TIME_WAIT] = 2;
	s->rows[0].baseline[0] = 6.5;
	/* What TCP state events add. */
	s->collector.events = "bpf";
	s->collector.netns_events = 1;
	s->collector.events_drift = 1;
	s->collector.events_reconciled = 4;
	s->collector.events_drift_share = 0.25;
	s->collector.events_lost = 3;
	s->collector.events_read_ms = 0.125;
	s->rows[0].from_events = true;
	s->rows[0].dump_age_ms = 4000;
	s->rows[0].events_drift = 1;
	s->rows[2].tw_current = true;     /* TIME_WAIT from the counters, the rest older */
	s->rows[0].transitions = cw_arena_alloc(&s->arena, 2 * sizeof(*s->rows[0].transitions));
	s->rows[0].transitions[0] = (struct cw_transition){"client", CW_TCP_TIME_WAIT, 98.5};
	s->rows[0].transitions[1] = (struct cw_transition){"swapper/1", CW_TCP_ESTABLISHED, 2};
	s->rows[0].ntransitions = 2;
	add_findings(s);
	/* What the collector reads of the node and of each namespace. */
	s->node = (struct cw_node){
		.valid = true, .file_nr = 1632, .file_max = 9223372036854775807LL,
		.conntrack_max = 262144,
		.sysctl = {.tcp_tw_reuse = 2, .tcp_fin_timeout = 60, .tcp_max_tw_buckets = 262144,
			   .port_lo = 32768, .port_hi = 60999, .somaxconn = 4096,
			   .tcp_child_ehash_entries = 0, .conntrack_count = 12},
	};
	s->rows[0].has_sysctl = true;
	s->rows[0].sysctl = (struct cw_sysctls){
		.tcp_tw_reuse = 1, .tcp_fin_timeout = 30, .tcp_max_tw_buckets = 2048, .port_lo = 20000,
		.port_hi = 30000, .somaxconn = 128, .tcp_child_ehash_entries = 4096, .conntrack_count = 3,
	};
	return s;
}

/* The node object and a row's sysctls: every value read back as written,
 * file-max's 2^63 - 1 included (a double cannot hold it: it comes back as
 * INT64_MAX all the same); unknown values left out and read as -1; no
 * node, no key. */
static void test_node_sysctl(void)
{
	struct cw_snapshot *s = full(), *b;
	char *json = NULL;
	const struct cw_ns_row *r;

	b = round_trip(s, "node and sysctl", &json);
	ok(b && memcmp(&b->node, &s->node, sizeof(s->node)) == 0, "node read back as written");
	ok(b && b->node.file_max == INT64_MAX, "file-max 2^63 - 1 read back");
	r = b ? cw_snapshot_find(b, s->rows[0].id) : NULL;
	ok(r && r->has_sysctl && memcmp(&r->sysctl, &s->rows[0].sysctl, sizeof(r->sysctl)) == 0,
	   "a row's sysctl read back as written");
	r = b ? cw_snapshot_find(b, s->rows[2].id) : NULL;
	ok(r && !r->has_sysctl && r->sysctl.tcp_fin_timeout == -1 && r->sysctl.port_lo == -1,
	   "a row without sysctl: unknown (-1)");
	ok(json && strstr(json, "\"node\":{\"file-nr\":1632,\"file-max\":") &&
	   strstr(json, "\"ip_local_port_range\":[32768,60999],\"somaxconn\":4096"),
	   "node: kernel names, the range as [lo, hi]");
	ok(json && strstr(json, "\"collector\":") < strstr(json, "\"node\":") &&
	   strstr(json, "\"node\":") < strstr(json, "\"netns\":"), "node comes after collector");
	free(json);
	cw_snapshot_unref(b);

	s->node.file_max = -1;
	s->node.sysctl.port_hi = -1;
	s->rows[0].sysctl.somaxconn = -1;
	b = round_trip(s, "some unknown", &json);
	{
		cJSON *doc = json ? cJSON_Parse(json) : NULL;
		cJSON *node = cJSON_GetObjectItemCaseSensitive(doc, "node");

		ok(node && !cJSON_GetObjectItemCaseSensitive(node, "file-max") &&
		   !cJSON_GetObjectItemCaseSensitive(node, "ip_local_port_range") &&
		   cJSON_GetObjectItemCaseSensitive(node, "file-nr"),
		   "unknown node values are left out, the known ones kept");
		cJSON_Delete(doc);
	}
	ok(json && strstr(json, "\"somaxconn\":4096") && !strstr(json, "\"somaxconn\":-1"),
	   "an unknown row value is left out");
	ok(b && b->node.file_max == -1 && b->node.sysctl.port_lo == -1 && b->node.sysctl.port_hi == -1,
	   "left out: read as unknown");
	free(json);
	cw_snapshot_unref(b);

	s->node.valid = false;
	b = round_trip(s, "no node", &json);
	{
		cJSON *doc = json ? cJSON_Parse(json) : NULL;

		ok(doc && !cJSON_GetObjectItemCaseSensitive(doc, "node"), "no node figures: no node key");
		cJSON_Delete(doc);
	}
	ok(b && !b->node.valid && b->node.file_nr == -1 && b->node.sysctl.tcp_tw_reuse == -1,
	   "no node key: all unknown");
	free(json);
	cw_snapshot_unref(b);
	cw_snapshot_unref(s);
}

/* Finds the want-th JSON object (depth first, in table order) that table
 * t describes, and its path. */
struct find {
	const struct cw_json_object *t;
	size_t want, seen;
	cJSON *hit;
	char path[192];
};

static void walk(const struct cw_json_object *t, cJSON *obj, const char *path, struct find *f)
{
	size_t i, k;

	if (f->hit || !cJSON_IsObject(obj))
		return;
	if (t == f->t && f->seen++ == f->want) {
		f->hit = obj;
		snprintf(f->path, sizeof(f->path), "%s", path);
		return;
	}
	for (i = 0; i < t->nfields; i++) {
		const struct cw_json_field *fl = &t->fields[i];
		cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, fl->key), *c;
		char p[192], q[224];

		if (!fl->sub || !v)
			continue;
		snprintf(p, sizeof(p), "%s%s%s", path, path[0] ? "." : "", fl->key);
		if (cJSON_IsObject(v))
			walk(fl->sub, v, p, f);
		k = 0;
		if (cJSON_IsArray(v))
			cJSON_ArrayForEach(c, v) {
				snprintf(q, sizeof(q), "%s[%zu]", p, k++);
				walk(fl->sub, c, q, f);
			}
	}
}

/* Parses doc and finds the n-th object of table t in it; NULL when there
 * are fewer. *root is to be deleted by the caller either way. */
static cJSON *nth(const char *doc, const struct cw_json_object *t, size_t n, cJSON **root,
		  char *path, size_t pathlen)
{
	struct find f = {.t = t, .want = n};

	*root = cJSON_Parse(doc);
	walk(&cw_json_snapshot_object, *root, "", &f);
	snprintf(path, pathlen, "%s", f.path);
	return f.hit;
}

/* Reads text and writes it again; returns that, or NULL with *cause. */
static char *reread(const char *text, char **cause)
{
	struct cw_snapshot *b = cw_json_in_snapshot(text, cause);
	char *out = b ? cw_json_snapshot(b) : NULL;

	cw_snapshot_unref(b);
	return out;
}

/* Every key of every table is written (in the full snapshot), and read:
 * deleting it somewhere either changes the snapshot read, or is refused
 * by name. A key added to a table without a value in full() fails here. */
static void test_every_key(void)
{
	struct cw_snapshot *s = full();
	char *doc = cw_json_snapshot(s), path[192];
	size_t i, j, n, keys = 0;

	for (i = 0; cw_json_objects[i]; i++) {
		const struct cw_json_object *t = cw_json_objects[i];

		for (j = 0; j < t->nfields; j++) {
			const char *key = t->fields[j].key;
			bool written = false, read = false;
			char name[128];

			for (n = 0; !read; n++) {
				cJSON *root, *o = nth(doc, t, n, &root, path, sizeof(path));
				char *text, *cause = NULL, *out;

				if (!o) {
					cJSON_Delete(root);
					break;
				}
				if (!cJSON_GetObjectItemCaseSensitive(o, key)) {
					cJSON_Delete(root);
					continue;
				}
				written = true;
				cJSON_DeleteItemFromObjectCaseSensitive(o, key);
				text = cJSON_PrintUnformatted(root);
				out = reread(text, &cause);
				read = out ? strcmp(out, doc) != 0 : cause && strstr(cause, key);
				free(out);
				free(cause);
				free(text);
				cJSON_Delete(root);
			}
			snprintf(name, sizeof(name), "%s.%s: written, and read", t->name, key);
			if (!tap_ok(written && read, name))
				printf("#   %s\n", written ? "deleting it never changed what was read"
						      : "not in the full snapshot");
			keys++;
		}
	}
	ok(keys > 80, "%zu keys", keys);
	free(doc);
	cw_snapshot_unref(s);
}

/* At every object: an unknown key is refused with the object's path and
 * the key; a value of the wrong type for every key with the key's path. */
static void test_refusals_everywhere(void)
{
	struct cw_snapshot *s = full();
	char *doc = cw_json_snapshot(s), path[192], want[256];
	size_t i, j, wrong = 0, nkeys = 0;

	for (i = 0; cw_json_objects[i]; i++) {
		const struct cw_json_object *t = cw_json_objects[i];
		cJSON *root, *o = nth(doc, t, 0, &root, path, sizeof(path));
		char *text, *cause = NULL, *out;

		if (!o) {
			ok(0, "%s: in the full snapshot", t->name);
			cJSON_Delete(root);
			continue;
		}
		cJSON_AddStringToObject(o, "nmae", "x");
		text = cJSON_PrintUnformatted(root);
		out = reread(text, &cause);
		snprintf(want, sizeof(want), "%s%sunknown key \"nmae\"", path, path[0] ? ": " : "");
		ok(!out && cause && strcmp(cause, want) == 0, "%s: %s", t->name, want);
		if (!(!out && cause && strcmp(cause, want) == 0))
			printf("#   got: %s\n", cause ? cause : "(accepted)");
		free(out);
		free(cause);
		free(text);
		cJSON_Delete(root);

		for (j = 0; j < t->nfields; j++) {
			const char *key = t->fields[j].key;
			cJSON *v;
			size_t n;

			/* The first object of this table that has the key. */
			for (n = 0; (o = nth(doc, t, n, &root, path, sizeof(path))); n++) {
				if (cJSON_GetObjectItemCaseSensitive(o, key))
					break;
				cJSON_Delete(root);
			}
			if (!o) {
				cJSON_Delete(root);
				continue;
			}
			v = cJSON_GetObjectItemCaseSensitive(o, key);
			cJSON_ReplaceItemInObjectCaseSensitive(o, key, cJSON_IsString(v) ? cJSON_CreateNumber(7)
									: cJSON_CreateString("x"));
			text = cJSON_PrintUnformatted(root);
			cause = NULL;
			out = reread(text, &cause);
			snprintf(want, sizeof(want), "%s%s%s: not ", path, path[0] ? "." : "", key);
			if (out || !cause || strncmp(cause, want, strlen(want)) != 0 ||
			    !strstr(cause, "(found a")) {
				printf("#   %s.%s: %s\n", t->name, key, cause ? cause : "(accepted)");
				wrong++;
			}
			nkeys++;
			free(out);
			free(cause);
			free(text);
			cJSON_Delete(root);
		}
	}
	is_int(wrong, 0, "a wrong type for each of %zu keys: \"<path>.<key>: not ... (found ...)\"", nkeys);
	free(doc);
	cw_snapshot_unref(s);
}

/* A tick of the real collector, with our own namespace's sockets. */
static void test_real(void)
{
	struct cw_collector_cfg cfg = {.procfs = "/proc", .rootfs = "/", .budget_pct = 100,
				       .interval_s = 1, .max_peers = 64};
	struct cw_wants w = {.sockets_info = true};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	struct cw_collector *c = NULL;
	struct cw_snapshot *s, *b;
	struct stat st;
	char *cause = NULL;
	int l, cl;

	if (geteuid() != 0) {
		ok(1, "# SKIP real tick: not root");
		return;
	}
	if (cw_collector_new(&c, &cfg, &cause) < 0) {
		ok(1, "# SKIP real tick: %s", cause);
		free(cause);
		return;
	}
	if (stat("/proc/self/ns/net", &st) == 0)
		w.sockets_id = (uint64_t)st.st_ino;
	/* One connection of our own, so the socket list is not empty. */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	cl = socket(AF_INET, SOCK_STREAM, 0);
	if (l >= 0 && bind(l, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(l, 4) == 0 &&
	    getsockname(l, (struct sockaddr *)&sa, &sl) == 0)
		(void)!connect(cl, (struct sockaddr *)&sa, sizeof(sa));
	s = cw_collector_tick(c, &w, cw_now_ms());
	ok(s && s->nrows > 0, "real tick: %zu rows", s ? s->nrows : 0);
	b = round_trip(s, "real tick", NULL);
	if (b) {
		const struct cw_ns_row *r = cw_snapshot_find(b, w.sockets_id);

		ok(r && r->socks && r->nsocks >= 2, "real tick: own sockets read back (%zu)",
		   r ? r->nsocks : 0);
	}
	cw_snapshot_unref(b);
	cw_snapshot_unref(s);
	cw_collector_free(c);
	if (l >= 0)
		close(l);
	if (cl >= 0)
		close(cl);
}

static bool clean_line(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

struct bad_case {
	const char *json, *cause;
};

#define ROW0 "{\"inode\":1,\"kind\":\"host\",\"label\":\"host\""
#define DOC(rows) "{\"schema\":2,\"netns\":[" rows "]}"
#define DOC1(rows) "{\"schema\":1,\"netns\":[" rows "]}"
#define EXACT ",\"exact_age_ms\":0"

static const struct bad_case bad_cases[] = {
	{"", "not valid JSON"},
	{"not json", "not valid JSON (at byte 0, near \"not json\")"},
	{"{\"schema\":2,\"time\":}", "not valid JSON (at byte 19, near \"}\")"},
	{"{\"schema\":2} trailing", "not valid JSON"},
	{"{\"schema\":2,}", "not valid JSON"},
	{"{\"schema\":2", "not valid JSON (at byte 11): truncated, an object is not closed"},
	{"{\"schema\":2,\"netns\":[{\"inode\":1,\"label\":\"a}", "not valid JSON (at byte 43): truncated, a string is not closed"},
	{"{\"schema\":2,\"netns\":[", "not valid JSON (at byte 21): truncated, an array is not closed"},
	{" \n", "not valid JSON: empty"},
	{"[]", "not a JSON object"},
	{"null", "not a JSON object"},
	{"{}", "schema: missing"},
	{"{\"schema\":\"1\"}", "schema: not a number (found a string)"},
	{"{\"schema\":1}", "unsupported schema 1: this connwatch reads schema 2 only"},
	{"{\"schema\":0}", "unsupported schema 0: this connwatch reads schema 2 only"},
	{"{\"schema\":3,\"nmae\":1}", "unsupported schema 3: this connwatch reads schema 2 only"},
	{"{\"schema\":2.5}", "unsupported schema 2.5"},
	/* A schema-1 document: refused for its version, not for its numeric cookie. */
	{DOC1("{\"inode\":1,\"kind\":\"host\",\"label\":\"host\",\"sockets\":[{\"cookie\":5}]}"),
	 "unsupported schema 1"},
	{"{\"schema\":2,\"junk\":1}", "unknown key \"junk\""},
	{"{\"schema\":2,\"collector\":{\"cpu_ms\":1,\"cpu\":1}}", "collector: unknown key \"cpu\""},
	{"{\"schema\":2,\"hostname\":\"a\",\"hostname\":\"b\"}", "hostname: repeated"},
	{"{\"schema\":2,\"time\":5}", "time: not a string"},
	{"{\"schema\":2,\"time\":\"yesterday\"}", "time: not RFC 3339"},
	{"{\"schema\":2,\"time\":\"2025-02-29T00:00:00.000Z\"}", "time: not RFC 3339"},
	{"{\"schema\":2,\"time\":\"2025-11-26T24:00:00.000Z\"}", "time: not RFC 3339"},
	{"{\"schema\":2,\"time\":\"2025-11-26T19:21:18Z\"}", "time: not RFC 3339"},
	{"{\"schema\":2,\"time\":\"1969-12-31T23:59:60.000Z\"}",
	 "time: not RFC 3339 UTC with milliseconds (YYYY-MM-DDTHH:MM:SS.mmmZ): \"1969-12-31T23:59:60.000Z\""},
	{"{\"schema\":2,\"hostname\":[]}", "hostname: not a string"},
	{"{\"schema\":2,\"collector\":[]}", "collector: not an object"},
	{"{\"schema\":2,\"collector\":{\"cpu_ms\":-1}}", "collector.cpu_ms: not a non-negative number"},
	{"{\"schema\":2,\"collector\":{\"budget_ms\":\"50\"}}", "collector.budget_ms: not a non-negative"},
	{"{\"schema\":2,\"collector\":{\"netns_total\":1.5}}", "collector.netns_total: not a whole number"},
	{"{\"schema\":2,\"node\":{\"file-nr\":-1}}", "node.file-nr: not a non-negative number"},
	{"{\"schema\":2,\"node\":{\"file-max\":1e300}}", "node.file-max: out of range"},
	{"{\"schema\":2,\"node\":{\"somaxconn\":1.5}}", "node.somaxconn: not a whole number"},
	{"{\"schema\":2,\"node\":{\"file_nr\":1}}", "node: unknown key \"file_nr\""},
	{"{\"schema\":2,\"node\":{\"ip_local_port_range\":[2,1]}}",
	 "node.ip_local_port_range: the first port is above the second"},
	{"{\"schema\":2,\"node\":{\"ip_local_port_range\":[1,2,3]}}",
	 "node.ip_local_port_range: not an array of two ports"},
	{"{\"schema\":2,\"node\":{\"ip_local_port_range\":[1,65536]}}",
	 "node.ip_local_port_range: out of range (at most 65535)"},
	{DOC(ROW0 ",\"sysctl\":{\"tcp_fin_timeout\":\"60\"}}"),
	 "netns[0].sysctl.tcp_fin_timeout: not a non-negative number (found a string)"},
	{DOC(ROW0 ",\"sysctl\":{\"file-nr\":1}}"), "netns[0].sysctl: unknown key \"file-nr\""},
	{"{\"schema\":2,\"collector\":{\"procs_denied\":1e999}}", "collector.procs_denied: not a non-negative"},
	{"{\"schema\":2,\"collector\":{\"dump_mode\":3}}", "collector.dump_mode: not a string"},
	{"{\"schema\":2,\"collector\":{\"note\":null}}", "collector.note: not a string"},
	{"{\"schema\":2,\"netns\":{}}", "netns: not an array"},
	{DOC("1"), "netns[0]: not an object"},
	{DOC("{}"), "netns[0].inode: missing"},
	{DOC("{\"inode\":-1}"), "netns[0].inode: not a non-negative number"},
	{DOC("{\"inode\":0}"), "netns[0].inode: zero"},
	{DOC("{\"inode\":1e300}"), "netns[0].inode: out of range"},
	{DOC("{\"inode\":18446744073709551616}"), "netns[0].inode: out of range"},
	{DOC("{\"inode\":1}"), "netns[0].kind: missing"},
	{DOC("{\"inode\":1,\"kind\":\"vm\"}"), "netns[0].kind: unknown kind \"vm\""},
	{DOC("{\"inode\":1,\"kind\":\"Pod\"}"), "netns[0].kind: unknown kind"},
	{DOC("{\"inode\":1,\"kind\":\"host\"}"), "netns[0].label: missing"},
	{DOC("{\"inode\":1,\"kind\":\"host\",\"label\":7}"), "netns[0].label: not a string"},
	{DOC(ROW0 ",\"pod\":{}}"), "netns[0].pod: present for a row that is not a pod"},
	{DOC("{\"inode\":1,\"kind\":\"pod\",\"label\":\"a/b\",\"pod\":[]}"), "netns[0].pod: not an object"},
	{DOC("{\"inode\":1,\"kind\":\"pod\",\"label\":\"a/b\",\"pod\":{\"name\":1}}"),
	 "netns[0].pod.name: not a string"},
	{DOC("{\"inode\":1,\"kind\":\"pod\",\"label\":\"a/b\",\"pod\":{\"containers\":\"app\"}}"),
	 "netns[0].pod.containers: not an array"},
	{DOC("{\"inode\":1,\"kind\":\"pod\",\"label\":\"a/b\",\"pod\":{\"containers\":[\"a\",{}]}}"),
	 "netns[0].pod.containers[1]: not a string"},
	{DOC(ROW0 ",\"runtime\":false}"), "netns[0].runtime: not a string"},
	{DOC(ROW0 ",\"pids\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}"), "netns[0].pids: more than 16"},
	{DOC(ROW0 ",\"pids\":[1,0]}"), "netns[0].pids[1]: not a process id"},
	{DOC(ROW0 ",\"pids\":[1,-5]}"), "netns[0].pids[1]: not a non-negative number"},
	{DOC(ROW0 ",\"pids\":[2147483648]}"), "netns[0].pids[0]: out of range"},
	{DOC(ROW0 ",\"pids\":\"1\"}"), "netns[0].pids: not an array"},
	{DOC(ROW0 ",\"procs\":3}"), "netns[0].procs: present without pids"},
	{DOC(ROW0 ",\"pids\":[1,2],\"procs\":1}"), "netns[0].procs: fewer than the pids"},
	{DOC(ROW0 ",\"status\":{}}"), "netns[0].status: not a string"},
	{DOC(ROW0 ",\"exact_age_ms\":\"0\"}"), "netns[0].exact_age_ms: not a number"},
	{DOC(ROW0 ",\"exact_age_ms\":1e20}"), "netns[0].exact_age_ms: out of range"},
	{DOC(ROW0 ",\"exact_age_ms\":0.5}"), "netns[0].exact_age_ms: not a whole number"},
	{DOC(ROW0 ",\"dump_ms\":-0.5}"), "netns[0].dump_ms: not a non-negative number"},
	{DOC(ROW0 ",\"shared_ehash\":1}"), "netns[0].shared_ehash: not true or false"},
	{DOC(ROW0 ",\"tcp\":{}}"), "netns[0].tcp: present without exact_age_ms"},
	{DOC(ROW0 ",\"peers\":[]}"), "netns[0].peers: present without exact_age_ms"},
	{DOC(ROW0 ",\"listeners\":[]}"), "netns[0].listeners: present without exact_age_ms"},
	{DOC(ROW0 EXACT ",\"tcp\":[]}"), "netns[0].tcp: not an object"},
	{DOC(ROW0 EXACT ",\"tcp\":{\"ESTABLISHED\":-1}}"), "netns[0].tcp.ESTABLISHED: not a non-negative number"},
	{DOC(ROW0 EXACT ",\"tcp\":{\"ESTABLISHED\":4294967296}}"), "netns[0].tcp.ESTABLISHED: out of range"},
	{DOC(ROW0 EXACT ",\"tcp\":{\"ESTABLISHED\":true}}"), "netns[0].tcp.ESTABLISHED: not a non-negative"},
	{DOC(ROW0 EXACT ",\"tcp\":{\"BOGUS\":1}}"), "netns[0].tcp.BOGUS: unknown TCP state"},
	{DOC(ROW0 EXACT ",\"tcp\":{\"established\":1}}"), "netns[0].tcp.established: unknown TCP state"},
	{DOC(ROW0 EXACT ",\"tcp\":{\"NEW_SYN_RECV\":1}}"), "netns[0].tcp.NEW_SYN_RECV: unknown TCP state"},
	{DOC(ROW0 EXACT ",\"tcp\":{\"LISTEN\":1,\"LISTEN\":2}}"), "netns[0].tcp.LISTEN: repeated"},
	{DOC(ROW0 EXACT ",\"tcp\":{\"LISTEN\":4294967295,\"CLOSE\":1}}"), "netns[0].tcp_total: missing, and the states sum"},
	{DOC(ROW0 EXACT ",\"tcp_total\":-3}"), "netns[0].tcp_total: not a non-negative number"},
	{DOC(ROW0 ",\"counters\":5}"), "netns[0].counters: not an object"},
	{DOC(ROW0 ",\"counters\":{\"tw\":-1}}"), "netns[0].counters.tw: not a non-negative number"},
	{DOC(ROW0 ",\"counters\":{\"inuse\":1e30}}"), "netns[0].counters.inuse: out of range"},
	{DOC(ROW0 EXACT ",\"peers\":{}}"), "netns[0].peers: not an array"},
	{DOC(ROW0 EXACT ",\"peers\":[[]]}"), "netns[0].peers[0]: not an object"},
	{DOC(ROW0 EXACT ",\"peers\":[{\"addr\":\"10.0.0.1\",\"port\":1}]}"), "netns[0].peers[0].direction: missing"},
	{DOC(ROW0 EXACT ",\"peers\":[{\"direction\":\"sideways\"}]}"), "netns[0].peers[0].direction: not \"in\" or \"out\""},
	{DOC(ROW0 EXACT ",\"peers\":[{\"direction\":\"in\",\"addr\":\"10.0.0.256\",\"port\":1}]}"),
	 "netns[0].peers[0].addr: not an IP address: \"10.0.0.256\""},
	{DOC(ROW0 EXACT ",\"peers\":[{\"direction\":\"in\",\"addr\":\"fd00::1%eth0\",\"port\":1}]}"),
	 "netns[0].peers[0].addr: not an IP address"},
	{DOC(ROW0 EXACT ",\"peers\":[{\"direction\":\"in\",\"addr\":\"10.0.0.1\",\"port\":65536}]}"),
	 "netns[0].peers[0].port: out of range (at most 65535)"},
	{DOC(ROW0 EXACT ",\"peers\":[{\"direction\":\"in\",\"addr\":\"10.0.0.1\",\"port\":1,\"tcp\":{\"FOO\":1}}]}"),
	 "netns[0].peers[0].tcp.FOO: unknown TCP state"},
	{DOC(ROW0 EXACT ",\"peers\":[{\"direction\":\"in\",\"addr\":\"10.0.0.1\",\"port\":1}],\"peers_total\":0}"),
	 "netns[0].peers_total: fewer than the peers listed"},
	{DOC(ROW0 EXACT ",\"addrs\":[\"10.0.0.1\",\"hello\"]}"), "netns[0].addrs[1]: not an IP address"},
	{DOC(ROW0 EXACT ",\"addrs\":[1]}"), "netns[0].addrs[0]: not a string"},
	{DOC(ROW0 EXACT ",\"listeners\":[{\"addr\":\"::\"}]}"), "netns[0].listeners[0].port: missing"},
	{DOC(ROW0 EXACT ",\"listeners\":[{\"addr\":\"::\",\"port\":80,\"queue\":-1}]}"),
	 "netns[0].listeners[0].queue: not a non-negative number"},
	{DOC(ROW0 ",\"sockets\":{}}"), "netns[0].sockets: not an array"},
	{DOC(ROW0 ",\"sockets\":[{}]}"), "netns[0].sockets[0].state: missing"},
	{DOC(ROW0 ",\"sockets\":[{\"state\":\"NEW_SYN_RECV\"}]}"), "netns[0].sockets[0].state: unknown TCP state"},
	{DOC(ROW0 ",\"sockets\":[{\"state\":\"LISTEN\",\"local\":\"x\"}]}"), "netns[0].sockets[0].local: not an IP address"},
	{DOC(ROW0 ",\"sockets\":[{\"state\":\"LISTEN\",\"local\":\"::\",\"lport\":80,\"remote\":\"::\",\"rport\":70000}]}"),
	 "netns[0].sockets[0].rport: out of range"},
#define SOCK0 "{\"state\":\"ESTABLISHED\",\"local\":\"10.0.0.1\",\"lport\":1,\"remote\":\"10.0.0.2\",\"rport\":2"
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"timer\":256}]}"), "netns[0].sockets[0].timer: out of range (at most 255)"},
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"cookie\":76}]}"),
	 "netns[0].sockets[0].cookie: not a string of decimal digits (found a number)"},
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"cookie\":\"0x4c\"}]}"),
	 "netns[0].sockets[0].cookie: not a string of decimal digits: \"0x4c\""},
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"cookie\":\"\"}]}"),
	 "netns[0].sockets[0].cookie: not a string of decimal digits (found \"\")"},
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"cookie\":\"18446744073709551616\"}]}"),
	 "netns[0].sockets[0].cookie: out of range (at most 18446744073709551615)"},
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"cgroup_id\":12345}]}"),
	 "netns[0].sockets[0].cgroup_id: not a string of decimal digits (found a number)"},
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"cgroup\":\"1\"}]}"),
	 "netns[0].sockets[0]: unknown key \"cgroup\""},
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"info\":{\"rtt\":1}}]}"),
	 "netns[0].sockets[0].info: unknown key \"rtt\""},
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"pid\":0}]}"), "netns[0].sockets[0].pid: not a process id"},
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"comm\":\"java\"}]}"), "netns[0].sockets[0].comm: present without pid"},
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"pid\":5,\"comm\":5}]}"), "netns[0].sockets[0].comm: not a string"},
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"info\":7}]}"), "netns[0].sockets[0].info: not an object"},
	{DOC(ROW0 ",\"sockets\":[" SOCK0 ",\"info\":{\"rtt_us\":-1}}]}"), "netns[0].sockets[0].info.rtt_us: not a non-negative"},
	{DOC(ROW0 "}," ROW0 "}"), "netns[1].inode: same as netns[0]"},
	/* The fourth row's pod has a misspelt key. */
	{DOC(ROW0 "},{\"inode\":2,\"kind\":\"pod\",\"label\":\"a/b\"},"
	     "{\"inode\":3,\"kind\":\"named\",\"label\":\"n\"},"
	     "{\"inode\":4,\"kind\":\"pod\",\"label\":\"p\",\"pod\":{\"nmae\":\"p\"}}"),
	 "netns[3].pod: unknown key \"nmae\""},
	{DOC(ROW0 ",\"Label\":\"x\"}"), "netns[0]: unknown key \"Label\""},
	{DOC(ROW0 EXACT ",\"peers\":[{\"direction\":\"in\",\"addr\":\"10.0.0.1\",\"port\":1,\"dir\":1}]}"),
	 "netns[0].peers[0]: unknown key \"dir\""},
	{DOC(ROW0 EXACT ",\"listeners\":[{\"addr\":\"::\",\"port\":80,\"backlg\":1}]}"),
	 "netns[0].listeners[0]: unknown key \"backlg\""},
	{DOC(ROW0 ",\"counters\":{\"tw\":1,\"time_wait\":1}}"), "netns[0].counters: unknown key \"time_wait\""},
	{DOC(ROW0 ",\"\\u001b[2J\":1}"), "netns[0]: unknown key \"?[2J\""},
#define HNROW "{\"inode\":1,\"kind\":\"hostnet-pod\",\"label\":\"a/b\""
	{DOC(HNROW "}"), "netns[0].cgroup_id: missing"},
	{DOC(HNROW ",\"cgroup_id\":5}"), "netns[0].cgroup_id: not a string"},
	{DOC(HNROW ",\"cgroup_id\":\"0\"}"), "netns[0].cgroup_id: zero"},
	{DOC(HNROW ",\"cgroup_id\":\"12a\"}"), "netns[0].cgroup_id: not a string of decimal digits"},
	{DOC(HNROW ",\"cgroup_id\":\"9223372036854775808\"}"), "netns[0].cgroup_id: out of range"},
	{DOC(ROW0 ",\"cgroup_id\":\"5\"}"), "netns[0].cgroup_id: present for a row that is not a hostnet-pod"},
	{DOC(ROW0 "}," HNROW ",\"cgroup_id\":\"5\"}," HNROW ",\"cgroup_id\":\"5\"}"),
	 "netns[2].cgroup_id: same as netns[1]"},
		/* The fourth row's count is negative. */
	{DOC(ROW0 "},{\"inode\":2,\"kind\":\"pod\",\"label\":\"a/b\"},"
	     "{\"inode\":3,\"kind\":\"named\",\"label\":\"n\"},"
	     "{\"inode\":4,\"kind\":\"process\",\"label\":\"p\"" EXACT ",\"tcp\":{\"ESTABLISHED\":-2}}"),
	 "netns[3].tcp.ESTABLISHED: not a non-negative number"},
	/* Hostile keys and values appear in the cause sanitised. */
	{DOC(ROW0 EXACT ",\"tcp\":{\"\\u001b[2J\\u0007\":1}}"), "netns[0].tcp.?[2J?: unknown TCP state"},
	{DOC("{\"inode\":1,\"kind\":\"\\u001b]0;owned\\u0007\",\"label\":\"x\"}"), "netns[0].kind: unknown kind \"?]0;owned?\""},
};

static void test_bad(void)
{
	size_t i;

	for (i = 0; i < CW_ARRAY_LEN(bad_cases); i++) {
		char *cause = NULL;
		struct cw_snapshot *s = cw_json_in_snapshot(bad_cases[i].json, &cause);
		bool good = !s && cause && strstr(cause, bad_cases[i].cause) && clean_line(cause);

		if (!tap_ok(good, bad_cases[i].cause))
			printf("#   input: %.200s\n#   cause: %s\n", bad_cases[i].json,
			       cause ? cause : "(none)");
		cw_snapshot_unref(s);
		free(cause);
	}
}

static struct cw_snapshot *load(const char *json, char **cause)
{
	*cause = NULL;
	return cw_json_in_snapshot(json, cause);
}

/* A hostnet-pod row may share the host's inode: its id is its cgroup's. */
static void test_hostnet_ids(void)
{
	char *cause = NULL;
	struct cw_snapshot *s = cw_json_in_snapshot(DOC(ROW0 "}," HNROW ",\"cgroup_id\":\"5\"}"), &cause);
	const struct cw_ns_row *h;

	ok(s != NULL, "host and hostnet-pod rows with one inode read (%s)", cause ? cause : "ok");
	if (s) {
		h = cw_snapshot_find(s, 5 | CW_ROW_ID_CGROUP);
		ok(h && h->kind == CW_KIND_HOSTNET_POD && h->inode == 1 && h->is_pod,
		   "hostnet-pod: id from cgroup_id, inode kept");
		ok(cw_snapshot_find(s, 1) == &s->rows[0], "host: id is its inode");
		cw_snapshot_unref(s);
	}
	free(cause);
}

static void test_hostile(void)
{
	struct cw_snapshot *s;
	char *cause = NULL, *buf, *j;
	size_t i, n, fails;

	s = cw_json_in_snapshot(NULL, &cause);
	ok(!s && cause, "NULL text refused: %s", cause ? cause : "");
	free(cause);

	/* Minimal and empty documents are fine. */
	s = load("{\"schema\":2}", &cause);
	ok(s && s->nrows == 0 && s->time_ms == 0 && !s->hostname, "schema alone is an empty snapshot");
	cw_snapshot_unref(s);
	free(cause);
	s = load(" {\"schema\":2,\"netns\":[]}\n", &cause);
	ok(s && s->nrows == 0 && s->rows, "empty netns list, whitespace around: rows not NULL");
	if (s) {
		char *a = cw_json_snapshot(s), *b2;
		struct cw_snapshot *t = load(a, &cause);

		b2 = t ? cw_json_snapshot(t) : NULL;
		ok(b2 && strcmp(a, b2) == 0, "empty snapshot round-trips");
		free(a);
		free(b2);
		cw_snapshot_unref(t);
	}
	cw_snapshot_unref(s);
	free(cause);

	/* Control characters and escapes in strings come back sanitised. */
	s = load(DOC("{\"inode\":1,\"kind\":\"pod\",\"label\":\"ns/\\u001b[2Jevil\\u0007\\u009b1m\","
		     "\"pod\":{\"namespace\":\"ns\\r\\n\",\"name\":\"\\u001b]52;c;AAAA\\u0007\","
		     "\"containers\":[\"a\\tb\",\"\\u202eevil\"]},\"comm\":\"\\u0000hidden\","
		     "\"status\":\"bad\\u001b[0m\",\"sockets\":[" SOCK0 ",\"pid\":1,"
		     "\"comm\":\"j\\u001bava\"}]}") ,
		 &cause);
	ok(s != NULL, "escapes in strings load (%s)", cause ? cause : "ok");
	if (s) {
		const struct cw_ns_row *r = &s->rows[0];

		is_str(r->label, "ns/?[2Jevil???1m", "label sanitised");
		ok(clean_line(r->pod_ns) && clean_line(r->pod_name) && clean_line(r->containers[0]) &&
		   clean_line(r->status) && clean_line(r->owners[0].comm),
		   "no control bytes anywhere");
		is_str(r->containers[1], "?" "?" "?evil", "bidi override replaced");
		is_str(r->comm, "", "NUL ends a string");
		is_str(r->owners[0].comm, "j?ava", "socket comm sanitised");
		j = cw_json_snapshot(s);
		ok(clean_line(j) && !strstr(j, "\\u001b") && !strstr(j, "\\u0007"),
		   "written back without control characters");
		free(j);
	}
	cw_snapshot_unref(s);
	free(cause);

	/* Invalid UTF-8 bytes. */
	s = load("{\"schema\":2,\"hostname\":\"a\xff\xc0\x80z\"}", &cause);
	is_str(s ? s->hostname : NULL, "a???z", "invalid UTF-8 replaced");
	cw_snapshot_unref(s);
	free(cause);

	/* v4-mapped input is stored as IPv4, as the collector stores it. */
	s = load(DOC(ROW0 EXACT ",\"addrs\":[\"::ffff:10.1.2.3\"],\"sockets\":["
		     "{\"state\":\"ESTABLISHED\",\"local\":\"::ffff:10.1.2.3\",\"lport\":1,"
		     "\"remote\":\"::ffff:10.1.2.4\",\"rport\":2}]}"),
		 &cause);
	ok(s && s->rows[0].addrs[0].family == AF_INET && s->rows[0].socks[0].family == AF_INET &&
	   s->rows[0].socks[0].dst.family == AF_INET, "v4-mapped addresses normalised");
	cw_snapshot_unref(s);
	free(cause);

	/* Defaults: totals from the states, peers_total from the list. */
	s = load(DOC(ROW0 EXACT ",\"tcp\":{\"LISTEN\":2,\"ESTABLISHED\":5},\"peers\":[{\"direction\":"
		     "\"out\",\"addr\":\"10.0.0.9\",\"port\":53,\"tcp\":{\"SYN_SENT\":4}}]}"),
		 &cause);
	ok(s && s->rows[0].tcp.total == 7 && s->rows[0].peers[0].total == 4 &&
	   s->rows[0].peers_all == 1 && s->rows[0].shared_ehash == -1,
	   "absent totals are the sums");
	cw_snapshot_unref(s);
	free(cause);

	/* An unknown key is refused by its name, whatever it holds. */
	n = 900;
	buf = cw_xmalloc(2 * n + 64);
	i = (size_t)sprintf(buf, "{\"schema\":2,\"junk\":");
	memset(buf + i, '[', n);
	memset(buf + i + n, ']', n);
	strcpy(buf + i + 2 * n, "}");
	s = load(buf, &cause);
	ok(!s && cause && strcmp(cause, "unknown key \"junk\"") == 0,
	   "unknown key with 900-deep junk refused: %s", cause ? cause : "(accepted)");
	cw_snapshot_unref(s);
	free(cause);
	free(buf);

	/* Past cJSON's nesting limit, and inside netns. */
	n = 200000;
	buf = cw_xmalloc(n + 64);
	i = (size_t)sprintf(buf, "{\"schema\":2,\"netns\":");
	memset(buf + i, '[', n);
	buf[i + n] = '\0';
	s = load(buf, &cause);
	ok(!s && cause && strstr(cause, "not valid JSON"), "200000 open brackets refused");
	cw_snapshot_unref(s);
	free(cause);
	free(buf);
	s = load(DOC("[[[[[[[[[[{\"inode\":1}]]]]]]]]]]"), &cause);
	ok(!s && cause && strstr(cause, "netns[0]: not an object"), "nested arrays as a row refused");
	cw_snapshot_unref(s);
	free(cause);

	/* A megabyte label. */
	n = 1 << 20;
	buf = cw_xmalloc(n + 128);
	i = (size_t)sprintf(buf, "{\"schema\":2,\"netns\":[{\"inode\":1,\"kind\":\"host\",\"label\":\"");
	memset(buf + i, 'x', n);
	strcpy(buf + i + n, "\"}]}");
	s = load(buf, &cause);
	ok(s && strlen(s->rows[0].label) == n, "1 MiB label");
	cw_snapshot_unref(s);
	free(cause);
	free(buf);

	/* Huge and odd numbers. */
	s = load("{\"schema\":2e999}", &cause);
	ok(!s && cause && strstr(cause, "unsupported schema"), "schema 1e999: %s", cause ? cause : "");
	cw_snapshot_unref(s);
	free(cause);
	s = load(DOC(ROW0 ",\"counters\":{\"tw\":18446744073709549568,\"inuse\":-0}}"), &cause);
	ok(s && s->rows[0].counters.tw == 18446744073709549568ull && s->rows[0].counters.inuse == 0,
	   "largest double below 2^64 and -0 accepted");
	cw_snapshot_unref(s);
	free(cause);
	s = load(DOC(ROW0 ",\"exact_age_ms\":-5000}"), &cause);
	ok(s && s->rows[0].exact_age_ms == -5000 && s->rows[0].has_exact,
	   "negative age (clock stepped back) accepted");
	cw_snapshot_unref(s);
	free(cause);

	/* Every prefix of a real document fails cleanly; random byte damage
	 * never crashes. */
	{
		struct cw_snapshot *rs = rich();
		char *full = cw_json_snapshot(rs);
		size_t len = strlen(full);
		uint32_t seed = 12345;

		fails = 0;
		for (i = 0; i < len; i++) {
			char *pre = cw_xmalloc(i + 1);

			memcpy(pre, full, i);
			pre[i] = '\0';
			s = load(pre, &cause);
			/* A cut line is told from a damaged one. */
			if (s || !cause || !clean_line(cause) ||
			    !strstr(cause, i ? "truncated" : "not valid JSON: empty")) {
				if (fails++ < 3)
					printf("#   prefix %zu: %s\n", i, cause ? cause : "(accepted)");
			}
			cw_snapshot_unref(s);
			free(cause);
			free(pre);
		}
		is_int(fails, 0, "all %zu prefixes refused as truncated, with a clean cause", len);
		fails = 0;
		for (i = 0; i < 3000; i++) {
			char *m = cw_xstrdup(full);
			int k;

			for (k = 0; k < 4; k++) {
				seed = seed * 1103515245u + 12345u;
				m[(seed >> 8) % len] = (char)(seed >> 20);
			}
			s = load(m, &cause);
			if (s ? cause != NULL : !cause || !clean_line(cause))
				fails++;
			cw_snapshot_unref(s);
			free(cause);
			free(m);
		}
		is_int(fails, 0, "3000 damaged documents: a snapshot or a clean cause");
		free(full);
		cw_snapshot_unref(rs);
	}
}

/* ---- fixtures ---- */

static char *fixture(const char *name)
{
	const char *top = getenv("top_srcdir");
	char *path = cw_xasprintf("%s/tests/fixtures/snapshots/%s", top ? top : ".", name), *text;
	size_t len;

	if (cw_read_file(path, 64 << 20, &text, &len) < 0)
		text = NULL;
	free(path);
	return text;
}

/* Loads a fixture; for the canonical ones (written in json_out's own form)
 * also checks the file is byte-identical to json_out of what it loads. */
static struct cw_snapshot *load_fixture(const char *name, bool canonical)
{
	char *text = fixture(name), *cause = NULL;
	size_t nl;
	struct cw_snapshot *s;

	if (!text) {
		ok(0, "%s: readable", name);
		return NULL;
	}
	nl = strcspn(text, "\n");
	ok(text[nl] == '\n' && text[nl + 1] == '\0', "%s: one line (NDJSON)", name);
	s = cw_json_in_snapshot(text, &cause);
	if (!tap_ok(s != NULL, name))
		printf("#   cause: %s\n", cause);
	if (s && canonical) {
		char *j = cw_json_snapshot(s);

		text[nl] = '\0';
		bool same = strcmp(j, text) == 0;

		ok(same, "%s: exactly as json_out writes it", name);
		if (!same)
			printf("#   json_out: %.200s\n", j);
		free(j);
	}
	if (s)
		cw_snapshot_unref(round_trip(s, name, NULL));
	free(cause);
	free(text);
	return s;
}

static size_t count_kind(const struct cw_snapshot *s, enum cw_ns_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < s->nrows; i++)
		n += s->rows[i].kind == k;
	return n;
}

static const struct cw_ns_row *find_label(const struct cw_snapshot *s, const char *prefix)
{
	size_t i;

	for (i = 0; i < s->nrows; i++)
		if (strncmp(s->rows[i].label, prefix, strlen(prefix)) == 0)
			return &s->rows[i];
	return NULL;
}

static void test_fixtures(void)
{
	struct cw_snapshot *s;
	const struct cw_ns_row *r;
	size_t i, k;

	s = load_fixture("small.json", true);
	if (s) {
		ok(count_kind(s, CW_KIND_HOST) == 1 && count_kind(s, CW_KIND_POD) == 5 &&
		   count_kind(s, CW_KIND_NAMED) == 1 && count_kind(s, CW_KIND_PROCESS) == 1,
		   "small: host, 5 pods, a named netns, a process");
		ok(find_label(s, "shop/") && find_label(s, "kube-system/"), "small: two k8s namespaces");
	}
	cw_snapshot_unref(s);

	s = load_fixture("node.json", true);
	if (s) {
		r = find_label(s, "shop/cart-");
		ok(s->node.valid && s->node.file_nr == 156832 && s->node.file_max == 1623419 &&
		   s->node.conntrack_max == 262144 && s->node.sysctl.conntrack_count == 231906,
		   "node: file-nr, file-max, conntrack");
		ok(r && r->has_sysctl && r->sysctl.tcp_fin_timeout == 30 && r->sysctl.port_lo == 1024 &&
		   r->sysctl.port_hi == 65535 && r->sysctl.conntrack_count == 24117,
		   "node: cart's own fin_timeout and port range");
		r = find_label(s, "kube-system/coredns-9zppff5tsk-zqgg6");
		ok(r && r->has_sysctl && r->sysctl.conntrack_count == 96 && r->sysctl.somaxconn == -1,
		   "node: a pod with only its conntrack count");
		r = find_label(s, "blue");
		ok(r && !r->has_sysctl && r->sysctl.tcp_tw_reuse == -1, "node: a row without sysctl");
	}
	cw_snapshot_unref(s);

	s = load_fixture("hostnet.json", true);
	if (s) {
		r = cw_snapshot_find(s, 7802 | CW_ROW_ID_CGROUP);
		ok(count_kind(s, CW_KIND_HOST) == 1 && count_kind(s, CW_KIND_HOSTNET_POD) == 3 &&
		   count_kind(s, CW_KIND_POD) == 2, "hostnet: host, 3 hostnet pods, 2 pods");
		ok(r && r->inode == 4026531840 && r->is_pod && r->tcp.total == 149 &&
		   strcmp(r->workload, "ingress-nginx-controller") == 0, "hostnet: the ingress controller's row");
	}
	cw_snapshot_unref(s);

	s = load_fixture("incident.json", true);
	if (s) {
		const struct cw_ns_row *cw = NULL, *syn = NULL, *stale = NULL;
		struct cw_addr pg = A("10.96.0.10");
		size_t spiking = 0;

		is_int(count_kind(s, CW_KIND_POD), 50, "incident: 50 pods");
		for (i = 0; i < s->nrows; i++) {
			r = &s->rows[i];
			if (r->tcp.tcp[CW_TCP_CLOSE_WAIT] == 420)
				cw = r;
			if (r->tcp.tcp[CW_TCP_SYN_SENT] == 300)
				syn = r;
			if (r->has_exact && r->exact_age_ms == 12000)
				stale = r;
		}
		ok(cw && cw->npeers && cw_addr_equal(&cw->peers[0].addr, &pg) &&
		   cw->peers[0].port == 5432 && cw->peers[0].tcp[CW_TCP_CLOSE_WAIT] == 420,
		   "incident: CLOSE_WAIT 420 to 10.96.0.10:5432");
		ok(cw && cw->nsocks >= 420 && cw->owners[0].pid > 0 &&
		   strcmp(cw->owners[0].comm, "java") == 0, "incident: its sockets, held by java");
		ok(syn && syn->npeers && syn->peers[0].port == 53 &&
		   syn->peers[0].tcp[CW_TCP_SYN_SENT] == 300, "incident: SYN_SENT 300 to port 53");
		ok(stale != NULL, "incident: a stale row (12 s)");
		for (i = 0; i < s->nrows; i++)
			if (s->rows[i].workload && strcmp(s->rows[i].workload, "api") == 0 &&
			    s->rows[i].tcp.tcp[CW_TCP_ESTABLISHED] >= 1000)
				spiking++;
		is_int(spiking, 4, "incident: 4 replicas of api spiking ESTABLISHED");
	}
	cw_snapshot_unref(s);

	s = load_fixture("big.json", true);
	if (s)
		is_int(count_kind(s, CW_KIND_POD), 500, "big: 500 pods");
	cw_snapshot_unref(s);

	/* series.json: one document per line, each in json_out's form. */
	{
		char *text = fixture("series.json"), *line, *save = NULL, *cause = NULL;
		size_t lines = 0, same = 0;

		for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *out = reread(line, &cause);

			lines++;
			same += out && strcmp(out, line) == 0;
			if (!out)
				printf("#   line %zu: %s\n", lines, cause);
			free(out);
			free(cause);
			cause = NULL;
		}
		ok(lines == 4 && same == lines, "series.json: %zu of %zu lines round-trip byte for byte",
		   same, lines);
		free(text);
	}

	s = load_fixture("hostile.json", false);
	if (s) {
		bool clean = true, long_name = false, wide = false, empty_pod = false;
		uint32_t all[CW_TCP_NSTATES] = {0};

		for (i = 0; i < s->nrows; i++) {
			r = &s->rows[i];
			clean &= clean_line(r->label);
			if (r->pod_name)
				clean &= clean_line(r->pod_name);
			if (r->pod_ns)
				clean &= clean_line(r->pod_ns);
			if (r->status)
				clean &= clean_line(r->status);
			for (k = 0; k < r->ncontainers; k++)
				clean &= clean_line(r->containers[k]);
			long_name |= r->pod_name && strlen(r->pod_name) == 250;
			wide |= strstr(r->label, "\xe6\x94\xaf\xe4\xbb\x98") != NULL; /* 支付 */
			empty_pod |= r->is_pod && r->ncontainers == 0;
			for (k = 1; k < CW_TCP_NSTATES; k++)
				all[k] += r->tcp.tcp[k];
		}
		ok(clean, "hostile: no control bytes after loading");
		ok(long_name, "hostile: a 250-byte pod name");
		ok(wide, "hostile: wide CJK characters kept");
		ok(empty_pod, "hostile: a pod with no containers");
		r = find_label(s, "host");
		ok(r && r->nsocks == 1 && r->socks[0].cookie == UINT64_MAX,
		   "hostile: cookie 2^64-1 from the file");
		for (k = 1; k < CW_TCP_NSTATES && all[k]; k++)
			;
		is_int(k, CW_TCP_NSTATES, "hostile: every TCP state non-zero somewhere");
	}
	cw_snapshot_unref(s);
}

int main(void)
{
	test_rich();
	test_big_ids();
	test_old_times();
	test_node_sysctl();
	test_every_key();
	test_refusals_everywhere();
	test_real();
	test_bad();
	test_hostnet_ids();
	test_hostile();
	test_fixtures();
	test_findings();
	return tap_done();
}
