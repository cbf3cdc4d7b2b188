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
#include <stdio.h>
#include <string.h>

static void too_small(int w, int h)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "terminal too small: %dx%d, connwatch needs %dx%d", w, h,
		 CW_MIN_COLS, CW_MIN_LINES);
	mvaddnstr(h / 2, 0, msg, w);
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
		char f[200];
		int l;

		snprintf(f, sizeof(f), " filter: %s ", v->stack[v->depth].filter);
		l = (int)strlen(f);
		if (l < width - cw_fmt_width(fit, v->cfg.utf8) - 2)
			mvaddstr(y, width - l, f);
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
	char line[300];

	snprintf(line, sizeof(line), "%s: %s", v->input == CW_INPUT_SEARCH ? "Search" : "Filter",
		 cw_view_input_text(v));
	move(y, 0);
	clrtoeol();
	attrset(cw_term_attr(CW_ROLE_FKEY));
	mvaddnstr(y, 0, line, width - 1);
	attrset(A_NORMAL);
}

static void help_text(const struct cw_view *v, int y, int height, int width)
{
	const struct cw_frame *f = &v->stack[v->depth];
	size_t i;

	for (i = 0; (int)i < height && f->top + i < v->nrows; i++)
		mvaddnstr(y + (int)i, 0, v->rows[f->top + i].text, width);
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
	title(v, y, w);
	y++;
	g->table_y = y;
	g->table_h = h - 2 - y; /* leaves the message line and the bar */
	if (v->stack[v->depth].id == CW_SCR_HELP) {
		v->page = g->table_h;
		help_text(v, y, g->table_h, w);
	} else {
		v->page = g->table_h - 1;
		cw_table_layout(s, w, &g->layout);
		cw_table_draw(v, s, y, g->table_h, w);
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
