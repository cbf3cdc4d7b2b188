/* screen_pods: one row per network namespace (the default screen), or in
 * tree mode, workloads with their pods under them. */
#include "config.h"
#include "fmt.h"
#include "screen.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A row counts as new for this long after it first appears. */
#define CW_NEW_MS 5000
/* A vanished row lingers, dimmed, for this long. */
#define CW_LINGER_MS 5000

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
CMP_SLOT(cmp_syn_recv, CW_TCP_SYN_RECV)
CMP_SLOT(cmp_time_wait, CW_TCP_TIME_WAIT)
CMP_SLOT(cmp_close_wait, CW_TCP_CLOSE_WAIT)
CMP_SLOT(cmp_last_ack, CW_TCP_LAST_ACK)
CMP_SLOT(cmp_listen, CW_TCP_LISTEN)
CMP_SLOT(cmp_total, CW_HIST_TOTAL)

static uint32_t fin_wait(const struct cw_vrow *r)
{
	return cnt(r, CW_TCP_FIN_WAIT1) + cnt(r, CW_TCP_FIN_WAIT2);
}

static int cmp_fin_wait(const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_u32(fin_wait(a), fin_wait(b));
}

static int cmp_label(const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_str(cw_vrow_label(a), cw_vrow_label(b));
}

/* Exact counts older than a few ticks are stale. */
static bool stale(const struct cw_view *v, const struct cw_vrow *r)
{
	return r->kind == CW_VROW_NS && r->ns->has_exact &&
	       (double)r->ns->exact_age_ms > 2500.0 * v->cfg.delay_s;
}

static enum cw_role row_role(const struct cw_view *v, const struct cw_vrow *r)
{
	if (r->kind == CW_VROW_GONE)
		return CW_ROLE_GONE;
	if (r->kind == CW_VROW_GROUP)
		return CW_ROLE_GROUP;
	if (stale(v, r))
		return CW_ROLE_STALE;
	return CW_ROLE_NORMAL;
}

static void fmt_label(const struct cw_view *v, const struct cw_vrow *r, char *buf, size_t n,
		      enum cw_role *role)
{
	const char *mark = "";

	if (r->kind == CW_VROW_GROUP)
		mark = v->cfg.utf8 ? "▾ " : "- ";
	else if (r->depth > 0)
		mark = v->cfg.utf8 ? "  └ " : "  ` ";
	/* Under its workload, a pod is named without its namespace. */
	snprintf(buf, n, "%s%s", mark,
		 r->depth > 0 && r->kind == CW_VROW_NS && r->ns->pod_name ? r->ns->pod_name
									 : cw_vrow_label(r));
	*role = r->fresh ? CW_ROLE_NEW : row_role(v, r);
}

static void fmt_slot(const struct cw_view *v, const struct cw_vrow *r, uint32_t val, unsigned warn,
		     char *buf, size_t n, enum cw_role *role)
{
	*role = row_role(v, r);
	if (r->kind == CW_VROW_NS && !r->has_cnt) {
		snprintf(buf, n, "-");
		return;
	}
	cw_fmt_count(val, buf, n);
	if (warn && val >= warn && r->kind != CW_VROW_GONE)
		*role = CW_ROLE_WARN;
}

#define FMT_SLOT(name, slot, warnfield)                                                      \
	static void name(const struct cw_view *v, const struct cw_vrow *r, char *buf, size_t n, \
			 enum cw_role *role)                                                 \
	{                                                                                    \
		fmt_slot(v, r, cnt(r, slot), warnfield, buf, n, role);                       \
	}

FMT_SLOT(fmt_estab, CW_TCP_ESTABLISHED, 0)
FMT_SLOT(fmt_syn_sent, CW_TCP_SYN_SENT, v->cfg.warn_syn_sent)
FMT_SLOT(fmt_syn_recv, CW_TCP_SYN_RECV, 0)
FMT_SLOT(fmt_time_wait, CW_TCP_TIME_WAIT, v->cfg.warn_time_wait)
FMT_SLOT(fmt_close_wait, CW_TCP_CLOSE_WAIT, v->cfg.warn_close_wait)
FMT_SLOT(fmt_last_ack, CW_TCP_LAST_ACK, 0)
FMT_SLOT(fmt_listen, CW_TCP_LISTEN, 0)
FMT_SLOT(fmt_total, CW_HIST_TOTAL, 0)

static void fmt_fin_wait(const struct cw_view *v, const struct cw_vrow *r, char *buf, size_t n,
			 enum cw_role *role)
{
	fmt_slot(v, r, fin_wait(r), 0, buf, n, role);
}

/* The state slot the pods screen is sorted by, for the rate and trend. */
static unsigned sort_slot(const struct cw_view *v)
{
	/* indexed like cols[] below; NAME, CHG/s and TREND follow TOTAL */
	static const unsigned slots[] = {
		CW_HIST_TOTAL, CW_TCP_ESTABLISHED, CW_TCP_SYN_SENT, CW_TCP_SYN_RECV, CW_TCP_FIN_WAIT2,
		CW_TCP_TIME_WAIT, CW_TCP_CLOSE_WAIT, CW_TCP_LAST_ACK, CW_TCP_LISTEN, CW_HIST_TOTAL,
	};
	int s = v->stack[0].sort;

	return s >= 0 && (size_t)s < CW_ARRAY_LEN(slots) ? slots[s] : CW_HIST_TOTAL;
}

static double rate(const struct cw_view *v, const struct cw_vrow *r)
{
	if (r->kind != CW_VROW_NS || !r->hist)
		return 0;
	return cw_hist_rate(&r->hist->ring, sort_slot(v));
}

/* Change per second of the sort column; for stale rows, the age of their
 * counts instead, since no rate is known. */
static void fmt_rate(const struct cw_view *v, const struct cw_vrow *r, char *buf, size_t n,
		     enum cw_role *role)
{
	*role = row_role(v, r);
	if (r->kind != CW_VROW_NS) {
		buf[0] = '\0';
		return;
	}
	if (stale(v, r)) {
		cw_fmt_age(r->ns->exact_age_ms, buf, n);
		return;
	}
	cw_fmt_rate(rate(v, r), buf, n);
}

static void fmt_trend(const struct cw_view *v, const struct cw_vrow *r, char *buf, size_t n,
		      enum cw_role *role)
{
	uint32_t vals[CW_HISTORY_LEN];
	size_t k;

	*role = r->kind == CW_VROW_NS ? CW_ROLE_SPARK : row_role(v, r);
	if (r->kind != CW_VROW_NS || !r->hist) {
		buf[0] = '\0';
		return;
	}
	k = cw_hist_series(&r->hist->ring, sort_slot(v), vals, CW_HISTORY_LEN);
	cw_fmt_spark(vals, k, 8, v->cfg.utf8, buf, n);
}

/* Sorting by rate needs the history; rows carry it, but the comparator has
 * no view: compare the total-slot rate, which the rate column shows when
 * sorted by itself. */
static int cmp_rate_view(const struct cw_vrow *a, const struct cw_vrow *b)
{
	double x = a->kind == CW_VROW_NS && a->hist ? cw_hist_rate(&a->hist->ring, CW_HIST_TOTAL) : 0;
	double y = b->kind == CW_VROW_NS && b->hist ? cw_hist_rate(&b->hist->ring, CW_HIST_TOTAL) : 0;

	return x < y ? -1 : x > y;
}

static const struct cw_column cols[] = {
	{"NAME", 0, 14, 0, CW_ALIGN_LEFT, false, cmp_label, fmt_label,
	 "namespace/pod, or the container, netns name, host, or comm[pid]"},
	{"ESTAB", 6, 0, 0, CW_ALIGN_RIGHT, true, cmp_estab, fmt_estab, "ESTABLISHED sockets"},
	{"SYN_SENT", 8, 0, 1, CW_ALIGN_RIGHT, true, cmp_syn_sent, fmt_syn_sent,
	 "connects waiting for an answer (DNS storms, dead peers)"},
	{"SYN_RECV", 8, 0, 3, CW_ALIGN_RIGHT, true, cmp_syn_recv, fmt_syn_recv,
	 "half-open inbound connections"},
	{"FIN_WAIT", 8, 0, 3, CW_ALIGN_RIGHT, true, cmp_fin_wait, fmt_fin_wait,
	 "FIN_WAIT1 + FIN_WAIT2: we closed, the peer has not"},
	{"TIME_WAIT", 9, 0, 0, CW_ALIGN_RIGHT, true, cmp_time_wait, fmt_time_wait,
	 "closed by us, held 60 s (churn uses up ephemeral ports)"},
	{"CLOSE_WAIT", 10, 0, 0, CW_ALIGN_RIGHT, true, cmp_close_wait, fmt_close_wait,
	 "the peer closed, the application has not (a leak)"},
	{"LAST_ACK", 8, 0, 4, CW_ALIGN_RIGHT, true, cmp_last_ack, fmt_last_ack, "closing after CLOSE_WAIT"},
	{"LISTEN", 6, 0, 3, CW_ALIGN_RIGHT, true, cmp_listen, fmt_listen, "listening sockets"},
	{"TOTAL", 6, 0, 0, CW_ALIGN_RIGHT, true, cmp_total, fmt_total, "all TCP sockets"},
	{"CHG/s", 6, 0, 2, CW_ALIGN_RIGHT, true, cmp_rate_view, fmt_rate,
	 "change per second of the sort column; for stale rows, the age of their counts"},
	{"TREND", 8, 0, 2, CW_ALIGN_LEFT, true, cmp_total, fmt_trend,
	 "the sort column over the last 60 ticks"},
};

struct gone_ctx {
	struct cw_view *v;
};

static void add_gone(const struct cw_hist_ns *h, void *arg)
{
	struct gone_ctx *g = arg;
	struct cw_vrow *r;

	if (!cw_view_filter_match(g->v, h->label))
		return;
	r = cw_view_push_row(g->v, CW_VROW_GONE);
	r->hist = h;
	r->text = h->label;
	r->cnt = h->last;
	r->has_cnt = true;
}

/* Tree mode: pods of one workload (namespace/workload) go under a group
 * row with their sums; everything else stays a row of its own. */
static void group_rows(struct cw_view *v)
{
	size_t n = v->nrows, i, j, k;
	struct cw_vrow *flat = cw_xmalloc((n ? n : 1) * sizeof(*flat));
	char **keys = cw_xcalloc(n ? n : 1, sizeof(*keys));
	bool *done = cw_xcalloc(n ? n : 1, 1);

	memcpy(flat, v->rows, n * sizeof(*flat));
	for (i = 0; i < n; i++)
		if (flat[i].kind == CW_VROW_NS && flat[i].ns->is_pod && flat[i].ns->workload)
			keys[i] = cw_xasprintf("%s/%s", flat[i].ns->pod_ns, flat[i].ns->workload);
	v->nrows = 0;
	for (i = 0; i < n; i++) {
		size_t members = 0;

		if (done[i])
			continue;
		for (j = i; keys[i] && j < n; j++)
			if (keys[j] && strcmp(keys[i], keys[j]) == 0)
				members++;
		if (members < 2) {
			*cw_view_push_row(v, flat[i].kind) = flat[i];
			continue;
		}
		{
			struct cw_vrow *g = cw_view_push_row(v, CW_VROW_GROUP);

			g->text = cw_arena_strdup(&v->strings, keys[i]);
			g->members = members;
			g->has_cnt = true;
		}
		k = v->nrows - 1;
		for (j = i; j < n; j++) {
			struct cw_vrow *m;
			unsigned s;

			if (!keys[j] || strcmp(keys[i], keys[j]) != 0)
				continue;
			done[j] = true;
			m = cw_view_push_row(v, flat[j].kind);
			*m = flat[j];
			m->depth = 1;
			for (s = 0; s < CW_TCP_NSTATES; s++)
				v->rows[k].cnt.tcp[s] += m->cnt.tcp[s];
			v->rows[k].cnt.total += m->cnt.total;
		}
	}
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(done);
	free(flat);
}

static void build(struct cw_view *v)
{
	const struct cw_snapshot *s = v->snap;
	struct gone_ctx g = {v};
	size_t i;

	if (!s) {
		snprintf(v->note, sizeof(v->note), "collecting the first snapshot...");
		return;
	}
	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *row = &s->rows[i];
		struct cw_vrow *r;

		if (!cw_view_filter_match(v, row->label))
			continue;
		r = cw_view_push_row(v, CW_VROW_NS);
		r->ns = row;
		r->hist = cw_history_get(&v->hist, row->inode);
		r->has_cnt = row->has_exact;
		if (row->has_exact)
			r->cnt = row->tcp;
		r->fresh = r->hist && r->hist->first_ms > v->started_ms &&
			   s->time_ms - r->hist->first_ms <= CW_NEW_MS;
	}
	cw_history_each_gone(&v->hist, s, CW_LINGER_MS, add_gone, &g);
	if (v->tree)
		group_rows(v);
}

static void key(const struct cw_vrow *r, struct cw_selkey *k)
{
	k->kind = r->kind;
	if (r->kind == CW_VROW_NS)
		k->inode = r->ns->inode;
	else if (r->kind == CW_VROW_GONE)
		k->inode = r->hist->inode;
	else if (r->kind == CW_VROW_GROUP)
		snprintf(k->group, sizeof(k->group), "%s", r->text);
}

static bool enter(struct cw_view *v, const struct cw_vrow *r)
{
	struct cw_frame *f;
	uint64_t inode;

	if (r->kind == CW_VROW_GROUP) {
		/* Enter on a workload narrows the list to it. */
		cw_view_set_filter(v, r->text);
		v->tree = false;
		return true;
	}
	if (r->kind != CW_VROW_NS)
		return false;
	inode = r->ns->inode;
	f = cw_view_push_frame(v, CW_SCR_PEERS);
	if (!f)
		return false;
	f->pod_inode = inode;
	snprintf(f->crumb, sizeof(f->crumb), "%s", cw_vrow_label(r));
	return true;
}

const struct cw_screen cw_screen_pods = {
	.name = "pods",
	.cols = cols,
	.ncols = CW_ARRAY_LEN(cols),
	.default_sort = 9, /* TOTAL */
	.build = build,
	.key = key,
	.enter = enter,
};
