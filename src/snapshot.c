/* snapshot: allocation, references and lookups. */
#include "config.h"
#include "snapshot.h"
#include "util.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct cw_snapshot *cw_snapshot_new(void)
{
	struct cw_snapshot *s = cw_xcalloc(1, sizeof(*s));

	atomic_init(&s->refs, 1);
	s->schema = CW_SNAPSHOT_SCHEMA;
	cw_node_unknown(&s->node);
	return s;
}

/* Snapshots are built on the collector's thread and read on the UI's, so
 * the count is atomic. */
struct cw_snapshot *cw_snapshot_ref(struct cw_snapshot *s)
{
	if (s)
		atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	return s;
}

void cw_snapshot_unref(struct cw_snapshot *s)
{
	if (!s)
		return;
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	cw_arena_done(&s->arena);
	free(s);
}

const struct cw_ns_row *cw_snapshot_find(const struct cw_snapshot *s, uint64_t id)
{
	size_t i;

	for (i = 0; i < s->nrows; i++)
		if (s->rows[i].id == id)
			return &s->rows[i];
	return NULL;
}

void cw_snapshot_totals(const struct cw_snapshot *s, struct cw_tcpcount *out)
{
	size_t i, k;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < s->nrows; i++) {
		if (!s->rows[i].has_exact || s->rows[i].vanished)
			continue;
		for (k = 0; k < CW_TCP_NSTATES; k++)
			out->tcp[k] += s->rows[i].tcp.tcp[k];
		out->total += s->rows[i].tcp.total;
	}
}

uint32_t cw_tcpcount_get(const struct cw_tcpcount *c, unsigned slot)
{
	if (slot == 0)
		return c->total;
	return slot < CW_TCP_NSTATES ? c->tcp[slot] : 0;
}

void cw_tcpcount_add(struct cw_tcpcount *c, unsigned state)
{
	unsigned slot = cw_tcp_state_slot(state);

	if (slot == 0)
		return;
	c->tcp[slot]++;
	c->total++;
}

size_t cw_series_values(const struct cw_series *s, unsigned slot, uint32_t *out, size_t max)
{
	size_t i, n;

	if (!s || slot >= CW_TCP_NSTATES)
		return 0;
	n = s->n < max ? s->n : max;
	for (i = 0; i < n; i++)
		out[i] = s->v[s->n - n + i][slot];
	return n;
}

void cw_wants_merge(struct cw_wants *w, const struct cw_wants *other)
{
	if (!w->focus_id)
		w->focus_id = other->focus_id;
	if (!w->sockets_id) {
		w->sockets_id = other->sockets_id;
		w->sockets_info = other->sockets_info;
	} else if (w->sockets_id == other->sockets_id) {
		w->sockets_info |= other->sockets_info;
	}
	w->exact_all = w->exact_all || other->exact_all;
	if (!w->replay_steer && other->replay_steer) {
		w->replay_steer = true;
		w->replay_index = other->replay_index;
		w->replay_time_ms = other->replay_time_ms;
		w->replay_gen = other->replay_gen;
	}
}

static const char *const kind_names[] = {
	[CW_KIND_PROCESS] = "process", [CW_KIND_POD] = "pod", [CW_KIND_CONTAINER] = "container",
	[CW_KIND_NAMED] = "named",     [CW_KIND_HOST] = "host",
	[CW_KIND_HOSTNET_POD] = "hostnet-pod",
};

const char *cw_kind_name(enum cw_ns_kind k)
{
	return (unsigned)k < CW_ARRAY_LEN(kind_names) ? kind_names[k] : "process";
}

static int name_index(const char *const *names, size_t n, const char *name);

int cw_kind_parse(const char *name)
{
	return name_index(kind_names, CW_ARRAY_LEN(kind_names), name);
}

const char *cw_peer_dir_name(unsigned dir)
{
	return dir == CW_PEER_IN ? "in" : "out";
}

static const char *const rule_names[CW_RULE_COUNT] = {
	[CW_RULE_POOL_LEAK] = "pool-leak",
	[CW_RULE_DNS_STORM] = "dns-storm",
	[CW_RULE_AVALANCHE] = "avalanche",
	[CW_RULE_CLOSE_WAIT] = "close-wait",
	[CW_RULE_TIME_WAIT] = "time-wait",
	[CW_RULE_CONNECT_FAIL] = "connect-fail",
	[CW_RULE_LISTEN_OVERFLOW] = "listen-overflow",
	[CW_RULE_NODE_LIMIT] = "node-limit",
	[CW_RULE_OFF_BASELINE] = "off-baseline",
};

static const char *const severity_names[] = {
	[CW_SEV_INFO] = "info", [CW_SEV_WARN] = "warn", [CW_SEV_CRIT] = "crit",
};

static int name_index(const char *const *names, size_t n, const char *name)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (names[k] && strcmp(name, names[k]) == 0)
			return (int)k;
	return -1;
}

const char *cw_rule_name(enum cw_rule r)
{
	return (unsigned)r < CW_RULE_COUNT ? rule_names[r] : "unknown";
}

int cw_rule_parse(const char *name)
{
	return name_index(rule_names, CW_RULE_COUNT, name);
}

const char *cw_severity_name(enum cw_severity s)
{
	return (unsigned)s < CW_ARRAY_LEN(severity_names) ? severity_names[s] : "info";
}

int cw_severity_parse(const char *name)
{
	return name_index(severity_names, CW_ARRAY_LEN(severity_names), name);
}

void cw_snapshot_link_findings(struct cw_snapshot *s)
{
	size_t i, k;

	for (i = 0; i < s->nrows; i++) {
		s->rows[i].finding = 0;
		for (k = 0; k < s->nfindings; k++)
			if (s->findings[k].id && s->findings[k].id == s->rows[i].id) {
				s->rows[i].finding = k + 1;
				break;
			}
	}
}

void cw_sysctls_unknown(struct cw_sysctls *c)
{
	c->tcp_tw_reuse = c->tcp_fin_timeout = c->tcp_max_tw_buckets = -1;
	c->port_lo = c->port_hi = -1;
	c->somaxconn = c->tcp_child_ehash_entries = -1;
	c->conntrack_count = -1;
}

void cw_node_unknown(struct cw_node *n)
{
	memset(n, 0, sizeof(*n));
	n->file_nr = n->file_max = n->conntrack_max = -1;
	cw_sysctls_unknown(&n->sysctl);
}
