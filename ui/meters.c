/* meters: the header. */
#include "config.h"
#include "meters.h"
#include "fmt.h"
#include "json_out.h"
#include "screen.h"
#include "term.h"
#include "util.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Draws "label value" pairs left to right; returns the next x. */
static int pair(int y, int x, int width, const char *label, const char *value, enum cw_role vrole)
{
	bool utf8 = cw_term_utf8();
	int lw = cw_fmt_width(label, utf8), vw = cw_fmt_width(value, utf8);

	if (x + lw + 1 + vw > width)
		return x;
	attrset(cw_term_attr(CW_ROLE_METER_LABEL));
	mvaddstr(y, x, label);
	attrset(cw_term_attr(vrole));
	mvaddstr(y, x + lw + 1, value);
	attrset(A_NORMAL);
	return x + lw + 1 + vw + 2;
}

static void clock_text(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, n, "%H:%M:%S", &tm);
}

static int line_node(const struct cw_view *v, int y, int width)
{
	const struct cw_snapshot *s = v->snap;
	size_t i, pods = 0, live = 0;
	char a[64], b[64], host[128];
	int x = 0;

	/* At most 30 cells of the hostname, and never a cut character. */
	cw_fmt_fit(s->hostname ? s->hostname : "?", width < 30 ? width : 30, false, v->cfg.utf8,
		   host, sizeof(host));
	attrset(cw_term_attr(CW_ROLE_METER));
	mvaddstr(y, 0, host);
	x = cw_fmt_width(host, v->cfg.utf8) + 2;
	clock_text(s->time_ms, a, sizeof(a));
	attrset(A_NORMAL);
	mvaddstr(y, x, a);
	x += (int)strlen(a) + 2;
	if (s->replay.active) {
		/* A replay says so first: the recorded day, and where it is. */
		char day[16];
		time_t t = (time_t)(s->time_ms / 1000);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		snprintf(b, sizeof(b), "%s %zu/%zu", day, s->replay.index + 1, s->replay.count);
		x = pair(y, x, width, "REPLAY", b, CW_ROLE_BANNER);
	}
	for (i = 0; i < s->nrows; i++) {
		if (s->rows[i].vanished)
			continue; /* lingering, not on the node */
		live += s->rows[i].kind != CW_KIND_HOSTNET_POD; /* the host's, split */
		pods += s->rows[i].is_pod;
	}
	snprintf(a, sizeof(a), "%zu", pods);
	x = pair(y, x, width, "pods", a, CW_ROLE_METER);
	snprintf(a, sizeof(a), "%zu", live);
	x = pair(y, x, width, "netns", a, CW_ROLE_METER);
	snprintf(a, sizeof(a), "%.1fms/%.0fms", s->collector.cpu_ms, s->collector.budget_ms);
	x = pair(y, x, width, "cpu", a, CW_ROLE_METER);
	snprintf(b, sizeof(b), "%zu/%zu", s->collector.netns_dumped, s->collector.netns_total);
	x = pair(y, x, width, "exact", b, CW_ROLE_METER);
	/* Where the budget cannot dump every namespace on every tick: how
	 * long a full round of dumps takes, about the oldest a count gets. */
	if (s->collector.round_ms >= 2000) {
		cw_fmt_age(s->collector.round_ms, a, sizeof(a));
		x = pair(y, x, width, "round", a, CW_ROLE_METER);
	}
	if (v->paused) {
		attrset(cw_term_attr(CW_ROLE_BANNER));
		if (x + 8 <= width)
			mvaddstr(y, x, "[PAUSED]");
		attrset(A_NORMAL);
	}
	return 1;
}

static int line_states(const struct cw_view *v, int y, int width)
{
	static const struct {
		const char *label;
		unsigned slot;
	} shown[] = {
		{"ESTAB", CW_TCP_ESTABLISHED}, {"SYN_SENT", CW_TCP_SYN_SENT},
		{"TIME_WAIT", CW_TCP_TIME_WAIT}, {"CLOSE_WAIT", CW_TCP_CLOSE_WAIT},
		{"LISTEN", CW_TCP_LISTEN},
	};
	struct cw_tcpcount t;
	uint32_t other;
	char a[32];
	size_t i;
	int x = 0;

	cw_snapshot_totals(v->snap, &t);
	other = t.total;
	for (i = 0; i < CW_ARRAY_LEN(shown); i++) {
		cw_fmt_count(t.tcp[shown[i].slot], a, sizeof(a));
		other -= t.tcp[shown[i].slot];
		x = pair(y, x, width, shown[i].label, a, CW_ROLE_METER);
	}
	cw_fmt_count(other, a, sizeof(a));
	x = pair(y, x, width, "other", a, CW_ROLE_METER);
	cw_fmt_count(t.total, a, sizeof(a));
	pair(y, x, width, "total", a, CW_ROLE_METER);
	return 1;
}

/* A figure against its limit, compact: "157k/1623k 9.7%", or without the
 * share when the limit is unknown or none (file-max is often 2^63 - 1). */
static void against(int64_t v, int64_t limit, char *buf, size_t n, enum cw_role *role)
{
	char a[16], b[16];
	double p;

	*role = CW_ROLE_METER;
	cw_fmt_count((uint64_t)v, a, sizeof(a));
	if (limit <= 0 || limit >= (INT64_C(1) << 62)) {
		snprintf(buf, n, "%s", a);
		return;
	}
	p = 100.0 * (double)v / (double)limit;
	cw_fmt_count((uint64_t)limit, b, sizeof(b));
	snprintf(buf, n, p < 10 ? "%s/%s %.1f%%" : "%s/%s %.0f%%", a, b, p);
	if (p >= 80.0)
		*role = CW_ROLE_WARN;
}

/* The node's limits, when the snapshot has them: open file handles
 * against file-max, the host namespace's conntrack entries against
 * nf_conntrack_max (N has the details). */
static int line_limits(const struct cw_view *v, int y, int width)
{
	const struct cw_node *n = &v->snap->node;
	enum cw_role role;
	char a[64];
	int x = 0;

	if (!n->valid || (n->file_nr < 0 && n->sysctl.conntrack_count < 0))
		return 0;
	if (n->file_nr >= 0) {
		against(n->file_nr, n->file_max, a, sizeof(a), &role);
		x = pair(y, x, width, "file-nr", a, role);
	}
	if (n->sysctl.conntrack_count >= 0) {
		against(n->sysctl.conntrack_count, n->conntrack_max, a, sizeof(a), &role);
		x = pair(y, x, width, "conntrack", a, role);
	}
	return 1;
}

static int line_spark(const struct cw_view *v, int y, int width)
{
	uint32_t vals[CW_SERIES_LEN];
	char buf[CW_SERIES_LEN * 4 + 1];
	size_t n = cw_series_values(v->snap ? v->snap->node_series : NULL, 0, vals, CW_SERIES_LEN);
	int w = width - 20 < CW_SERIES_LEN ? width - 20 : CW_SERIES_LEN;

	if (w < 10)
		return 0;
	attrset(cw_term_attr(CW_ROLE_METER_LABEL));
	mvaddstr(y, 0, "total, last minute");
	cw_fmt_spark(vals, n, (size_t)w, v->cfg.utf8, buf, sizeof(buf));
	attrset(cw_term_attr(CW_ROLE_SPARK));
	mvaddstr(y, 19, buf);
	attrset(A_NORMAL);
	return 1;
}

/* The shared-hash warning: every dump in such a namespace walks all the
 * node's sockets, which is what makes per-pod counting expensive. */
static int line_warnings(const struct cw_view *v, int y, int width)
{
	const struct cw_snapshot *s = v->snap;
	size_t i, shared = 0;
	int used = 0;

	for (i = 0; i < s->nrows; i++)
		shared += s->rows[i].shared_ehash == 1 && s->rows[i].kind != CW_KIND_HOST &&
			  !s->rows[i].vanished;
	attrset(cw_term_attr(CW_ROLE_BANNER));
	if (shared) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%zu netns share the host TCP hash: every dump walks all "
			 "sockets of the node.", shared);
		mvaddnstr(y + used++, 0, msg, width);
		/* The setting is read when a namespace is created: pods
		 * started before it keep the shared hash. Each own hash is
		 * its buckets (a power of two) x 8 bytes, plus its locks. */
		mvaddnstr(y + used++, 0, width >= 118
			  ? "  Fix: sysctl -w net.ipv4.tcp_child_ehash_entries=4096: netns created after it "
			    "get their own hash (32 KiB each)"
			  : "  Fix: sysctl -w net.ipv4.tcp_child_ehash_entries=4096 (new netns: 32 KiB each)",
			  width);
	}
	if (s->collector.note) {
		char note[1024];

		/* Cut by cells, and drawn safe: it may quote a name from outside. */
		cw_fmt_fit(s->collector.note, width, false, v->cfg.utf8, note, sizeof(note));
		mvaddstr(y + used, 0, note);
		used++;
	}
	if (s->output_note) {
		char note[1024];

		/* An output's trouble (the recorder's full disk): the view goes on. */
		cw_fmt_fit(s->output_note, width, false, v->cfg.utf8, note, sizeof(note));
		mvaddstr(y + used, 0, note);
		used++;
	}
	attrset(A_NORMAL);
	return used;
}

/* The worst finding in one line: its marker, "label: text", and how many
 * more there are. Nothing when there is none. */
static int line_finding(const struct cw_view *v, int y, int width)
{
	const struct cw_snapshot *s = v->snap;
	const struct cw_finding *f;
	char more[48] = "", line[1024], fit[1024];
	int mw, room;

	if (!s->nfindings)
		return 0;
	f = &s->findings[0];
	if (s->nfindings > 1)
		snprintf(more, sizeof(more), "  +%zu more (f)", s->nfindings - 1);
	mw = (int)strlen(more);
	room = width - 2 - mw;
	if (room < 20) {
		more[0] = '\0';
		room = width - 2;
	}
	attrset(cw_term_attr(cw_severity_role(f->severity)));
	mvaddstr(y, 0, cw_severity_glyph(f->severity, v->cfg.utf8));
	attrset(cw_term_attr(CW_ROLE_BANNER));
	/* Both come from outside (a pod's name, a file read inside it). */
	snprintf(line, sizeof(line), "%s: %s", f->label ? f->label : "?", f->text ? f->text : "");
	cw_fmt_fit(line, room, false, v->cfg.utf8, fit, sizeof(fit));
	mvaddstr(y, 2, fit);
	attrset(cw_term_attr(CW_ROLE_METER_LABEL));
	if (more[0])
		mvaddstr(y, width - mw, more);
	attrset(A_NORMAL);
	return 1;
}

int cw_meters_draw(const struct cw_view *v, int width)
{
	int y = 0;

	if (!v->snap) {
		mvaddstr(0, 0, "connwatch: collecting...");
		return 1;
	}
	y += line_node(v, y, width);
	y += line_states(v, y, width);
	y += line_limits(v, y, width);
	y += line_spark(v, y, width);
	y += line_warnings(v, y, width);
	y += line_finding(v, y, width);
	return y;
}
