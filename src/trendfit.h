/* trendfit: tells a steady rise from a jump or noise in a short series of
 * counts, for the trend rules (pool-leak, close-wait). It fits a straight
 * line by least squares to the longest recent window that passes every
 * test of a bar, and says where that rise began. Pure: times and values
 * in, numbers out. */
#ifndef CW_TRENDFIT_H
#define CW_TRENDFIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What counts as a steady rise. */
struct cw_trendfit_bar {
	int64_t min_span_ms;      /* the window covers at least this long */
	size_t min_samples;       /* ... with at least this many samples */
	double min_r2;            /* goodness of the line's fit, 0..1 */
	double min_rise;          /* the fitted rise over the window, in sockets */
	double min_rise_share;    /* ... and at least this share of the window's first count */
	double min_slope;         /* per minute */
	/* The rise is spread out: the window's thirds each rise at least at
	 * this share of the line's slope; no single step carries more than
	 * max_jump of the rise; and the last minute still rises by at least
	 * tail of the line's slope. */
	double thirds, max_jump, tail;
};

struct cw_trendfit {
	double slope;             /* per minute */
	double r2;
	double rise;              /* slope x span */
	int64_t start_ms, end_ms; /* the first and last sample of the window */
	double first, last;       /* the counts at both ends */
	size_t n;                 /* samples in the window */
};

/* At most this many of the newest samples are searched. */
#define CW_TRENDFIT_MAX 180

/* The longest window ending at the newest sample that passes bar, among
 * the newest CW_TRENDFIT_MAX of n samples (times ascending). */
bool cw_trendfit_rise(const int64_t *t, const double *v, size_t n, const struct cw_trendfit_bar *bar,
		      struct cw_trendfit *out);

#endif
