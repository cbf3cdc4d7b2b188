/* screen_peers: the remote endpoints of one namespace, per state. A peer
 * address that belongs to another namespace on this node is shown with
 * that namespace's label. */
#include "config.h"
#include "fmt.h"
#include "screen.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int cmp_dir(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return (int)a->peer->dir - (int)b->peer->dir;
}

static int cmp_remote(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_str(a->text, b->text);
}

static void fmt_dir(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		    char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%s", cw_peer_dir_name(r->peer->dir));
}

static void fmt_remote(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		       char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%s", r->text);
}

/* Share of the namespace's sockets that face this peer. */
static void fmt_share(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		      char *buf, size_t n, enum cw_role *role)
{
	const struct cw_ns_row *ns = cw_view_context_row(v);
	uint32_t all = ns ? ns->tcp.total : 0;

	if (!all) {
		snprintf(buf, n, "-");
		return;
	}
	snprintf(buf, n, "%.0f%%", 100.0 * r->cnt.total / all);
}

#define COUNT(title, width, prio, slot, help) \
	{title, width, 0, prio, CW_ALIGN_RIGHT, false, true, slot, cw_col_cmp_count, cw_col_fmt_count, help}

static const struct cw_column cols[] = {
	{"DIR", 3, 0, 0, CW_ALIGN_LEFT, false, false, CW_SLOT_NONE, cmp_dir, fmt_dir,
	 "out: we connected to it; in: it connected to one of our listening ports"},
	{"REMOTE", 0, 21, 0, CW_ALIGN_LEFT, false, false, CW_SLOT_NONE, cmp_remote, fmt_remote,
	 "remote address and port (ours, for inbound), and the pod it belongs to"},
	COUNT("ESTAB", 6, 0, CW_TCP_ESTABLISHED, "ESTABLISHED sockets"),
	COUNT("SYN_SENT", 8, 1, CW_TCP_SYN_SENT, "unanswered connects"),
	COUNT("TIME_WAIT", 9, 0, CW_TCP_TIME_WAIT, "TIME_WAIT sockets"),
	COUNT("CLOSE_WAIT", 10, 0, CW_TCP_CLOSE_WAIT, "CLOSE_WAIT sockets"),
	COUNT("OTHER", 6, 2, CW_SLOT_OTHER, "every other state"),
	COUNT("TOTAL", 6, 0, CW_SLOT_TOTAL, "all sockets to this peer"),
	{"SHARE", 5, 0, 1, CW_ALIGN_RIGHT, false, true, CW_SLOT_TOTAL, cw_col_cmp_count, fmt_share,
	 "this peer's share of the namespace's sockets"},
};

static void build(struct cw_view *v)
{
	const struct cw_ns_row *ns = cw_view_context_row(v);
	struct cw_owned *owned;
	size_t i, nowned;

	if (!ns) {
		snprintf(v->note, sizeof(v->note), "this namespace has vanished; Esc goes back");
		return;
	}
	owned = cw_owned_index(v->snap, ns->id, &nowned);
	if (!ns->has_exact)
		snprintf(v->note, sizeof(v->note), "waiting for the first exact count of this namespace");
	for (i = 0; i < ns->npeers; i++) {
		const struct cw_peer *p = &ns->peers[i];
		const char *owner = cw_owned_find(owned, nowned, &p->addr);
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
	free(owned);
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
	return cw_view_push_sockets(v, cw_view_top(v)->pod_inode, r->peer) != NULL;
}

const struct cw_screen cw_screen_peers = {
	.name = "peers",
	.cols = cols,
	.ncols = CW_ARRAY_LEN(cols),
	.default_sort = "TOTAL",
	.build = build,
	.key = key,
	.enter = enter,
};
