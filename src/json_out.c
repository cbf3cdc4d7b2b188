/* json_out: snapshot -> JSON. */
#include "config.h"
#include "json_out.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void cw_json_time(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static cJSON *add_obj(cJSON *parent, const char *key)
{
	return cJSON_AddObjectToObject(parent, key);
}

static void add_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
}

static cJSON *tcp_obj(const uint32_t *tcp, bool nonzero_only)
{
	cJSON *o = cJSON_CreateObject();
	unsigned st;

	for (st = CW_TCP_ESTABLISHED; st <= CW_TCP_CLOSING; st++)
		if (!nonzero_only || tcp[st])
			cJSON_AddNumberToObject(o, cw_tcp_state_name(st), tcp[st]);
	return o;
}

static void add_counters(cJSON *row, const struct cw_counters *c)
{
	cJSON *o;

	if (!c->valid)
		return;
	o = add_obj(row, "counters");
	cJSON_AddNumberToObject(o, "curr_estab", (double)c->curr_estab);
	cJSON_AddNumberToObject(o, "tw", (double)c->tw);
	cJSON_AddNumberToObject(o, "inuse", (double)c->inuse);
	cJSON_AddNumberToObject(o, "active_opens", (double)c->active_opens);
	cJSON_AddNumberToObject(o, "passive_opens", (double)c->passive_opens);
	cJSON_AddNumberToObject(o, "attempt_fails", (double)c->attempt_fails);
	cJSON_AddNumberToObject(o, "estab_resets", (double)c->estab_resets);
	cJSON_AddNumberToObject(o, "in_errs", (double)c->in_errs);
	cJSON_AddNumberToObject(o, "out_rsts", (double)c->out_rsts);
	cJSON_AddNumberToObject(o, "listen_overflows", (double)c->listen_overflows);
	cJSON_AddNumberToObject(o, "listen_drops", (double)c->listen_drops);
}

static void add_sockets(cJSON *row, const struct cw_ns_row *r)
{
	cJSON *arr = cJSON_AddArrayToObject(row, "sockets");
	char a[64];
	size_t i;

	for (i = 0; i < r->nsocks; i++) {
		const struct cw_sock *s = &r->socks[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "state", cw_tcp_state_name(cw_tcp_state_slot(s->state)));
		cJSON_AddStringToObject(o, "local", cw_addr_str(&s->src, a, sizeof(a)));
		cJSON_AddNumberToObject(o, "lport", s->sport);
		cJSON_AddStringToObject(o, "remote", cw_addr_str(&s->dst, a, sizeof(a)));
		cJSON_AddNumberToObject(o, "rport", s->dport);
		cJSON_AddNumberToObject(o, "recv_q", s->rqueue);
		cJSON_AddNumberToObject(o, "send_q", s->wqueue);
		cJSON_AddNumberToObject(o, "timer", s->timer);
		cJSON_AddNumberToObject(o, "expires_ms", s->expires_ms);
		cJSON_AddNumberToObject(o, "uid", s->uid);
		cJSON_AddNumberToObject(o, "inode", s->inode);
		cJSON_AddNumberToObject(o, "cookie", (double)s->cookie);
		if (s->cgroup_id)
			cJSON_AddNumberToObject(o, "cgroup_id", (double)s->cgroup_id);
		if (r->owners && r->owners[i].pid) {
			cJSON_AddNumberToObject(o, "pid", r->owners[i].pid);
			cJSON_AddStringToObject(o, "comm", r->owners[i].comm);
		}
		if (s->has_info) {
			cJSON *ti = add_obj(o, "info");

			cJSON_AddNumberToObject(ti, "rtt_us", s->info.rtt_us);
			cJSON_AddNumberToObject(ti, "rttvar_us", s->info.rttvar_us);
			cJSON_AddNumberToObject(ti, "retransmits", s->info.retransmits);
			cJSON_AddNumberToObject(ti, "total_retrans", s->info.total_retrans);
			cJSON_AddNumberToObject(ti, "last_send_ms", s->info.last_data_sent_ms);
			cJSON_AddNumberToObject(ti, "last_recv_ms", s->info.last_data_recv_ms);
			cJSON_AddNumberToObject(ti, "unacked", s->info.unacked);
			cJSON_AddNumberToObject(ti, "lost", s->info.lost);
		}
		cJSON_AddItemToArray(arr, o);
	}
}

static cJSON *row_json(const struct cw_ns_row *r)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	char a[64];
	size_t i;

	cJSON_AddNumberToObject(o, "inode", (double)r->inode);
	cJSON_AddStringToObject(o, "kind", cw_kind_name(r->kind));
	add_str(o, "label", r->label);
	if (r->is_pod) {
		cJSON *pod = add_obj(o, "pod");

		add_str(pod, "namespace", r->pod_ns);
		add_str(pod, "name", r->pod_name);
		add_str(pod, "uid", r->pod_uid);
		add_str(pod, "workload", r->workload);
		arr = cJSON_AddArrayToObject(pod, "containers");
		for (i = 0; i < r->ncontainers; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(r->containers[i]));
	}
	add_str(o, "netns_name", r->netns_name);
	add_str(o, "runtime", r->runtime);
	add_str(o, "source", r->id_source);
	if (r->npids) {
		arr = cJSON_AddArrayToObject(o, "pids");
		for (i = 0; i < r->npids; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateNumber(r->pids[i]));
		cJSON_AddNumberToObject(o, "procs", (double)r->nprocs);
	}
	add_str(o, "comm", r->comm);
	cJSON_AddStringToObject(o, "status", r->status ? r->status : "ok");
	if (r->has_exact)
		cJSON_AddNumberToObject(o, "exact_age_ms", (double)r->exact_age_ms);
	if (r->dumped)
		cJSON_AddNumberToObject(o, "dump_ms", r->dump_ms);
	if (r->shared_ehash >= 0)
		cJSON_AddBoolToObject(o, "shared_ehash", r->shared_ehash);
	if (r->has_exact) {
		cJSON_AddItemToObject(o, "tcp", tcp_obj(r->tcp.tcp, false));
		cJSON_AddNumberToObject(o, "tcp_total", r->tcp.total);
	}
	add_counters(o, &r->counters);
	if (r->has_exact) {
		arr = cJSON_AddArrayToObject(o, "peers");
		for (i = 0; i < r->npeers; i++) {
			const struct cw_peer *p = &r->peers[i];
			cJSON *po = cJSON_CreateObject();

			cJSON_AddStringToObject(po, "direction", cw_peer_dir_name(p->dir));
			cJSON_AddStringToObject(po, "addr", cw_addr_str(&p->addr, a, sizeof(a)));
			cJSON_AddNumberToObject(po, "port", p->port);
			cJSON_AddItemToObject(po, "tcp", tcp_obj(p->tcp, true));
			cJSON_AddNumberToObject(po, "total", p->total);
			cJSON_AddItemToArray(arr, po);
		}
		cJSON_AddNumberToObject(o, "peers_total", (double)r->peers_all);
		arr = cJSON_AddArrayToObject(o, "addrs");
		for (i = 0; i < r->naddrs; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(cw_addr_str(&r->addrs[i], a, sizeof(a))));
		arr = cJSON_AddArrayToObject(o, "listeners");
		for (i = 0; i < r->nlisteners; i++) {
			const struct cw_listener *l = &r->listeners[i];
			cJSON *lo = cJSON_CreateObject();

			cJSON_AddStringToObject(lo, "addr", cw_addr_str(&l->addr, a, sizeof(a)));
			cJSON_AddNumberToObject(lo, "port", l->port);
			cJSON_AddNumberToObject(lo, "queue", l->queue);
			cJSON_AddNumberToObject(lo, "backlog", l->backlog);
			cJSON_AddItemToArray(arr, lo);
		}
	}
	if (r->socks)
		add_sockets(o, r);
	return o;
}

char *cw_json_snapshot(const struct cw_snapshot *s)
{
	cJSON *root = cJSON_CreateObject(), *col, *arr;
	char t[40];
	char *out;
	size_t i;

	cJSON_AddNumberToObject(root, "schema", s->schema);
	cw_json_time(s->time_ms, t, sizeof(t));
	cJSON_AddStringToObject(root, "time", t);
	add_str(root, "hostname", s->hostname);
	col = add_obj(root, "collector");
	cJSON_AddNumberToObject(col, "cpu_ms", s->collector.cpu_ms);
	cJSON_AddNumberToObject(col, "budget_ms", s->collector.budget_ms);
	cJSON_AddNumberToObject(col, "dump_ms", s->collector.dump_ms);
	cJSON_AddNumberToObject(col, "netns_total", (double)s->collector.netns_total);
	cJSON_AddNumberToObject(col, "netns_dumped", (double)s->collector.netns_dumped);
	add_str(col, "dump_mode", s->collector.dump_mode);
	add_str(col, "host_netns_from", s->collector.host_netns_from);
	cJSON_AddNumberToObject(col, "procs_denied", (double)s->collector.procs_denied);
	add_str(col, "note", s->collector.note);
	arr = cJSON_AddArrayToObject(root, "netns");
	for (i = 0; i < s->nrows; i++)
		cJSON_AddItemToArray(arr, row_json(&s->rows[i]));
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!out)
		cw_fatal("out of memory printing JSON");
	return out;
}
