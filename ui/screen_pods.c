/* screen_pods: one row per network namespace (the default screen), or in
 * tree mode, workloads with their pods under them; each row marked with
 * its worst finding, and its sort column measured against its baseline. */
#include "config.h"
#include "fmt.h"
#include "screen.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A row counts as new for this long after it first appears. */
#define CW_NEW_MS 5000

static int cmp_label(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_str(cw_vrow_label(a), cw_vrow_label(b));
}

static void fmt_label(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		      char *buf, size_t n, enum cw_role *role)
{
	const char *mark = "";

	/* As htop draws its tree: a tee before each pod of a workload, a
	 * corner before the last one. */
	if (r->kind == CW_VROW_GROUP)
		mark = v->cfg.utf8 ? "▾ " : "- ";
	else if (r->depth > 0 && r->last)
		mark = v->cfg.utf8 ? "  └─ " : "  `- ";
	else if (r->depth > 0)
		mark = v->cfg.utf8 ? "  ├─ " : "  |- ";
	/* Under its workload, a pod is named without its namespace. */
	snprintf(buf, n, "%s%s", mark,
		 r->depth > 0 && r->kind == CW_VROW_NS && r->ns->pod_name ? r->ns->pod_name
									 : cw_vrow_label(r));
	*role = r->fresh ? CW_ROLE_NEW : cw_vrow_role(v, r);
}

/* The slot the rate and the trend follow: the sort column's, else TOTAL. */
static int sort_slot(const struct cw_view *v);

/* The worst finding of the row (a group: of its pods) sorts it; rows
 * without one go below info. */
static int cmp_mark(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	int x = a->finding ? (int)a->finding->severity : -1;
	int y = b->finding ? (int)b->finding->severity : -1;

	return x - y;
}

static void fmt_mark(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		     char *buf, size_t n, enum cw_role *role)
{
	const struct cw_finding *f = r->finding;

	buf[0] = '\0';
	*role = cw_vrow_role(v, r);
	if (!f)
		return;
	snprintf(buf, n, "%s", cw_severity_glyph(f->severity, v->cfg.utf8));
	/* A vanished row keeps its dimmed look. */
	if (r->kind != CW_VROW_GONE)
		*role = cw_severity_role(f->severity);
}

static double rate(const struct cw_view *v, const struct cw_vrow *r, int slot)
{
	if (r->kind != CW_VROW_NS || !r->ns->has_change || slot < 0 || slot >= CW_TCP_NSTATES)
		return 0;
	return r->ns->change[slot];
}

/* Sorting by CHG/s ranks by the rate of the total, which is what the
 * column shows while it is the sort column. */
static int cmp_rate(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	double x = rate(NULL, a, CW_SLOT_TOTAL), y = rate(NULL, b, CW_SLOT_TOTAL);

	return x < y ? -1 : x > y;
}

/* Change per second of the sort column; for a row not dumped this tick,
 * the age of its counts instead: once per row, in text, whatever the
 * terminal draws of the dimmed cells. */
static void fmt_rate(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		     char *buf, size_t n, enum cw_role *role)
{
	*role = cw_vrow_role(v, r);
	if (r->kind != CW_VROW_NS) {
		buf[0] = '\0';
		return;
	}
	if (cw_vrow_stale(v, r)) {
		cw_fmt_age(r->ns->exact_age_ms, buf, n);
		return;
	}
	cw_fmt_rate(rate(v, r, sort_slot(v)), buf, n);
}

static void fmt_trend(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		      char *buf, size_t n, enum cw_role *role)
{
	uint32_t vals[CW_SERIES_LEN];
	int slot = sort_slot(v);
	size_t k;

	*role = r->kind == CW_VROW_NS ? CW_ROLE_SPARK : cw_vrow_role(v, r);
	if (r->kind != CW_VROW_NS || slot < 0 || slot >= CW_TCP_NSTATES) {
		buf[0] = '\0';
		return;
	}
	k = cw_series_values(r->ns->series, (unsigned)slot, vals, CW_SERIES_LEN);
	cw_fmt_spark(vals, k, 8, v->cfg.utf8, buf, n);
}

/* The sort column's value against its baseline, or -1 (fmt_base). */
static double base_ratio(const struct cw_vrow *r, int slot);
static int ratio_slot(const struct cw_view *v);

/* Sorting by xBASE ranks by the total's ratio, as CHG/s does by its rate. */
static int cmp_base(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	double x = base_ratio(a, CW_SLOT_TOTAL), y = base_ratio(b, CW_SLOT_TOTAL);

	return x < y ? -1 : x > y;
}

static void fmt_base(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		     char *buf, size_t n, enum cw_role *role)
{
	*role = cw_vrow_role(v, r);
	if (r->kind != CW_VROW_NS && r->kind != CW_VROW_GONE) {
		buf[0] = '\0';
		return;
	}
	cw_fmt_ratio(base_ratio(r, ratio_slot(v)), buf, n);
}

#define COUNT(title, width, prio, slot, help) \
	{title, width, 0, prio, CW_ALIGN_RIGHT, false, true, slot, cw_col_cmp_count, cw_col_fmt_count, help}

static const struct cw_column cols[] = {
	{"!", 1, 0, 0, CW_ALIGN_LEFT, false, true, CW_SLOT_NONE, cmp_mark, fmt_mark,
	 "its worst finding: ! crit, * warn, i info (triangles and a dot in UTF-8); f lists them"},
	{"NAME", 0, 14, 0, CW_ALIGN_LEFT, true, false, CW_SLOT_NONE, cmp_label, fmt_label,
	 "namespace/pod, or the container, netns name, host, or comm[pid]"},
	COUNT("ESTAB", 6, 0, CW_TCP_ESTABLISHED, "ESTABLISHED sockets"),
	COUNT("SYN_SENT", 8, 1, CW_TCP_SYN_SENT, "connects waiting for an answer (DNS storms, dead peers)"),
	COUNT("SYN_RECV", 8, 3, CW_TCP_SYN_RECV, "half-open inbound connections"),
	COUNT("FIN_WAIT", 8, 3, CW_SLOT_FIN_WAIT, "FIN_WAIT1 + FIN_WAIT2: we closed, the peer has not"),
	COUNT("TIME_WAIT", 9, 0, CW_TCP_TIME_WAIT, "closed by us, held 60 s (churn uses up ephemeral ports)"),
	COUNT("CLOSE_WAIT", 10, 0, CW_TCP_CLOSE_WAIT, "the peer closed, the application has not (a leak)"),
	COUNT("LAST_ACK", 8, 4, CW_TCP_LAST_ACK, "closing after CLOSE_WAIT"),
	COUNT("LISTEN", 6, 3, CW_TCP_LISTEN, "listening sockets"),
	COUNT("TOTAL", 6, 0, CW_SLOT_TOTAL, "all TCP sockets"),
	{"CHG/s", 6, 0, 2, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_rate, fmt_rate,
	 "change per second of the sort column; on a row not dumped this tick (its counts "
	 "dimmed but TIME_WAIT, which is this tick's), the age of its counts"},
	{"TREND", 8, 0, 2, CW_ALIGN_LEFT, false, true, CW_SLOT_TOTAL, cw_col_cmp_count, fmt_trend,
	 "the sort column over the last 60 ticks"},
	{"xBASE", 5, 0, 2, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_base, fmt_base,
	 "the sort column against its baseline (its median over --history minutes, once it "
	 "covers a third of them); - until then"},
};

static int sort_slot(const struct cw_view *v)
{
	int s = v->stack[0].sort, slot;

	if (s < 0 || (size_t)s >= CW_ARRAY_LEN(cols))
		return CW_SLOT_TOTAL;
	slot = cols[s].slot;
	/* FIN_WAIT's history is kept per state: follow FIN_WAIT2. */
	if (slot == CW_SLOT_FIN_WAIT)
		return CW_TCP_FIN_WAIT2;
	return slot >= 0 && slot < CW_TCP_NSTATES ? slot : CW_SLOT_TOTAL;
}

static int ratio_slot(const struct cw_view *v)
{
	int s = v->stack[0].sort, slot;

	if (s < 0 || (size_t)s >= CW_ARRAY_LEN(cols))
		return CW_SLOT_TOTAL;
	slot = cols[s].slot;
	return slot == CW_SLOT_FIN_WAIT || (slot >= 0 && slot < CW_TCP_NSTATES) ? slot : CW_SLOT_TOTAL;
}

/* A baseline below 1 counts as 1: a count that was idle shows as itself
 * rather than as an infinite ratio, and one still idle as x1.0. */
static double base_ratio(const struct cw_vrow *r, int slot)
{
	const double *b;
	double base;

	if ((r->kind != CW_VROW_NS && r->kind != CW_VROW_GONE) || !r->has_cnt ||
	    !r->ns->has_baseline)
		return -1;
	b = r->ns->baseline;
	if (slot == CW_SLOT_FIN_WAIT)
		base = b[CW_TCP_FIN_WAIT1] + b[CW_TCP_FIN_WAIT2];
	else if (slot >= 0 && slot < CW_TCP_NSTATES)
		base = b[slot];
	else
		return -1;
	if (base < 1 && cw_vrow_value(r, slot) == 0)
		return 1; /* none then, none now: as usual */
	return cw_vrow_value(r, slot) / (base < 1 ? 1 : base);
}

/* Tree mode: pods of one workload (namespace/workload) go under a group
 * row with their sums; everything else stays a row of its own. */
static void group_rows(struct cw_view *v)
{
	size_t n = v->nrows, i, j, k;
	struct cw_vrow *flat;
	char **keys;
	bool *done;

	/* With no rows, v->rows may still be NULL: nothing to copy or group. */
	if (n == 0)
		return;
	flat = cw_xmalloc(n * sizeof(*flat));
	keys = cw_xcalloc(n, sizeof(*keys));
	done = cw_xcalloc(n, 1);
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
			/* The findings are worst first: the earliest is the worst. */
			if (m->finding && (!v->rows[k].finding || m->finding < v->rows[k].finding))
				v->rows[k].finding = m->finding;
			v->rows[k].cnt.total += m->cnt.total;
		}
	}
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(done);
	free(flat);
}

/* A row's worst finding (the findings stage links it), or NULL. */
static const struct cw_finding *worst(const struct cw_snapshot *s, const struct cw_ns_row *row)
{
	if (!row->finding || row->finding > s->nfindings)
		return NULL;
	return &s->findings[row->finding - 1];
}

static void build(struct cw_view *v)
{
	const struct cw_snapshot *s = v->snap;
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
		/* Vanished rows linger, dimmed, after the live ones. */
		if (row->vanished)
			continue;
		r = cw_view_push_row(v, CW_VROW_NS);
		r->ns = row;
		r->finding = worst(s, row);
		r->has_cnt = row->has_exact;
		if (row->has_exact)
			r->cnt = row->tcp;
		r->fresh = row->first_seen_ms > v->started_ms &&
			   s->time_ms - row->first_seen_ms <= CW_NEW_MS;
	}
	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *row = &s->rows[i];
		struct cw_vrow *r;

		if (!row->vanished || !cw_view_filter_match(v, row->label))
			continue;
		r = cw_view_push_row(v, CW_VROW_GONE);
		r->ns = row;
		r->finding = worst(s, row);
		r->text = row->label;
		r->cnt = row->tcp;
		r->has_cnt = true;
	}
	if (v->tree)
		group_rows(v);
}

static void key(const struct cw_vrow *r, struct cw_selkey *k)
{
	k->kind = r->kind;
	if (r->kind == CW_VROW_NS)
		k->inode = r->ns->id;
	else if (r->kind == CW_VROW_GONE)
		k->inode = r->ns->id;
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
	inode = r->ns->id;
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
	.default_sort = "TOTAL",
	/* At 120 columns a pod's name matters more than LAST_ACK. */
	.flex_pref = 26,
	.build = build,
	.key = key,
	.enter = enter,
};
