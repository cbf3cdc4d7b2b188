/* table: column layout and drawing. */
#include "config.h"
#include "table.h"
#include "fmt.h"
#include "term.h"
#include "util.h"

#include <curses.h>
#include <string.h>

void cw_table_layout(const struct cw_screen *s, int width, struct cw_layout *out)
{
	bool shown[CW_TABLE_MAXCOLS];
	int need, flex, extra, x;
	size_t i, n = s->ncols < CW_TABLE_MAXCOLS ? s->ncols : CW_TABLE_MAXCOLS;

	for (i = 0; i < n; i++)
		shown[i] = true;
	for (;;) {
		int worst = -1, want = -1, floor;

		need = -1; /* n columns take n-1 separators */
		for (i = 0; i < n; i++) {
			const struct cw_column *c = &s->cols[i];

			if (!shown[i])
				continue;
			need += 1 + (c->width ? c->width : c->min_width);
			want += 1 + (c->width ? c->width
					      : s->flex_pref > c->min_width ? s->flex_pref : c->min_width);
		}
		if (need <= width && want <= width)
			break;
		/* To fit, any column but the essentials goes; to widen a
		 * flexible one, only the optional ones. */
		floor = need <= width ? CW_PRIO_OPTIONAL : 1;
		/* Drop the least important column, the rightmost among equals. */
		for (i = 0; i < n; i++)
			if (shown[i] && s->cols[i].priority >= floor &&
			    (worst < 0 || s->cols[i].priority >= s->cols[worst].priority))
				worst = (int)i;
		if (worst < 0)
			break; /* only essentials left: they get squeezed */
		shown[worst] = false;
	}
	flex = 0;
	for (i = 0; i < n; i++)
		if (shown[i] && !s->cols[i].width)
			flex++;
	extra = width - need;
	out->n = 0;
	x = 0;
	for (i = 0; i < n; i++) {
		int w;

		if (!shown[i])
			continue;
		w = s->cols[i].width;
		if (!w) {
			w = s->cols[i].min_width + (flex ? extra / flex : 0);
			if (flex == 1)
				w = s->cols[i].min_width + extra; /* the last one takes the rest */
			flex--;
			extra -= w - s->cols[i].min_width;
		}
		if (x + w > width)
			w = width - x;
		if (w <= 0)
			break;
		out->col[out->n] = (int)i;
		out->x[out->n] = x;
		out->w[out->n] = w;
		out->n++;
		x += w + 1;
	}
}

int cw_table_column_at(const struct cw_layout *l, int x)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (x >= l->x[i] && x < l->x[i] + l->w[i] + 1)
			return l->col[i];
	return -1;
}

/* Writes text into a cell of width w, aligned, never past the cell. Outside
 * a UTF-8 locale every byte past ASCII is drawn as '?'. */
static void cell(int y, int x, int w, const char *text, enum cw_align align, bool middle)
{
	char fit[512];
	int tw, pad;
	bool utf8 = cw_term_utf8();

	cw_fmt_fit(text, w, middle, utf8, fit, sizeof(fit));
	tw = cw_fmt_width(fit, utf8);
	pad = align == CW_ALIGN_RIGHT ? w - tw : 0;
	mvaddstr(y, x + (pad > 0 ? pad : 0), fit);
}

void cw_table_draw(const struct cw_view *v, const struct cw_screen *s, int y, int height, int width)
{
	const struct cw_frame *f = &v->stack[v->depth];
	struct cw_layout l;
	size_t i, r;
	const char *arrow_dn = v->cfg.utf8 ? "▼" : "v", *arrow_up = v->cfg.utf8 ? "▲" : "^";

	cw_table_layout(s, width, &l);
	/* header */
	attrset(cw_term_attr(CW_ROLE_HEADER));
	mvhline(y, 0, ' ', width);
	for (i = 0; i < l.n; i++) {
		const struct cw_column *c = &s->cols[l.col[i]];
		bool sorted = l.col[i] == f->sort;
		char title[64];

		if (sorted) {
			bool desc = c->desc != f->invert;

			attrset(cw_term_attr(CW_ROLE_HEADER_SORT));
			mvhline(y, l.x[i], ' ', l.w[i]);
			/* The arrow only where it fits: the colour already marks the column. */
			snprintf(title, sizeof(title), "%s%s", c->title,
				 cw_fmt_width(c->title, v->cfg.utf8) < l.w[i] ? (desc ? arrow_dn : arrow_up) : "");
		} else {
			attrset(cw_term_attr(CW_ROLE_HEADER));
			snprintf(title, sizeof(title), "%s", c->title);
		}
		cell(y, l.x[i], l.w[i], title, c->align, false);
	}
	attrset(A_NORMAL);
	/* rows */
	for (r = 0; (int)r < height - 1; r++) {
		size_t idx = f->top + r;
		const struct cw_vrow *row;
		bool sel;

		if (idx >= v->nrows)
			break;
		row = &v->rows[idx];
		sel = idx == f->sel;
		if (sel) {
			attrset(cw_term_attr(CW_ROLE_SELECTED));
			mvhline(y + 1 + (int)r, 0, ' ', width);
		}
		for (i = 0; i < l.n; i++) {
			const struct cw_column *c = &s->cols[l.col[i]];
			enum cw_role role = CW_ROLE_NORMAL;
			char buf[512];

			buf[0] = '\0';
			c->fmt(c, v, row, buf, sizeof(buf), &role);
			attrset(cw_term_attr(sel ? CW_ROLE_SELECTED : role));
			cell(y + 1 + (int)r, l.x[i], l.w[i], buf, c->align, c->cut_middle);
		}
		attrset(A_NORMAL);
	}
	if (!v->nrows && v->note[0]) {
		attrset(cw_term_attr(CW_ROLE_DIM));
		mvaddnstr(y + 2, 2, v->note, width - 4);
		attrset(A_NORMAL);
	}
}
