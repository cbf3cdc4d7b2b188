/* screen_findings: what the findings stage recognised, one finding per
 * line, worst first, with the selected one's evidence and next step under
 * the table (draw.c asks cw_findings_detail for them). Enter goes to what a
 * finding is about: the sockets toward its peer, else its pod's peers, and
 * for the node the node screen. Also the severity glyphs the pods screen
 * and the header share. */
#include "config.h"
#include "fmt.h"
#include "screen.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *cw_severity_glyph(enum cw_severity s, bool utf8)
{
	switch (s) {
	case CW_SEV_CRIT: return utf8 ? "▲" : "!";
	case CW_SEV_WARN: return utf8 ? "△" : "*";
	default: return utf8 ? "·" : "i";
	}
}

enum cw_role cw_severity_role(enum cw_severity s)
{
	switch (s) {
	case CW_SEV_CRIT: return CW_ROLE_SEV_CRIT;
	case CW_SEV_WARN: return CW_ROLE_SEV_WARN;
	default: return CW_ROLE_SEV_INFO;
	}
}

/* The comparisons get no view: rank through the finding's address, which
 * grows down the snapshot's list. */
static int cmp_sev(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	if (a->finding->severity != b->finding->severity)
		return a->finding->severity < b->finding->severity ? -1 : 1;
	/* Sorted largest first: the earlier in the list, the "larger". */
	return a->finding < b->finding ? 1 : a->finding > b->finding ? -1 : 0;
}

static int cmp_rule(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_str(cw_rule_name(a->finding->rule), cw_rule_name(b->finding->rule));
}

static int cmp_name(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_str(a->finding->label, b->finding->label);
}

/* Older episodes first when sorted largest first: the age grows. */
static int cmp_since(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	int64_t x = a->finding->since_ms, y = b->finding->since_ms;

	return x < y ? 1 : x > y ? -1 : 0;
}

static int cmp_text(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_str(a->finding->text, b->finding->text);
}

static void fmt_sev(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		    char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%s", cw_severity_name(r->finding->severity));
	*role = cw_severity_role(r->finding->severity);
}

static void fmt_rule(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		     char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%s", cw_rule_name(r->finding->rule));
}

static void fmt_name(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		     char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%s", r->finding->label ? r->finding->label : "?");
	/* A finding about a row that is gone: the row is not there to open. */
	if (r->finding->id) {
		const struct cw_ns_row *ns = cw_snapshot_find(v->snap, r->finding->id);

		if (!ns || ns->vanished)
			*role = CW_ROLE_GONE;
	}
}

static void fmt_since(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		      char *buf, size_t n, enum cw_role *role)
{
	cw_fmt_age(v->snap->time_ms - r->finding->since_ms, buf, n);
}

static void fmt_text(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		     char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%s", r->finding->text ? r->finding->text : "");
}

static const struct cw_column cols[] = {
	{"SEV", 4, 0, 0, CW_ALIGN_LEFT, false, true, CW_SLOT_NONE, cmp_sev, fmt_sev,
	 "crit, warn or info; sorted by it, the list is worst first"},
	{"RULE", 15, 0, 0, CW_ALIGN_LEFT, false, false, CW_SLOT_NONE, cmp_rule, fmt_rule,
	 "the rule's id, as in --json"},
	{"NAME", 22, 0, 0, CW_ALIGN_LEFT, true, false, CW_SLOT_NONE, cmp_name, fmt_name,
	 "the pod or namespace it is about, or node"},
	{"SINCE", 5, 0, 0, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_since, fmt_since,
	 "how long the rule has held, this episode"},
	{"TEXT", 0, 20, 0, CW_ALIGN_LEFT, false, false, CW_SLOT_NONE, cmp_text, fmt_text,
	 "what it found, with the figures; the evidence and the next step are under the list"},
};

static void build(struct cw_view *v)
{
	const struct cw_snapshot *s = v->snap;
	size_t i;

	if (!s) {
		snprintf(v->note, sizeof(v->note), "collecting the first snapshot...");
		return;
	}
	for (i = 0; i < s->nfindings; i++) {
		const struct cw_finding *fd = &s->findings[i];
		char *text;
		struct cw_vrow *r;

		/* Filtered and searched by all it says, so "crit", a rule id,
		 * a pod or a peer's address each find it. */
		text = cw_xasprintf("%s %s %s %s", cw_severity_name(fd->severity),
				    cw_rule_name(fd->rule), fd->label ? fd->label : "",
				    fd->text ? fd->text : "");
		if (cw_view_filter_match(v, text)) {
			r = cw_view_push_row(v, CW_VROW_FINDING);
			r->finding = fd;
			r->text = cw_arena_strdup(&v->strings, text);
		}
		free(text);
	}
	if (!s->nfindings)
		snprintf(v->note, sizeof(v->note), "no findings: nothing looks wrong now");
	else if (!v->nrows)
		snprintf(v->note, sizeof(v->note), "no finding matches the filter");
}

static void key(const struct cw_vrow *r, struct cw_selkey *k)
{
	k->kind = r->kind;
	k->inode = r->finding->id;
	k->cookie = (uint64_t)r->finding->rule;
	if (r->finding->has_peer) {
		k->addr = r->finding->peer.addr;
		k->port = r->finding->peer.port;
		k->dir = r->finding->peer.dir;
	}
}

static bool enter(struct cw_view *v, const struct cw_vrow *r)
{
	const struct cw_finding *fd = r->finding;
	const struct cw_ns_row *ns;
	struct cw_frame *f;

	if (!fd->id) {
		/* About the node: its limits and settings, as N shows them. */
		f = cw_view_push_frame(v, CW_SCR_NODE);
		if (!f)
			return false;
		snprintf(f->crumb, sizeof(f->crumb), "limits and settings");
		return true;
	}
	ns = cw_snapshot_find(v->snap, fd->id);
	if (!ns || ns->vanished) {
		snprintf(v->msg, sizeof(v->msg), "%s is gone from the node", fd->label ? fd->label : "it");
		v->dirty = true;
		return false;
	}
	f = cw_view_push_frame(v, CW_SCR_PEERS);
	if (!f)
		return false;
	f->pod_inode = fd->id;
	snprintf(f->crumb, sizeof(f->crumb), "%s", ns->label);
	if (fd->has_peer) {
		/* As Enter on that peer would: Esc comes back to the peers. */
		struct cw_peer p;

		memset(&p, 0, sizeof(p));
		p.addr = fd->peer.addr;
		p.port = fd->peer.port;
		p.dir = fd->peer.dir;
		cw_view_push_sockets(v, fd->id, &p);
	}
	return true;
}

/* Appends the lines of text wrapped at width, each starting with prefix
 * (the first) or as many blanks (the others). */
static size_t wrapped(const char *prefix, const char *text, int width, bool utf8,
		      char (*lines)[CW_DETAIL_LINE], size_t n, size_t max)
{
	int pw = cw_fmt_width(prefix, utf8);
	size_t at = 0, len = strlen(text);
	bool first = true;

	if (width - pw < 10)
		pw = 0; /* too narrow to indent */
	while (n < max && (first || at < len)) {
		size_t next, l = cw_fmt_wrap(text + at, width - pw, utf8, &next);

		snprintf(lines[n++], CW_DETAIL_LINE, "%-*s%.*s", first ? 0 : pw, first ? prefix : "",
			 (int)l, text + at);
		at += next;
		first = false;
	}
	return n;
}

/* One figure: whole numbers as they are, others with two decimals. */
static void evidence_value(const struct cw_evidence *e, char *buf, size_t n)
{
	if (e->str)
		snprintf(buf, n, "%s", e->str);
	else if (fabs(e->num) < 1e15 && e->num == floor(e->num))
		snprintf(buf, n, "%.0f", e->num);
	else
		snprintf(buf, n, "%.2f", e->num);
}

size_t cw_findings_detail(const struct cw_view *v, int width, char (*lines)[CW_DETAIL_LINE], size_t max)
{
	const struct cw_vrow *r = cw_view_selected(v);
	const struct cw_finding *fd;
	char ev[CW_DETAIL_LINE], when[32], head[CW_DETAIL_LINE], age[16];
	size_t n = 0, i, o = 0;
	time_t t;
	struct tm tm;

	if (!r || r->kind != CW_VROW_FINDING || !max)
		return 0;
	fd = r->finding;
	t = (time_t)(fd->since_ms / 1000);
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	cw_fmt_age(v->snap->time_ms - fd->since_ms, age, sizeof(age));
	snprintf(head, sizeof(head), "%s %s %s  since %s (%s)", cw_severity_name(fd->severity),
		 cw_rule_name(fd->rule), fd->label ? fd->label : "?", when, age);
	if (fd->has_peer) {
		char ep[80];

		cw_fmt_endpoint(&fd->peer.addr, fd->peer.port, ep, sizeof(ep));
		o = strlen(head);
		snprintf(head + o, sizeof(head) - o, "  %s %s", fd->peer.dir == CW_PEER_IN ? "from" : "to", ep);
	}
	if (fd->pid) {
		o = strlen(head);
		snprintf(head + o, sizeof(head) - o, "  pid %d", (int)fd->pid);
	}
	snprintf(lines[n++], CW_DETAIL_LINE, "%s", head);
	ev[0] = '\0';
	for (i = 0, o = 0; i < fd->nevidence && o < sizeof(ev); i++) {
		char val[256];

		evidence_value(&fd->evidence[i], val, sizeof(val));
		o += (size_t)snprintf(ev + o, sizeof(ev) - o, "%s%s=%s", i ? "  " : "",
				      fd->evidence[i].key, val);
	}
	{
		/* The text, the evidence and the next step share the lines
		 * left: each gets one, then the text, the next step and the
		 * evidence take more in turn. A part cut short ends in "…". */
		static const char *const prefix[3] = {"", "next: ", "evidence: "};
		const char *part[3] = {fd->text, fd->next, ev};
		char (*wrap)[CW_DETAIL_LINE] = cw_xmalloc(3 * max * sizeof(*wrap));
		size_t have[3], give[3] = {0, 0, 0}, left = max - n, k;
		bool more = true;

		for (k = 0; k < 3; k++)
			have[k] = part[k] && part[k][0]
				  ? wrapped(prefix[k], part[k], width, v->cfg.utf8, wrap + k * max, 0, max)
				  : 0;
		while (left && more) {
			more = false;
			for (k = 0; k < 3 && left; k++)
				if (give[k] < have[k]) {
					give[k]++;
					left--;
					more = true;
				}
		}
		/* Shown in reading order: text, evidence, next step. */
		for (k = 0; k < 3; k++) {
			size_t p = k == 0 ? 0 : k == 1 ? 2 : 1, j;

			for (j = 0; j < give[p]; j++) {
				snprintf(lines[n], CW_DETAIL_LINE, "%s", wrap[p * max + j]);
				if (j + 1 == give[p] && give[p] < have[p]) {
					size_t l = strlen(lines[n]);

					snprintf(lines[n] + l, CW_DETAIL_LINE - l, "%s",
						 v->cfg.utf8 ? "…" : "~");
				}
				n++;
			}
		}
		free(wrap);
	}
	return n;
}

const struct cw_screen cw_screen_findings = {
	.name = "findings",
	.cols = cols,
	.ncols = CW_ARRAY_LEN(cols),
	.default_sort = "SEV",
	.build = build,
	.key = key,
	.enter = enter,
};
