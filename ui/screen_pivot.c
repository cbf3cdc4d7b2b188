/* screen_pivot: the peer pivot, for "everyone is stuck on the same
 * database". The pivot lists every remote endpoint that a live namespace
 * faces, merged across namespaces: how many face it and their sockets per
 * state. Enter on an endpoint lists the namespaces that face it, each with
 * its own counts toward it; Enter on one of those opens its sockets to the
 * endpoint (the sockets screen, as from the peers screen).
 *
 * Vanished rows count for nothing here: their sockets are gone. A row whose
 * peer list was cut short (--peers) lists only its busiest peers, so it may
 * face an endpoint it does not list: the pivot marks those endpoints' pod
 * counts with a "+", and the note says how many rows are cut short.
 *
 * Loopback addresses are each namespace's own: 127.0.0.1:8080 in one pod is
 * not 127.0.0.1:8080 in another, so loopback endpoints are kept apart by
 * network namespace (hostNetwork pods share the host's), and named by it. */
#include "config.h"
#include "fmt.h"
#include "screen.h"
#include "table.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Endpoints compare by direction, address, then port (the peers list's key). */
static int endpoint_cmp(const struct cw_peer *a, const struct cw_peer *b)
{
	int c = (int)a->dir - (int)b->dir;

	if (!c)
		c = (int)a->addr.family - (int)b->addr.family;
	if (!c)
		c = memcmp(a->addr.bytes, b->addr.bytes, a->addr.family == AF_INET ? 4 : 16);
	if (!c)
		c = cw_cmp_u32(a->port, b->port);
	return c;
}

/* A row's list holds only its busiest peers. */
static bool cut_short(const struct cw_ns_row *row)
{
	return row->peers_all > row->npeers;
}

/* 127.0.0.0/8 and ::1, and ::ffff:127.0.0.0/104 should a v4-mapped
 * address come in unconverted (from JSON). */
static bool is_loopback(const struct cw_addr *a)
{
	static const uint8_t lo6[16] = {[15] = 1};
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

	if (a->family == AF_INET)
		return a->bytes[0] == 127;
	return memcmp(a->bytes, lo6, 16) == 0 ||
	       (memcmp(a->bytes, mapped, 12) == 0 && a->bytes[12] == 127);
}

/* The network namespace a row's peer belongs to: its netns inode for a
 * loopback address, 0 (the node) for any other. */
static uint64_t scope_of(const struct cw_peer *p, const struct cw_ns_row *row)
{
	return is_loopback(&p->addr) ? row->inode : 0;
}

/* The rows that count: live ones, with a peer list from a dump. */
static bool counts(const struct cw_ns_row *row)
{
	return !row->vanished && row->has_exact;
}

static int cmp_dir(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return (int)a->peer->dir - (int)b->peer->dir;
}

static void fmt_dir(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		    char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%s", cw_peer_dir_name(r->peer->dir));
}

static int cmp_endpoint(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	int d = (int)a->peer->addr.family - (int)b->peer->addr.family;

	if (!d)
		d = memcmp(a->peer->addr.bytes, b->peer->addr.bytes,
			   a->peer->addr.family == AF_INET ? 4 : 16);
	return d ? d : cw_cmp_u32(a->peer->port, b->peer->port);
}

/* The width the table gives a column now (its least before the first draw). */
static int column_width(const struct cw_view *v, const struct cw_column *c)
{
	const struct cw_screen *s = cw_screen_get(v->stack[v->depth].id);
	struct cw_layout l;
	size_t i;

	if (v->cols > 0) {
		cw_table_layout(s, v->cols, &l);
		for (i = 0; i < l.n; i++)
			if (&s->cols[l.col[i]] == c)
				return l.w[i];
	}
	return c->width ? c->width : c->min_width;
}

/* Cut in the middle when narrow (the column says so), so a long IPv6
 * address keeps its port: "[fd00:…:3:4]:5432". A loopback endpoint is
 * followed by its namespace's label, cut in the middle itself so that the
 * whole fits the column and the port stays: "127.0.0.1:8080 team…x2k4q". */
static void fmt_endpoint(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
			 char *buf, size_t n, enum cw_role *role)
{
	char ep[80], label[160];
	int room;

	cw_fmt_endpoint(&r->peer->addr, r->peer->port, ep, sizeof(ep));
	room = column_width(v, c) - cw_fmt_width(ep, v->cfg.utf8) - 1;
	if (!r->ns || room < 2) {
		snprintf(buf, n, "%s", ep);
		return;
	}
	cw_fmt_fit(r->ns->label, room, true, v->cfg.utf8, label, sizeof(label));
	snprintf(buf, n, "%s %s", ep, label);
}

/* A vrow's text is "endpoint" or "endpoint owner": the owner is what
 * follows the endpoint. */
static const char *owner_of(const struct cw_vrow *r)
{
	char ep[80];
	size_t l;

	cw_fmt_endpoint(&r->peer->addr, r->peer->port, ep, sizeof(ep));
	l = strlen(ep);
	return strncmp(r->text, ep, l) == 0 && r->text[l] == ' ' ? r->text + l + 1 : "";
}

static int cmp_owner(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_str(owner_of(a), owner_of(b));
}

static void fmt_owner(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		      char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%s", owner_of(r));
}

static int cmp_pods(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	int d = cw_cmp_u32((uint32_t)a->members, (uint32_t)b->members);

	return d ? d : (int)a->partial - (int)b->partial;
}

static void fmt_pods(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		     char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%zu%s", r->members, r->partial ? "+" : "");
}

#define COUNT(title, width, prio, slot, help) \
	{title, width, 0, prio, CW_ALIGN_RIGHT, false, true, slot, cw_col_cmp_count, cw_col_fmt_count, help}

static const struct cw_column pivot_cols[] = {
	{"DIR", 3, 0, 0, CW_ALIGN_LEFT, false, false, CW_SLOT_NONE, cmp_dir, fmt_dir,
	 "out: pods connected to it; in: it connected to the pods' listening port"},
	{"ENDPOINT", 0, 21, 0, CW_ALIGN_LEFT, true, false, CW_SLOT_NONE, cmp_endpoint, fmt_endpoint,
	 "remote address and port (the pods' own port, for inbound)"},
	{"PODS", 5, 0, 0, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_pods, fmt_pods,
	 "pods (and other namespaces) with sockets to it; + when a pod whose peer list is "
	 "cut short (--peers) may face it too"},
	COUNT("ESTAB", 6, 0, CW_TCP_ESTABLISHED, "ESTABLISHED sockets, all pods"),
	COUNT("SYN_SENT", 8, 0, CW_TCP_SYN_SENT, "unanswered connects, all pods"),
	COUNT("TIME_WAIT", 9, 0, CW_TCP_TIME_WAIT, "TIME_WAIT sockets, all pods"),
	COUNT("CLOSE_WAIT", 10, 0, CW_TCP_CLOSE_WAIT, "CLOSE_WAIT sockets, all pods"),
	COUNT("OTHER", 6, 2, CW_SLOT_OTHER, "every other state"),
	COUNT("TOTAL", 6, 0, CW_SLOT_TOTAL, "all sockets to it, all pods"),
	{"OWNER", 0, 16, 3, CW_ALIGN_LEFT, true, false, CW_SLOT_NONE, cmp_owner, fmt_owner,
	 "the pod or namespace on this node that has the address, if any"},
};

/* One peer of one row, to sort all peers of the node by endpoint. */
struct ref {
	const struct cw_peer *peer;
	const struct cw_ns_row *row;
	uint64_t scope;            /* scope_of() */
};

/* One endpoint: the same peer key in the same scope. */
static int group_cmp(const struct ref *x, const struct ref *y)
{
	int c = endpoint_cmp(x->peer, y->peer);

	return c ? c : (x->scope > y->scope) - (x->scope < y->scope);
}

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = group_cmp(x, y);

	/* Then in snapshot order, so a group's rows come out stable. */
	return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* The netns inodes of the rows cut short, sorted: how many of them are in
 * one namespace is the number that may face its loopback endpoints. */
struct cut_rows {
	uint64_t *inode;
	size_t n, cap;
};

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* How many rows cut short may face an endpoint of this scope. */
static size_t cut_in(const struct cut_rows *cut, uint64_t scope)
{
	size_t lo = 0, hi = cut->n, k;

	if (!scope)
		return cut->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cut->inode[mid] < scope)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < cut->n && cut->inode[k] == scope; k++)
		;
	return k - lo;
}

static void add_counts(struct cw_tcpcount *to, const struct cw_peer *p)
{
	unsigned k;

	for (k = 0; k < CW_TCP_NSTATES; k++)
		to->tcp[k] += p->tcp[k];
	to->total += p->total;
}

/* Pushes one endpoint's row from its group of refs. */
static void push_endpoint(struct cw_view *v, const struct ref *g, size_t n, const struct cut_rows *cut,
			  const struct cw_owned *owned, size_t nowned)
{
	const char *owner;
	char ep[80], text[300];
	size_t i, cut_here = 0;
	struct cw_vrow *r;

	/* A loopback endpoint belongs to its namespace: the first row in it
	 * (the host before its hostNetwork pods). */
	owner = g[0].scope ? g[0].row->label : cw_owned_find(owned, nowned, &g[0].peer->addr);
	cw_fmt_endpoint(&g[0].peer->addr, g[0].peer->port, ep, sizeof(ep));
	snprintf(text, sizeof(text), "%s%s%s", ep, owner ? " " : "", owner ? owner : "");
	if (!cw_view_filter_match(v, text))
		return;
	r = cw_view_push_row(v, CW_VROW_PEER);
	r->peer = g[0].peer;
	r->ns = g[0].scope ? g[0].row : NULL;
	r->text = cw_arena_strdup(&v->strings, text);
	r->has_cnt = true;
	for (i = 0; i < n; i++) {
		add_counts(&r->cnt, g[i].peer);
		/* a row lists an endpoint once: each ref is another row */
		r->members++;
		cut_here += cut_short(g[i].row);
	}
	/* Rows cut short that do not list it may still face it. */
	r->partial = cut_in(cut, g[0].scope) > cut_here;
}

static void pivot_build(struct cw_view *v)
{
	const struct cw_snapshot *s = v->snap;
	struct ref *refs = NULL;
	struct cut_rows cut = {NULL, 0, 0};
	struct cw_owned *owned;
	size_t cap = 0, n = 0, i, j, k, nowned;

	if (!s) {
		snprintf(v->note, sizeof(v->note), "collecting the first snapshot...");
		return;
	}
	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *row = &s->rows[i];

		if (!counts(row))
			continue;
		if (cut_short(row)) {
			cw_xgrow((void **)&cut.inode, &cut.cap, cut.n + 1, sizeof(*cut.inode));
			cut.inode[cut.n++] = row->inode;
		}
		for (k = 0; k < row->npeers; k++) {
			cw_xgrow((void **)&refs, &cap, n + 1, sizeof(*refs));
			refs[n].peer = &row->peers[k];
			refs[n].row = row;
			refs[n].scope = scope_of(&row->peers[k], row);
			n++;
		}
	}
	if (n > 1)
		qsort(refs, n, sizeof(*refs), ref_cmp);
	if (cut.n > 1)
		qsort(cut.inode, cut.n, sizeof(*cut.inode), u64_cmp);
	owned = cw_owned_index(s, 0, &nowned);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && group_cmp(&refs[i], &refs[j]) == 0; j++)
			;
		push_endpoint(v, refs + i, j - i, &cut, owned, nowned);
	}
	free(owned);
	free(refs);
	free(cut.inode);
	if (cut.n)
		snprintf(v->note, sizeof(v->note),
			 "%zu %s only %s busiest peers: + marks endpoints %s may face too", cut.n,
			 cut.n == 1 ? "row lists" : "rows list", cut.n == 1 ? "its" : "their",
			 cut.n == 1 ? "it" : "they");
	else if (!v->nrows)
		snprintf(v->note, sizeof(v->note), "no remote endpoints now");
}

static void pivot_key(const struct cw_vrow *r, struct cw_selkey *k)
{
	k->kind = r->kind;
	k->addr = r->peer->addr;
	k->port = r->peer->port;
	k->dir = r->peer->dir;
	k->inode = r->ns ? r->ns->inode : 0;
}

/* "10.96.3.4:5432", with " (in)" for inbound, and " on <namespace>" for
 * a loopback endpoint. */
static void crumb_of(const struct cw_peer *p, const char *on, char *buf, size_t n)
{
	char ep[80];

	cw_fmt_endpoint(&p->addr, p->port, ep, sizeof(ep));
	snprintf(buf, n, "%s%s%s%s", ep, p->dir == CW_PEER_IN ? " (in)" : "", on ? " on " : "",
		 on ? on : "");
}

static bool pivot_enter(struct cw_view *v, const struct cw_vrow *r)
{
	struct cw_peer peer = *r->peer;
	const struct cw_ns_row *scope = r->ns;
	struct cw_frame *f = cw_view_push_frame(v, CW_SCR_PIVOT_PODS);

	if (!f)
		return false;
	f->peer = peer;
	f->pod_inode = scope ? scope->inode : 0;
	crumb_of(&peer, scope ? scope->label : NULL, f->crumb, sizeof(f->crumb));
	return true;
}

const struct cw_screen cw_screen_pivot = {
	.name = "peer pivot",
	.cols = pivot_cols,
	.ncols = CW_ARRAY_LEN(pivot_cols),
	.default_sort = "TOTAL",
	.build = pivot_build,
	.key = pivot_key,
	.enter = pivot_enter,
};

/* --- the pods that face one endpoint --- */

static int cmp_label(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_str(cw_vrow_label(a), cw_vrow_label(b));
}

static void fmt_label(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		      char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%s", cw_vrow_label(r));
	*role = cw_vrow_role(v, r);
}

/* This pod's share of all the pods' sockets to the endpoint; the frame's
 * peer holds their sum (pods_build). */
static void fmt_share(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		      char *buf, size_t n, enum cw_role *role)
{
	uint32_t all = v->stack[v->depth].peer.total;

	*role = cw_vrow_role(v, r);
	if (!all) {
		snprintf(buf, n, "-");
		return;
	}
	snprintf(buf, n, "%.0f%%", 100.0 * r->cnt.total / all);
}

/* The pod's own sockets, all peers: how much of it this endpoint is. */
static int cmp_all(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_u32(a->ns->tcp.total, b->ns->tcp.total);
}

static void fmt_all(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		    char *buf, size_t n, enum cw_role *role)
{
	*role = cw_vrow_role(v, r);
	cw_fmt_count(r->ns->tcp.total, buf, n);
}

static const struct cw_column pods_cols[] = {
	/* wide enough at 80 columns to read a pod's name: OTHER and ALL go first */
	{"NAME", 0, 24, 0, CW_ALIGN_LEFT, true, false, CW_SLOT_NONE, cmp_label, fmt_label,
	 "namespace/pod (or the namespace) with sockets to the endpoint"},
	COUNT("ESTAB", 6, 0, CW_TCP_ESTABLISHED, "its ESTABLISHED sockets to the endpoint"),
	COUNT("SYN_SENT", 8, 0, CW_TCP_SYN_SENT, "its unanswered connects to the endpoint"),
	COUNT("TIME_WAIT", 9, 0, CW_TCP_TIME_WAIT, "its TIME_WAIT sockets to the endpoint"),
	COUNT("CLOSE_WAIT", 10, 0, CW_TCP_CLOSE_WAIT, "its CLOSE_WAIT sockets to the endpoint"),
	COUNT("OTHER", 6, 2, CW_SLOT_OTHER, "every other state"),
	COUNT("TOTAL", 6, 0, CW_SLOT_TOTAL, "its sockets to the endpoint"),
	{"SHARE", 5, 0, 1, CW_ALIGN_RIGHT, false, true, CW_SLOT_TOTAL, cw_col_cmp_count, fmt_share,
	 "its share of all the pods' sockets to the endpoint"},
	{"ALL", 6, 0, 2, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_all, fmt_all,
	 "all its TCP sockets, to every peer"},
};

/* The peer of row that is the endpoint, or NULL. */
static const struct cw_peer *find_peer(const struct cw_ns_row *row, const struct cw_peer *ep)
{
	size_t k;

	for (k = 0; k < row->npeers; k++)
		if (endpoint_cmp(&row->peers[k], ep) == 0)
			return &row->peers[k];
	return NULL;
}

static void pods_build(struct cw_view *v)
{
	const struct cw_snapshot *s = v->snap;
	struct cw_peer *ep = &v->stack[v->depth].peer;
	uint64_t scope = v->stack[v->depth].pod_inode;
	struct cw_tcpcount sum;
	size_t i, cut = 0, facing = 0;

	memset(&sum, 0, sizeof(sum));
	if (!s)
		return;
	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *row = &s->rows[i];
		const struct cw_peer *p;
		struct cw_vrow *r;

		/* a loopback endpoint: only its own namespace's rows */
		if (!counts(row) || (scope && row->inode != scope))
			continue;
		p = find_peer(row, ep);
		if (!p) {
			cut += cut_short(row);
			continue;
		}
		facing++;
		add_counts(&sum, p);
		if (!cw_view_filter_match(v, row->label))
			continue;
		r = cw_view_push_row(v, CW_VROW_NS);
		r->ns = row;
		r->peer = p;
		r->has_cnt = true;
		add_counts(&r->cnt, p);
	}
	/* The sum over every pod, filtered or not, for SHARE. */
	memcpy(ep->tcp, sum.tcp, sizeof(ep->tcp));
	ep->total = sum.total;
	if (cut)
		snprintf(v->note, sizeof(v->note), "%zu more %s only %s busiest peers and may face it too",
			 cut, cut == 1 ? "row lists" : "rows list", cut == 1 ? "its" : "their");
	else if (!facing)
		snprintf(v->note, sizeof(v->note), "no pod faces this endpoint now");
}

static void pods_key(const struct cw_vrow *r, struct cw_selkey *k)
{
	k->kind = r->kind;
	k->inode = r->ns->id;
}

/* As from the peers screen: the sockets of this pod toward the endpoint.
 * By row id, so a hostNetwork pod's row is the one opened. */
static bool pods_enter(struct cw_view *v, const struct cw_vrow *r)
{
	struct cw_peer peer = v->stack[v->depth].peer;
	uint64_t id = r->ns->id;
	const char *label = r->ns->label;
	struct cw_frame *f = cw_view_push_frame(v, CW_SCR_SOCKETS);

	if (!f)
		return false;
	f->pod_inode = id;
	f->peer = peer;
	snprintf(f->crumb, sizeof(f->crumb), "%s", label);
	return true;
}

const struct cw_screen cw_screen_pivot_pods = {
	.name = "endpoint's pods",
	.cols = pods_cols,
	.ncols = CW_ARRAY_LEN(pods_cols),
	.default_sort = "TOTAL",
	.build = pods_build,
	.key = pods_key,
	.enter = pods_enter,
};
