/* draw: composes one frame: header, breadcrumb, the current screen's table
 * (or the help text), and the bottom bar or the search/filter prompt.
 * Called once per loop turn when the view is dirty. */
#ifndef CW_DRAW_H
#define CW_DRAW_H

#include "table.h"
#include "view.h"

#define CW_MIN_COLS 80
#define CW_MIN_LINES 24

struct cw_draw_geom {
	int table_y;              /* the header row of the table */
	int table_h;              /* header + rows */
	struct cw_layout layout;  /* for mouse clicks */
};

/* Draws the frame into stdscr (no refresh). Updates v->page. */
void cw_draw_frame(struct cw_view *v, struct cw_draw_geom *g);

#endif
