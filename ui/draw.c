/* draw: one frame. */
#include "config.h"
#include "draw.h"
#include "fmt.h"
#include "keys.h"
#include "meters.h"
#include "screen.h"
#include "term.h"
#include "util.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Word-wraps text into lines of at most w cells; returns how many lines
 * it takes, or INT_MAX if a word is longer than w. The first max lines'
 * starts and lengths go to start and len. */
static int wrap(const char *text, int w, int max, const char **start, int *len)
{
	const char *p = text;
	int lines = 0;

	while (*p) {
		int l = 0, word;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		/* Whole words while they fit; the text is ASCII. */
		for (;;) {
			word = (int)strcspn(p + l + (l ? 1 : 0), " ");
			if ((l ? l + 1 : 0) + word > w)
				break;
			l += (l ? 1 : 0) + word;
			if (!p[l])
				break;
		}
		if (l == 0)
			return INT_MAX;
		if (lines < max) {
			start[lines] = p;
			len[lines] = l;
		}
		lines++;
		p += l;
	}
	return lines;
}

/* Says the terminal is too small in whatever room there is: the whole
 * sentence, wrapped, then shorter ones, down to one cell. */
static void too_small(int w, int h)
{
	char full[128], mid[64], need[32];
	const char *texts[6];
	const char *start[CW_MIN_LINES];
	int len[CW_MIN_LINES];
	size_t i;
	int n = INT_MAX, y;

	snprintf(full, sizeof(full), "terminal too small: %dx%d, connwatch needs %dx%d", w, h,
		 CW_MIN_COLS, CW_MIN_LINES);
	snprintf(mid, sizeof(mid), "too small: %dx%d, needs %dx%d", w, h, CW_MIN_COLS, CW_MIN_LINES);
	snprintf(need, sizeof(need), "%dx%d", CW_MIN_COLS, CW_MIN_LINES);
	texts[0] = full;
	texts[1] = mid;
	texts[2] = "too small";
	texts[3] = need;
	texts[4] = "small";
	texts[5] = "!";
	for (i = 0; i < CW_ARRAY_LEN(texts); i++) {
		n = wrap(texts[i], w, CW_MIN_LINES, start, len);
		if (n <= h)
			break;
	}
	if (n > h)
		return;
	/* Centred, one line under the middle when the lines are uneven. */
	for (y = 0; y < n; y++)
		mvaddnstr((h - n) / 2 + y, (w - len[y]) / 2, start[y], len[y]);
}

static void title(const struct cw_view *v, int y, int width)
{
	char crumb[1024], fit[1024];

	cw_view_breadcrumb(v, crumb, sizeof(crumb));
	/* Pod names in it: cut by cells, not bytes. */
	cw_fmt_fit(crumb, width, false, v->cfg.utf8, fit, sizeof(fit));
	attrset(cw_term_attr(CW_ROLE_TITLE));
	mvhline(y, 0, ' ', width);
	mvaddstr(y, 0, fit);
	if (v->stack[v->depth].filter[0] && v->input != CW_INPUT_FILTER) {
		char f[200], ff[200];
		int l;

		/* -F can bring any bytes: cut and sanitise them like a label. */
		snprintf(f, sizeof(f), " filter: %s ", v->stack[v->depth].filter);
		cw_fmt_fit(f, width, false, v->cfg.utf8, ff, sizeof(ff));
		l = cw_fmt_width(ff, v->cfg.utf8);
		if (l < width - cw_fmt_width(fit, v->cfg.utf8) - 2)
			mvaddstr(y, width - l, ff);
	}
	attrset(A_NORMAL);
}

/* The function-key bar, from the binding table. */
static void fkeys(const struct cw_view *v, int y, int width)
{
	const struct cw_binding *b;
	enum cw_screen_id id = v->stack[v->depth].id;
	size_t n, i;
	int x = 0;

	b = cw_keys_table(&n);
	move(y, 0);
	clrtoeol();
	for (i = 0; i < n; i++) {
		int kl, ll;

		if (!b[i].fkey || !(b[i].screens & CW_ON(id)))
			continue;
		kl = (int)strlen(b[i].fkey);
		ll = (int)strlen(b[i].label);
		if (x + kl + ll + 1 > width)
			break;
		attrset(cw_term_attr(CW_ROLE_FKEY));
		mvaddstr(y, x, b[i].fkey);
		attrset(cw_term_attr(CW_ROLE_FKEY_LABEL));
		mvaddstr(y, x + kl, b[i].label);
		addch(' ');
		x += kl + ll + 1;
	}
	attrset(cw_term_attr(CW_ROLE_FKEY_LABEL));
	if (x < width)
		mvhline(y, x, ' ', width - x);
	attrset(A_NORMAL);
}

static void prompt(const struct cw_view *v, int y, int width)
{
	char line[300], fit[300];

	snprintf(line, sizeof(line), "%s: %s",
		 v->input == CW_INPUT_SEARCH ? "Search" : v->input == CW_INPUT_GOTO ? "Go to time" : "Filter",
		 cw_view_input_text(v));
	/* Not into the bottom-right cell: curses would scroll or fail there. */
	cw_fmt_fit(line, width - 1, false, v->cfg.utf8, fit, sizeof(fit));
	move(y, 0);
	clrtoeol();
	attrset(cw_term_attr(CW_ROLE_FKEY));
	mvaddstr(y, 0, fit);
	attrset(A_NORMAL);
}

static void help_text(const struct cw_view *v, int y, int height, int width)
{
	const struct cw_frame *f = &v->stack[v->depth];
	size_t i;

	for (i = 0; (int)i < height && f->top + i < v->nrows; i++)
		mvaddnstr(y + (int)i, 0, v->rows[f->top + i].text, width);
}

/* Rows of the findings screen's table kept for the selected finding. */
static int detail_height(int table_h)
{
	return table_h >= 24 ? 8 : table_h >= 12 ? 6 : 0;
}

/* Under the findings list: a bar naming the selected finding, then its
 * text, evidence and next step, wrapped. */
static void detail(const struct cw_view *v, int y, int height, int width)
{
	char lines[8][CW_DETAIL_LINE], fit[CW_DETAIL_LINE];
	size_t n, i;

	n = cw_findings_detail(v, width, lines, height < 8 ? (size_t)height : 8);
	attrset(cw_term_attr(CW_ROLE_TITLE));
	mvhline(y, 0, ' ', width);
	attrset(A_NORMAL);
	for (i = 0; i < n; i++) {
		/* Sanitised here: the texts come from outside. */
		cw_fmt_fit(lines[i], width, false, v->cfg.utf8, fit, sizeof(fit));
		if (i == 0)
			attrset(cw_term_attr(CW_ROLE_TITLE));
		mvaddstr(y + (int)i, 0, fit);
		attrset(A_NORMAL);
	}
}

void cw_draw_frame(struct cw_view *v, struct cw_draw_geom *g)
{
	const struct cw_screen *s = cw_screen_get(v->stack[v->depth].id);
	int w = COLS, h = LINES, y;

	erase();
	memset(g, 0, sizeof(*g));
	if (w < CW_MIN_COLS || h < CW_MIN_LINES) {
		too_small(w, h);
		return;
	}
	y = cw_meters_draw(v, w);
	if (s->head && v->snap) {
		char lines[CW_HEAD_MAX][CW_HEAD_LEN], fit[CW_HEAD_LEN];
		size_t i, n = s->head(v, lines, CW_HEAD_MAX, w);

		attrset(cw_term_attr(CW_ROLE_METER));
		for (i = 0; i < n; i++) {
			cw_fmt_fit(lines[i], w, false, v->cfg.utf8, fit, sizeof(fit));
			mvaddstr(y++, 0, fit);
		}
		attrset(A_NORMAL);
	}
	title(v, y, w);
	y++;
	g->table_y = y;
	g->table_h = h - 2 - y; /* leaves the message line and the bar */
	if (v->stack[v->depth].id == CW_SCR_HELP) {
		v->page = g->table_h;
		help_text(v, y, g->table_h, w);
	} else {
		int dh = v->stack[v->depth].id == CW_SCR_FINDINGS ? detail_height(g->table_h) : 0;

		g->table_h -= dh;
		v->page = g->table_h - 1;
		v->cols = w;
		cw_table_layout(s, w, &g->layout);
		cw_table_draw(v, s, y, g->table_h, w);
		if (dh)
			detail(v, y + g->table_h, dh, w);
	}
	if (v->msg[0] || (v->note[0] && v->nrows)) {
		attrset(cw_term_attr(CW_ROLE_BANNER));
		mvaddnstr(h - 2, 0, v->msg[0] ? v->msg : v->note, w);
		attrset(A_NORMAL);
	}
	if (v->input != CW_INPUT_NONE)
		prompt(v, h - 1, w);
	else
		fkeys(v, h - 1, w);
}
