/* meters: the header above the table: node, time, pod and namespace
 * counts, node totals per state, the node's limits (file handles and
 * conntrack, when known), a sparkline of the last minute, the
 * collector's own cost, and warnings (shared TCP hash, missing privilege). */
#ifndef CW_METERS_H
#define CW_METERS_H

#include "view.h"

/* Draws the header from row 0; returns the number of rows used. */
int cw_meters_draw(const struct cw_view *v, int width);

#endif
