/* screen_trans: TCP state transitions per second, by pod and process: the
 * "@[newstate, comm] = count()" bpftrace one-liner of incident guides, for
 * every pod at once. One row per (pod, new state, process), from the rows'
 * transitions (the BPF event source); busiest first. Enter opens the pod's
 * peers. Without state events the screen says why there are none. */
#include "config.h"
#include "fmt.h"
#include "screen.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static int cmp_label(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_str(a->ns->label, b->ns->label);
}

static void fmt_label(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		      char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%s", r->ns->label);
	*role = cw_vrow_role(v, r);
}

static int cmp_comm(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_str(a->trans->comm, b->trans->comm);
}

static void fmt_comm(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		     char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%s", r->trans->comm ? r->trans->comm : "?");
	*role = cw_vrow_role(v, r);
}

static int cmp_state(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return (int)a->trans->state - (int)b->trans->state;
}

static void fmt_state(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		      char *buf, size_t n, enum cw_role *role)
{
	const char *name = cw_tcp_state_name(cw_tcp_state_slot(r->trans->state));

	snprintf(buf, n, "%s", name ? name : "?");
	*role = cw_vrow_role(v, r);
}

static int cmp_rate(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return (a->trans->per_s > b->trans->per_s) - (a->trans->per_s < b->trans->per_s);
}

static void fmt_rate(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		     char *buf, size_t n, enum cw_role *role)
{
	double x = r->trans->per_s;

	if (x >= 100)
		snprintf(buf, n, "%.0f", x);
	else
		snprintf(buf, n, "%.1f", x);
	*role = cw_vrow_role(v, r);
}

static const struct cw_column cols[] = {
	{"NAME", 0, 24, 0, CW_ALIGN_LEFT, true, false, CW_SLOT_NONE, cmp_label, fmt_label,
	 "namespace/pod (or the namespace) where the sockets changed state"},
	{"COMM", 16, 0, 1, CW_ALIGN_LEFT, false, false, CW_SLOT_NONE, cmp_comm, fmt_comm,
	 "the task that ran the change (receive-path changes run in softirq: whoever was "
	 "interrupted, often the peer on loopback, swapper/N when idle)"},
	{"STATE", 11, 0, 0, CW_ALIGN_LEFT, false, false, CW_SLOT_NONE, cmp_state, fmt_state,
	 "the new state; TIME_WAIT is a close into TIME_WAIT"},
	{"PER_S", 8, 0, 0, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_rate, fmt_rate,
	 "changes into the state per second, over the last tick"},
};

static void build(struct cw_view *v)
{
	const struct cw_snapshot *s = v->snap;
	const char *src;
	size_t i, k, n = 0;

	if (!s)
		return;
	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *row = &s->rows[i];

		if (row->vanished)
			continue;
		for (k = 0; k < row->ntransitions; k++) {
			struct cw_vrow *r;

			n++;
			if (!cw_view_filter_match(v, row->label))
				continue;
			r = cw_view_push_row(v, CW_VROW_TRANS);
			r->ns = row;
			r->trans = &row->transitions[k];
		}
	}
	src = s->collector.events;
	if (n)
		return;
	if (src && strcmp(src, "bpf") != 0)
		snprintf(v->note, sizeof(v->note), "no state transitions: %s", src);
	else if (!src)
		snprintf(v->note, sizeof(v->note), "no state transitions in this snapshot "
			 "(taken without state events)");
	else
		snprintf(v->note, sizeof(v->note), "no TCP state changed during the last tick");
}

static void key(const struct cw_vrow *r, struct cw_selkey *k)
{
	k->kind = r->kind;
	k->inode = r->ns->id;
	k->port = r->trans->state;
	snprintf(k->group, sizeof(k->group), "%s", r->trans->comm ? r->trans->comm : "");
}

/* The pod's peers, as from the pods screen. */
static bool enter(struct cw_view *v, const struct cw_vrow *r)
{
	uint64_t id = r->ns->id;
	const char *label = r->ns->label;
	struct cw_frame *f = cw_view_push_frame(v, CW_SCR_PEERS);

	if (!f)
		return false;
	f->pod_inode = id;
	snprintf(f->crumb, sizeof(f->crumb), "%s", label);
	return true;
}

const struct cw_screen cw_screen_trans = {
	.name = "transitions",
	.cols = cols,
	.ncols = CW_ARRAY_LEN(cols),
	.default_sort = "PER_S",
	.build = build,
	.key = key,
	.enter = enter,
};
