/* test_json: the writer. A snapshot built by hand, written by
 * cw_json_snapshot and read back with cJSON: keys, values, and keys left
 * out where they do not apply; times (before 1970 too); the shape of the
 * key tables in json_schema; and the table walkers on a table of this
 * test's own, with the converters future fields will use. */
#include "config.h"
#include "json_in.h"
#include "json_out.h"
#include "snapshot.h"
#include "tap.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <sys/socket.h>

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -12345;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_time(void)
{
	char buf[40];

	cw_json_time(0, buf, sizeof(buf));
	is_str(buf, "1970-01-01T00:00:00.000Z", "epoch");
	cw_json_time(1700000000123LL, buf, sizeof(buf));
	is_str(buf, "2023-11-14T22:13:20.123Z", "ms kept, UTC");
	cw_json_time(951782400999LL, buf, sizeof(buf));
	is_str(buf, "2000-02-29T00:00:00.999Z", "leap day, .999");
	cw_json_time(4102444799000LL, buf, sizeof(buf));
	is_str(buf, "2099-12-31T23:59:59.000Z", "end of 2099");
	cw_json_time(1700000000123LL, buf, 11);
	is_str(buf, "2023-11-14", "cut to the buffer");

	/* Before 1970: floor division, not C's towards zero (which wrote
	 * -1 ms as "1970-01-01T00:00:00.-01Z"). */
	cw_json_time(-1, buf, sizeof(buf));
	is_str(buf, "1969-12-31T23:59:59.999Z", "-1 ms");
	cw_json_time(-1000, buf, sizeof(buf));
	is_str(buf, "1969-12-31T23:59:59.000Z", "-1000 ms");
	cw_json_time(-1001, buf, sizeof(buf));
	is_str(buf, "1969-12-31T23:59:58.999Z", "-1001 ms");
	cw_json_time(-86400000LL * 365 - 1, buf, sizeof(buf));
	is_str(buf, "1968-12-31T23:59:59.999Z", "a year and 1 ms before");
	cw_json_time(-2208988800000LL, buf, sizeof(buf));
	is_str(buf, "1900-01-01T00:00:00.000Z", "1900");
	cw_json_time(-62167219200000LL, buf, sizeof(buf));
	is_str(buf, "0000-01-01T00:00:00.000Z", "year 0");
	cw_json_time(INT64_MIN, buf, sizeof(buf));
	is_str(buf, "0000-01-01T00:00:00.000Z", "INT64_MIN clamps to year 0");
	cw_json_time(INT64_MAX, buf, sizeof(buf));
	is_str(buf, "9999-12-31T23:59:59.999Z", "INT64_MAX clamps to 9999");
}

/* Parsing: every written time reads back; invalid dates are refused. */
static void test_time_parse(void)
{
	static const int64_t ms[] = {
		0, 1, -1, 999, -999, 1000, -1000, -1001, 1700000000123LL, 951782400999LL,
		-2208988800000LL, -2208988800001LL, -62167219200000LL, 253402300799999LL,
		951868800000LL /* 2000-03-01 */, -86400000LL * 365 - 1,
	};
	static const char *const bad[] = {
		"2025-02-29T00:00:00.000Z", "1900-02-29T00:00:00.000Z", "2025-04-31T00:00:00.000Z",
		"2025-13-01T00:00:00.000Z", "2025-00-01T00:00:00.000Z", "2025-01-00T00:00:00.000Z",
		"2025-11-26T24:00:00.000Z", "2025-11-26T23:60:00.000Z", "2025-11-26T23:59:60.000Z",
		"2025-11-26T19:21:18Z", "2025-11-26T19:21:18.123", "2025-11-26 19:21:18.123Z",
		"2025-11-26T19:21:18.123+00:00", "+2025-11-26T19:21:18.123Z", "2025-11-26T19:21:18.1234Z",
		"-001-11-26T19:21:18.123Z", "", "2025-11-26T19:21:18.12aZ",
	};
	char buf[40];
	int64_t got;
	size_t i, fails = 0;

	for (i = 0; i < CW_ARRAY_LEN(ms); i++) {
		cw_json_time(ms[i], buf, sizeof(buf));
		got = 12345;
		if (!cw_json_time_parse(buf, &got) || got != ms[i]) {
			printf("# %" PRId64 " -> %s -> %" PRId64 "\n", ms[i], buf, got);
			fails++;
		}
	}
	is_int(fails, 0, "%zu times, 0000 to 9999, before and after 1970, read back", CW_ARRAY_LEN(ms));
	ok(cw_json_time_parse("1969-12-31T23:59:59.999Z", &got) && got == -1,
	   "1969-12-31T23:59:59.999Z is -1 ms (timegm's -1 is a real answer)");
	ok(cw_json_time_parse("2000-02-29T12:00:00.500Z", &got) && got == 951825600500LL,
	   "leap day of 2000");
	fails = 0;
	for (i = 0; i < CW_ARRAY_LEN(bad); i++)
		if (cw_json_time_parse(bad[i], &got)) {
			printf("# accepted: %s\n", bad[i]);
			fails++;
		}
	is_int(fails, 0, "%zu invalid dates and shapes refused", CW_ARRAY_LEN(bad));
}

static struct cw_snapshot *build(void)
{
	struct cw_snapshot *s = cw_snapshot_new();
	struct cw_arena *A = &s->arena;
	struct cw_ns_row *r;
	struct cw_sock *k;

	s->time_ms = 1700000000123LL;
	s->hostname = cw_arena_strdup(A, "node-1");
	s->collector.cpu_ms = 1.5;
	s->collector.budget_ms = 100;
	s->collector.dump_ms = 0.75;
	s->collector.netns_total = 3;
	s->collector.netns_dumped = 1;
	s->collector.procs_denied = 2;
	s->collector.host_netns_from = "pid1";
	s->collector.dump_mode = "legacy";
	s->nrows = 3;
	s->rows = cw_arena_alloc(A, 3 * sizeof(*s->rows));

	/* 0: a pod with an exact dump. */
	r = &s->rows[0];
	r->inode = 4026532001ull;
	r->id = r->inode;
	r->kind = CW_KIND_POD;
	r->label = cw_arena_strdup(A, "default/web-5d8f7c9b6-x2k4q");
	r->is_pod = true;
	r->pod_ns = "default";
	r->pod_name = "web-5d8f7c9b6-x2k4q";
	r->pod_uid = "11111111-2222-4333-8444-555555555555";
	r->workload = "web";
	r->ncontainers = 2;
	r->containers = cw_arena_alloc(A, 2 * sizeof(char *));
	r->containers[0] = "nginx";
	r->containers[1] = "sidecar";
	r->runtime = "containerd";
	r->id_source = "containerd";
	r->npids = 2;
	r->pids[0] = 100;
	r->pids[1] = 150;
	r->nprocs = 7;
	r->comm = "pause";
	r->has_exact = true;
	r->exact_age_ms = 250;
	r->dumped = true;
	r->dump_ms = 0.5;
	r->shared_ehash = 1;
	r->tcp.tcp[CW_TCP_ESTABLISHED] = 5;
	r->tcp.tcp[CW_TCP_LISTEN] = 1;
	r->tcp.tcp[CW_TCP_TIME_WAIT] = 2;
	r->tcp.total = 8;
	r->counters.valid = true;
	r->counters.inuse = 6;
	r->counters.tw = 2;
	r->counters.curr_estab = 5;
	r->counters.active_opens = 10;
	r->counters.listen_drops = 3;
	r->npeers = 1;
	r->peers_all = 4;
	r->peers = cw_arena_alloc(A, sizeof(*r->peers));
	cw_addr_parse("10.0.0.9", &r->peers[0].addr);
	r->peers[0].port = 5432;
	r->peers[0].dir = CW_PEER_OUT;
	r->peers[0].tcp[CW_TCP_ESTABLISHED] = 3;
	r->peers[0].tcp[CW_TCP_TIME_WAIT] = 2;
	r->peers[0].total = 5;
	r->udp_dns = 2;
	r->nlisteners = 1;
	r->listeners = cw_arena_alloc(A, sizeof(*r->listeners));
	cw_addr_parse("::", &r->listeners[0].addr);
	r->listeners[0].port = 80;
	r->listeners[0].queue = 1;
	r->listeners[0].backlog = 4096;

	/* 1: the host, no exact counts, no counters, a status. */
	r = &s->rows[1];
	r->inode = 4026531840ull;
	r->id = r->inode;
	r->kind = CW_KIND_HOST;
	r->label = "host";
	r->id_source = "host";
	r->status = "sock_diag: Operation not permitted";
	r->shared_ehash = -1;

	/* 2: a named netns whose sockets were asked for. */
	r = &s->rows[2];
	r->inode = 4026532999ull;
	r->id = r->inode;
	r->kind = CW_KIND_NAMED;
	r->label = "blue \"quoted\" \\ name";
	r->netns_name = "blue";
	r->id_source = "netns";
	r->has_exact = true;
	r->shared_ehash = 0;
	r->tcp.tcp[CW_TCP_ESTABLISHED] = 1;
	r->tcp.tcp[CW_TCP_SYN_RECV] = 1;
	r->tcp.total = 2;
	r->nsocks = 2;
	r->socks = k = cw_arena_alloc(A, 2 * sizeof(*k));
	k[0].state = CW_TCP_ESTABLISHED;
	cw_addr_parse("10.1.0.2", &k[0].src);
	cw_addr_parse("10.1.0.3", &k[0].dst);
	k[0].sport = 40000;
	k[0].dport = 443;
	k[0].rqueue = 1;
	k[0].wqueue = 2;
	k[0].timer = 1;
	k[0].expires_ms = 200;
	k[0].uid = 1000;
	k[0].inode = 777;
	k[0].cookie = 0x4c;
	k[0].cgroup_id = 0x1234;
	k[0].has_info = true;
	k[0].info.rtt_us = 1500;
	k[0].info.rttvar_us = 250;
	k[0].info.retransmits = 1;
	k[0].info.total_retrans = 7;
	k[0].info.last_data_sent_ms = 10;
	k[0].info.last_data_recv_ms = 20;
	k[0].info.unacked = 3;
	k[0].info.lost = 2;
	k[1].state = CW_TCP_NEW_SYN_RECV;
	cw_addr_parse("fd00::1", &k[1].src);
	cw_addr_parse("fd00::2", &k[1].dst);
	k[1].sport = 443;
	k[1].dport = 50000;
	return s;
}

static void test_snapshot_json(void)
{
	struct cw_snapshot *s = build();
	char *text = cw_json_snapshot(s);
	cJSON *root = cJSON_Parse(text);
	const cJSON *col, *rows, *r, *pod, *tcp, *p, *l, *so, *it;
	static const char *const states[] = {"ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
					     "FIN_WAIT2",   "TIME_WAIT", "CLOSE",    "CLOSE_WAIT",
					     "LAST_ACK",    "LISTEN",    "CLOSING"};
	size_t i, nstates = 0;

	ok(root != NULL, "output parses as JSON");
	ok(text && !strchr(text, '\n'), "one line");
	if (!root) {
		printf("# %s\n", text ? text : "(null)");
		free(text);
		cw_snapshot_unref(s);
		return;
	}
	is_int(num(root, "schema"), 2, "schema 2");
	is_str(str(root, "time"), "2023-11-14T22:13:20.123Z", "time");
	is_str(str(root, "hostname"), "node-1", "hostname");
	col = get(root, "collector");
	ok(cJSON_IsObject(col), "collector object");
	ok(num(col, "cpu_ms") == 1.5 && num(col, "budget_ms") == 100 && num(col, "dump_ms") == 0.75,
	   "collector: cpu_ms, budget_ms, dump_ms");
	ok(num(col, "netns_total") == 3 && num(col, "netns_dumped") == 1 && num(col, "procs_denied") == 2,
	   "collector: counts");
	is_str(str(col, "dump_mode"), "legacy", "collector: dump_mode");
	is_str(str(col, "host_netns_from"), "pid1", "collector: host_netns_from");
	ok(get(col, "note") == NULL, "collector: no note when there is none");
	rows = get(root, "netns");
	is_int(cJSON_GetArraySize(rows), 3, "three rows");

	/* Row 0: a pod with everything. */
	r = cJSON_GetArrayItem(rows, 0);
	ok(num(r, "inode") == 4026532001.0, "pod: inode");
	is_str(str(r, "kind"), "pod", "pod: kind");
	is_str(str(r, "label"), "default/web-5d8f7c9b6-x2k4q", "pod: label");
	pod = get(r, "pod");
	ok(cJSON_IsObject(pod), "pod: pod object");
	is_str(str(pod, "namespace"), "default", "pod.namespace");
	is_str(str(pod, "name"), "web-5d8f7c9b6-x2k4q", "pod.name");
	is_str(str(pod, "uid"), "11111111-2222-4333-8444-555555555555", "pod.uid");
	is_str(str(pod, "workload"), "web", "pod.workload");
	it = get(pod, "containers");
	ok(cJSON_GetArraySize(it) == 2 && strcmp(cJSON_GetArrayItem(it, 0)->valuestring, "nginx") == 0 &&
	   strcmp(cJSON_GetArrayItem(it, 1)->valuestring, "sidecar") == 0, "pod.containers");
	is_str(str(r, "runtime"), "containerd", "pod: runtime");
	is_str(str(r, "source"), "containerd", "pod: source");
	ok(get(r, "netns_name") == NULL, "pod: no netns_name");
	it = get(r, "pids");
	ok(cJSON_GetArraySize(it) == 2 && cJSON_GetArrayItem(it, 0)->valuedouble == 100 &&
	   cJSON_GetArrayItem(it, 1)->valuedouble == 150, "pod: pids");
	is_int(num(r, "procs"), 7, "pod: procs");
	is_str(str(r, "comm"), "pause", "pod: comm");
	is_str(str(r, "status"), "ok", "pod: status ok");
	is_int(num(r, "exact_age_ms"), 250, "pod: exact_age_ms");
	ok(num(r, "dump_ms") == 0.5, "pod: dump_ms");
	ok(cJSON_IsTrue(get(r, "shared_ehash")), "pod: shared_ehash true");
	tcp = get(r, "tcp");
	for (i = 0; i < CW_ARRAY_LEN(states); i++)
		if (cJSON_IsNumber(get(tcp, states[i])))
			nstates++;
	is_int(nstates, 11, "pod: tcp has all 11 states, zeros included");
	is_int(cJSON_GetArraySize(tcp), 11, "pod: and nothing else (no NEW_SYN_RECV)");
	ok(num(tcp, "ESTABLISHED") == 5 && num(tcp, "LISTEN") == 1 && num(tcp, "TIME_WAIT") == 2 &&
	   num(tcp, "CLOSE_WAIT") == 0, "pod: tcp values");
	is_int(num(r, "tcp_total"), 8, "pod: tcp_total");
	it = get(r, "counters");
	ok(cJSON_IsObject(it), "pod: counters");
	ok(num(it, "inuse") == 6 && num(it, "tw") == 2 && num(it, "curr_estab") == 5 &&
	   num(it, "active_opens") == 10 && num(it, "listen_drops") == 3 &&
	   num(it, "listen_overflows") == 0 && num(it, "out_rsts") == 0, "pod: counter values");
	is_int(cJSON_GetArraySize(it), 11, "pod: 11 counters");
	it = get(r, "peers");
	is_int(cJSON_GetArraySize(it), 1, "pod: one peer shown");
	p = cJSON_GetArrayItem(it, 0);
	is_str(str(p, "direction"), "out", "peer: direction");
	is_str(str(p, "addr"), "10.0.0.9", "peer: addr");
	is_int(num(p, "port"), 5432, "peer: port");
	is_int(num(p, "total"), 5, "peer: total");
	ok(get(p, "udp") == NULL, "peer: no udp key without UDP sockets");
	is_int(num(r, "udp_dns"), 2, "pod: udp_dns");
	ok(cJSON_GetArraySize(get(p, "tcp")) == 2 && num(get(p, "tcp"), "ESTABLISHED") == 3 &&
	   num(get(p, "tcp"), "TIME_WAIT") == 2, "peer: tcp lists non-zero states only");
	is_int(num(r, "peers_total"), 4, "pod: peers_total (before truncation)");
	it = get(r, "listeners");
	l = cJSON_GetArrayItem(it, 0);
	ok(cJSON_GetArraySize(it) == 1 && strcmp(str(l, "addr"), "::") == 0 && num(l, "port") == 80 &&
	   num(l, "queue") == 1 && num(l, "backlog") == 4096, "pod: listener");
	ok(get(r, "sockets") == NULL, "pod: no sockets unless asked for");

	/* Row 1: the host: no pod, no exact keys, no counters. */
	r = cJSON_GetArrayItem(rows, 1);
	is_str(str(r, "kind"), "host", "host: kind");
	is_str(str(r, "status"), "sock_diag: Operation not permitted", "host: status text");
	ok(get(r, "pod") == NULL, "host: no pod");
	ok(get(r, "tcp") == NULL && get(r, "tcp_total") == NULL, "host: no tcp without an exact dump");
	ok(get(r, "peers") == NULL && get(r, "peers_total") == NULL && get(r, "listeners") == NULL,
	   "host: no peers or listeners without an exact dump");
	ok(get(r, "udp_dns") == NULL, "host: no udp_dns when it is 0");
	ok(get(r, "exact_age_ms") == NULL && get(r, "dump_ms") == NULL, "host: no exact age, no dump time");
	ok(get(r, "shared_ehash") == NULL, "host: shared_ehash unknown: omitted");
	ok(get(r, "counters") == NULL, "host: invalid counters omitted");
	ok(get(r, "pids") == NULL && get(r, "procs") == NULL && get(r, "comm") == NULL,
	   "host: no pids, procs or comm");
	ok(get(r, "runtime") == NULL && get(r, "netns_name") == NULL, "host: no runtime, no netns_name");

	/* Row 2: named, with sockets. */
	r = cJSON_GetArrayItem(rows, 2);
	is_str(str(r, "kind"), "named", "named: kind");
	is_str(str(r, "label"), "blue \"quoted\" \\ name", "named: label with quotes escaped and back");
	is_str(str(r, "netns_name"), "blue", "named: netns_name");
	ok(cJSON_IsFalse(get(r, "shared_ehash")), "named: shared_ehash false");
	ok(get(r, "pod") == NULL, "named: no pod");
	ok(cJSON_GetArraySize(get(r, "peers")) == 0 && num(r, "peers_total") == 0 &&
	   cJSON_GetArraySize(get(r, "listeners")) == 0, "named: empty peers and listeners present");
	ok(get(r, "dump_ms") == NULL, "named: not dumped this tick: no dump_ms");
	so = get(r, "sockets");
	is_int(cJSON_GetArraySize(so), 2, "named: two sockets");
	it = cJSON_GetArrayItem(so, 0);
	is_str(str(it, "state"), "ESTABLISHED", "socket: state");
	is_str(str(it, "local"), "10.1.0.2", "socket: local");
	is_int(num(it, "lport"), 40000, "socket: lport");
	is_str(str(it, "remote"), "10.1.0.3", "socket: remote");
	is_int(num(it, "rport"), 443, "socket: rport");
	ok(num(it, "recv_q") == 1 && num(it, "send_q") == 2 && num(it, "timer") == 1 &&
	   num(it, "expires_ms") == 200 && num(it, "uid") == 1000 && num(it, "inode") == 777,
	   "socket: queues, timer, uid, inode");
	is_str(str(it, "cookie"), "76", "socket: cookie as a decimal string");
	is_str(str(it, "cgroup_id"), "4660", "socket: cgroup_id as a decimal string");
	p = get(it, "info");
	ok(num(p, "rtt_us") == 1500 && num(p, "rttvar_us") == 250 && num(p, "retransmits") == 1 &&
	   num(p, "total_retrans") == 7 && num(p, "last_send_ms") == 10 &&
	   num(p, "last_recv_ms") == 20 && num(p, "unacked") == 3 && num(p, "lost") == 2,
	   "socket: info fields");
	it = cJSON_GetArrayItem(so, 1);
	is_str(str(it, "state"), "SYN_RECV", "socket: NEW_SYN_RECV written as SYN_RECV");
	is_str(str(it, "local"), "fd00::1", "socket: IPv6 local");
	ok(get(it, "info") == NULL && get(it, "cgroup_id") == NULL, "socket: no info, no cgroup_id when absent");
	is_str(str(it, "cookie"), "0", "socket: cookie 0 is still written");

	cJSON_Delete(root);
	free(text);

	/* A note on the collector appears when set. */
	s->collector.note = "running without CAP_SYS_ADMIN";
	text = cw_json_snapshot(s);
	root = cJSON_Parse(text);
	is_str(str(get(root, "collector"), "note"), "running without CAP_SYS_ADMIN", "collector note");
	cJSON_Delete(root);
	free(text);

	/* snapshot helpers */
	ok(cw_snapshot_find(s, 4026532999ull) == &s->rows[2], "cw_snapshot_find");
	ok(cw_snapshot_find(s, 1) == NULL, "cw_snapshot_find: missing");
	{
		struct cw_tcpcount t;

		cw_snapshot_totals(s, &t);
		ok(t.total == 10 && t.tcp[CW_TCP_ESTABLISHED] == 6 && t.tcp[CW_TCP_SYN_RECV] == 1 &&
		   t.tcp[CW_TCP_TIME_WAIT] == 2, "cw_snapshot_totals over exact rows");
	}
	ok(cw_snapshot_ref(s) == s, "ref returns the snapshot");
	is_int(atomic_load(&s->refs), 2, "two references");
	cw_snapshot_unref(s);
	is_int(atomic_load(&s->refs), 1, "one reference");
	cw_snapshot_unref(s);
	cw_snapshot_unref(NULL);
}

static void test_empty(void)
{
	struct cw_snapshot *s = cw_snapshot_new();
	char *text = cw_json_snapshot(s);
	cJSON *root = cJSON_Parse(text);

	ok(root != NULL, "empty snapshot parses");
	is_int(cJSON_GetArraySize(get(root, "netns")), 0, "empty snapshot: netns []");
	ok(get(root, "hostname") == NULL, "empty snapshot: no hostname");
	is_str(str(root, "time"), "1970-01-01T00:00:00.000Z", "empty snapshot: time 0");
	cJSON_Delete(root);
	free(text);
	cw_snapshot_unref(s);
}

/* Where t is reachable from the document; false if it is not. */
static bool reachable(const struct cw_json_object *from, const struct cw_json_object *t, int depth)
{
	size_t i;

	if (from == t)
		return true;
	if (depth > 8)
		return false;
	for (i = 0; i < from->nfields; i++)
		if (from->fields[i].sub && reachable(from->fields[i].sub, t, depth + 1))
			return true;
	return false;
}

static bool listed(const struct cw_json_object *t)
{
	size_t i;

	for (i = 0; cw_json_objects[i]; i++)
		if (cw_json_objects[i] == t)
			return true;
	return false;
}

/* The tables: keys unique, converters complete, every object listed. */
static void test_tables(void)
{
	static const char *const names[] = {"snapshot", "collector", "row", "pod", "counters",
					    "peer", "listener", "socket", "tcp_info"};
	size_t i, j, k, n = 0, dup = 0, incomplete = 0, unlisted = 0, unreached = 0;

	for (i = 0; cw_json_objects[i]; i++) {
		const struct cw_json_object *t = cw_json_objects[i];

		ok(t->nfields > 0 && t->nfields <= CW_JSON_MAXKEYS && t->size > 0,
		   "%s: %zu keys, at most %d", t->name, t->nfields, CW_JSON_MAXKEYS);
		for (j = 0; j < t->nfields; j++) {
			const struct cw_json_field *f = &t->fields[j];

			for (k = j + 1; k < t->nfields; k++)
				dup += strcmp(f->key, t->fields[k].key) == 0;
			incomplete += !f->conv || !f->conv->put || !f->conv->get || !f->key[0] ||
				      f->part > 1;
			unlisted += f->sub && !listed(f->sub);
		}
		unreached += !reachable(&cw_json_snapshot_object, t, 0);
		n++;
	}
	ok(n >= CW_ARRAY_LEN(names), "%zu tables", n);
	for (i = 0; i < CW_ARRAY_LEN(names); i++) {
		for (j = 0; cw_json_objects[j] && strcmp(cw_json_objects[j]->name, names[i]) != 0; j++)
			;
		ok(cw_json_objects[j] != NULL, "a table for %s", names[i]);
	}
	is_int(dup, 0, "no key twice in a table");
	is_int(incomplete, 0, "every key has a converter with put and get");
	is_int(unlisted, 0, "every nested table is listed");
	is_int(unreached, 0, "every listed table is reachable from the document");
}

/* A struct and a table of this test's own: the walkers and the converters
 * that fields yet to come (rates, first_seen, vanished, an id as a
 * decimal string) will use, with every flag. */
struct demo {
	bool has_rate;
	bool vanished;
	double rate, ms;
	int64_t first_seen, delta;
	uint64_t id;
	uint16_t port;
	uint32_t count;
	const char *name;
};

static bool demo_named(const struct cw_json_ref *o)
{
	return ((const struct demo *)o->part[0])->name != NULL;
}

static const struct cw_json_guard demo_when_named = {demo_named, "present without name"};

#define DEMO(m) CW_JSON_AT(struct demo, m)
static const struct cw_json_field demo_fields[] = {
	{"name",       &cw_json_str,    DEMO(name)},
	{"port",       &cw_json_uint,   DEMO(port), .flags = CW_JSON_REQUIRED | CW_JSON_NONZERO},
	{"count",      &cw_json_uint,   DEMO(count), .flags = CW_JSON_OMIT_ZERO, .when = &demo_when_named},
	{"rate",       &cw_json_number, DEMO(rate), .flags = CW_JSON_FLAGGED,
	                                .flag = offsetof(struct demo, has_rate)},
	{"ms",         &cw_json_ms,     DEMO(ms), .flags = CW_JSON_OMIT_ZERO},
	{"first_seen", &cw_json_stamp,  DEMO(first_seen), .flags = CW_JSON_OMIT_ZERO},
	{"delta",      &cw_json_i64,    DEMO(delta), .flags = CW_JSON_OMIT_ZERO},
	{"id",         &cw_json_u64str, DEMO(id), .flags = CW_JSON_OMIT_ZERO},
	{"vanished",   &cw_json_bool,   DEMO(vanished), .flags = CW_JSON_OMIT_ZERO},
};
static const struct cw_json_object demo_object = {"demo", demo_fields, CW_ARRAY_LEN(demo_fields),
						  sizeof(struct demo), NULL, NULL};

static char *demo_write(const struct demo *d)
{
	struct cw_json_ref o = {{(void *)d, NULL}};
	cJSON *j = cw_json_schema_write(&demo_object, &o);
	char *s = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	return s;
}

/* Reads text into *d; returns the cause (to free), or NULL. */
static char *demo_read(const char *text, struct demo *d, struct cw_arena *a)
{
	struct cw_json_reader r = {.arena = a};
	struct cw_json_ref o = {{d, NULL}};
	char *cause = NULL;
	cJSON *j = cJSON_Parse(text);

	r.cause = &cause;
	memset(d, 0, sizeof(*d));
	if (!j)
		return cw_xstrdup("does not parse");
	if (!cw_json_schema_read(&r, &demo_object, j, &o) && !cause)
		cause = cw_xstrdup("refused without a cause");
	cJSON_Delete(j);
	return cause;
}

static void test_demo_table(void)
{
	static const struct {
		const char *json, *cause;
	} bad[] = {
		{"{}", "port: missing"},
		{"{\"port\":0}", "port: zero"},
		{"{\"port\":65536}", "port: out of range (at most 65535)"},
		{"{\"port\":1,\"count\":3}", "count: present without name"},
		{"{\"port\":1,\"rate\":\"x\"}", "rate: not a number (found a string)"},
		{"{\"port\":1,\"ms\":-0.5}", "ms: not a non-negative number (found -0.5)"},
		{"{\"port\":1,\"first_seen\":1}", "first_seen: not a string (found a number)"},
		{"{\"port\":1,\"delta\":0.5}", "delta: not a whole number (found 0.5)"},
		{"{\"port\":1,\"id\":5}", "id: not a string of decimal digits (found a number)"},
		{"{\"port\":1,\"id\":\"-5\"}", "id: not a string of decimal digits: \"-5\""},
		{"{\"port\":1,\"id\":\"18446744073709551616\"}", "id: out of range (at most 18446744073709551615)"},
		{"{\"port\":1,\"vanished\":1}", "vanished: not true or false (found a number)"},
		{"{\"port\":1,\"nmae\":\"x\"}", "unknown key \"nmae\""},
		{"{\"port\":1,\"port\":2}", "port: repeated"},
		{"[]", "not an object (found an array)"},
	};
	struct cw_arena a = {0};
	struct demo d = {.name = "x", .port = 80, .count = 3, .has_rate = true, .rate = -2.5,
			 .ms = 0.25, .first_seen = -1, .delta = -7, .id = UINT64_MAX, .vanished = true};
	struct demo back, none = {.port = 1};
	char *j = demo_write(&d), *cause, *j2;
	size_t i;

	is_str(j, "{\"name\":\"x\",\"port\":80,\"count\":3,\"rate\":-2.5,\"ms\":0.25,"
		  "\"first_seen\":\"1969-12-31T23:59:59.999Z\",\"delta\":-7,"
		  "\"id\":\"18446744073709551615\",\"vanished\":true}", "demo: every key, in table order");
	cause = demo_read(j, &back, &a);
	ok(!cause, "demo: reads back (%s)", cause ? cause : "ok");
	free(cause);
	j2 = demo_write(&back);
	is_str(j2, j, "demo: and writes the same");
	ok(back.has_rate && back.id == UINT64_MAX && back.first_seen == -1 && back.vanished,
	   "demo: flag set, 2^64-1 and -1 ms kept");
	free(j);
	free(j2);

	j = demo_write(&none);
	is_str(j, "{\"port\":1}",
	       "demo: omitted when zero, unflagged, unguarded or NULL");
	free(j);

	for (i = 0; i < CW_ARRAY_LEN(bad); i++) {
		cause = demo_read(bad[i].json, &back, &a);
		if (!tap_ok(cause && strcmp(cause, bad[i].cause) == 0, bad[i].cause))
			printf("#   got: %s\n", cause ? cause : "(accepted)");
		free(cause);
	}
	cw_arena_done(&a);
}

/* Written row by row to a stream, every fixture (and a node with no rows)
 * is exactly the document cw_json_snapshot makes, plus a newline. */
static void test_stream(void)
{
	static const char *const names[] = {"small.json", "incident.json", "big.json", "hostile.json",
					    "hostnet.json", "node.json", NULL};
	const char *top = getenv("top_srcdir");
	size_t i;

	for (i = 0; names[i]; i++) {
		char *path = cw_xasprintf("%s/tests/fixtures/snapshots/%s", top ? top : ".", names[i]);
		char *text = NULL, *cause = NULL, *one, *buf = NULL;
		size_t len = 0;
		struct cw_snapshot *s;
		FILE *f;

		if (cw_read_file(path, 64u << 20, &text, NULL) < 0) {
			ok(0, "stream: read %s", path);
			free(path);
			continue;
		}
		text[strcspn(text, "\n")] = '\0';
		s = cw_json_in_snapshot(text, &cause);
		ok(s != NULL, "stream: %s loads (%s)", names[i], cause ? cause : "ok");
		if (s) {
			if (i == 0)
				s->nrows = 0; /* and once with no rows at all */
			one = cw_json_snapshot(s);
			f = open_memstream(&buf, &len);
			is_int(cw_json_write(f, s), 0, "stream: %s written", names[i]);
			fclose(f);
			ok(len == strlen(one) + 1 && strncmp(buf, one, strlen(one)) == 0 && buf[len - 1] == '\n',
			   "stream: %s%s row by row is the same document", names[i], i == 0 ? " with no rows" : "");
			free(one);
			free(buf);
		}
		cw_snapshot_unref(s);
		free(cause);
		free(text);
		free(path);
	}
	{
		FILE *f = fopen("/dev/full", "w");

		if (f) {
			struct cw_snapshot *s = cw_snapshot_new();

			setvbuf(f, NULL, _IONBF, 0);
			is_int(cw_json_write(f, s), -ENOSPC, "stream: a full device is -ENOSPC");
			fclose(f);
			cw_snapshot_unref(s);
		}
	}
}

int main(void)
{
	test_stream();
	test_time();
	test_time_parse();
	test_tables();
	test_demo_table();
	test_snapshot_json();
	test_empty();
	return tap_done();
}
