/* table: lays out a screen's column descriptors for a width (dropping the
 * least important columns first when narrow) and draws the header and the
 * visible rows. Layout is pure, so mouse clicks and tests can use it. */
#ifndef CW_TABLE_H
#define CW_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "screen.h"

#define CW_TABLE_MAXCOLS 16

struct cw_layout {
	size_t n;                      /* visible columns */
	int col[CW_TABLE_MAXCOLS];     /* their indices in the screen's table */
	int x[CW_TABLE_MAXCOLS];       /* start x */
	int w[CW_TABLE_MAXCOLS];       /* width */
};

void cw_table_layout(const struct cw_screen *s, int width, struct cw_layout *out);
/* The column index under x, or -1. */
int cw_table_column_at(const struct cw_layout *l, int x);
/* Draws the header at y and rows from y+1 to y+height-1. */
void cw_table_draw(const struct cw_view *v, const struct cw_screen *s, int y, int height, int width);

#endif
