/* screen_node: the node's limits and each namespace's kernel settings.
 * Above the table, the node-wide figures: open file handles against
 * file-max, conntrack entries against nf_conntrack_max, and the host
 * namespace's sysctls. Below, one row per network namespace, busiest
 * conntrack table first, with its own settings and those that differ from
 * the node's. */
#include "config.h"
#include "fmt.h"
#include "screen.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Past this a limit means "none": file-max is 2^63 - 1 on many kernels. */
#define NO_LIMIT (INT64_C(1) << 62)
/* A figure at this share of its limit is drawn as a warning. */
#define WARN_PCT 80.0

/* The settings a row compares, in column order. */
enum { S_TW_REUSE, S_FIN_TIMEOUT, S_MAX_TW, S_PORTS, S_SOMAXCONN, S_EHASH, S_COUNT };

static const char *const short_names[S_COUNT] = {
	"tw_reuse", "fin_timeout", "max_tw", "ports", "somaxconn", "ehash",
};

/* One setting of a set; ports compare as lo * 65536 + hi. */
static int64_t setting(const struct cw_sysctls *s, int which)
{
	switch (which) {
	case S_TW_REUSE: return s->tcp_tw_reuse;
	case S_FIN_TIMEOUT: return s->tcp_fin_timeout;
	case S_MAX_TW: return s->tcp_max_tw_buckets;
	case S_PORTS: return s->port_lo < 0 || s->port_hi < 0 ? -1 : s->port_lo * 65536 + s->port_hi;
	case S_SOMAXCONN: return s->somaxconn;
	default: return s->tcp_child_ehash_entries;
	}
}

/* The row's settings, or NULL when none were read. */
static const struct cw_sysctls *sysctls_of(const struct cw_vrow *r)
{
	return r->kind == CW_VROW_NS && r->ns->has_sysctl ? &r->ns->sysctl : NULL;
}

static int64_t value_of(const struct cw_vrow *r, int which)
{
	const struct cw_sysctls *s = sysctls_of(r);

	return s ? setting(s, which) : -1;
}

static int64_t conntrack_of(const struct cw_vrow *r)
{
	const struct cw_sysctls *s = sysctls_of(r);

	return s ? s->conntrack_count : -1;
}

/* True when the row's setting is known and not the node's. */
static bool differs(const struct cw_view *v, const struct cw_vrow *r, int which)
{
	int64_t mine = value_of(r, which), node;

	if (!v->snap || !v->snap->node.valid || mine < 0)
		return false;
	node = setting(&v->snap->node.sysctl, which);
	return node >= 0 && mine != node;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_label(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cw_cmp_str(cw_vrow_label(a), cw_vrow_label(b));
}

static void fmt_label(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
		      char *buf, size_t n, enum cw_role *role)
{
	snprintf(buf, n, "%s", cw_vrow_label(r));
}

static int cmp_conntrack(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cmp_i64(conntrack_of(a), conntrack_of(b));
}

/* A percentage of a limit, or -1 when either is unknown or there is none. */
static double share(int64_t v, int64_t limit)
{
	if (v < 0 || limit <= 0 || limit >= NO_LIMIT)
		return -1;
	return 100.0 * (double)v / (double)limit;
}

static void fmt_conntrack(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
			  char *buf, size_t n, enum cw_role *role)
{
	int64_t ct = conntrack_of(r);

	if (ct < 0) {
		snprintf(buf, n, "-");
		return;
	}
	cw_fmt_count((uint64_t)ct, buf, n);
	if (share(ct, v->snap->node.conntrack_max) >= WARN_PCT)
		*role = CW_ROLE_WARN;
}

/* nf_conntrack_max caps each namespace's own table, not the node's sum. */
static void fmt_ct_share(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
			 char *buf, size_t n, enum cw_role *role)
{
	double p = share(conntrack_of(r), v->snap->node.conntrack_max);

	if (p < 0) {
		snprintf(buf, n, "-");
		return;
	}
	snprintf(buf, n, p < 10 ? "%.1f%%" : "%.0f%%", p);
	if (p >= WARN_PCT)
		*role = CW_ROLE_WARN;
}

/* Setting columns: c->slot holds which setting. */
static int cmp_setting(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return cmp_i64(value_of(a, c->slot), value_of(b, c->slot));
}

static void fmt_setting(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
			char *buf, size_t n, enum cw_role *role)
{
	const struct cw_sysctls *s = sysctls_of(r);
	int64_t x = value_of(r, c->slot);

	if (x < 0)
		snprintf(buf, n, "-");
	else if (c->slot == S_PORTS)
		snprintf(buf, n, "%" PRId64 "-%" PRId64, s->port_lo, s->port_hi);
	else
		snprintf(buf, n, "%" PRId64, x);
	if (differs(v, r, c->slot))
		*role = CW_ROLE_WARN;
}

static size_t ndiffer(const struct cw_view *v, const struct cw_vrow *r)
{
	size_t k = 0;
	int i;

	for (i = 0; i < S_COUNT; i++)
		k += differs(v, r, i);
	return k;
}

/* Sorting by DIFFERS: by how many differ (counted by build()). */
static int cmp_differs(const struct cw_column *c, const struct cw_vrow *a, const struct cw_vrow *b)
{
	return a->members < b->members ? -1 : a->members > b->members;
}

/* "fin_timeout 30, ports 1024-65535": what is not the node's. */
static void fmt_differs(const struct cw_column *c, const struct cw_view *v, const struct cw_vrow *r,
			char *buf, size_t n, enum cw_role *role)
{
	const struct cw_sysctls *s = sysctls_of(r);
	size_t o = 0;
	int i;

	buf[0] = '\0';
	if (r->ns->kind == CW_KIND_HOST) {
		snprintf(buf, n, "(the node's)");
		return;
	}
	if (!s || s->tcp_fin_timeout < 0) {
		snprintf(buf, n, "(not read)");
		*role = CW_ROLE_DIM;
		return;
	}
	for (i = 0; i < S_COUNT && o < n; i++) {
		if (!differs(v, r, i))
			continue;
		if (i == S_PORTS)
			o += (size_t)snprintf(buf + o, n - o, "%sports %" PRId64 "-%" PRId64,
					      o ? ", " : "", s->port_lo, s->port_hi);
		else
			o += (size_t)snprintf(buf + o, n - o, "%s%s %" PRId64, o ? ", " : "",
					      short_names[i], setting(s, i));
	}
	if (!o)
		snprintf(buf, n, "same");
	else
		*role = CW_ROLE_WARN;
}

#define SETTING(title, width, which, help)                                                     \
	{title, width, 0, 3, CW_ALIGN_RIGHT, false, true, which, cmp_setting, fmt_setting, help}

/* At 80 columns the name and DIFFERS take the room (every setting column
 * would leave both too narrow to read); from about 120 most settings have
 * columns of their own. */
static const struct cw_column cols[] = {
	{"NAME", 0, 24, 0, CW_ALIGN_LEFT, true, false, CW_SLOT_NONE, cmp_label, fmt_label,
	 "the namespace: namespace/pod, container, netns name, host or comm[pid]"},
	{"CONNTRACK", 9, 0, 0, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_conntrack, fmt_conntrack,
	 "its conntrack entries (nf_conntrack_count as it sees it)"},
	{"%MAX", 5, 0, 0, CW_ALIGN_RIGHT, false, true, CW_SLOT_NONE, cmp_conntrack, fmt_ct_share,
	 "share of nf_conntrack_max, which caps each namespace's table"},
	SETTING("TW_REUSE", 8, S_TW_REUSE, "net.ipv4.tcp_tw_reuse"),
	SETTING("FIN_TIMEOUT", 11, S_FIN_TIMEOUT, "net.ipv4.tcp_fin_timeout, seconds"),
	SETTING("MAX_TW", 7, S_MAX_TW, "net.ipv4.tcp_max_tw_buckets"),
	SETTING("PORTS", 11, S_PORTS, "net.ipv4.ip_local_port_range: the ephemeral ports"),
	SETTING("SOMAXCONN", 9, S_SOMAXCONN, "net.core.somaxconn: the cap on listen backlogs"),
	SETTING("EHASH", 7, S_EHASH, "net.ipv4.tcp_child_ehash_entries (0: the node's shared table)"),
	{"DIFFERS", 0, 34, 0, CW_ALIGN_LEFT, false, true, CW_SLOT_NONE, cmp_differs, fmt_differs,
	 "its settings whose values are not the node's (read every 30 s)"},
};

static void build(struct cw_view *v)
{
	const struct cw_snapshot *s = v->snap;
	size_t i;

	if (!s)
		return;
	if (!s->node.valid)
		snprintf(v->note, sizeof(v->note), "no node figures in this snapshot");
	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *ns = &s->rows[i];
		struct cw_vrow *r;

		/* A hostNetwork pod's settings are the host's: it is the host
		 * row here. A vanished namespace has none. */
		if (ns->vanished || ns->kind == CW_KIND_HOSTNET_POD ||
		    !cw_view_filter_match(v, ns->label))
			continue;
		r = cw_view_push_row(v, CW_VROW_NS);
		r->ns = ns;
		r->cnt = ns->tcp;
		r->has_cnt = ns->has_exact;
		r->members = ndiffer(v, r);
	}
}

static void key(const struct cw_vrow *r, struct cw_selkey *k)
{
	k->kind = r->kind;
	k->inode = r->ns->id;
}

/* Enter goes to the namespace's peers, as from the pods screen. */
static bool enter(struct cw_view *v, const struct cw_vrow *r)
{
	uint64_t id = r->ns->id;
	char label[sizeof(((struct cw_frame *)0)->crumb)];
	struct cw_frame *f;

	snprintf(label, sizeof(label), "%s", cw_vrow_label(r));
	f = cw_view_push_frame(v, CW_SCR_PEERS);
	if (!f)
		return false;
	f->pod_inode = id;
	snprintf(f->crumb, sizeof(f->crumb), "%s", label);
	return true;
}

/* 1234567 -> "1,234,567"; no limit -> "no limit"; unknown -> "?". */
static void exact(int64_t v, char *buf, size_t n)
{
	char digits[32];
	size_t len, i, o = 0;

	if (v < 0) {
		snprintf(buf, n, "?");
		return;
	}
	if (v >= NO_LIMIT) {
		snprintf(buf, n, "no limit");
		return;
	}
	len = (size_t)snprintf(digits, sizeof(digits), "%" PRId64, v);
	for (i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

/* "file-nr 156,832 of file-max 1,623,419 (9.7%)" */
static void against(const char *name, int64_t v, const char *lname, int64_t limit, char *buf,
		    size_t n)
{
	char a[32], b[32], pct[16] = "";
	double p = share(v, limit);

	exact(v, a, sizeof(a));
	exact(limit, b, sizeof(b));
	if (p >= 0)
		snprintf(pct, sizeof(pct), " (%.1f%%)", p);
	snprintf(buf, n, "%s %s of %s %s%s", name, a, lname, b, pct);
}

/* Appends "name value" to a line, or starts the next line when it would
 * pass width. */
static void add(char (*lines)[CW_HEAD_LEN], size_t *k, size_t max, int width, const char *name,
		const char *value)
{
	char item[96];
	size_t l;

	if (*k >= max)
		return;
	snprintf(item, sizeof(item), "%s %s", name, value);
	l = strlen(lines[*k]);
	if (l && l + 2 + strlen(item) > (size_t)width) {
		if (++*k >= max)
			return;
		l = 0;
	}
	snprintf(lines[*k] + l, CW_HEAD_LEN - l, "%s%s", l ? "  " : "", item);
}

static size_t head(const struct cw_view *v, char (*lines)[CW_HEAD_LEN], size_t max, int width)
{
	const struct cw_node *nd = &v->snap->node;
	const struct cw_sysctls *s = &nd->sysctl;
	char a[120], b[120];
	size_t k = 0, i;

	if (!nd->valid || max < 2)
		return 0;
	for (i = 0; i < max; i++)
		lines[i][0] = '\0';
	against("file-nr", nd->file_nr, "file-max", nd->file_max, a, sizeof(a));
	against("conntrack", s->conntrack_count, "nf_conntrack_max", nd->conntrack_max, b, sizeof(b));
	if ((int)(strlen(a) + 2 + strlen(b)) <= width) {
		snprintf(lines[0], CW_HEAD_LEN, "%s  %s", a, b);
	} else {
		snprintf(lines[0], CW_HEAD_LEN, "%s", a);
		snprintf(lines[++k], CW_HEAD_LEN, "%s", b);
	}
	k++;
	/* The host namespace's settings, by their kernel names. */
	{
		static const char *const names[S_COUNT] = {
			"tcp_tw_reuse", "tcp_fin_timeout", "tcp_max_tw_buckets", "ip_local_port_range",
			"somaxconn", "tcp_child_ehash_entries",
		};

		for (i = 0; i < S_COUNT; i++) {
			int64_t x = setting(s, (int)i);

			if (x < 0)
				snprintf(a, sizeof(a), "?");
			else if (i == S_PORTS)
				snprintf(a, sizeof(a), "%" PRId64 "-%" PRId64, s->port_lo, s->port_hi);
			else
				snprintf(a, sizeof(a), "%" PRId64, x);
			add(lines, &k, max, width, names[i], a);
		}
	}
	return k < max ? k + 1 : max;
}

const struct cw_screen cw_screen_node = {
	.name = "node",
	.cols = cols,
	.ncols = CW_ARRAY_LEN(cols),
	.default_sort = "CONNTRACK",
	.build = build,
	.key = key,
	.enter = enter,
	.head = head,
};
