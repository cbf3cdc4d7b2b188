/* trendfit: least-squares rises over short series of counts. */
#include "config.h"
#include "trendfit.h"


/* Least squares over v[a..b] against time in minutes since t[a]. */
static void fit(const int64_t *t, const double *v, size_t a, size_t b, double *slope, double *r2)
{
	double n = (double)(b - a + 1), sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
	double vx, vy, cxy;
	size_t i;

	for (i = a; i <= b; i++) {
		double x = (double)(t[i] - t[a]) / 60000.0;

		sx += x;
		sy += v[i];
		sxx += x * x;
		sxy += x * v[i];
		syy += v[i] * v[i];
	}
	vx = sxx - sx * sx / n;
	vy = syy - sy * sy / n;
	cxy = sxy - sx * sy / n;
	*slope = vx > 0 ? cxy / vx : 0;
	/* A flat series explains nothing: no fit. */
	*r2 = vx > 0 && vy > 0 ? (cxy * cxy) / (vx * vy) : 0;
}

/* Each of the window's three equal spans of time rises at least at share
 * of the whole window's slope: a jump (flat, then a step) leaves two
 * thirds flat, and the oldest third is flat when the window reaches back
 * before the rise began (so the fitted start is the rise's). */
static bool thirds_rise(const int64_t *t, const double *v, size_t a, size_t b, double slope,
			double share)
{
	int64_t span = t[b] - t[a];
	int k;

	for (k = 0; k < 3; k++) {
		size_t lo = b + 1, hi = a, i;
		double s, r2;

		/* Its samples, boundaries included in both neighbours. */
		for (i = a; i <= b; i++) {
			int64_t d = (t[i] - t[a]) * 3;

			if (d >= span * k && d <= span * (k + 1)) {
				if (lo > b)
					lo = i;
				hi = i;
			}
		}
		if (lo > b || hi <= lo)
			return false;
		fit(t, v, lo, hi, &s, &r2);
		if (s < share * slope)
			return false;
	}
	return true;
}

/* The line over v[a..b] from sums of x, y, xx, xy, yy over it. */
static void fit_sums(const double *sum, double n, double *slope, double *r2)
{
	double vx = sum[2] - sum[0] * sum[0] / n, vy = sum[4] - sum[1] * sum[1] / n;
	double cxy = sum[3] - sum[0] * sum[1] / n;

	*slope = vx > 0 ? cxy / vx : 0;
	*r2 = vx > 0 && vy > 0 ? (cxy * cxy) / (vx * vy) : 0;
}

static bool passes(const int64_t *t, const double *v, size_t a, size_t b, const double *sum,
		   const struct cw_trendfit_bar *bar, struct cw_trendfit *out)
{
	int64_t span = t[b] - t[a];
	double slope, r2, rise, jump = 0;
	size_t i, back;

	if (span < bar->min_span_ms || b - a + 1 < bar->min_samples)
		return false;
	fit_sums(sum, (double)(b - a + 1), &slope, &r2);
	rise = slope * (double)span / 60000.0;
	if (slope < bar->min_slope || r2 < bar->min_r2 || rise < bar->min_rise ||
	    rise < bar->min_rise_share * v[a])
		return false;
	for (i = a; i < b; i++)
		if (v[i + 1] - v[i] > jump)
			jump = v[i + 1] - v[i];
	if (jump > bar->max_jump * rise)
		return false;
	if (!thirds_rise(t, v, a, b, slope, bar->thirds))
		return false;
	/* Still rising: the newest sample against the latest one at least a
	 * minute older. */
	for (back = b; back > a && t[b] - t[back] < 60000; back--)
		;
	if (t[b] - t[back] >= 60000 &&
	    v[b] - v[back] < bar->tail * slope * (double)(t[b] - t[back]) / 60000.0)
		return false;
	out->slope = slope;
	out->r2 = r2;
	out->rise = rise;
	out->start_ms = t[a];
	out->end_ms = t[b];
	out->first = v[a];
	out->last = v[b];
	out->n = b - a + 1;
	return true;
}

bool cw_trendfit_rise(const int64_t *t, const double *v, size_t n, const struct cw_trendfit_bar *bar,
		      struct cw_trendfit *out)
{
	double sums[CW_TRENDFIT_MAX][5];
	size_t lo, a, k;

	if (n < 2)
		return false;
	lo = n > CW_TRENDFIT_MAX ? n - CW_TRENDFIT_MAX : 0;
	/* Every window ends at the newest sample: its sums are suffix sums,
	 * so each window's line costs O(1), with x in minutes before the
	 * newest sample (a line does not depend on where x starts). */
	for (a = n; a-- > lo;) {
		double x = (double)(t[a] - t[n - 1]) / 60000.0, *sm = sums[a - lo];

		for (k = 0; k < 5; k++)
			sm[k] = a + 1 < n ? sums[a + 1 - lo][k] : 0;
		sm[0] += x;
		sm[1] += v[a];
		sm[2] += x * x;
		sm[3] += x * v[a];
		sm[4] += v[a] * v[a];
	}
	/* Longest first: the rise's start is the oldest sample that still
	 * fits. */
	for (a = lo; a + 1 < n; a++)
		if (passes(t, v, a, n - 1, sums[a - lo], bar, out))
			return true;
	return false;
}
