/* view: screen stack, rows, sort, filter, search and selection. No curses. */
#include "config.h"
#include "view.h"
#include "bundle.h"
#include "screen.h"
#include "fmt.h"
#include "util.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>


const struct cw_screen *cw_screen_get(enum cw_screen_id id)
{
	switch (id) {
	case CW_SCR_PEERS: return &cw_screen_peers;
	case CW_SCR_SOCKETS: return &cw_screen_sockets;
	case CW_SCR_NODE: return &cw_screen_node;
	case CW_SCR_HELP: return &cw_screen_help;
	case CW_SCR_PIVOT: return &cw_screen_pivot;
	case CW_SCR_PIVOT_PODS: return &cw_screen_pivot_pods;
	case CW_SCR_FINDINGS: return &cw_screen_findings;
	case CW_SCR_TRANS: return &cw_screen_trans;
	default: return &cw_screen_pods;
	}
}

int cw_screen_column(const struct cw_screen *s, const char *title)
{
	size_t i;

	for (i = 0; title && i < s->ncols; i++)
		if (strcasecmp(s->cols[i].title, title) == 0)
			return (int)i;
	return -1;
}

/* The column a screen is sorted by at first. */
static int default_sort(const struct cw_screen *s)
{
	int c = cw_screen_column(s, s->default_sort);

	return c < 0 ? 0 : c;
}

struct cw_frame *cw_view_top(struct cw_view *v)
{
	return &v->stack[v->depth];
}

void cw_view_init(struct cw_view *v, const struct cw_view_cfg *cfg)
{
	memset(v, 0, sizeof(*v));
	v->cfg = *cfg;
	v->stack[0].id = CW_SCR_PODS;
	v->stack[0].sort = default_sort(&cw_screen_pods);
	snprintf(v->stack[0].crumb, sizeof(v->stack[0].crumb), "node");
	v->page = 10;
	v->dirty = true;
}

void cw_view_done(struct cw_view *v)
{
	cw_snapshot_unref(v->snap);
	cw_arena_done(&v->strings);
	free(v->rows);
	memset(v, 0, sizeof(*v));
}

void cw_view_set_snapshot(struct cw_view *v, struct cw_snapshot *s)
{
	if (!s)
		return;
	/* A replay's pause holds its place, and what comes is what was asked. */
	if (s->replay.active)
		cw_view_replay_took(v, s);
	else if (v->paused)
		return;
	if (!v->snap)
		v->started_ms = s->time_ms;
	cw_snapshot_unref(v->snap);
	v->snap = cw_snapshot_ref(s);
	cw_view_rebuild(v);
}

struct cw_vrow *cw_view_push_row(struct cw_view *v, enum cw_vrow_kind kind)
{
	struct cw_vrow *r;

	cw_xgrow((void **)&v->rows, &v->caprows, v->nrows + 1, sizeof(*v->rows));
	r = &v->rows[v->nrows++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	return r;
}

bool cw_view_filter_match(const struct cw_view *v, const char *label)
{
	const char *f = v->stack[v->depth].filter;
	bool neg = f[0] == '!';

	if (neg)
		f++;
	if (!f[0])
		return true;
	return (strcasestr(label ? label : "", f) != NULL) != neg;
}

const struct cw_ns_row *cw_view_context_row(const struct cw_view *v)
{
	const struct cw_frame *f = &v->stack[v->depth];

	if (!v->snap)
		return NULL;
	return cw_snapshot_find(v->snap, f->pod_inode);
}

void cw_fmt_endpoint(const struct cw_addr *a, uint16_t port, char *buf, size_t n)
{
	char s[INET6_ADDRSTRLEN];

	cw_addr_str(a, s, sizeof(s));
	if (a->family == AF_INET6)
		snprintf(buf, n, "[%s]:%u", s, port);
	else
		snprintf(buf, n, "%s:%u", s, port);
}

/* Every namespace's own addresses, sorted, to name a peer's pod with one
 * binary search instead of a walk over all rows for each peer. */
struct cw_owned {
	struct cw_addr addr;
	size_t row;        /* the first row that has it wins, as in snapshot order */
	const char *label;
};

static int owned_cmp(const void *a, const void *b)
{
	const struct cw_owned *x = a, *y = b;
	int c = (int)x->addr.family - (int)y->addr.family;

	if (!c)
		c = memcmp(x->addr.bytes, y->addr.bytes, sizeof(x->addr.bytes));
	return c ? c : (x->row > y->row) - (x->row < y->row);
}

struct cw_owned *cw_owned_index(const struct cw_snapshot *s, uint64_t self, size_t *n)
{
	struct cw_owned *v = NULL;
	size_t i, k, cap = 0;

	*n = 0;
	for (i = 0; i < s->nrows; i++) {
		/* A hostNetwork pod's addresses are the host's: name them "host". */
		if (s->rows[i].id == self || s->rows[i].kind == CW_KIND_HOSTNET_POD)
			continue;
		for (k = 0; k < s->rows[i].naddrs; k++) {
			cw_xgrow((void **)&v, &cap, *n + 1, sizeof(*v));
			memset(&v[*n], 0, sizeof(*v));
			v[*n].addr.family = s->rows[i].addrs[k].family;
			memcpy(v[*n].addr.bytes, s->rows[i].addrs[k].bytes,
			       s->rows[i].addrs[k].family == AF_INET ? 4 : 16);
			v[*n].row = i;
			v[*n].label = s->rows[i].label;
			(*n)++;
		}
	}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), owned_cmp);
	return v;
}

const char *cw_owned_find(const struct cw_owned *v, size_t n, const struct cw_addr *addr)
{
	struct cw_owned key;
	size_t lo = 0, hi = n;

	memset(&key, 0, sizeof(key));
	key.addr.family = addr->family;
	memcpy(key.addr.bytes, addr->bytes, addr->family == AF_INET ? 4 : 16);
	/* the first entry not below (addr, row 0): the lowest row with addr */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (owned_cmp(&v[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && v[lo].addr.family == key.addr.family &&
	    memcmp(v[lo].addr.bytes, key.addr.bytes, sizeof(key.addr.bytes)) == 0)
		return v[lo].label;
	return NULL;
}

int cw_cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

int cw_cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* A namespace not dumped yet still has its cheap counters, which give
 * TIME_WAIT exactly and ESTABLISHED + CLOSE_WAIT together (CurrEstab). */
static bool pending_known(const struct cw_vrow *r, int slot, uint64_t *v, bool *bound)
{
	const struct cw_counters *k;

	if (r->has_cnt || r->kind != CW_VROW_NS || !r->ns || !r->ns->counters.valid)
		return false;
	k = &r->ns->counters;
	*bound = false;
	if (slot == CW_TCP_TIME_WAIT) {
		*v = k->tw;
		return true;
	}
	if (slot == CW_TCP_ESTABLISHED || slot == CW_TCP_CLOSE_WAIT) {
		*v = k->curr_estab;
		*bound = true; /* at most: the two together */
		return true;
	}
	return false;
}

uint32_t cw_vrow_value(const struct cw_vrow *r, int slot)
{
	const struct cw_tcpcount *c = &r->cnt;
	uint64_t pv;
	bool bound;

	if (pending_known(r, slot, &pv, &bound))
		return pv > UINT32_MAX ? UINT32_MAX : (uint32_t)pv;
	switch (slot) {
	case CW_SLOT_NONE:
		return 0;
	case CW_SLOT_FIN_WAIT:
		return c->tcp[CW_TCP_FIN_WAIT1] + c->tcp[CW_TCP_FIN_WAIT2];
	case CW_SLOT_OTHER:
		return c->total - c->tcp[CW_TCP_ESTABLISHED] - c->tcp[CW_TCP_SYN_SENT] -
		       c->tcp[CW_TCP_TIME_WAIT] - c->tcp[CW_TCP_CLOSE_WAIT];
	default:
		return cw_tcpcount_get(c, (unsigned)slot);
	}
}

int cw_col_cmp_count(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_u32(cw_vrow_value(a, c->slot), cw_vrow_value(b, c->slot));
}

bool cw_vrow_stale(const struct cw_view *v, const struct cw_vrow *r)
{
	(void)v;
	/* Not dumped on this tick: its counts are as old as its last dump
	 * (live event counts are this tick's: their age is 0). */
	return r->kind == CW_VROW_NS && r->ns->has_exact && r->ns->exact_age_ms > 0;
}

enum cw_role cw_vrow_role(const struct cw_view *v, const struct cw_vrow *r)
{
	if (r->kind == CW_VROW_GONE)
		return CW_ROLE_GONE;
	if (r->kind == CW_VROW_GROUP)
		return CW_ROLE_GROUP;
	if (cw_vrow_stale(v, r))
		return CW_ROLE_STALE;
	return CW_ROLE_NORMAL;
}

/* The threshold of a slot, 0 for none. */
static unsigned warn_of(const struct cw_view *v, int slot)
{
	switch (slot) {
	case CW_TCP_SYN_SENT: return v->cfg.warn_syn_sent;
	case CW_TCP_TIME_WAIT: return v->cfg.warn_time_wait;
	case CW_TCP_CLOSE_WAIT: return v->cfg.warn_close_wait;
	default: return 0;
	}
}

void cw_col_fmt_count(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		      char *buf, size_t n, enum cw_role *role)
{
	uint32_t val = cw_vrow_value(r, c->slot);
	unsigned warn = warn_of(v, c->slot);

	*role = cw_vrow_role(v, r);
	if (!r->has_cnt) {
		uint64_t pv;
		bool bound;
		char num[32];

		/* Not dumped yet: what the cheap counters say, and the rest
		 * pending (the first screen comes before the first dumps). */
		if (pending_known(r, c->slot, &pv, &bound)) {
			cw_fmt_count(pv, num, sizeof(num));
			snprintf(buf, n, "%s%s", bound ? (v->cfg.utf8 ? "≤" : "<") : "", num);
		} else {
			snprintf(buf, n, "%s", r->kind == CW_VROW_NS && r->ns && r->ns->counters.valid
						       ? (v->cfg.utf8 ? "…" : "?") : "-");
		}
		return;
	}
	cw_fmt_count(val, buf, n);
	/* A row not dumped this tick is dimmed, but its TIME_WAIT came from
	 * this tick's counters: that cell is current, and drawn so. */
	if (*role == CW_ROLE_STALE && c->slot == CW_TCP_TIME_WAIT && r->ns->tw_current)
		*role = CW_ROLE_NORMAL;
	if (warn && val >= warn && r->kind != CW_VROW_GONE)
		*role = CW_ROLE_WARN;
}

const char *cw_vrow_label(const struct cw_vrow *r)
{
	if (r->kind == CW_VROW_NS || r->kind == CW_VROW_TRANS)
		return r->ns->label;
	return r->text ? r->text : "";
}

/* --- sorting: a stable merge sort with a context, so equal rows keep
 * their place between refreshes instead of jumping around. */

struct sort_ctx {
	const struct cw_column *col;
	bool desc;
};

static int row_cmp(const struct sort_ctx *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	int r = c->col->cmp ? c->col->cmp(c->col, a, b) : 0;

	if (r)
		return c->desc ? -r : r;
	return strcmp(cw_vrow_label(a), cw_vrow_label(b));
}

static void msort(struct cw_vrow *v, size_t n, struct cw_vrow *tmp, const struct sort_ctx *c)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	msort(v, h, tmp, c);
	msort(v + h, n - h, tmp, c);
	while (i < h && j < n)
		tmp[k++] = row_cmp(c, &v[j], &v[i]) < 0 ? v[j++] : v[i++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/* Sorts rows; in tree mode a depth-0 row and the deeper rows after it move
 * as one unit, and the deeper rows are sorted among themselves. */
static void sort_rows(struct cw_view *v, const struct sort_ctx *c)
{
	struct cw_vrow *tmp, *out;
	size_t i, j, nunits = 0, o = 0;
	struct unit { size_t start, len; } *units;

	if (v->nrows < 2)
		return;
	tmp = cw_xmalloc(v->nrows * sizeof(*tmp));
	for (i = 0; i < v->nrows; i++)
		if (v->rows[i].depth > 0)
			break;
	if (i == v->nrows) {
		msort(v->rows, v->nrows, tmp, c);
		free(tmp);
		return;
	}
	units = cw_xmalloc(v->nrows * sizeof(*units));
	for (i = 0; i < v->nrows; i = j) {
		for (j = i + 1; j < v->nrows && v->rows[j].depth > 0; j++)
			;
		msort(v->rows + i + 1, j - i - 1, tmp, c);
		units[nunits++] = (struct unit){i, j - i};
	}
	/* Sort the units by their head rows: sort heads carrying their index. */
	{
		struct cw_vrow *heads = cw_xmalloc(nunits * sizeof(*heads));

		for (i = 0; i < nunits; i++) {
			heads[i] = v->rows[units[i].start];
			heads[i].members = i; /* borrowed slot: the unit index */
		}
		msort(heads, nunits, tmp, c);
		out = cw_xmalloc(v->nrows * sizeof(*out));
		for (i = 0; i < nunits; i++) {
			const struct unit *u = &units[heads[i].members];

			memcpy(out + o, v->rows + u->start, u->len * sizeof(*out));
			o += u->len;
		}
		memcpy(v->rows, out, v->nrows * sizeof(*out));
		free(out);
		free(heads);
	}
	free(units);
	free(tmp);
}

/* Marks the last row of each group, once the rows are in their final
 * order, so the tree can close the group with its corner. */
static void mark_last(struct cw_view *v)
{
	size_t i;

	for (i = 0; i < v->nrows; i++)
		v->rows[i].last = v->rows[i].depth > 0 &&
				  (i + 1 == v->nrows || v->rows[i + 1].depth < v->rows[i].depth);
}

static bool key_eq(const struct cw_selkey *a, const struct cw_selkey *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case CW_VROW_NS:
	case CW_VROW_GONE:
		return a->inode == b->inode;
	case CW_VROW_GROUP:
		return strcmp(a->group, b->group) == 0;
	case CW_VROW_PEER:
		/* inode: the namespace of a loopback endpoint on the pivot */
		return a->dir == b->dir && a->port == b->port && a->inode == b->inode &&
		       cw_addr_equal(&a->addr, &b->addr);
	case CW_VROW_SOCK:
		return a->cookie == b->cookie;
	case CW_VROW_FINDING:
		return a->inode == b->inode && a->cookie == b->cookie && a->dir == b->dir &&
		       a->port == b->port && cw_addr_equal(&a->addr, &b->addr);
	case CW_VROW_TRANS:
		return a->inode == b->inode && a->port == b->port && strcmp(a->group, b->group) == 0;
	default:
		return false;
	}
}

static void remember_selection(struct cw_view *v)
{
	struct cw_frame *f = cw_view_top(v);
	const struct cw_screen *scr = cw_screen_get(f->id);

	memset(&f->key, 0, sizeof(f->key));
	if (f->sel < v->nrows && scr->key)
		scr->key(&v->rows[f->sel], &f->key);
	else
		f->key.kind = CW_VROW_TEXT;
}

static void fix_scroll(struct cw_view *v)
{
	struct cw_frame *f = cw_view_top(v);
	size_t page = v->page > 0 ? (size_t)v->page : 1;

	if (f->sel >= v->nrows)
		f->sel = v->nrows ? v->nrows - 1 : 0;
	if (f->sel < f->top)
		f->top = f->sel;
	if (f->sel >= f->top + page)
		f->top = f->sel - page + 1;
	if (f->top + page > v->nrows)
		f->top = v->nrows > page ? v->nrows - page : 0;
}

void cw_view_rebuild(struct cw_view *v)
{
	struct cw_frame *f = cw_view_top(v);
	const struct cw_screen *scr = cw_screen_get(f->id);
	struct sort_ctx c;
	size_t i;

	cw_arena_done(&v->strings);
	v->nrows = 0;
	v->note[0] = '\0';
	scr->build(v);
	if (f->id != CW_SCR_HELP && scr->ncols) {
		if (f->sort < 0 || (size_t)f->sort >= scr->ncols)
			f->sort = default_sort(scr);
		c.col = &scr->cols[f->sort];
		c.desc = c.col->desc != f->invert;
		sort_rows(v, &c);
	}
	mark_last(v);
	/* Keep the selection on the same thing, wherever it moved. */
	if (scr->key && f->key.kind != CW_VROW_TEXT) {
		for (i = 0; i < v->nrows; i++) {
			struct cw_selkey k;

			memset(&k, 0, sizeof(k));
			scr->key(&v->rows[i], &k);
			if (key_eq(&k, &f->key)) {
				f->sel = i;
				break;
			}
		}
	}
	fix_scroll(v);
	remember_selection(v);
	v->dirty = true;
}

const struct cw_vrow *cw_view_selected(const struct cw_view *v)
{
	const struct cw_frame *f = &v->stack[v->depth];

	return f->sel < v->nrows ? &v->rows[f->sel] : NULL;
}

void cw_view_wants(const struct cw_view *v, struct cw_wants *w)
{
	const struct cw_frame *f = &v->stack[v->depth];
	const struct cw_vrow *r = cw_view_selected(v);
	int i;

	memset(w, 0, sizeof(*w));
	if (f->id == CW_SCR_PODS && r && r->kind == CW_VROW_NS)
		w->focus_id = r->ns->id;
	/* The pods of an endpoint: keep the selected one's sockets, so Enter
	 * shows them at once. */
	if (f->id == CW_SCR_PIVOT_PODS && r && r->kind == CW_VROW_NS)
		w->focus_id = w->sockets_id = r->ns->id;
	/* The selected finding's row: dumped every tick, and its sockets kept
	 * when the finding names a peer, so Enter shows them at once. */
	if (f->id == CW_SCR_FINDINGS && r && r->kind == CW_VROW_FINDING && r->finding->id) {
		w->focus_id = r->finding->id;
		if (r->finding->has_peer)
			w->sockets_id = r->finding->id;
	}
	for (i = v->depth; i >= 0; i--) {
		const struct cw_frame *g = &v->stack[i];

		/* Frames under a pivot or the findings belong to the screens
		 * they were opened from. */
		if (g->id == CW_SCR_PIVOT || g->id == CW_SCR_FINDINGS)
			break;
		if (g->id == CW_SCR_PEERS || g->id == CW_SCR_SOCKETS) {
			w->focus_id = g->pod_inode;
			/* The list is kept from the peers screen on, so Enter
			 * shows sockets at once; details only when shown. */
			w->sockets_id = g->pod_inode;
			w->sockets_info = w->sockets_info || g->id == CW_SCR_SOCKETS;
		}
	}
	if (v->replay) {
		w->replay_steer = true;
		w->replay_index = v->replay_target;
		w->replay_time_ms = v->replay_seek_ms;
		w->replay_gen = v->replay_gen;
	}
}

void cw_view_move(struct cw_view *v, long delta)
{
	struct cw_frame *f = cw_view_top(v);

	if (!v->nrows)
		return;
	if (delta == LONG_MIN)
		f->sel = 0;
	else if (delta == LONG_MAX)
		f->sel = v->nrows - 1;
	else if (delta < 0)
		f->sel = (size_t)-delta > f->sel ? 0 : f->sel - (size_t)-delta;
	else
		f->sel = f->sel + (size_t)delta >= v->nrows ? v->nrows - 1 : f->sel + (size_t)delta;
	fix_scroll(v);
	remember_selection(v);
	v->dirty = true;
}

void cw_view_select(struct cw_view *v, size_t row)
{
	struct cw_frame *f = cw_view_top(v);

	if (row >= v->nrows)
		return;
	f->sel = row;
	fix_scroll(v);
	remember_selection(v);
	v->dirty = true;
}

/* Pushes a frame for a screen; the caller fills the context. */
static struct cw_frame *push(struct cw_view *v, enum cw_screen_id id)
{
	struct cw_frame *f;

	if (v->depth + 1 >= (int)CW_ARRAY_LEN(v->stack))
		return NULL;
	f = &v->stack[++v->depth];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->sort = default_sort(cw_screen_get(id));
	f->key.kind = CW_VROW_TEXT;
	return f;
}

struct cw_frame *cw_view_push_frame(struct cw_view *v, enum cw_screen_id id)
{
	return push(v, id);
}

struct cw_frame *cw_view_push_sockets(struct cw_view *v, uint64_t pod_id, const struct cw_peer *peer)
{
	struct cw_peer p = *peer; /* it may point into the frame being reused */
	struct cw_frame *f = push(v, CW_SCR_SOCKETS);
	char ep[80];

	if (!f)
		return NULL;
	f->pod_inode = pod_id;
	f->peer = p;
	cw_fmt_endpoint(&p.addr, p.port, ep, sizeof(ep));
	snprintf(f->crumb, sizeof(f->crumb), "%s%s", ep, p.dir == CW_PEER_IN ? " (in)" : "");
	return f;
}

void cw_view_enter(struct cw_view *v)
{
	struct cw_frame *f = cw_view_top(v);
	const struct cw_screen *scr = cw_screen_get(f->id);
	const struct cw_vrow *r = cw_view_selected(v);

	if (!r || !scr->enter || !scr->enter(v, r))
		return;
	cw_view_rebuild(v);
}

void cw_view_back(struct cw_view *v)
{
	if (v->depth == 0)
		return;
	v->depth--;
	v->msg[0] = '\0';
	cw_view_rebuild(v);
}

void cw_view_help(struct cw_view *v)
{
	if (cw_view_top(v)->id == CW_SCR_HELP)
		return;
	if (push(v, CW_SCR_HELP)) {
		snprintf(cw_view_top(v)->crumb, sizeof(cw_view_top(v)->crumb), "help");
		cw_view_rebuild(v);
	}
}

void cw_view_open(struct cw_view *v, enum cw_screen_id id, const char *crumb)
{
	struct cw_frame *f;
	int i;

	for (i = v->depth; i >= 0; i--)
		if (v->stack[i].id == id) {
			v->depth = i;
			v->msg[0] = '\0';
			cw_view_rebuild(v);
			return;
		}
	f = push(v, id);
	if (!f)
		return;
	snprintf(f->crumb, sizeof(f->crumb), "%s", crumb);
	cw_view_rebuild(v);
}

void cw_view_sort_step(struct cw_view *v, int delta)
{
	struct cw_frame *f = cw_view_top(v);
	const struct cw_screen *scr = cw_screen_get(f->id);
	int n = (int)scr->ncols;

	if (!n)
		return;
	f->sort = ((f->sort + delta) % n + n) % n;
	f->invert = false;
	snprintf(v->msg, sizeof(v->msg), "sorted by %s", scr->cols[f->sort].title);
	cw_view_rebuild(v);
}

void cw_view_sort_invert(struct cw_view *v)
{
	cw_view_top(v)->invert = !cw_view_top(v)->invert;
	cw_view_rebuild(v);
}

bool cw_view_sort_by(struct cw_view *v, const char *title)
{
	struct cw_frame *f = cw_view_top(v);
	int c = cw_screen_column(cw_screen_get(f->id), title);

	if (c < 0)
		return false;
	/* htop: choosing the sort column again inverts it */
	f->invert = f->sort == c ? !f->invert : false;
	f->sort = c;
	cw_view_rebuild(v);
	return true;
}

void cw_view_toggle_tree(struct cw_view *v)
{
	v->tree = !v->tree;
	cw_view_rebuild(v);
}

void cw_view_bundle(struct cw_view *v)
{
	const struct cw_vrow *r = cw_view_selected(v);
	const struct cw_frame *f = &v->stack[v->depth];
	struct cw_bundle_paths p;
	uint64_t id = 0;
	char *cause = NULL;
	int i;

	v->dirty = true;
	if (r && (r->kind == CW_VROW_NS || r->kind == CW_VROW_GONE) && r->ns)
		id = r->ns->id;
	for (i = v->depth; !id && i >= 0; i--)
		if (v->stack[i].id == CW_SCR_PEERS || v->stack[i].id == CW_SCR_SOCKETS)
			id = v->stack[i].pod_inode;
	(void)f;
	if (!v->snap || !id) {
		snprintf(v->msg, sizeof(v->msg), "bundle: select a pod first");
		return;
	}
	if (cw_bundle_write(v->snap, id, v->cfg.bundle_dir ? v->cfg.bundle_dir : ".", &p, &cause) < 0) {
		snprintf(v->msg, sizeof(v->msg), "bundle: %.180s", cause);
		free(cause);
		return;
	}
	{
		/* The message names the files; the status line fits what it can. */
		const char *base = strrchr(p.json, '/') ? strrchr(p.json, '/') + 1 : p.json;
		int blen = (int)strlen(base) - 5; /* without ".json" */

		snprintf(v->msg, sizeof(v->msg), "bundle: %.*s.json and .md in %.60s", blen > 120 ? 120 : blen,
			 base, v->cfg.bundle_dir ? v->cfg.bundle_dir : ".");
	}
}

void cw_view_toggle_pause(struct cw_view *v)
{
	v->paused = !v->paused;
	v->dirty = true;
}

void cw_view_set_filter(struct cw_view *v, const char *text)
{
	struct cw_frame *f = cw_view_top(v);

	snprintf(f->filter, sizeof(f->filter), "%s", text ? text : "");
	cw_view_rebuild(v);
}

bool cw_view_search_next(struct cw_view *v, bool include_current)
{
	struct cw_frame *f = cw_view_top(v);
	size_t i, k;

	if (!v->search[0] || !v->nrows)
		return false;
	for (k = include_current ? 0 : 1; k <= v->nrows; k++) {
		i = (f->sel + k) % v->nrows;
		if (strcasestr(cw_vrow_label(&v->rows[i]), v->search)) {
			cw_view_select(v, i);
			return true;
		}
	}
	return false;
}

const char *cw_view_input_text(const struct cw_view *v)
{
	if (v->input == CW_INPUT_GOTO)
		return v->goto_text;
	if (v->input == CW_INPUT_SEARCH)
		return v->search;
	if (v->input == CW_INPUT_FILTER)
		return v->stack[v->depth].filter;
	return NULL;
}

void cw_view_input_start(struct cw_view *v, enum cw_input mode)
{
	if (mode == CW_INPUT_GOTO && !v->replay) {
		snprintf(v->msg, sizeof(v->msg), "going to a time works in a replay (--replay FILE)");
		v->dirty = true;
		return;
	}
	v->input = mode;
	if (mode == CW_INPUT_SEARCH)
		v->search[0] = '\0';
	if (mode == CW_INPUT_GOTO)
		v->goto_text[0] = '\0';
	v->dirty = true;
}

static void after_input(struct cw_view *v)
{
	if (v->input == CW_INPUT_FILTER)
		cw_view_rebuild(v);
	else if (v->input == CW_INPUT_SEARCH && !cw_view_search_next(v, true) && v->search[0])
		snprintf(v->msg, sizeof(v->msg), "not found: %s", v->search);
	v->dirty = true;
}

/* The buffer being typed into, and its size. */
static char *input_buf(struct cw_view *v, size_t *cap)
{
	if (v->input == CW_INPUT_GOTO) {
		*cap = sizeof(v->goto_text);
		return v->goto_text;
	}
	if (v->input == CW_INPUT_SEARCH) {
		*cap = sizeof(v->search);
		return v->search;
	}
	*cap = sizeof(cw_view_top(v)->filter);
	return cw_view_top(v)->filter;
}

void cw_view_input_char(struct cw_view *v, const char *utf8)
{
	size_t cap;
	char *t = input_buf(v, &cap);
	size_t l = strlen(t), n = strlen(utf8);

	if (v->input == CW_INPUT_NONE || l + n + 1 > cap)
		return;
	memcpy(t + l, utf8, n + 1);
	v->msg[0] = '\0';
	after_input(v);
}

void cw_view_input_erase(struct cw_view *v)
{
	size_t l, cap;
	char *t = input_buf(v, &cap);

	if (v->input == CW_INPUT_NONE)
		return;
	l = strlen(t);
	/* Remove a whole UTF-8 character. */
	while (l > 0 && ((unsigned char)t[l - 1] & 0xc0) == 0x80)
		l--;
	if (l > 0)
		l--;
	t[l] = '\0';
	after_input(v);
}

void cw_view_input_accept(struct cw_view *v)
{
	if (v->input == CW_INPUT_GOTO && v->goto_text[0] && !cw_view_replay_goto(v, v->goto_text))
		snprintf(v->msg, sizeof(v->msg), "not a time: %.40s (HH:MM:SS or YYYY-MM-DDTHH:MM:SS)",
			 v->goto_text);
	v->input = CW_INPUT_NONE;
	v->dirty = true;
}

void cw_view_input_cancel(struct cw_view *v)
{
	if (v->input == CW_INPUT_GOTO) {
		v->input = CW_INPUT_NONE;
		v->dirty = true;
		return;
	}
	if (v->input == CW_INPUT_FILTER) {
		v->input = CW_INPUT_NONE;
		cw_view_set_filter(v, "");
		return;
	}
	v->input = CW_INPUT_NONE;
	v->search[0] = '\0';
	v->dirty = true;
}

void cw_view_breadcrumb(const struct cw_view *v, char *buf, size_t n)
{
	const char *sep = v->cfg.utf8 ? " › " : " > ";
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i <= v->depth && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? sep : "", v->stack[i].crumb);
}
