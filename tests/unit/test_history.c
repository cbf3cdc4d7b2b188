/* test_history: the history stage with explicit times: change per second,
 * counter rates, first-seen times, series, and vanished rows; and that a
 * paused view does not change any of them. */
#include "config.h"
#include "history.h"
#include "tap.h"

#include <math.h>

#define T0 1700000000000LL /* a fixed wall clock, ms */

struct ns_spec {
	uint64_t inode;
	const char *label;
	uint32_t estab, tw;      /* exact counts */
	int64_t age_ms;          /* exact_age_ms; -1: no exact counts yet */
	uint64_t active_opens;   /* a cumulative counter */
};

/* A snapshot at time t with the given rows, as the collector makes it. */
static struct cw_snapshot *snap(int64_t t, const struct ns_spec *v, size_t n)
{
	struct cw_snapshot *s = cw_snapshot_new();
	size_t i;

	s->time_ms = t;
	s->nrows = n;
	s->rows = cw_arena_alloc(&s->arena, (n ? n : 1) * sizeof(*s->rows));
	for (i = 0; i < n; i++) {
		struct cw_ns_row *r = &s->rows[i];
		struct cw_peer *p = cw_arena_alloc(&s->arena, sizeof(*p));

		r->inode = v[i].inode;
		r->id = r->inode;
		r->kind = CW_KIND_POD;
		r->label = cw_arena_strdup(&s->arena, v[i].label);
		r->has_exact = v[i].age_ms >= 0;
		r->exact_age_ms = v[i].age_ms;
		r->tcp.tcp[CW_TCP_ESTABLISHED] = v[i].estab;
		r->tcp.tcp[CW_TCP_TIME_WAIT] = v[i].tw;
		r->tcp.total = v[i].estab + v[i].tw;
		r->counters.valid = true;
		r->counters.active_opens = v[i].active_opens;
		p->port = 5432;
		p->total = v[i].estab;
		r->peers = p;
		r->npeers = 1;
		/* State events' transitions, in this snapshot's arena. */
		r->transitions = cw_arena_alloc(&s->arena, sizeof(*r->transitions));
		r->transitions[0] = (struct cw_transition){cw_arena_strdup(&s->arena, "client"),
							   CW_TCP_TIME_WAIT, 5};
		r->ntransitions = 1;
	}
	return s;
}

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static const struct cw_ns_row *find(const struct cw_snapshot *s, uint64_t inode, bool vanished)
{
	size_t i;

	for (i = 0; i < s->nrows; i++)
		if (s->rows[i].inode == inode && s->rows[i].vanished == vanished)
			return &s->rows[i];
	return NULL;
}

static void test_rates_and_change(void)
{
	struct cw_history *h = cw_history_new(CW_HISTORY_LINGER_MS, CW_HISTORY_DEFAULT_MIN);
	struct ns_spec a = {1, "team-a/web", 10, 2, 0, 100};
	struct cw_snapshot *s1, *s2, *s3;
	const struct cw_ns_row *r;
	uint32_t vals[CW_SERIES_LEN];

	s1 = snap(T0, &a, 1);
	cw_history_apply(h, s1);
	r = &s1->rows[0];
	is_int(r->first_seen_ms, T0, "first tick: first_seen is the snapshot's time");
	ok(!r->has_change, "first tick: no change known yet");
	ok(!r->rates.valid, "first tick: no counter rates yet");
	ok(r->series && r->series->n == 1, "first tick: one sample in the series");

	/* 2 s later: +20 ESTABLISHED, +40 active opens. */
	a.estab = 30;
	a.active_opens = 140;
	s2 = snap(T0 + 2000, &a, 1);
	cw_history_apply(h, s2);
	r = &s2->rows[0];
	ok(r->has_change && near(r->change[CW_TCP_ESTABLISHED], 10.0),
	   "change: +20 ESTABLISHED in 2 s is 10/s (got %g)", r->change[CW_TCP_ESTABLISHED]);
	ok(near(r->change[0], 10.0), "change of the total, slot 0: 10/s");
	ok(near(r->change[CW_TCP_TIME_WAIT], 0), "unchanged TIME_WAIT: 0/s");
	ok(r->rates.valid && near(r->rates.active_opens, 20.0),
	   "rates: +40 active opens in 2 s is 20/s (got %g)", r->rates.active_opens);
	is_int(r->first_seen_ms, T0, "first_seen stays at the first tick");
	is_int(cw_series_values(r->series, CW_TCP_ESTABLISHED, vals, CW_SERIES_LEN), 2,
	       "two samples in the series");
	ok(vals[0] == 10 && vals[1] == 30, "series oldest first: 10, 30");

	/* Not dumped this tick: the same exact counts, 1 s older. The change
	 * is still between the two real samples, not 0. */
	a.age_ms = 1000;
	a.active_opens = 150;
	s3 = snap(T0 + 3000, &a, 1);
	cw_history_apply(h, s3);
	r = &s3->rows[0];
	ok(r->has_change && near(r->change[CW_TCP_ESTABLISHED], 10.0),
	   "a stale tick keeps the change of the last two dumps (got %g)",
	   r->change[CW_TCP_ESTABLISHED]);
	ok(near(r->rates.active_opens, 10.0), "counters are read every tick: 10/s (got %g)",
	   r->rates.active_opens);
	ok(s3->node_series && s3->node_series->n == 3, "node series: one sample per tick");

	/* A counter that goes backwards (a namespace inode reused) gives no
	 * rate, not a wrapped one. */
	{
		struct cw_snapshot *s4;

		a.age_ms = 0;
		a.active_opens = 5;
		s4 = snap(T0 + 4000, &a, 1);
		cw_history_apply(h, s4);
		ok(!s4->rows[0].rates.valid, "a counter that went backwards: no rate");
		cw_snapshot_unref(s4);
	}
	cw_snapshot_unref(s1);
	cw_snapshot_unref(s2);
	cw_snapshot_unref(s3);
	cw_history_free(h);
}

static void test_vanished(void)
{
	struct cw_history *h = cw_history_new(5000, CW_HISTORY_DEFAULT_MIN);
	struct ns_spec both[] = {{1, "team-a/web", 10, 2, 0, 100}, {2, "team-b/db-0", 7, 0, 0, 50}};
	struct cw_snapshot *s;
	const struct cw_ns_row *r;
	int64_t t;

	s = snap(T0, both, 2);
	cw_history_apply(h, s);
	cw_snapshot_unref(s);
	both[1].estab = 9;
	s = snap(T0 + 1000, both, 2);
	cw_history_apply(h, s);
	cw_snapshot_unref(s);

	/* db-0 is gone: it lingers with its last counts for 5 s. */
	s = snap(T0 + 2000, both, 1);
	cw_history_apply(h, s);
	is_int(s->nrows, 2, "the vanished row is appended");
	r = find(s, 2, true);
	ok(r != NULL, "db-0 is kept, marked vanished");
	if (r) {
		is_str(r->label, "team-b/db-0", "... with its label");
		is_int(r->tcp.tcp[CW_TCP_ESTABLISHED], 9, "... and its last counts");
		is_int(r->npeers, 1, "... and its peers");
		is_int(r->first_seen_ms, T0, "... and its first-seen time");
		is_int(r->exact_age_ms, 1000, "... whose age keeps growing");
		ok(!r->dumped && !r->has_change, "... not dumped, no change");
		ok(!r->transitions && !r->ntransitions,
		   "... and no transitions (they were the previous snapshot's, and it changes no state)");
	}
	ok(find(s, 1, false) && !find(s, 1, true), "the live row is not doubled");
	{
		struct cw_tcpcount tot;

		cw_snapshot_totals(s, &tot);
		is_int(tot.tcp[CW_TCP_ESTABLISHED], 10, "node totals leave vanished rows out");
	}
	cw_snapshot_unref(s); /* the history keeps what it needs */

	for (t = T0 + 3000; t <= T0 + 6000; t += 1000) {
		s = snap(t, both, 1);
		cw_history_apply(h, s);
		ok(find(s, 2, true) != NULL, "still lingering at +%llds", (long long)(t - T0 - 1000) / 1000);
		cw_snapshot_unref(s);
	}
	s = snap(T0 + 7000, both, 1);
	cw_history_apply(h, s);
	is_int(s->nrows, 1, "gone after the linger time");
	cw_snapshot_unref(s);

	/* The kernel reuses inodes: a namespace gone for one tick and then
	 * seen again under the same inode is a new one. */
	{
		struct cw_history *h2 = cw_history_new(5000, CW_HISTORY_DEFAULT_MIN);
		struct ns_spec one = {5, "old", 10, 0, 0, 100}, reused = {5, "new", 1, 0, 0, 3};

		s = snap(T0, &one, 1);
		cw_history_apply(h2, s);
		cw_snapshot_unref(s);
		s = snap(T0 + 1000, NULL, 0);
		cw_history_apply(h2, s);
		ok(find(s, 5, true) != NULL, "gone for a tick: it lingers");
		cw_snapshot_unref(s);
		s = snap(T0 + 2000, &reused, 1);
		cw_history_apply(h2, s);
		is_int(s->nrows, 1, "the same inode back: one row, not a lingering one too");
		is_int(s->rows[0].first_seen_ms, T0 + 2000, "... with a first_seen of its own");
		ok(!s->rows[0].rates.valid && !s->rows[0].has_change, "... and no rate across namespaces");
		cw_snapshot_unref(s);
		cw_history_free(h2);
	}

	/* A namespace that comes back (a new inode) is new. */
	{
		struct ns_spec back = {2, "team-b/db-0", 1, 0, 0, 1};

		s = snap(T0 + 8000, &back, 1);
		cw_history_apply(h, s);
		is_int(s->rows[0].first_seen_ms, T0 + 8000, "a forgotten inode seen again is new");
		ok(!s->rows[0].rates.valid, "... with no rate across the gap");
		cw_snapshot_unref(s);
	}
	cw_history_free(h);
}

/* The stage runs on every snapshot whatever a view does: a view that holds
 * an old snapshot (paused) and then takes the latest sees the same rates as
 * one that never paused. */
static void test_pause(void)
{
	struct cw_history *h = cw_history_new(5000, CW_HISTORY_DEFAULT_MIN);
	struct ns_spec a = {1, "team-a/web", 0, 0, 0, 0};
	struct cw_snapshot *held = NULL, *s = NULL;
	int i;

	for (i = 0; i < 10; i++) {
		a.estab = (uint32_t)(5 * i);
		a.active_opens = (uint64_t)(3 * i);
		cw_snapshot_unref(s);
		s = snap(T0 + i * 1000, &a, 1);
		cw_history_apply(h, s);
		if (i == 3)
			held = cw_snapshot_ref(s); /* the view pauses here */
	}
	ok(near(s->rows[0].change[CW_TCP_ESTABLISHED], 5.0),
	   "after a pause of 6 ticks: change is 5/s, the last tick's (got %g)",
	   s->rows[0].change[CW_TCP_ESTABLISHED]);
	ok(near(s->rows[0].rates.active_opens, 3.0), "... and rates 3/s (got %g)",
	   s->rows[0].rates.active_opens);
	is_int(s->rows[0].series->n, 10, "... and the series has no gap: 10 samples");
	ok(near(held->rows[0].change[CW_TCP_ESTABLISHED], 5.0),
	   "the held snapshot still shows its own tick's change");
	cw_snapshot_unref(held);
	cw_snapshot_unref(s);
	cw_history_free(h);
}

/* A snapshot with no rows, and a series longer than its ring. */
static void test_edges(void)
{
	struct cw_history *h = cw_history_new(5000, CW_HISTORY_DEFAULT_MIN);
	struct ns_spec a = {1, "x", 1, 0, 0, 0};
	struct cw_snapshot *s = snap(T0, NULL, 0);
	uint32_t vals[CW_SERIES_LEN];
	int i;

	cw_history_apply(h, s);
	is_int(s->nrows, 0, "no rows: none added");
	cw_snapshot_unref(s);
	for (i = 0; i < CW_SERIES_LEN + 7; i++) {
		a.estab = (uint32_t)i;
		s = snap(T0 + 1000 + i * 1000, &a, 1);
		cw_history_apply(h, s);
		if (i < CW_SERIES_LEN + 6)
			cw_snapshot_unref(s);
	}
	is_int(cw_series_values(s->rows[0].series, CW_TCP_ESTABLISHED, vals, CW_SERIES_LEN),
	       CW_SERIES_LEN, "the series holds the last %d samples", CW_SERIES_LEN);
	is_int(vals[0], 7, "... the oldest kept is the 8th");
	is_int(vals[CW_SERIES_LEN - 1], CW_SERIES_LEN + 6, "... the newest last");
	is_int(cw_series_values(s->rows[0].series, CW_TCP_ESTABLISHED, vals, 4), 4,
	       "asking for fewer gives the newest few");
	is_int(vals[3], CW_SERIES_LEN + 6, "... ending with the newest");
	cw_snapshot_unref(s);
	cw_history_free(h);
}

/* A tick without counters (read in turn under a shortage): no rate then,
 * and the next rate spans the whole interval since the last read. */
static void test_counter_gap(void)
{
	struct cw_history *h = cw_history_new(5000, CW_HISTORY_DEFAULT_MIN);
	struct ns_spec a = {1, "p", 1, 0, 0, 0};
	struct cw_snapshot *s;

	s = snap(T0, &a, 1);
	cw_history_apply(h, s);
	cw_snapshot_unref(s);
	a.active_opens = 10;
	s = snap(T0 + 1000, &a, 1);
	s->rows[0].counters.valid = false;
	cw_history_apply(h, s);
	ok(!s->rows[0].rates.valid, "a tick without counters has no rates");
	cw_snapshot_unref(s);
	a.active_opens = 40;
	s = snap(T0 + 2000, &a, 1);
	cw_history_apply(h, s);
	ok(s->rows[0].rates.valid && near(s->rows[0].rates.active_opens, 20.0),
	   "the next rate spans both ticks: 40 opens in 2 s is 20/s (got %g)",
	   s->rows[0].rates.active_opens);
	cw_snapshot_unref(s);
	cw_history_free(h);
}

/* A lingering row is a copy: the history holds no old snapshot beyond the
 * previous one, whatever lingers. */
static void test_no_old_snapshots(void)
{
	struct cw_history *h = cw_history_new(5000, CW_HISTORY_DEFAULT_MIN);
	struct ns_spec both[] = {{1, "a", 1, 0, 0, 0}, {2, "b", 2, 0, 0, 0}};
	struct cw_snapshot *first, *s;
	int k;

	first = snap(T0, both, 2);
	cw_history_apply(h, first);
	for (k = 1; k <= 3; k++) {
		s = snap(T0 + k * 1000, both, 1);
		cw_history_apply(h, s);
		cw_snapshot_unref(s);
	}
	is_int(atomic_load(&first->refs), 1, "3 ticks later, only the test holds the first snapshot");
	s = snap(T0 + 4000, both, 1);
	cw_history_apply(h, s);
	ok(find(s, 2, true) && find(s, 2, true)->tcp.tcp[CW_TCP_ESTABLISHED] == 2,
	   "b still lingers with its counts, from the history's own copy");
	cw_snapshot_unref(s);
	cw_snapshot_unref(first);
	cw_history_free(h);
}

/* The trend keeps one sample per 10 s (the latest of each step) over
 * --history minutes; the baseline is its median per state, once the trend
 * covers a third of the window, and a surge does not move it at once. */
static void test_trend_baseline(void)
{
	struct cw_history *h = cw_history_new(5000, 3); /* 18 steps; a baseline after 6 */
	struct ns_spec a = {7, "team-a/api", 0, 0, 0, 0};
	const struct cw_ns_row *r = NULL;
	struct cw_snapshot *s = NULL;
	int i;

	/* 60 s at 1 s: 6 steps of 10 s, ESTAB 10..69. */
	for (i = 0; i < 60; i++) {
		a.estab = 10 + (uint32_t)i;
		cw_snapshot_unref(s);
		s = snap(T0 + i * 1000, &a, 1);
		cw_history_apply(h, s);
		r = find(s, 7, false);
		if (i == 49)
			ok(!r->has_baseline, "no baseline from 50 s of a 3-minute window");
	}
	ok(r->trend && r->trend->n == 6, "one trend sample per 10 s (%zu)", r->trend ? r->trend->n : 0);
	ok(r->trend && r->trend->v[0][CW_TCP_ESTABLISHED] == 19 && r->trend->v[5][CW_TCP_ESTABLISHED] == 69 &&
	   r->trend->t[5] == T0 + 59000, "each step keeps its latest count");
	ok(r->has_baseline && near(r->baseline[CW_TCP_ESTABLISHED], (39 + 49) / 2.0) &&
	   near(r->baseline[0], (39 + 49) / 2.0), "baseline: the median of the steps (%g)",
	   r->baseline[CW_TCP_ESTABLISHED]);
	/* A surge of 20 s: two steps of 10x; the median barely moves. */
	for (i = 60; i < 80; i++) {
		a.estab = 700;
		cw_snapshot_unref(s);
		s = snap(T0 + i * 1000, &a, 1);
		cw_history_apply(h, s);
	}
	r = find(s, 7, false);
	/* 19 29 39 49 59 69 700 700: from (39+49)/2 to (49+59)/2 */
	ok(r->has_baseline && near(r->baseline[CW_TCP_ESTABLISHED], 54),
	   "a 20 s surge moves the baseline by one step only (%g)", r->baseline[CW_TCP_ESTABLISHED]);
	/* 3 minutes later the window holds 18 steps and the oldest are gone. */
	for (i = 80; i < 260; i += 5) {
		cw_snapshot_unref(s);
		s = snap(T0 + i * 1000, &a, 1);
		cw_history_apply(h, s);
	}
	r = find(s, 7, false);
	ok(r->trend->n == 18 && r->trend->t[0] >= T0 + 80000, "the window is 3 minutes (%zu samples)",
	   r->trend->n);
	ok(near(r->baseline[CW_TCP_ESTABLISHED], 700), "a lasting change becomes the baseline");
	/* A row dumped long ago carries its count: the sample is not repeated. */
	cw_snapshot_unref(s);
	a.age_ms = 35000; /* taken at T0 + 255 s, the latest sample's time */
	s = snap(T0 + 290000, &a, 1);
	cw_history_apply(h, s);
	r = find(s, 7, false);
	ok(r->trend->t[r->trend->n - 1] == T0 + 255000, "a carried count adds no trend sample");
	cw_snapshot_unref(s);
	cw_history_free(h);
}

int main(void)
{
	test_trend_baseline();
	test_no_old_snapshots();
	test_counter_gap();
	test_rates_and_change();
	test_vanished();
	test_pause();
	test_edges();
	return tap_done();
}
