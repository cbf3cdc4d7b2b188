/* screen_peers: the remote endpoints of one namespace, per state. A peer
 * address that belongs to another namespace on this node is shown with
 * that namespace's label. */
#include "config.h"
#include "fmt.h"
#include "screen.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static uint32_t cnt(const struct cw_vrow *r, unsigned slot)
{
	return cw_tcpcount_get(&r->cnt, slot);
}

#define CMP_SLOT(name, slot)                                                   \
	static int name(const struct cw_vrow *a, const struct cw_vrow *b)      \
	{                                                                      \
		return cw_cmp_u32(cnt(a, slot), cnt(b, slot));                 \
	}

CMP_SLOT(cmp_estab, CW_TCP_ESTABLISHED)
CMP_SLOT(cmp_syn_sent, CW_TCP_SYN_SENT)
CMP_SLOT(cmp_time_wait, CW_TCP_TIME_WAIT)
CMP_SLOT(cmp_close_wait, CW_TCP_CLOSE_WAIT)
CMP_SLOT(cmp_total, CW_HIST_TOTAL)

static uint32_t other(const struct cw_vrow *r)
{
	return cnt(r, CW_HIST_TOTAL) - cnt(r, CW_TCP_ESTABLISHED) - cnt(r, CW_TCP_SYN_SENT) -
	       cnt(r, CW_TCP_TIME_WAIT) - cnt(r, CW_TCP_CLOSE_WAIT);
}

static int cmp_other(const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_u32(other(a), other(b));
}

static int cmp_dir(const struct cw_vrow *a, const struct cw_vrow *b)
{
	return (int)a->peer->dir - (int)b->peer->dir;
}

static int cmp_remote(const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_str(a->text, b->text);
}

static void fmt_dir(const struct cw_view *v, const struct cw_vrow *r, char *buf, size_t n,
		    enum cw_role *role)
{
	snprintf(buf, n, "%s", r->peer->dir == CW_PEER_IN ? "in" : "out");
}

static void fmt_remote(const struct cw_view *v, const struct cw_vrow *r, char *buf, size_t n,
		       enum cw_role *role)
{
	snprintf(buf, n, "%s", r->text);
}

static void fmt_num(uint32_t val, unsigned warn, char *buf, size_t n, enum cw_role *role)
{
	cw_fmt_count(val, buf, n);
	if (warn && val >= warn)
		*role = CW_ROLE_WARN;
}

#define FMT_SLOT(name, expr, warnfield)                                                      \
	static void name(const struct cw_view *v, const struct cw_vrow *r, char *buf, size_t n, \
			 enum cw_role *role)                                                 \
	{                                                                                    \
		fmt_num(expr, warnfield, buf, n, role);                                      \
	}

FMT_SLOT(fmt_estab, cnt(r, CW_TCP_ESTABLISHED), 0)
FMT_SLOT(fmt_syn_sent, cnt(r, CW_TCP_SYN_SENT), v->cfg.warn_syn_sent)
FMT_SLOT(fmt_time_wait, cnt(r, CW_TCP_TIME_WAIT), v->cfg.warn_time_wait)
FMT_SLOT(fmt_close_wait, cnt(r, CW_TCP_CLOSE_WAIT), v->cfg.warn_close_wait)
FMT_SLOT(fmt_other, other(r), 0)
FMT_SLOT(fmt_total, cnt(r, CW_HIST_TOTAL), 0)

/* Share of the namespace's sockets that face this peer. */
static void fmt_share(const struct cw_view *v, const struct cw_vrow *r, char *buf, size_t n,
		      enum cw_role *role)
{
	const struct cw_ns_row *ns = cw_view_context_row(v);
	uint32_t all = ns ? ns->tcp.total : 0;

	if (!all) {
		snprintf(buf, n, "-");
		return;
	}
	snprintf(buf, n, "%.0f%%", 100.0 * cnt(r, CW_HIST_TOTAL) / all);
}

static const struct cw_column cols[] = {
	{"DIR", 3, 0, 0, CW_ALIGN_LEFT, false, cmp_dir, fmt_dir,
	 "out: we connected to it; in: it connected to one of our listening ports"},
	{"REMOTE", 0, 21, 0, CW_ALIGN_LEFT, false, cmp_remote, fmt_remote,
	 "remote address and port (ours, for inbound), and the pod it belongs to"},
	{"ESTAB", 6, 0, 0, CW_ALIGN_RIGHT, true, cmp_estab, fmt_estab, "ESTABLISHED sockets"},
	{"SYN_SENT", 8, 0, 1, CW_ALIGN_RIGHT, true, cmp_syn_sent, fmt_syn_sent, "unanswered connects"},
	{"TIME_WAIT", 9, 0, 0, CW_ALIGN_RIGHT, true, cmp_time_wait, fmt_time_wait, "TIME_WAIT sockets"},
	{"CLOSE_WAIT", 10, 0, 0, CW_ALIGN_RIGHT, true, cmp_close_wait, fmt_close_wait,
	 "CLOSE_WAIT sockets"},
	{"OTHER", 6, 0, 2, CW_ALIGN_RIGHT, true, cmp_other, fmt_other, "every other state"},
	{"TOTAL", 6, 0, 0, CW_ALIGN_RIGHT, true, cmp_total, fmt_total, "all sockets to this peer"},
	{"SHARE", 5, 0, 1, CW_ALIGN_RIGHT, true, cmp_total, fmt_share,
	 "this peer's share of the namespace's sockets"},
};

/* The label of the namespace on this node that owns addr, if any. */
static const char *owner_of(const struct cw_snapshot *s, const struct cw_addr *addr, uint64_t self)
{
	size_t i, k;

	for (i = 0; i < s->nrows; i++) {
		if (s->rows[i].inode == self)
			continue;
		for (k = 0; k < s->rows[i].naddrs; k++)
			if (cw_addr_equal(&s->rows[i].addrs[k], addr))
				return s->rows[i].label;
	}
	return NULL;
}

static void build(struct cw_view *v)
{
	const struct cw_ns_row *ns = cw_view_context_row(v);
	size_t i;

	if (!ns) {
		snprintf(v->note, sizeof(v->note), "this namespace has vanished; Esc goes back");
		return;
	}
	if (!ns->has_exact)
		snprintf(v->note, sizeof(v->note), "waiting for the first exact count of this namespace");
	for (i = 0; i < ns->npeers; i++) {
		const struct cw_peer *p = &ns->peers[i];
		const char *owner = owner_of(v->snap, &p->addr, ns->inode);
		char ep[80], text[300];
		struct cw_vrow *r;
		unsigned k;

		cw_fmt_endpoint(&p->addr, p->port, ep, sizeof(ep));
		snprintf(text, sizeof(text), "%s%s%s", ep, owner ? " " : "", owner ? owner : "");
		if (!cw_view_filter_match(v, text))
			continue;
		r = cw_view_push_row(v, CW_VROW_PEER);
		r->peer = p;
		r->text = cw_arena_strdup(&v->strings, text);
		for (k = 0; k < CW_TCP_NSTATES; k++)
			r->cnt.tcp[k] = p->tcp[k];
		r->cnt.total = p->total;
		r->has_cnt = true;
	}
}

static void key(const struct cw_vrow *r, struct cw_selkey *k)
{
	k->kind = r->kind;
	k->addr = r->peer->addr;
	k->port = r->peer->port;
	k->dir = r->peer->dir;
}

static bool enter(struct cw_view *v, const struct cw_vrow *r)
{
	uint64_t inode = cw_view_top(v)->pod_inode;
	struct cw_peer peer = *r->peer;
	struct cw_frame *f = cw_view_push_frame(v, CW_SCR_SOCKETS);

	if (!f)
		return false;
	f->pod_inode = inode;
	f->peer = peer;
	{
		char ep[80];

		cw_fmt_endpoint(&peer.addr, peer.port, ep, sizeof(ep));
		snprintf(f->crumb, sizeof(f->crumb), "%s%s", ep, peer.dir == CW_PEER_IN ? " (in)" : "");
	}
	return true;
}

const struct cw_screen cw_screen_peers = {
	.name = "peers",
	.cols = cols,
	.ncols = CW_ARRAY_LEN(cols),
	.default_sort = 7, /* TOTAL */
	.build = build,
	.key = key,
	.enter = enter,
};
