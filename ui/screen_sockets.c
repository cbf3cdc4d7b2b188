/* screen_sockets: one namespace's sockets to one peer: queues, timers,
 * rtt and retransmits (tcp_info is asked for only while this screen is
 * open), uid, inode, and the process that holds each socket. */
#include "config.h"
#include "fmt.h"
#include "screen.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* ss's short state names: they fit a 10-cell column. */
static const char *short_state(unsigned st)
{
	static const char *const names[] = {
		"?", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT",
		"CLOSE", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING", "SYN-RECV",
	};

	return st < CW_ARRAY_LEN(names) ? names[st] : "?";
}

static int cmp_local(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	int d = memcmp(a->sock->src.bytes, b->sock->src.bytes, 16);

	return d ? d : cw_cmp_u32(a->sock->sport, b->sock->sport);
}

static int cmp_remote(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	int d = memcmp(a->sock->dst.bytes, b->sock->dst.bytes, 16);

	return d ? d : cw_cmp_u32(a->sock->dport, b->sock->dport);
}

#define CMP_FIELD(name, expr)                                                  \
	static int name(const struct cw_column *c, const struct cw_vrow *a,    \
			const struct cw_vrow *b)                               \
	{                                                                      \
		const struct cw_vrow *r = a;                                   \
		uint32_t x = (expr);                                           \
		r = b;                                                         \
		return cw_cmp_u32(x, (expr));                                  \
	}

CMP_FIELD(cmp_state, cw_tcp_state_slot(r->sock->state))
CMP_FIELD(cmp_rq, r->sock->rqueue)
CMP_FIELD(cmp_sq, r->sock->wqueue)
CMP_FIELD(cmp_timer, r->sock->expires_ms)
CMP_FIELD(cmp_rtt, r->sock->info.rtt_us)
CMP_FIELD(cmp_retrans, r->sock->info.total_retrans)
CMP_FIELD(cmp_last_snd, r->sock->info.last_data_sent_ms)
CMP_FIELD(cmp_last_rcv, r->sock->info.last_data_recv_ms)
CMP_FIELD(cmp_uid, r->sock->uid)
CMP_FIELD(cmp_inode, r->sock->inode)

static int cmp_proc(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	int d = cw_cmp_str(a->owner ? a->owner->comm : "", b->owner ? b->owner->comm : "");

	return d ? d : cw_cmp_u32(a->owner ? (uint32_t)a->owner->pid : 0,
				  b->owner ? (uint32_t)b->owner->pid : 0);
}

static void fmt_local(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	cw_fmt_endpoint(&r->sock->src, r->sock->sport, buf, n);
}

static void fmt_remote(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	cw_fmt_endpoint(&r->sock->dst, r->sock->dport, buf, n);
}

static void fmt_state(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	unsigned st = r->sock->state;

	snprintf(buf, n, "%s", short_state(st));
	if (st == CW_TCP_CLOSE_WAIT || st == CW_TCP_SYN_SENT)
		*role = CW_ROLE_WARN;
}

static void fmt_rq(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	cw_fmt_count(r->sock->rqueue, buf, n);
	if (r->sock->rqueue)
		*role = CW_ROLE_WARN; /* unread data: the application is not reading */
}

static void fmt_sq(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	cw_fmt_count(r->sock->wqueue, buf, n);
}

/* The kernel's timer kinds (idiag_timer), as ss names them. */
static void fmt_timer(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	static const char *const kinds[] = {"", "on", "keepalive", "timewait", "persist", "unknown"};
	char age[16];

	if (!r->sock->timer || r->sock->timer >= CW_ARRAY_LEN(kinds)) {
		buf[0] = '\0';
		return;
	}
	cw_fmt_age(r->sock->expires_ms, age, sizeof(age));
	snprintf(buf, n, "%.4s:%s", kinds[r->sock->timer], age);
}

static void fmt_info(const struct cw_vrow *r, uint32_t val, bool ms, char *buf, size_t n)
{
	if (!r->sock->has_info) {
		snprintf(buf, n, "-");
		return;
	}
	if (ms)
		cw_fmt_age(val, buf, n);
	else
		snprintf(buf, n, "%u", val);
}

static void fmt_rtt(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	if (!r->sock->has_info)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1fms", r->sock->info.rtt_us / 1000.0);
}

static void fmt_retrans(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	fmt_info(r, r->sock->info.total_retrans, false, buf, n);
	if (r->sock->has_info && r->sock->info.total_retrans)
		*role = CW_ROLE_WARN;
}

static void fmt_last_snd(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	fmt_info(r, r->sock->info.last_data_sent_ms, true, buf, n);
}

static void fmt_last_rcv(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	fmt_info(r, r->sock->info.last_data_recv_ms, true, buf, n);
}

static void fmt_uid(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%u", r->sock->uid);
}

static void fmt_inode(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%u", r->sock->inode);
}

static void fmt_proc(const struct cw_column *c, const struct cw_view *v,
			 const struct cw_vrow *r, char *buf, size_t n, enum cw_role *role)
{
	if (r->owner && r->owner->pid)
		snprintf(buf, n, "%s[%d]", r->owner->comm, (int)r->owner->pid);
	else if (!r->sock->inode)
		snprintf(buf, n, "-"); /* TIME_WAIT and request sockets belong to no process */
	else if (!r->owner)
		snprintf(buf, n, "...");
	else
		snprintf(buf, n, "?");
}

static const struct cw_column cols[] = {
	{"LOCAL", 0, 15, 0, CW_ALIGN_LEFT, true, false, CW_SLOT_NONE, cmp_local, fmt_local, "local address:port"},
	{"REMOTE", 0, 15, 0, CW_ALIGN_LEFT, true, false, CW_SLOT_NONE, cmp_remote, fmt_remote, "remote address:port"},
	{"STATE", 10, 0, 0, CW_ALIGN_LEFT, false, false, CW_SLOT_NONE, cmp_state, fmt_state, "TCP state"},
	{"RECV-Q", 6, 0, 0, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_rq, fmt_rq,
	 "bytes received, not read by the application (listeners: accept queue)"},
	{"SEND-Q", 6, 0, 0, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_sq, fmt_sq,
	 "bytes sent, not acknowledged (listeners: backlog)"},
	{"TIMER", 12, 0, 2, CW_ALIGN_LEFT, false, true, CW_SLOT_NONE, cmp_timer, fmt_timer,
	 "the pending timer (on: retransmit, keepalive, timewait, persist) and when it fires"},
	{"RTT", 8, 0, 2, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_rtt, fmt_rtt, "smoothed round-trip time"},
	{"RETRANS", 7, 0, 2, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_retrans, fmt_retrans, "total retransmits"},
	{"LAST_SND", 8, 0, 3, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_last_snd, fmt_last_snd, "since data was last sent"},
	{"LAST_RCV", 8, 0, 3, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_last_rcv, fmt_last_rcv,
	 "since data was last received"},
	{"UID", 6, 0, 4, CW_ALIGN_RIGHT, false, false, CW_SLOT_NONE, cmp_uid, fmt_uid, "owner uid"},
	{"INODE", 9, 0, 4, CW_ALIGN_RIGHT, false, false, CW_SLOT_NONE, cmp_inode, fmt_inode, "socket inode"},
	{"PROCESS", 0, 16, 0, CW_ALIGN_LEFT, true, false, CW_SLOT_NONE, cmp_proc, fmt_proc,
	 "the process holding it: comm[pid]"},
};

static bool faces(const struct cw_sock *s, const struct cw_peer *p)
{
	if (!cw_addr_equal(&s->dst, &p->addr))
		return false;
	return p->dir == CW_PEER_IN ? s->sport == p->port : s->dport == p->port;
}

static void build(struct cw_view *v)
{
	const struct cw_frame *f = &v->stack[v->depth];
	const struct cw_ns_row *ns = cw_view_context_row(v);
	size_t i;

	if (!ns) {
		snprintf(v->note, sizeof(v->note), "this namespace has vanished; Esc goes back");
		return;
	}
	if (!ns->socks) {
		snprintf(v->note, sizeof(v->note), "%s",
			 v->snap->replay.active ? "no socket list was recorded for this namespace at this time"
						: "collecting the socket list...");
		return;
	}
	for (i = 0; i < ns->nsocks; i++) {
		const struct cw_sock *s = &ns->socks[i];
		char l[64], rm[64], text[300];
		struct cw_vrow *r;

		if (s->state == CW_TCP_LISTEN || !faces(s, &f->peer))
			continue;
		cw_fmt_endpoint(&s->src, s->sport, l, sizeof(l));
		cw_fmt_endpoint(&s->dst, s->dport, rm, sizeof(rm));
		snprintf(text, sizeof(text), "%s %s %s %s", l, rm, short_state(s->state),
			 ns->owners && ns->owners[i].pid ? ns->owners[i].comm : "");
		if (!cw_view_filter_match(v, text))
			continue;
		r = cw_view_push_row(v, CW_VROW_SOCK);
		r->sock = s;
		r->owner = ns->owners ? &ns->owners[i] : NULL;
		r->text = cw_arena_strdup(&v->strings, text);
	}
	if (!v->nrows)
		snprintf(v->note, sizeof(v->note), "no sockets to this peer now");
}

static void key(const struct cw_vrow *r, struct cw_selkey *k)
{
	k->kind = r->kind;
	k->cookie = r->sock->cookie;
}

const struct cw_screen cw_screen_sockets = {
	.name = "sockets",
	.cols = cols,
	.ncols = CW_ARRAY_LEN(cols),
	.default_sort = "STATE",
	.build = build,
	.key = key,
	.enter = NULL,
};
