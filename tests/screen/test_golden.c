/* test_golden: renders every screen headlessly from JSON snapshots (no
 * kernel, no root) at fixed sizes, after fixed key sequences, and compares
 * the text with tests/golden/<name>.txt. CW_UPDATE_GOLDEN=1 rewrites the
 * golden files instead; review the diff before committing them. */
#include "config.h"
#include "draw.h"
#include "history.h"
#include "json_in.h"
#include "keys.h"
#include "screen.h"
#include "table.h"
#include "tap.h"
#include "term.h"
#include "util.h"
#include "view.h"

#include <curses.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define KEY_ESC 27

/* A snapshot without a single row. */
#define EMPTY_NODE "{\"schema\":2,\"time\":\"2025-11-26T19:21:18.123Z\",\"hostname\":\"empty-node\"," \
	"\"collector\":{\"cpu_ms\":0.5,\"budget_ms\":50,\"dump_ms\":0,\"netns_total\":0," \
	"\"netns_dumped\":0,\"dump_mode\":\"legacy\",\"host_netns_from\":\"pid1\",\"procs_denied\":0}," \
	"\"netns\":[]}"

/* One pod and one finding about it whose label and text are hostile: the
 * summary line under the header is their only place on the pods screen. */
#define HOSTILE_SUMMARY "{\"schema\":2,\"time\":\"2025-11-26T19:21:18.123Z\",\"hostname\":\"n\"," \
	"\"collector\":{\"cpu_ms\":0.5,\"budget_ms\":50,\"netns_total\":1,\"netns_dumped\":1}," \
	"\"findings\":[{\"rule\":\"close-wait\",\"severity\":\"crit\",\"inode\":4026532001," \
	"\"label\":\"x\\u001b]0;t\\u0007/\\u202e\u652f\u4ed8\u652f\u4ed8\u652f\u4ed8\"," \
	"\"since\":\"2025-11-26T19:20:18.123Z\",\"text\":\"\\u001b[2J\\r\\n\u00e9\u0301 " \
	"\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e " \
	"\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e " \
	"\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e\u65e5\u672c\u8a9e\"}]," \
	"\"netns\":[{\"inode\":4026532001,\"kind\":\"named\"," \
	"\"label\":\"x\\u001b]0;t\\u0007/\\u202e\u652f\u4ed8\u652f\u4ed8\u652f\u4ed8\"," \
	"\"exact_age_ms\":0,\"tcp\":{\"CLOSE_WAIT\":60}}]}"

/* A node whose pods share the host's TCP hash: the header warns and says
 * the fix and its cost. shop/web was dumped 30 s ago (the age stands in
 * its CHG/s cell; its TIME_WAIT is this tick's, from the counters), and
 * shop/api on this tick. */
#define SHARED_NODE "{\"schema\":2,\"time\":\"2025-11-26T19:21:18.123Z\",\"hostname\":\"big-node\"," \
	"\"collector\":{\"cpu_ms\":80.5,\"budget_ms\":100,\"age_bound_ms\":105000,\"round_ms\":84000," \
	"\"oldest_exact_ms\":30000,\"dump_ms\":76,\"netns_total\":3,\"netns_dumped\":1}," \
	"\"netns\":[{\"inode\":4026531840,\"kind\":\"host\",\"label\":\"host\",\"exact_age_ms\":12000," \
	"\"time_wait_current\":true,\"shared_ehash\":true,\"tcp\":{\"ESTABLISHED\":20,\"TIME_WAIT\":300," \
	"\"LISTEN\":4},\"counters\":{\"curr_estab\":20,\"tw\":300,\"inuse\":24}}," \
	"{\"inode\":4026532001,\"kind\":\"pod\",\"label\":\"shop/web\",\"exact_age_ms\":30000," \
	"\"time_wait_current\":true,\"shared_ehash\":true,\"tcp\":{\"ESTABLISHED\":12,\"TIME_WAIT\":40," \
	"\"CLOSE_WAIT\":2},\"counters\":{\"curr_estab\":14,\"tw\":40,\"inuse\":14}}," \
	"{\"inode\":4026532002,\"kind\":\"pod\",\"label\":\"shop/api\",\"exact_age_ms\":0,\"dump_ms\":76," \
	"\"shared_ehash\":true,\"tcp\":{\"ESTABLISHED\":7,\"TIME_WAIT\":3},\"counters\":{\"curr_estab\":7," \
	"\"tw\":3,\"inuse\":7}}]}"

struct scenario {
	const char *name;
	const char *fixture;    /* under tests/fixtures/snapshots/, NDJSON: one snapshot per
				 * line; or, starting with '{', the snapshot itself */
	int w, h;
	const int keys[16];     /* 0-terminated; applied after the last snapshot */
	const char *type;       /* text typed after keys (search/filter) */
	const int after[8];     /* keys after the text */
	bool ascii;             /* draw as in a non-UTF-8 locale */
};

static const struct scenario scenarios[] = {
	{"pods-small-80x24", "small.json", 80, 24, {0}, NULL, {0}, false},
	{"pods-small-120x40", "small.json", 120, 40, {0}, NULL, {0}, false},
	{"pods-small-ascii-80x24", "small.json", 80, 24, {0}, NULL, {0}, true},
	{"pods-incident-closewait-80x24", "incident.json", 80, 24, {'C', 0}, NULL, {0}, false},
	{"pods-incident-120x40", "incident.json", 120, 40, {0}, NULL, {0}, false},
	{"peers-incident-80x24", "incident.json", 80, 24, {'C', KEY_HOME, '\r', 0}, NULL, {0}, false},
	{"peers-incident-120x40", "incident.json", 120, 40, {'C', KEY_HOME, '\r', 0}, NULL, {0}, false},
	{"sockets-incident-80x24", "incident.json", 80, 24, {'C', KEY_HOME, '\r', KEY_HOME, '\r', 0}, NULL, {0}, false},
	{"sockets-incident-120x40", "incident.json", 120, 40, {'C', KEY_HOME, '\r', KEY_HOME, '\r', 0}, NULL, {0}, false},
	{"back-to-peers-80x24", "incident.json", 80, 24, {'C', KEY_HOME, '\r', KEY_HOME, '\r', KEY_ESC, 0}, NULL, {0}, false},
	{"tree-incident-120x40", "incident.json", 120, 40, {'t', 0}, NULL, {0}, false},
	{"tree-incident-ascii-80x24", "incident.json", 80, 24, {'t', 0}, NULL, {0}, true},
	/* inverted, the groups and their pods reverse: the corner moves to the new last pod */
	{"tree-incident-inverted-80x24", "incident.json", 80, 24, {'t', 'I', 0}, NULL, {0}, false},
	{"filter-incident-80x24", "incident.json", 80, 24, {'\\', 0}, "team-b", {'\r', 0}, false},
	{"filter-negated-80x24", "incident.json", 80, 24, {'\\', 0}, "!team-", {'\r', 0}, false},
	{"search-incident-80x24", "incident.json", 80, 24, {'/', 0}, "dns", {'\r', 0}, false},
	/* peers whose addresses belong to other pods on the node show their labels */
	{"peers-owned-80x24", "small.json", 80, 24, {'/', 0}, "4rrh7", {'\r', '\r', 0}, false},
	{"peers-owned-120x40", "small.json", 120, 40, {'/', 0}, "4rrh7", {'\r', '\r', 0}, false},
	{"help-80x24", "small.json", 80, 24, {KEY_F(1), 0}, NULL, {0}, false},
	{"help-120x40", "small.json", 120, 40, {'?', 0}, NULL, {0}, false},
	{"help-end-80x24", "small.json", 80, 24, {KEY_F(1), KEY_END, 0}, NULL, {0}, false},
	/* q on the help page leaves it: back to the pods */
	{"help-q-80x24", "small.json", 80, 24, {KEY_F(1), KEY_END, 'q', 0}, NULL, {0}, false},
	{"pods-big-80x24", "big.json", 80, 24, {0}, NULL, {0}, false},
	{"pods-big-end-120x40", "big.json", 120, 40, {KEY_END, 0}, NULL, {0}, false},
	{"pods-hostile-80x24", "hostile.json", 80, 24, {0}, NULL, {0}, false},
	{"pods-hostnet-80x24", "hostnet.json", 80, 24, {0}, NULL, {0}, false},
	{"peers-hostnet-80x24", "hostnet.json", 80, 24, {'/', 0}, "prometheus", {'\r', '\r', 0}, false},
	{"pods-hostile-120x40", "hostile.json", 120, 40, {0}, NULL, {0}, false},
	{"series-80x24", "series.json", 80, 24, {0}, NULL, {0}, false},
	{"too-small-79x24", "small.json", 79, 24, {0}, NULL, {0}, false},
	{"too-small-80x23", "small.json", 80, 23, {0}, NULL, {0}, false},
	{"too-small-10x5", "small.json", 10, 5, {0}, NULL, {0}, false},
	{"too-small-20x3", "small.json", 20, 3, {0}, NULL, {0}, false},
	{"too-small-9x1", "small.json", 9, 1, {0}, NULL, {0}, false},
	{"too-small-1x1", "small.json", 1, 1, {0}, NULL, {0}, false},
	/* the peer pivot: six namespaces share one database; a vanished pod's
	 * sockets are not summed; rows whose peer lists are cut short mark it */
	{"pivot-80x24", "pivot.json", 80, 24, {'P', 0}, NULL, {0}, false},
	{"pivot-120x40", "pivot.json", 120, 40, {'P', 0}, NULL, {0}, false},
	{"pivot-pods-80x24", "pivot.json", 80, 24, {'P', KEY_HOME, '\r', 0}, NULL, {0}, false},
	{"pivot-pods-120x40", "pivot.json", 120, 40, {'P', KEY_HOME, '\r', 0}, NULL, {0}, false},
	/* Enter on a pod: its sockets to that endpoint only */
	{"pivot-sockets-80x24", "pivot.json", 80, 24, {'P', KEY_HOME, '\r', KEY_HOME, '\r', 0}, NULL, {0}, false},
	/* the filter works on endpoints (and their owners) as on other screens */
	{"pivot-filter-80x24", "pivot.json", 80, 24, {'P', '\\', 0}, "redis", {'\r', 0}, false},
	/* P from the peers screen, Esc goes back to it */
	{"pivot-back-80x24", "pivot.json", 80, 24, {'/', 0}, "orders-1", {'\r', '\r', 'P', KEY_ESC, 0}, false},
	/* a loopback endpoint is its namespace's: the host's is shared only with
	 * its hostNetwork pods */
	{"pivot-loopback-80x24", "pivot.json", 80, 24, {'P', '\\', 0}, "10248", {'\r', '\r', 0}, false},
	/* what a hostile node puts in names and addresses, on the pivot */
	{"pivot-hostile-120x40", "hostile.json", 120, 40, {'P', 0}, NULL, {0}, false},
	/* a hostNetwork pod's row is opened by its row id: its own sockets */
	{"pivot-hostnet-80x24", "pivot.json", 80, 24, {'P', KEY_HOME, '\r', '/', 0}, "exporter", {'\r', '\r', 0}, false},
	/* the node screen: limits, the host's sysctls, each namespace's conntrack and settings */
	{"node-80x24", "node.json", 80, 24, {'N', 0}, NULL, {0}, false},
	{"node-120x40", "node.json", 120, 40, {'N', 0}, NULL, {0}, false},
	/* the header's limits line; N from the peers screen opens on top of it */
	{"pods-node-80x24", "node.json", 80, 24, {0}, NULL, {0}, false},
	{"node-from-peers-80x24", "node.json", 80, 24, {KEY_HOME, '\r', 'N', 0}, NULL, {0}, false},
	/* Enter on the node screen: that namespace's peers */
	{"node-enter-80x24", "node.json", 80, 24, {'N', KEY_HOME, '\r', 0}, NULL, {0}, false},
	/* findings.json: five quiet minutes (baselines), then findings of
	 * every severity, about pods, a hostNetwork pod and the node */
	{"pods-findings-80x24", "findings.json", 80, 24, {0}, NULL, {0}, false},
	{"pods-findings-120x40", "findings.json", 120, 40, {0}, NULL, {0}, false},
	{"pods-findings-ascii-80x24", "findings.json", 80, 24, {0}, NULL, {0}, true},
	/* xBASE follows the sort column: CLOSE_WAIT from a baseline of 0 */
	{"pods-findings-closewait-120x40", "findings.json", 120, 40, {'C', 0}, NULL, {0}, false},
	{"tree-findings-80x24", "findings.json", 80, 24, {'t', 0}, NULL, {0}, false},
	{"findings-80x24", "findings.json", 80, 24, {'f', 0}, NULL, {0}, false},
	{"findings-120x40", "findings.json", 120, 40, {'f', 0}, NULL, {0}, false},
	{"findings-ascii-80x24", "findings.json", 80, 24, {'f', 0}, NULL, {0}, true},
	/* the hostile finding selected: its texts in the detail, made safe */
	{"findings-hostile-80x24", "findings.json", 80, 24, {'f', '/', 0}, "connect-fail", {'\r', 0}, false},
	{"findings-hostile-120x40", "findings.json", 120, 40, {'f', '/', 0}, "connect-fail", {'\r', 0}, false},
	{"findings-filter-warn-80x24", "findings.json", 80, 24, {'f', '\\', 0}, "warn", {'\r', 0}, false},
	/* Enter on the worst finding: the sockets behind it */
	{"findings-enter-80x24", "findings.json", 80, 24, {'f', KEY_HOME, '\r', 0}, NULL, {0}, false},
	{"findings-enter-back-80x24", "findings.json", 80, 24, {'f', KEY_HOME, '\r', KEY_ESC, 0}, NULL, {0}, false},
	/* Enter on the node's finding: the node screen */
	{"findings-enter-node-80x24", "findings.json", 80, 24, {'f', '/', 0}, "node-limit", {'\r', '\r', 0}, false},
	/* the summary line of a hostile finding: escapes made safe, wide
	 * characters cut whole, in UTF-8 and in ASCII */
	{"summary-hostile-80x24", HOSTILE_SUMMARY, 80, 24, {0}, NULL, {0}, false},
	{"summary-hostile-ascii-80x24", HOSTILE_SUMMARY, 80, 24, {0}, NULL, {0}, true},
	{"pods-shared-80x24", SHARED_NODE, 80, 24, {0}, NULL, {0}, false},
	{"pods-shared-120x40", SHARED_NODE, 120, 40, {0}, NULL, {0}, false},
	/* transitions per second by pod and process (X), from state events */
	{"trans-80x24", "transitions.json", 80, 24, {'X', 0}, NULL, {0}, false},
	{"trans-120x40", "transitions.json", 120, 40, {'X', 0}, NULL, {0}, false},
	/* Enter on the busiest opens that pod's peers */
	{"trans-peers-80x24", "transitions.json", 80, 24, {'X', KEY_HOME, '\r', 0}, NULL, {0}, false},
	/* a snapshot taken without events: the screen says so */
	{"trans-none-80x24", "small.json", 80, 24, {'X', 0}, NULL, {0}, false},
	/* a node with no namespaces at all, in tree mode (grouping nothing) */
	{"tree-empty-80x24", EMPTY_NODE, 80, 24, {'t', 0}, NULL, {0}, false},
};

static char *path_of(const char *dir, const char *name)
{
	const char *top = getenv("top_srcdir");

	return cw_xasprintf("%s/tests/%s/%s", top ? top : ".", dir, name);
}

/* Feeds every line of an NDJSON fixture through the history stage to the
 * view, as the app's pipeline does. */
static bool load(struct cw_view *v, const char *fixture)
{
	char *path, *text, *line, *save = NULL;
	int r;
	bool ok;
	struct cw_history *h = cw_history_new(CW_HISTORY_LINGER_MS, CW_HISTORY_DEFAULT_MIN);

	if (fixture[0] == '{') {
		text = cw_xstrdup(fixture);
		r = 0;
	} else {
		path = path_of("fixtures/snapshots", fixture);
		r = cw_read_file(path, 64u << 20, &text, NULL);
		if (r < 0)
			printf("# cannot read %s: %s\n", path, strerror(-r));
		free(path);
	}
	ok = r == 0;
	for (line = ok ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char *cause = NULL;
		struct cw_snapshot *s = cw_json_in_snapshot(line, &cause);

		if (!s) {
			printf("# %s: %s\n", fixture, cause);
			free(cause);
			ok = false;
			break;
		}
		cw_history_apply(h, s);
		cw_view_set_snapshot(v, s);
		cw_snapshot_unref(s);
	}
	cw_history_free(h);
	if (r == 0)
		free(text);
	return ok;
}

/* The screen's text, one line per row, trailing blanks trimmed. */
static char *dump(int w, int h)
{
	size_t cap = (size_t)(w * 4 + 2) * (size_t)h + 1, o = 0;
	char *out = cw_xmalloc(cap);
	int y, x;

	for (y = 0; y < h; y++) {
		size_t start = o, last = o;

		for (x = 0; x < w; x++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			char mb[MB_LEN_MAX * (CCHARW_MAX + 1)];
			mbstate_t st;
			size_t k, l = 0;

			if (mvin_wch(y, x, &cc) == ERR)
				break;
			if (getcchar(&cc, wc, &a, &pair, NULL) == ERR)
				continue;
			memset(&st, 0, sizeof(st));
			for (k = 0; wc[k] && k < CCHARW_MAX; k++) {
				size_t n = wcrtomb(mb + l, wc[k], &st);

				if (n != (size_t)-1)
					l += n;
			}
			if (l == 0)
				continue; /* the second cell of a wide character */
			memcpy(out + o, mb, l);
			o += l;
			if (!(l == 1 && mb[0] == ' '))
				last = o;
		}
		o = last > start ? last : start;
		out[o++] = '\n';
	}
	out[o] = '\0';
	return out;
}

static void run(const struct scenario *sc, bool update)
{
	struct cw_view v;
	struct cw_view_cfg cfg = {
		.warn_close_wait = 50, .warn_time_wait = 5000, .warn_syn_sent = 100,
		.delay_s = 1.0, .utf8 = !sc->ascii,
	};
	struct cw_draw_geom g;
	char *got, *want = NULL, *gpath, *gname;
	size_t i;

	setlocale(LC_ALL, sc->ascii ? "C" : "C.UTF-8");
	cfg.utf8 = cw_term_utf8();
	resizeterm(sc->h, sc->w);
	cw_view_init(&v, &cfg);
	if (!load(&v, sc->fixture)) {
		ok(false, "%s: fixture %.40s loads", sc->name, sc->fixture);
		cw_view_done(&v);
		return;
	}
	for (i = 0; sc->keys[i]; i++)
		cw_keys_dispatch(&v, sc->keys[i]);
	for (i = 0; sc->type && sc->type[i]; i++)
		cw_keys_dispatch(&v, (unsigned char)sc->type[i]);
	for (i = 0; sc->after[i]; i++)
		cw_keys_dispatch(&v, sc->after[i]);
	/* Draw twice, as the loop does: the first draw sets the page size. */
	cw_draw_frame(&v, &g);
	cw_view_rebuild(&v);
	cw_draw_frame(&v, &g);
	got = dump(sc->w, sc->h);
	gname = cw_xasprintf("%s.txt", sc->name);
	gpath = path_of("golden", gname);
	free(gname);
	if (update) {
		FILE *f = fopen(gpath, "w");

		ok(f && fputs(got, f) >= 0 && fclose(f) == 0, "%s: golden written", sc->name);
	} else if (cw_read_file(gpath, 1 << 20, &want, NULL) != 0) {
		ok(false, "%s: golden file %s exists", sc->name, gpath);
	} else {
		bool same = strcmp(got, want) == 0;

		ok(same, "%s matches its golden screen", sc->name);
		if (!same)
			printf("# got:\n%s# want:\n%s", got, want);
	}
	free(want);
	free(got);
	free(gpath);
	cw_view_done(&v);
}

/* The text on the screen with runs of blanks and line ends made one space. */
static void squeeze(char *s)
{
	char *o = s, *p;

	for (p = s; *p; p++)
		if (*p != ' ' && *p != '\n')
			*o++ = *p;
		else if (o > s && o[-1] != ' ')
			*o++ = ' ';
	if (o > s && o[-1] == ' ')
		o--;
	*o = '\0';
}

/* At every size below 80x24 down to 1x1, the screen holds one of the
 * messages whole: a line cut or wrapped by curses would split a word. */
static void too_small_sweep(void)
{
	struct cw_view_cfg cfg = {.delay_s = 1.0, .utf8 = true};
	struct cw_view v;
	struct cw_draw_geom g;
	int w, h;
	size_t bad = 0, sizes = 0;

	cw_view_init(&v, &cfg);
	load(&v, "small.json");
	for (h = 1; h <= CW_MIN_LINES; h++)
		for (w = 1; w <= CW_MIN_COLS + 1; w++) {
			char full[128], mid[64], *got;

			if (w >= CW_MIN_COLS && h >= CW_MIN_LINES)
				continue;
			resizeterm(h, w);
			cw_draw_frame(&v, &g);
			got = dump(w, h);
			squeeze(got);
			snprintf(full, sizeof(full), "terminal too small: %dx%d, connwatch needs 80x24", w, h);
			snprintf(mid, sizeof(mid), "too small: %dx%d, needs 80x24", w, h);
			sizes++;
			if (strcmp(got, full) && strcmp(got, mid) && strcmp(got, "too small") &&
			    strcmp(got, "80x24") && strcmp(got, "small") && strcmp(got, "!") &&
			    bad++ < 5)
				printf("# %dx%d: '%s'\n", w, h, got);
			free(got);
		}
	ok(bad == 0, "at %zu sizes below 80x24 the too-small message is shown whole", sizes);
	cw_view_done(&v);
}

/* On the help page, q, F1, ? and Esc go back and only F10 quits; on the
 * other screens q quits. */
static void help_keys(void)
{
	static const int leave[] = {'q', KEY_F(1), '?', KEY_ESC};
	struct cw_view_cfg cfg = {.delay_s = 1.0, .utf8 = true};
	struct cw_view v;
	size_t i;

	for (i = 0; i < CW_ARRAY_LEN(leave); i++) {
		cw_view_init(&v, &cfg);
		cw_keys_dispatch(&v, KEY_F(1));
		is_int(cw_view_top(&v)->id, CW_SCR_HELP, "F1 opens the help page");
		is_int(cw_keys_dispatch(&v, leave[i]), CW_ACT_BACK, "a key on the help page goes back");
		ok(!v.quit && cw_view_top(&v)->id == CW_SCR_PODS,
		   "key %d on the help page leaves it without quitting", leave[i]);
		cw_view_done(&v);
	}
	cw_view_init(&v, &cfg);
	cw_keys_dispatch(&v, '?');
	cw_keys_dispatch(&v, KEY_F(10));
	ok(v.quit, "F10 on the help page quits");
	cw_view_done(&v);
	cw_view_init(&v, &cfg);
	cw_keys_dispatch(&v, 'q');
	ok(v.quit, "q on the pods screen quits");
	cw_view_done(&v);
}

/* Types text into the search line and accepts it. */
static void search(struct cw_view *v, const char *text)
{
	size_t i;

	cw_keys_dispatch(v, '/');
	for (i = 0; text[i]; i++)
		cw_keys_dispatch(v, (unsigned char)text[i]);
	cw_keys_dispatch(v, '\r');
}

static const struct cw_finding *selected_finding(const struct cw_view *v)
{
	const struct cw_vrow *r = cw_view_selected(v);

	return r && r->kind == CW_VROW_FINDING ? r->finding : NULL;
}

/* Where Enter on a finding goes, from f on any screen, and what the next
 * tick is asked for there. */
static void findings_keys(void)
{
	struct cw_view_cfg cfg = {.delay_s = 1.0, .utf8 = true};
	struct cw_view v;
	struct cw_wants w;
	const struct cw_finding *fd;
	uint64_t id;
	char ep[80];

	cw_view_init(&v, &cfg);
	if (!load(&v, "findings.json")) {
		ok(false, "findings.json loads");
		cw_view_done(&v);
		return;
	}
	is_int(cw_keys_dispatch(&v, 'f'), CW_ACT_FINDINGS, "f is the findings key");
	ok(cw_view_top(&v)->id == CW_SCR_FINDINGS && v.depth == 1, "f opens the findings over the pods");
	is_int(v.nrows, v.snap->nfindings, "one line per finding");
	fd = selected_finding(&v);
	ok(fd == &v.snap->findings[0], "the worst finding is selected first");
	cw_view_wants(&v, &w);
	ok(w.focus_id == fd->id && w.sockets_id == fd->id && !w.sockets_info,
	   "its row is dumped every tick, with its sockets (no tcp_info) for Enter");

	/* The worst: a close-wait toward a peer, Enter opens its sockets. */
	id = fd->id;
	cw_keys_dispatch(&v, '\r');
	is_int(cw_view_top(&v)->id, CW_SCR_SOCKETS, "Enter on a finding with a peer opens the sockets");
	ok(cw_view_top(&v)->pod_inode == id, "... of its row");
	cw_fmt_endpoint(&cw_view_top(&v)->peer.addr, cw_view_top(&v)->peer.port, ep, sizeof(ep));
	is_str(ep, "10.96.0.10:5432", "... toward its peer");
	ok(v.nrows == 7 && cw_view_selected(&v)->kind == CW_VROW_SOCK,
	   "... listing the row's 7 sockets toward it (%zu)", v.nrows);
	cw_view_wants(&v, &w);
	ok(w.sockets_id == id && w.focus_id == id && w.sockets_info,
	   "... and the next tick keeps that row's sockets, with tcp_info");
	cw_keys_dispatch(&v, KEY_ESC);
	ok(cw_view_top(&v)->id == CW_SCR_PEERS && cw_view_top(&v)->pod_inode == id,
	   "Esc from there is the row's peers");
	cw_keys_dispatch(&v, KEY_ESC);
	is_int(cw_view_top(&v)->id, CW_SCR_FINDINGS, "Esc again is the findings");
	cw_keys_dispatch(&v, KEY_ESC);
	ok(cw_view_top(&v)->id == CW_SCR_PODS && v.depth == 0, "Esc again is the pods");

	/* No peer: its pod's peers. */
	cw_keys_dispatch(&v, 'f');
	search(&v, "listen-overflow");
	fd = selected_finding(&v);
	ok(fd && fd->rule == CW_RULE_LISTEN_OVERFLOW && !fd->has_peer, "search finds the listen-overflow");
	id = fd ? fd->id : 0;
	cw_view_wants(&v, &w);
	ok(w.focus_id == id && w.sockets_id == 0, "a finding without a peer: its row is focused, "
	   "no sockets kept");
	cw_keys_dispatch(&v, '\r');
	ok(cw_view_top(&v)->id == CW_SCR_PEERS && cw_view_top(&v)->pod_inode == id,
	   "Enter on a finding without a peer opens its pod's peers");

	/* A hostNetwork pod's finding: its row by its cgroup. */
	cw_keys_dispatch(&v, 'f');
	ok(cw_view_top(&v)->id == CW_SCR_FINDINGS && v.depth == 1,
	   "f from the peers screen is the findings, right over the pods");
	search(&v, "time-wait");
	fd = selected_finding(&v);
	ok(fd && (fd->id & CW_ROW_ID_CGROUP), "the time-wait finding is about a hostNetwork pod");
	id = fd ? fd->id : 0;
	cw_keys_dispatch(&v, '\r');
	ok(cw_view_top(&v)->id == CW_SCR_PEERS && cw_view_top(&v)->pod_inode == id &&
	   cw_view_context_row(&v) && cw_view_context_row(&v)->kind == CW_KIND_HOSTNET_POD,
	   "Enter on it opens that pod's own peers, not the host's");

	/* The node: the node screen. The findings opened this time over a pod's peers. */
	cw_keys_dispatch(&v, KEY_ESC);
	cw_keys_dispatch(&v, KEY_ESC);
	cw_keys_dispatch(&v, KEY_HOME);
	cw_keys_dispatch(&v, '\r');
	is_int(cw_view_top(&v)->id, CW_SCR_PEERS, "Esc twice and Enter: a pod's peers");
	cw_keys_dispatch(&v, 'f');
	ok(cw_view_top(&v)->id == CW_SCR_FINDINGS && v.depth == 2, "f opens the findings over them");
	search(&v, "node-limit");
	fd = selected_finding(&v);
	ok(fd && fd->id == 0, "the node-limit finding is about the node");
	cw_view_wants(&v, &w);
	ok(w.focus_id == 0 && w.sockets_id == 0,
	   "... and asks nothing of the next tick, whatever is under the findings");
	cw_keys_dispatch(&v, '\r');
	ok(cw_view_top(&v)->id == CW_SCR_NODE && v.depth == 3, "Enter on it opens the node screen");
	cw_keys_dispatch(&v, KEY_ESC);
	is_int(cw_view_top(&v)->id, CW_SCR_FINDINGS, "Esc comes back to the findings");
	cw_view_wants(&v, &w);
	ok(w.sockets_id == 0, "... and the peers under the findings ask for sockets no more");

	/* The selection stays on its finding when the order changes. */
	cw_keys_dispatch(&v, 'f');
	search(&v, "dns-storm");
	fd = selected_finding(&v);
	cw_keys_dispatch(&v, 'I');
	ok(fd && selected_finding(&v) == fd && cw_view_top(&v)->sel != 3,
	   "inverted, the list keeps the dns-storm selected (now line %zu)", cw_view_top(&v)->sel);
	cw_view_set_filter(&v, "warn");
	is_int(v.nrows, 4, "the filter 'warn' keeps the 4 warnings");
	cw_view_set_filter(&v, "!crit");
	is_int(v.nrows, 6, "the filter '!crit' keeps all but the 3 crit");

	/* On the pods screen, sorting by the marker ranks rows by severity. */
	cw_keys_dispatch(&v, KEY_ESC);
	cw_keys_dispatch(&v, KEY_ESC);
	is_int(cw_view_top(&v)->id, CW_SCR_PODS, "Esc twice: the peers, then the pods");
	ok(cw_view_sort_by(&v, "!"), "the pods screen sorts by its marker column");
	{
		size_t i, bad = 0;
		int prev = 3;

		for (i = 0; i < v.nrows; i++) {
			int sev = v.rows[i].finding ? (int)v.rows[i].finding->severity : -1;

			bad += sev > prev;
			prev = sev;
		}
		ok(bad == 0 && v.nrows > 0 && v.rows[0].finding &&
		   v.rows[0].finding->severity == CW_SEV_CRIT && !v.rows[v.nrows - 1].finding,
		   "crit first, rows without a finding last");
	}
	cw_view_done(&v);
}

/* A mouse click finds its column through the same layout the table is
 * drawn with: check that every visible title sits where a click finds it. */
static void mouse_columns(void)
{
	static const int widths[] = {80, 120};
	const struct cw_screen *s = cw_screen_get(CW_SCR_PODS);
	size_t k, i;

	for (k = 0; k < CW_ARRAY_LEN(widths); k++) {
		struct cw_layout l;
		bool all = true;

		cw_table_layout(s, widths[k], &l);
		for (i = 0; i < l.n; i++)
			all &= cw_table_column_at(&l, l.x[i]) == l.col[i] &&
				cw_table_column_at(&l, l.x[i] + l.w[i] - 1) == l.col[i];
		ok(all && l.n > 0, "at %d columns a click on each of %zu titles finds that column",
		   widths[k], l.n);
		ok(l.x[l.n - 1] + l.w[l.n - 1] <= widths[k], "at %d columns the table fits", widths[k]);
		is_int(cw_table_column_at(&l, widths[k] + 5), -1, "a click past the table finds none");
	}
}

/* The row of the current screen whose label starts with text, or NULL. */
static const struct cw_vrow *row_named(struct cw_view *v, const char *text, size_t *at)
{
	size_t i;

	for (i = 0; i < v->nrows; i++)
		if (strncmp(cw_vrow_label(&v->rows[i]), text, strlen(text)) == 0) {
			if (at)
				*at = i;
			return &v->rows[i];
		}
	return NULL;
}

/* The pivot's numbers, its drill and what it asks of the collector, on
 * pivot.json: six live namespaces face 10.96.3.4:5432 with 126 sockets; the
 * vanished shop/orders-old had 100 more, which must not count. */
static void pivot_flow(void)
{
	struct cw_view_cfg cfg = {.delay_s = 1.0, .utf8 = true};
	struct cw_view v;
	struct cw_wants w;
	const struct cw_vrow *r;
	uint64_t total = 0, hn_id;
	size_t i, at = 0;

	cw_view_init(&v, &cfg);
	ok(load(&v, "pivot.json"), "pivot.json loads");
	r = row_named(&v, "shop/orders-old", NULL);
	ok(r && r->kind == CW_VROW_GONE, "shop/orders-old has vanished in the second snapshot");
	cw_keys_dispatch(&v, 'P');
	is_int(cw_view_top(&v)->id, CW_SCR_PIVOT, "P opens the pivot");
	r = v.nrows ? &v.rows[0] : NULL;
	ok(r && strcmp(cw_vrow_label(r), "10.96.3.4:5432") == 0, "the busiest endpoint is first: %s",
	   r ? cw_vrow_label(r) : "none");
	if (r) {
		is_int((long long)r->members, 6, "six namespaces face it (the vanished one does not count)");
		is_int(r->cnt.total, 126, "their sockets to it are summed, without the vanished pod's 100");
		is_int(r->cnt.tcp[CW_TCP_CLOSE_WAIT], 30, "CLOSE_WAIT summed");
		is_int(r->cnt.tcp[CW_TCP_SYN_SENT], 12, "SYN_SENT summed");
		ok(r->partial, "a row cut short that does not list it marks it partial");
	}
	r = row_named(&v, "10.96.200.9:443", NULL);
	ok(r && !r->partial && r->members == 1, "an endpoint the cut-short row lists is not partial");
	r = row_named(&v, "10.244.1.40:6379", NULL);
	ok(r && strstr(cw_vrow_label(r), "data/redis-0"), "an endpoint owned by a pod on the node names it");
	/* loopback: each namespace's own, never merged across namespaces */
	for (i = 0, at = 0; i < v.nrows; i++)
		if (strncmp(cw_vrow_label(&v.rows[i]), "127.0.0.1:15000 ", 16) == 0)
			at += v.rows[i].members == 1 && !v.rows[i].partial && v.rows[i].cnt.total == 2;
	is_int((long long)at, 3, "three pods' own 127.0.0.1:15000 are three endpoints of one pod each");
	r = row_named(&v, "127.0.0.1:10248 host", &at);
	ok(r && r->members == 2 && r->cnt.total == 3 && !r->partial,
	   "the host's loopback endpoint is shared with its hostNetwork pod only");
	if (r) {
		cw_view_select(&v, at);
		cw_keys_dispatch(&v, '\r');
		ok(v.nrows == 2 && row_named(&v, "host", NULL) &&
		   row_named(&v, "monitoring/postgres-exporter", NULL),
		   "its pods: the host and the hostNetwork pod");
		is_str(cw_view_top(&v)->crumb, "127.0.0.1:10248 on host", "the breadcrumb names its namespace");
		cw_keys_dispatch(&v, KEY_ESC);
	}
	cw_keys_dispatch(&v, KEY_HOME);
	cw_keys_dispatch(&v, '\r');
	is_int(cw_view_top(&v)->id, CW_SCR_PIVOT_PODS, "Enter on an endpoint lists its pods");
	is_int((long long)v.nrows, 6, "one line per namespace that faces it");
	for (i = 0; i < v.nrows; i++)
		total += v.rows[i].cnt.total;
	is_int((long long)total, 126, "the pods' counts toward it add up to the endpoint's");
	ok(!row_named(&v, "shop/orders-old", NULL), "the vanished pod is not among them");
	cw_view_wants(&v, &w);
	ok(v.nrows && w.sockets_id == v.rows[cw_view_top(&v)->sel].ns->id && w.focus_id == w.sockets_id &&
	   !w.sockets_info, "the selected pod's sockets are asked for, so Enter shows them at once");
	r = row_named(&v, "monitoring/postgres-exporter", &at);
	ok(r && (r->ns->id & CW_ROW_ID_CGROUP), "the hostNetwork pod is a row of its own");
	if (!r) {
		cw_view_done(&v);
		return;
	}
	hn_id = r->ns->id;
	cw_view_select(&v, at);
	cw_keys_dispatch(&v, '\r');
	is_int(cw_view_top(&v)->id, CW_SCR_SOCKETS, "Enter on a pod opens its sockets");
	ok(cw_view_top(&v)->pod_inode == hn_id, "by row id: the hostNetwork pod's, not the host's inode");
	is_int((long long)v.nrows, 1, "only its socket toward the endpoint (not its listener)");
	cw_view_wants(&v, &w);
	ok(w.sockets_id == hn_id && w.sockets_info, "the sockets screen asks for that row's sockets with details");
	cw_keys_dispatch(&v, KEY_F(1));
	is_int(cw_view_top(&v)->id, CW_SCR_HELP, "help opens from the sockets under the pivot");
	cw_keys_dispatch(&v, KEY_ESC);
	cw_keys_dispatch(&v, 'P');
	ok(cw_view_top(&v)->id == CW_SCR_PIVOT && v.depth == 1, "P from below the pivot goes back to it");
	cw_view_wants(&v, &w);
	ok(w.sockets_id == 0 && !w.sockets_info, "the pivot itself asks for no socket list");
	cw_keys_dispatch(&v, KEY_ESC);
	ok(cw_view_top(&v)->id == CW_SCR_PODS && v.depth == 0, "Esc goes back to the pods");
	/* from a pod's peers: P, then Esc back to those peers */
	r = row_named(&v, "shop/orders-1", &at);
	hn_id = r ? r->ns->id : 0;
	cw_view_select(&v, at);
	cw_keys_dispatch(&v, '\r');
	cw_keys_dispatch(&v, 'P');
	ok(cw_view_top(&v)->id == CW_SCR_PIVOT && v.depth == 2, "P from the peers screen opens the pivot on top");
	cw_view_wants(&v, &w);
	ok(w.sockets_id == 0, "the peers screen below no longer asks for its sockets");
	cw_keys_dispatch(&v, KEY_ESC);
	ok(cw_view_top(&v)->id == CW_SCR_PEERS && hn_id && cw_view_top(&v)->pod_inode == hn_id,
	   "Esc goes back to the peers screen it came from");
	cw_view_done(&v);
}

int main(int argc, char **argv)
{
	struct cw_term_cfg tcfg = {.color = false, .mouse = false};
	bool update = getenv("CW_UPDATE_GOLDEN") != NULL;
	char *cause = NULL;
	size_t i;

	setenv("TZ", "UTC", 1);
	setenv("TERM", "xterm-256color", 1);
	setlocale(LC_ALL, "C.UTF-8");
	tcfg.out = fopen("/dev/null", "w");
	tcfg.in = fopen("/dev/null", "r");
	if (cw_term_start(&tcfg, &cause) < 0) {
		printf("Bail out! %s\n", cause);
		return 1;
	}
	for (i = 0; i < CW_ARRAY_LEN(scenarios); i++)
		if (argc < 2 || strstr(scenarios[i].name, argv[1]))
			run(&scenarios[i], update);
	if (argc < 2) {
		mouse_columns();
		help_keys();
		pivot_flow();
		findings_keys();
		too_small_sweep();
	}
	cw_term_stop();
	return tap_done();
}
