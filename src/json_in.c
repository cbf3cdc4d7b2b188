/* json_in: JSON -> snapshot. Every reader takes the path of the object it
 * reads ("netns[3].peers[0]") so that a refusal can name the key. */
#include "config.h"
#include "json_in.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define TWO_POW_64 18446744073709551616.0
#define TWO_POW_63 9223372036854775808.0

struct rd {
	struct cw_snapshot *s;
	char **cause;
};

/* Sets *cause to "path.key: what" and returns false. The key and parts of
 * what come from the input, so the line is sanitised. */
static bool bad(struct rd *r, const char *path, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool bad(struct rd *r, const char *path, const char *key, const char *fmt, ...)
{
	char what[256], msg[512], clean[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!key)
		key = "";
	if (!path[0] && !key[0])
		snprintf(msg, sizeof(msg), "%s", what);
	else
		snprintf(msg, sizeof(msg), "%s%s%.80s: %s", path, path[0] && key[0] ? "." : "", key,
			 what);
	cw_sanitize(clean, sizeof(clean), msg);
	cw_cause(r->cause, -1, "%s", clean);
	return false;
}

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *dup_clean(struct rd *r, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = cw_arena_alloc(&r->s->arena, n);

	cw_sanitize(d, n, s);
	return d;
}

/* ---- numbers ---- */

/* True for a finite double with no fraction. Every double of magnitude
 * 2^52 or more is whole; below that the int64 round trip is exact (and
 * needs no libm). */
static bool whole(double d)
{
	if (d >= 4503599627370496.0 || d <= -4503599627370496.0)
		return true;
	return d == (double)(int64_t)d;
}

/* A whole number in [0, max]. */
static bool num_u64(struct rd *r, const cJSON *it, const char *path, const char *key, uint64_t max,
		    uint64_t *out)
{
	double d;

	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < 0)
		return bad(r, path, key, "not a non-negative number");
	d = it->valuedouble;
	if (!whole(d))
		return bad(r, path, key, "not a whole number");
	if (d >= TWO_POW_64 || (uint64_t)d > max)
		return bad(r, path, key, "out of range (at most %llu)", (unsigned long long)max);
	*out = (uint64_t)d;
	return true;
}

/* Optional fields return 0 when absent, 1 when read, -1 when refused. */
static int opt_u64(struct rd *r, const cJSON *o, const char *path, const char *key, uint64_t max,
		   uint64_t *out)
{
	const cJSON *it = get(o, key);

	if (!it)
		return 0;
	return num_u64(r, it, path, key, max, out) ? 1 : -1;
}

static bool opt_u32(struct rd *r, const cJSON *o, const char *path, const char *key, uint32_t *out)
{
	uint64_t v;
	int n = opt_u64(r, o, path, key, UINT32_MAX, &v);

	if (n > 0)
		*out = (uint32_t)v;
	return n >= 0;
}

static bool opt_size(struct rd *r, const cJSON *o, const char *path, const char *key, size_t *out)
{
	uint64_t v;
	int n = opt_u64(r, o, path, key, SIZE_MAX, &v);

	if (n > 0)
		*out = (size_t)v;
	return n >= 0;
}

static bool req_u64(struct rd *r, const cJSON *o, const char *path, const char *key, uint64_t max,
		    uint64_t *out)
{
	const cJSON *it = get(o, key);

	if (!it)
		return bad(r, path, key, "missing");
	return num_u64(r, it, path, key, max, out);
}

static bool req_port(struct rd *r, const cJSON *o, const char *path, const char *key, uint16_t *out)
{
	uint64_t v;

	if (!req_u64(r, o, path, key, 65535, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

/* A finite non-negative number (a duration in ms). */
static int opt_ms(struct rd *r, const cJSON *o, const char *path, const char *key, double *out)
{
	const cJSON *it = get(o, key);

	if (!it)
		return 0;
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < 0) {
		bad(r, path, key, "not a non-negative number");
		return -1;
	}
	*out = it->valuedouble;
	return 1;
}

/* A whole number that fits int64_t; may be negative (an age across a
 * clock step). */
static int opt_i64(struct rd *r, const cJSON *o, const char *path, const char *key, int64_t *out)
{
	const cJSON *it = get(o, key);
	double d;

	if (!it)
		return 0;
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble)) {
		bad(r, path, key, "not a number");
		return -1;
	}
	d = it->valuedouble;
	if (!whole(d)) {
		bad(r, path, key, "not a whole number");
		return -1;
	}
	if (d < -TWO_POW_63 || d >= TWO_POW_63) {
		bad(r, path, key, "out of range");
		return -1;
	}
	*out = (int64_t)d;
	return 1;
}

/* ---- strings ---- */

/* The raw (unsanitised) string, for comparing against known names. */
static int opt_raw(struct rd *r, const cJSON *o, const char *path, const char *key, const char **out)
{
	const cJSON *it = get(o, key);

	if (!it)
		return 0;
	if (!cJSON_IsString(it) || !it->valuestring) {
		bad(r, path, key, "not a string");
		return -1;
	}
	*out = it->valuestring;
	return 1;
}

static bool opt_str(struct rd *r, const cJSON *o, const char *path, const char *key, const char **out)
{
	const char *raw;
	int n = opt_raw(r, o, path, key, &raw);

	if (n > 0)
		*out = dup_clean(r, raw);
	return n >= 0;
}

static bool req_raw(struct rd *r, const cJSON *o, const char *path, const char *key, const char **out)
{
	int n = opt_raw(r, o, path, key, out);

	if (n == 0)
		return bad(r, path, key, "missing");
	return n > 0;
}

/* A known value as its static string, anything else as a sanitised copy. */
static const char *known_or_copy(struct rd *r, const char *v, const char *const *known, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v, known[i]) == 0)
			return known[i];
	return dup_clean(r, v);
}

/* ---- addresses, states, time ---- */

static bool parse_addr(struct rd *r, const cJSON *it, const char *path, const char *key,
		       struct cw_addr *a)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (!cJSON_IsString(it) || !it->valuestring)
		return bad(r, path, key, "not a string");
	if (!cw_addr_parse(it->valuestring, a))
		return bad(r, path, key, "not an IP address: \"%.46s\"", it->valuestring);
	/* Stored as the family it means, as the collector does. */
	if (a->family == AF_INET6 && memcmp(a->bytes, mapped, sizeof(mapped)) == 0) {
		memmove(a->bytes, a->bytes + 12, 4);
		memset(a->bytes + 4, 0, 12);
		a->family = AF_INET;
	}
	return true;
}

static bool req_addr(struct rd *r, const cJSON *o, const char *path, const char *key,
		     struct cw_addr *a)
{
	const cJSON *it = get(o, key);

	if (!it)
		return bad(r, path, key, "missing");
	return parse_addr(r, it, path, key, a);
}

/* A counting slot by its canonical name, as json_out writes it; 0 if none. */
static unsigned state_by_name(const char *s)
{
	unsigned st;

	for (st = CW_TCP_ESTABLISHED; st <= CW_TCP_CLOSING; st++)
		if (strcmp(s, cw_tcp_state_name(st)) == 0)
			return st;
	return 0;
}

/* Reads {"ESTABLISHED": n, ...} into tcp[] and sums it. */
static bool read_tcp(struct rd *r, const cJSON *it, const char *path, const char *key,
		     uint32_t *tcp, uint64_t *sum)
{
	char p[192];
	const cJSON *c;
	unsigned st, seen = 0;
	uint64_t v;

	if (!cJSON_IsObject(it))
		return bad(r, path, key, "not an object");
	snprintf(p, sizeof(p), "%s.%s", path, key);
	*sum = 0;
	cJSON_ArrayForEach(c, it) {
		const char *name = c->string ? c->string : "";

		st = state_by_name(name);
		if (!st)
			return bad(r, p, name, "unknown TCP state");
		if (seen & (1u << st))
			return bad(r, p, name, "repeated");
		seen |= 1u << st;
		if (!num_u64(r, c, p, name, UINT32_MAX, &v))
			return false;
		tcp[st] = (uint32_t)v;
		*sum += v;
	}
	return true;
}

/* A total: the given one, or the sum of the states when absent. */
static bool read_total(struct rd *r, const cJSON *o, const char *path, const char *key,
		       uint64_t sum, uint32_t *out)
{
	int n;
	uint64_t v;

	n = opt_u64(r, o, path, key, UINT32_MAX, &v);
	if (n < 0)
		return false;
	if (n == 0) {
		if (sum > UINT32_MAX)
			return bad(r, path, key, "missing, and the states sum past 2^32");
		v = sum;
	}
	*out = (uint32_t)v;
	return true;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static unsigned digits(const char *s, size_t n)
{
	unsigned v = 0;

	while (n--)
		v = v * 10 + (unsigned)(*s++ - '0');
	return v;
}

/* Parses json_out's "YYYY-MM-DDTHH:MM:SS.mmmZ" exactly. */
static bool parse_time(const char *s, int64_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, mo, d, h, mi, sec, ms, dim;
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return false;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	ms = digits(s + 20, 3);
	if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59)
		return false;
	dim = mdays[mo - 1] + (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
	if (d < 1 || d > dim)
		return false;
	*out = (((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec) * 1000 + ms;
	return true;
}

/* ---- rows ---- */

/* Counts an array's items; false (with a cause) if it is not an array. */
static bool array_len(struct rd *r, const cJSON *it, const char *path, const char *key, size_t *n)
{
	const cJSON *c;

	if (!cJSON_IsArray(it))
		return bad(r, path, key, "not an array");
	*n = 0;
	cJSON_ArrayForEach(c, it)
		(*n)++;
	return true;
}

static bool read_pod(struct rd *r, const cJSON *it, const char *rp, struct cw_ns_row *row)
{
	char p[64];
	const cJSON *arr, *c;
	size_t n = 0, i = 0;

	if (!cJSON_IsObject(it))
		return bad(r, rp, "pod", "not an object");
	snprintf(p, sizeof(p), "%s.pod", rp);
	if (!opt_str(r, it, p, "namespace", &row->pod_ns) || !opt_str(r, it, p, "name", &row->pod_name) ||
	    !opt_str(r, it, p, "uid", &row->pod_uid) || !opt_str(r, it, p, "workload", &row->workload))
		return false;
	arr = get(it, "containers");
	if (!arr)
		return true;
	if (!array_len(r, arr, p, "containers", &n))
		return false;
	if (!n)
		return true;
	row->containers = cw_arena_alloc(&r->s->arena, n * sizeof(*row->containers));
	cJSON_ArrayForEach(c, arr) {
		char k[48];

		if (!cJSON_IsString(c) || !c->valuestring) {
			snprintf(k, sizeof(k), "containers[%zu]", i);
			return bad(r, p, k, "not a string");
		}
		row->containers[i++] = dup_clean(r, c->valuestring);
	}
	row->ncontainers = n;
	return true;
}

static bool read_pids(struct rd *r, const cJSON *o, const char *rp, struct cw_ns_row *row)
{
	const cJSON *arr = get(o, "pids"), *c;
	size_t n = 0;
	uint64_t v;
	int has;

	if (arr) {
		if (!array_len(r, arr, rp, "pids", &n))
			return false;
		if (n > CW_ROW_MAXPIDS)
			return bad(r, rp, "pids", "more than %d pids", CW_ROW_MAXPIDS);
		cJSON_ArrayForEach(c, arr) {
			char k[32];

			snprintf(k, sizeof(k), "pids[%zu]", row->npids);
			if (!num_u64(r, c, rp, k, INT32_MAX, &v))
				return false;
			if (v == 0)
				return bad(r, rp, k, "not a process id");
			row->pids[row->npids++] = (int32_t)v;
		}
	}
	has = opt_u64(r, o, rp, "procs", SIZE_MAX, &v);
	if (has < 0)
		return false;
	if (has && !arr)
		return bad(r, rp, "procs", "present without pids");
	if (has && v < row->npids)
		return bad(r, rp, "procs", "fewer than the pids listed");
	row->nprocs = has ? (size_t)v : row->npids;
	return true;
}

static bool read_counters(struct rd *r, const cJSON *it, const char *rp, struct cw_counters *c)
{
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
		{"curr_estab", offsetof(struct cw_counters, curr_estab)},
		{"tw", offsetof(struct cw_counters, tw)},
		{"inuse", offsetof(struct cw_counters, inuse)},
		{"active_opens", offsetof(struct cw_counters, active_opens)},
		{"passive_opens", offsetof(struct cw_counters, passive_opens)},
		{"attempt_fails", offsetof(struct cw_counters, attempt_fails)},
		{"estab_resets", offsetof(struct cw_counters, estab_resets)},
		{"in_errs", offsetof(struct cw_counters, in_errs)},
		{"out_rsts", offsetof(struct cw_counters, out_rsts)},
		{"listen_overflows", offsetof(struct cw_counters, listen_overflows)},
		{"listen_drops", offsetof(struct cw_counters, listen_drops)},
	};
	char p[64];
	size_t i;

	if (!cJSON_IsObject(it))
		return bad(r, rp, "counters", "not an object");
	snprintf(p, sizeof(p), "%s.counters", rp);
	for (i = 0; i < CW_ARRAY_LEN(fields); i++)
		if (opt_u64(r, it, p, fields[i].key, UINT64_MAX,
			    (uint64_t *)((char *)c + fields[i].off)) < 0)
			return false;
	c->valid = true;
	return true;
}

static bool read_peers(struct rd *r, const cJSON *arr, const char *rp, struct cw_ns_row *row)
{
	const cJSON *c, *t;
	size_t n = 0, i = 0;
	const char *dir = NULL;
	uint64_t sum;

	if (!array_len(r, arr, rp, "peers", &n))
		return false;
	if (!n)
		return true;
	row->peers = cw_arena_alloc(&r->s->arena, n * sizeof(*row->peers));
	cJSON_ArrayForEach(c, arr) {
		struct cw_peer *pe = &row->peers[i];
		char p[96];

		snprintf(p, sizeof(p), "%s.peers[%zu]", rp, i);
		if (!cJSON_IsObject(c))
			return bad(r, p, NULL, "not an object");
		if (!req_raw(r, c, p, "direction", &dir))
			return false;
		if (strcmp(dir, cw_peer_dir_name(CW_PEER_IN)) == 0)
			pe->dir = CW_PEER_IN;
		else if (strcmp(dir, cw_peer_dir_name(CW_PEER_OUT)) == 0)
			pe->dir = CW_PEER_OUT;
		else
			return bad(r, p, "direction", "not \"in\" or \"out\"");
		if (!req_addr(r, c, p, "addr", &pe->addr) || !req_port(r, c, p, "port", &pe->port))
			return false;
		sum = 0;
		t = get(c, "tcp");
		if (t && !read_tcp(r, t, p, "tcp", pe->tcp, &sum))
			return false;
		if (!read_total(r, c, p, "total", sum, &pe->total))
			return false;
		i++;
	}
	row->npeers = n;
	return true;
}

static bool read_addrs(struct rd *r, const cJSON *arr, const char *rp, struct cw_ns_row *row)
{
	const cJSON *c;
	size_t n = 0, i = 0;

	if (!array_len(r, arr, rp, "addrs", &n))
		return false;
	if (!n)
		return true;
	row->addrs = cw_arena_alloc(&r->s->arena, n * sizeof(*row->addrs));
	cJSON_ArrayForEach(c, arr) {
		char k[32];

		snprintf(k, sizeof(k), "addrs[%zu]", i);
		if (!parse_addr(r, c, rp, k, &row->addrs[i]))
			return false;
		i++;
	}
	row->naddrs = n;
	return true;
}

static bool read_listeners(struct rd *r, const cJSON *arr, const char *rp, struct cw_ns_row *row)
{
	const cJSON *c;
	size_t n = 0, i = 0;

	if (!array_len(r, arr, rp, "listeners", &n))
		return false;
	if (!n)
		return true;
	row->listeners = cw_arena_alloc(&r->s->arena, n * sizeof(*row->listeners));
	cJSON_ArrayForEach(c, arr) {
		struct cw_listener *l = &row->listeners[i];
		char p[96];

		snprintf(p, sizeof(p), "%s.listeners[%zu]", rp, i);
		if (!cJSON_IsObject(c))
			return bad(r, p, NULL, "not an object");
		if (!req_addr(r, c, p, "addr", &l->addr) || !req_port(r, c, p, "port", &l->port) ||
		    !opt_u32(r, c, p, "queue", &l->queue) || !opt_u32(r, c, p, "backlog", &l->backlog))
			return false;
		i++;
	}
	row->nlisteners = n;
	return true;
}

static bool read_info(struct rd *r, const cJSON *it, const char *sp, struct cw_tcpinfo *ti)
{
	char p[128];

	if (!cJSON_IsObject(it))
		return bad(r, sp, "info", "not an object");
	snprintf(p, sizeof(p), "%s.info", sp);
	return opt_u32(r, it, p, "rtt_us", &ti->rtt_us) &&
	       opt_u32(r, it, p, "rttvar_us", &ti->rttvar_us) &&
	       opt_u32(r, it, p, "retransmits", &ti->retransmits) &&
	       opt_u32(r, it, p, "total_retrans", &ti->total_retrans) &&
	       opt_u32(r, it, p, "last_send_ms", &ti->last_data_sent_ms) &&
	       opt_u32(r, it, p, "last_recv_ms", &ti->last_data_recv_ms) &&
	       opt_u32(r, it, p, "unacked", &ti->unacked) && opt_u32(r, it, p, "lost", &ti->lost);
}

static bool read_socket(struct rd *r, const cJSON *c, const char *p, struct cw_sock *s,
			struct cw_owner *ow)
{
	const char *state = NULL, *comm = NULL;
	const cJSON *info;
	uint64_t v;
	int n, has_pid, has_comm;

	if (!cJSON_IsObject(c))
		return bad(r, p, NULL, "not an object");
	if (!req_raw(r, c, p, "state", &state))
		return false;
	s->state = (uint8_t)state_by_name(state);
	if (!s->state)
		return bad(r, p, "state", "unknown TCP state \"%.32s\"", state);
	if (!req_addr(r, c, p, "local", &s->src) || !req_port(r, c, p, "lport", &s->sport) ||
	    !req_addr(r, c, p, "remote", &s->dst) || !req_port(r, c, p, "rport", &s->dport) ||
	    !opt_u32(r, c, p, "recv_q", &s->rqueue) || !opt_u32(r, c, p, "send_q", &s->wqueue) ||
	    !opt_u32(r, c, p, "expires_ms", &s->expires_ms) || !opt_u32(r, c, p, "uid", &s->uid) ||
	    !opt_u32(r, c, p, "inode", &s->inode))
		return false;
	s->family = s->src.family == AF_INET6 || s->dst.family == AF_INET6 ? AF_INET6 : AF_INET;
	n = opt_u64(r, c, p, "timer", UINT8_MAX, &v);
	if (n < 0)
		return false;
	if (n)
		s->timer = (uint8_t)v;
	if (opt_u64(r, c, p, "cookie", UINT64_MAX, &s->cookie) < 0 ||
	    opt_u64(r, c, p, "cgroup_id", UINT64_MAX, &s->cgroup_id) < 0)
		return false;
	has_pid = opt_u64(r, c, p, "pid", INT32_MAX, &v);
	if (has_pid < 0)
		return false;
	if (has_pid && v == 0)
		return bad(r, p, "pid", "not a process id");
	if (has_pid)
		ow->pid = (int32_t)v;
	has_comm = opt_raw(r, c, p, "comm", &comm);
	if (has_comm < 0)
		return false;
	if (has_comm && !has_pid)
		return bad(r, p, "comm", "present without pid");
	if (has_comm)
		cw_sanitize(ow->comm, sizeof(ow->comm), comm);
	info = get(c, "info");
	if (info) {
		if (!read_info(r, info, p, &s->info))
			return false;
		s->has_info = true;
	}
	return true;
}

static bool read_sockets(struct rd *r, const cJSON *arr, const char *rp, struct cw_ns_row *row)
{
	const cJSON *c;
	size_t n = 0, i = 0;

	if (!array_len(r, arr, rp, "sockets", &n))
		return false;
	/* Present, even empty, means the sockets were asked for. */
	row->socks = cw_arena_alloc(&r->s->arena, (n ? n : 1) * sizeof(*row->socks));
	row->owners = cw_arena_alloc(&r->s->arena, (n ? n : 1) * sizeof(*row->owners));
	cJSON_ArrayForEach(c, arr) {
		char p[96];

		snprintf(p, sizeof(p), "%s.sockets[%zu]", rp, i);
		if (!read_socket(r, c, p, &row->socks[i], &row->owners[i]))
			return false;
		i++;
	}
	row->nsocks = n;
	return true;
}

/* Keys that json_out writes only for a row with exact counts. */
static bool exact_only(struct rd *r, const cJSON *o, const char *rp, const struct cw_ns_row *row)
{
	static const char *const keys[] = {"tcp", "tcp_total", "peers", "peers_total", "addrs",
					   "listeners"};
	size_t i;

	if (row->has_exact)
		return true;
	for (i = 0; i < CW_ARRAY_LEN(keys); i++)
		if (get(o, keys[i]))
			return bad(r, rp, keys[i], "present without exact_age_ms");
	return true;
}

static bool read_row(struct rd *r, const cJSON *o, size_t idx, struct cw_ns_row *row)
{
	char rp[48];
	const char *kind, *label, *status = NULL;
	const cJSON *it;
	uint64_t sum = 0, v;
	unsigned k;
	int n;

	snprintf(rp, sizeof(rp), "netns[%zu]", idx);
	row->exact_age_ms = -1;
	row->shared_ehash = -1;
	if (!cJSON_IsObject(o))
		return bad(r, rp, NULL, "not an object");

	if (!req_u64(r, o, rp, "inode", UINT64_MAX, &row->inode))
		return false;
	if (!row->inode)
		return bad(r, rp, "inode", "zero");
	if (!req_raw(r, o, rp, "kind", &kind))
		return false;
	for (k = CW_KIND_PROCESS; k <= CW_KIND_HOST; k++)
		if (strcmp(kind, cw_kind_name((enum cw_ns_kind)k)) == 0)
			break;
	if (k > CW_KIND_HOST)
		return bad(r, rp, "kind", "unknown kind \"%.32s\"", kind);
	row->kind = (enum cw_ns_kind)k;
	row->is_pod = row->kind == CW_KIND_POD;
	if (!req_raw(r, o, rp, "label", &label))
		return false;
	row->label = dup_clean(r, label);

	it = get(o, "pod");
	if (it && !row->is_pod)
		return bad(r, rp, "pod", "present for a row that is not a pod");
	if (it && !read_pod(r, it, rp, row))
		return false;
	if (!opt_str(r, o, rp, "netns_name", &row->netns_name) ||
	    !opt_str(r, o, rp, "runtime", &row->runtime) ||
	    !opt_str(r, o, rp, "source", &row->id_source) || !read_pids(r, o, rp, row) ||
	    !opt_str(r, o, rp, "comm", &row->comm) || !opt_str(r, o, rp, "status", &status))
		return false;
	row->status = status && strcmp(status, "ok") != 0 ? status : NULL;

	n = opt_i64(r, o, rp, "exact_age_ms", &row->exact_age_ms);
	if (n < 0)
		return false;
	row->has_exact = n > 0;
	n = opt_ms(r, o, rp, "dump_ms", &row->dump_ms);
	if (n < 0)
		return false;
	row->dumped = n > 0;
	it = get(o, "shared_ehash");
	if (it) {
		if (!cJSON_IsBool(it))
			return bad(r, rp, "shared_ehash", "not true or false");
		row->shared_ehash = cJSON_IsTrue(it) ? 1 : 0;
	}

	if (!exact_only(r, o, rp, row))
		return false;
	it = get(o, "tcp");
	if (it && !read_tcp(r, it, rp, "tcp", row->tcp.tcp, &sum))
		return false;
	if (row->has_exact && !read_total(r, o, rp, "tcp_total", sum, &row->tcp.total))
		return false;
	it = get(o, "counters");
	if (it && !read_counters(r, it, rp, &row->counters))
		return false;
	it = get(o, "peers");
	if (it && !read_peers(r, it, rp, row))
		return false;
	n = opt_u64(r, o, rp, "peers_total", SIZE_MAX, &v);
	if (n < 0)
		return false;
	if (n && v < row->npeers)
		return bad(r, rp, "peers_total", "fewer than the peers listed");
	row->peers_all = n ? (size_t)v : row->npeers;
	it = get(o, "addrs");
	if (it && !read_addrs(r, it, rp, row))
		return false;
	it = get(o, "listeners");
	if (it && !read_listeners(r, it, rp, row))
		return false;
	it = get(o, "sockets");
	if (it && !read_sockets(r, it, rp, row))
		return false;
	return true;
}

struct inode_at {
	uint64_t inode;
	size_t idx;
};

static int inode_cmp(const void *a, const void *b)
{
	const struct inode_at *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Rows are looked up by inode, so an inode may appear once. */
static bool unique_inodes(struct rd *r, const struct cw_snapshot *s)
{
	struct inode_at *v;
	size_t i;
	bool okay = true;

	if (s->nrows < 2)
		return true;
	v = cw_xcalloc(s->nrows, sizeof(*v));
	for (i = 0; i < s->nrows; i++) {
		v[i].inode = s->rows[i].inode;
		v[i].idx = i;
	}
	qsort(v, s->nrows, sizeof(*v), inode_cmp);
	for (i = 1; i < s->nrows && okay; i++)
		if (v[i].inode == v[i - 1].inode) {
			char p[48];

			snprintf(p, sizeof(p), "netns[%zu]", v[i].idx);
			okay = bad(r, p, "inode", "same as netns[%zu]", v[i - 1].idx);
		}
	free(v);
	return okay;
}

static bool read_collector(struct rd *r, const cJSON *it, struct cw_collector_stats *c)
{
	static const char *const modes[] = {"legacy", "family"};
	static const char *const froms[] = {"pid1", "self"};
	static const char p[] = "collector";
	const char *v;
	int n;

	if (!cJSON_IsObject(it))
		return bad(r, "", p, "not an object");
	if (opt_ms(r, it, p, "cpu_ms", &c->cpu_ms) < 0 ||
	    opt_ms(r, it, p, "budget_ms", &c->budget_ms) < 0 ||
	    opt_ms(r, it, p, "dump_ms", &c->dump_ms) < 0 ||
	    !opt_size(r, it, p, "netns_total", &c->netns_total) ||
	    !opt_size(r, it, p, "netns_dumped", &c->netns_dumped) ||
	    !opt_size(r, it, p, "procs_denied", &c->procs_denied) ||
	    !opt_str(r, it, p, "note", &c->note))
		return false;
	n = opt_raw(r, it, p, "dump_mode", &v);
	if (n < 0)
		return false;
	if (n)
		c->dump_mode = known_or_copy(r, v, modes, CW_ARRAY_LEN(modes));
	n = opt_raw(r, it, p, "host_netns_from", &v);
	if (n < 0)
		return false;
	if (n)
		c->host_netns_from = known_or_copy(r, v, froms, CW_ARRAY_LEN(froms));
	return true;
}

static bool read_doc(struct rd *r, const cJSON *root)
{
	struct cw_snapshot *s = r->s;
	const cJSON *it, *c;
	const char *t;
	size_t n = 0, i = 0;
	int has;

	if (!cJSON_IsObject(root))
		return bad(r, "", NULL, "not a JSON object");
	it = get(root, "schema");
	if (!it)
		return bad(r, "", "schema", "missing");
	if (!cJSON_IsNumber(it))
		return bad(r, "", "schema", "not a number");
	if (it->valuedouble != CW_SNAPSHOT_SCHEMA)
		return bad(r, "", NULL, "unsupported schema %g", it->valuedouble);
	s->schema = CW_SNAPSHOT_SCHEMA;

	has = opt_raw(r, root, "", "time", &t);
	if (has < 0)
		return false;
	if (has && !parse_time(t, &s->time_ms))
		return bad(r, "", "time", "not RFC 3339 UTC with milliseconds (YYYY-MM-DDTHH:MM:SS.mmmZ)");
	if (!opt_str(r, root, "", "hostname", &s->hostname))
		return false;
	it = get(root, "collector");
	if (it && !read_collector(r, it, &s->collector))
		return false;

	it = get(root, "netns");
	if (!it)
		return true;
	if (!array_len(r, it, "", "netns", &n))
		return false;
	s->rows = cw_arena_alloc(&s->arena, (n ? n : 1) * sizeof(*s->rows));
	cJSON_ArrayForEach(c, it) {
		if (!read_row(r, c, i, &s->rows[i]))
			return false;
		i++;
	}
	s->nrows = n;
	return unique_inodes(r, s);
}

struct cw_snapshot *cw_json_in_snapshot(const char *text, char **cause)
{
	struct rd r = {.cause = cause};
	const char *end = NULL;
	cJSON *root;
	bool okay;

	if (cause)
		*cause = NULL;
	if (!text) {
		cw_cause(cause, -1, "no JSON text");
		return NULL;
	}
	/* One document: anything but whitespace after it is refused. */
	root = cJSON_ParseWithOpts(text, &end, 1);
	if (!root) {
		cw_cause(cause, -1, "not valid JSON (at byte %zu)",
			 end && end >= text ? (size_t)(end - text) : (size_t)0);
		return NULL;
	}
	r.s = cw_snapshot_new();
	okay = read_doc(&r, root);
	cJSON_Delete(root);
	if (!okay) {
		cw_snapshot_unref(r.s);
		return NULL;
	}
	return r.s;
}
