/* test_events: the arithmetic of the event source without BPF: seeding by
 * a dump, live = seed + entered - left, TIME_WAIT from the counter,
 * reconciliation (drift beyond the events during the dumps is counted and
 * corrected), a full map (every seed dropped), transition rates and
 * pruning. The source is made off (no BPF) and driven through
 * cw_events_ingest_*, the same calls its map reader makes. */
#include "config.h"
#include "events.h"
#include "tap.h"

#include <string.h>

#define NS 4026532001ull

static struct cw_events *source(void)
{
	struct cw_events *ev = cw_events_new(false);

	cw_events_force_active(ev);
	return ev;
}

static void tick(struct cw_events *ev, int64_t now, uint64_t full, const struct cw_evtotals *t)
{
	cw_events_ingest_begin(ev, now, full, 0, 0);
	cw_events_ingest_ns(ev, NS, t);
	cw_events_ingest_end(ev);
}

static struct cw_counters tw(uint64_t n)
{
	struct cw_counters c;

	memset(&c, 0, sizeof(c));
	c.valid = true;
	c.tw = n;
	return c;
}

static void dump(struct cw_events *ev, const struct cw_tcpcount *d, int *drift)
{
	struct cw_evtotals before;

	cw_events_before_dump(ev, NS, &before);
	*drift = cw_events_after_dump(ev, NS, d, &before);
}

/* A dump during which the namespace's totals become `during`; its drift. */
static int dump_during(struct cw_events *ev, const struct cw_tcpcount *d,
		       const struct cw_evtotals *during)
{
	struct cw_evtotals before;

	cw_events_before_dump(ev, NS, &before);
	cw_events_ingest_ns(ev, NS, during);
	return cw_events_after_dump(ev, NS, d, &before);
}

static void test_off(void)
{
	struct cw_events *ev = cw_events_new(false);
	struct cw_counters c = tw(0);
	struct cw_tcpcount out;

	ok(!cw_events_active(ev), "--no-bpf: off");
	is_str(cw_events_source(ev), "events off: --no-bpf", "says why in one line");
	ok(!cw_events_live(ev, NS, &c, &out), "off: no live counts");
	ok(!cw_events_wanted(ev), "--no-bpf: not wanted (no capability kept for it)");
	cw_events_start(ev);
	ok(!cw_events_active(ev) && !cw_events_wanted(ev), "--no-bpf: starting does nothing");
	cw_events_free(ev);
}

/* Asked for, nothing loads until cw_events_start: the first screen does
 * not wait for the program. */
static void test_deferred(void)
{
	struct cw_events *ev = cw_events_new(true);

#ifdef HAVE_BPF
	ok(cw_events_wanted(ev) && !cw_events_active(ev), "asked for: wanted, not loaded yet");
	is_str(cw_events_source(ev), "events off: not loaded yet (they load after the first snapshot)",
	       "says so in one line until started");
#else
	ok(!cw_events_wanted(ev), "built without BPF: not wanted");
	is_str(cw_events_source(ev), "events off: built without BPF (configure --with-bpf)",
	       "says why in one line");
#endif
	cw_events_free(ev);
}

static void test_seed_live_reconcile(void)
{
	struct cw_events *ev = source();
	struct cw_evtotals t;
	struct cw_tcpcount d, out;
	struct cw_counters c = tw(7);
	int drift = -1;

	memset(&t, 0, sizeof(t));
	memset(&d, 0, sizeof(d));
	t.enter[CW_TCP_ESTABLISHED] = 100; /* history before the seed */
	t.leave[CW_TCP_ESTABLISHED] = 90;
	tick(ev, 1000, 0, &t);
	ok(!cw_events_live(ev, NS, &c, &out), "not seeded: no live counts");

	d.tcp[CW_TCP_ESTABLISHED] = 10;
	d.tcp[CW_TCP_LISTEN] = 1;
	d.tcp[CW_TCP_TIME_WAIT] = 3;
	dump(ev, &d, &drift);
	is_int(drift, 0, "the first dump seeds, it cannot drift");

	/* 5 connects (CLOSE -> SYN_SENT -> ESTABLISHED), 2 closes into
	 * TIME_WAIT (ESTABLISHED -> FIN_WAIT1 -> FIN_WAIT2 -> CLOSE). */
	t.leave[CW_TCP_CLOSE] += 5;
	t.enter[CW_TCP_SYN_SENT] += 5;
	t.leave[CW_TCP_SYN_SENT] += 5;
	t.enter[CW_TCP_ESTABLISHED] += 5;
	t.leave[CW_TCP_ESTABLISHED] += 2;
	t.enter[CW_TCP_FIN_WAIT1] += 2;
	t.leave[CW_TCP_FIN_WAIT1] += 2;
	t.enter[CW_TCP_FIN_WAIT2] += 2;
	t.leave[CW_TCP_FIN_WAIT2] += 2;
	t.enter[CW_TCP_CLOSE] += 2;
	tick(ev, 2000, 0, &t);
	ok(cw_events_live(ev, NS, &c, &out), "seeded: live counts");
	is_int(out.tcp[CW_TCP_ESTABLISHED], 13, "ESTABLISHED = 10 + 5 - 2");
	is_int(out.tcp[CW_TCP_SYN_SENT], 0, "SYN_SENT in and out");
	is_int(out.tcp[CW_TCP_FIN_WAIT2], 0, "FIN_WAIT2 in and out");
	is_int(out.tcp[CW_TCP_CLOSE], 0, "CLOSE is the dump's, not events' (sockets start there unseen)");
	is_int(out.tcp[CW_TCP_TIME_WAIT], 7, "TIME_WAIT is the counter's");
	is_int(out.tcp[CW_TCP_LISTEN], 1, "LISTEN kept");
	is_int(out.total, 21, "total = 13 + 1 + 7");

	/* A dump that agrees: reconciled, no drift. TIME_WAIT grew meanwhile,
	 * which is no drift: it is the counter's, never the events'. */
	d.tcp[CW_TCP_ESTABLISHED] = 13;
	d.tcp[CW_TCP_TIME_WAIT] = 5;
	dump(ev, &d, &drift);
	is_int(drift, 0, "a dump that agrees: no drift");
	is_int((int)cw_events_stats(ev)->reconciled, 1, "one reconcile counted");

	/* Events lost (2 closes not seen): the next dump finds drift, counts
	 * it, and re-seeds, so live is right again. */
	d.tcp[CW_TCP_ESTABLISHED] = 11;
	dump(ev, &d, &drift);
	is_int(drift, 1, "live 13, dumped 11, no event during the dumps: drift");
	is_int((int)cw_events_stats(ev)->drift, 1, "drift counted");
	is_int((int)cw_events_drift(ev, NS), 1, "... for the namespace too");
	tick(ev, 3000, 0, &t);
	ok(cw_events_live(ev, NS, &c, &out) && out.tcp[CW_TCP_ESTABLISHED] == 11,
	   "corrected: re-seeded from the dump");
	cw_events_free(ev);
}

static void test_events_during_dump(void)
{
	struct cw_events *ev = source();
	struct cw_evtotals t;
	struct cw_tcpcount d;
	int drift;

	memset(&t, 0, sizeof(t));
	memset(&d, 0, sizeof(d));
	tick(ev, 1000, 0, &t);
	d.tcp[CW_TCP_ESTABLISHED] = 4;
	dump(ev, &d, &drift);
	/* During the next dump one socket closes: the walk may or may not
	 * have seen it, so a difference of one is not drift. */
	t.leave[CW_TCP_ESTABLISHED] = 1;
	t.enter[CW_TCP_FIN_WAIT1] = 1;
	d.tcp[CW_TCP_ESTABLISHED] = 4; /* the walk saw it still ESTABLISHED */
	drift = dump_during(ev, &d, &t);
	is_int(drift, 0, "a difference within the events during the dump: no drift");
	is_int((int)cw_events_stats(ev)->drift, 0, "none counted");
	cw_events_free(ev);
}

/* The namespace's entry dropped and made again while a dump walked: the
 * totals went back, so the events in between are lost. That is drift
 * (counted, and the dump re-seeds), not a huge count of events in flight. */
static void test_entry_reset_during_dump(void)
{
	struct cw_events *ev = source();
	struct cw_evtotals t;
	struct cw_tcpcount d;
	int drift;

	memset(&t, 0, sizeof(t));
	memset(&d, 0, sizeof(d));
	t.enter[CW_TCP_ESTABLISHED] = 50;
	tick(ev, 1000, 0, &t);
	d.tcp[CW_TCP_ESTABLISHED] = 50;
	dump(ev, &d, &drift);
	memset(&t, 0, sizeof(t));
	t.enter[CW_TCP_ESTABLISHED] = 1; /* counting again from nothing */
	d.tcp[CW_TCP_ESTABLISHED] = 51;
	drift = dump_during(ev, &d, &t);
	is_int(drift, 1, "totals that went back during a dump: drift");
	is_int((int)cw_events_stats(ev)->drift, 1, "... counted");
	t.enter[CW_TCP_ESTABLISHED] = 3;
	tick(ev, 2000, 0, &t);
	{
		struct cw_counters k = tw(0);
		struct cw_tcpcount live;

		ok(cw_events_live(ev, NS, &k, &live) && live.tcp[CW_TCP_ESTABLISHED] == 53,
		   "... and the dump re-seeded: 51, and 2 since");
	}
	cw_events_free(ev);
}

static void test_clone_and_full(void)
{
	struct cw_events *ev = source();
	struct cw_evtotals t;
	struct cw_tcpcount d, out;
	struct cw_counters c = tw(0);
	int drift;

	memset(&t, 0, sizeof(t));
	memset(&d, 0, sizeof(d));
	tick(ev, 1000, 0, &t);
	d.tcp[CW_TCP_LISTEN] = 1;
	dump(ev, &d, &drift);
	/* Three passive opens: the BPF side counts the child's LISTEN ->
	 * SYN_RECV as an entry only (the listener stays). */
	t.enter[CW_TCP_SYN_RECV] = 3;
	t.leave[CW_TCP_SYN_RECV] = 3;
	t.enter[CW_TCP_ESTABLISHED] = 3;
	tick(ev, 2000, 0, &t);
	ok(cw_events_live(ev, NS, &c, &out) && out.tcp[CW_TCP_LISTEN] == 1 &&
	   out.tcp[CW_TCP_ESTABLISHED] == 3, "passive opens: LISTEN 1, ESTABLISHED 3");

	/* A namespace found the map full: nothing is trusted until a dump. */
	tick(ev, 3000, 1, &t);
	ok(!cw_events_live(ev, NS, &c, &out), "map full: every seed dropped");
	d.tcp[CW_TCP_ESTABLISHED] = 3;
	dump(ev, &d, &drift);
	tick(ev, 4000, 1, &t);
	ok(cw_events_live(ev, NS, &c, &out), "the next dump seeds again (the full count did not move)");
	is_int((int)cw_events_stats(ev)->full_states, 1, "the full count is reported");

	/* The namespace vanished: forgotten. */
	cw_events_prune(ev, NULL, 0);
	ok(!cw_events_live(ev, NS, &c, &out), "a vanished namespace is forgotten");
	cw_events_free(ev);
}

static void test_transitions(void)
{
	struct cw_events *ev = source();
	struct cw_transition tr[4];
	size_t n;

	cw_events_ingest_begin(ev, 1000, 0, 0, 0);
	cw_events_ingest_trans(ev, NS, CW_TCP_TIME_WAIT, "client", 500);
	cw_events_ingest_trans(ev, NS + 1, CW_TCP_TIME_WAIT, "other", 5);
	cw_events_ingest_end(ev);
	is_int((int)cw_events_transitions(ev, NS, tr, 4), 0, "first read: no interval, no rate");

	cw_events_ingest_begin(ev, 3000, 0, 0, 0);
	cw_events_ingest_trans(ev, NS, CW_TCP_TIME_WAIT, "client", 700);
	cw_events_ingest_trans(ev, NS, CW_TCP_ESTABLISHED, "cl\033ient", 40);
	cw_events_ingest_trans(ev, NS + 1, CW_TCP_TIME_WAIT, "other", 5);
	cw_events_ingest_end(ev);
	n = cw_events_transitions(ev, NS, tr, 4);
	is_int((int)n, 2, "two moving keys in this namespace");
	ok(n == 2 && tr[0].state == CW_TCP_TIME_WAIT && tr[0].per_s == 100.0,
	   "busiest first: TIME_WAIT 200 in 2 s = 100/s");
	ok(n == 2 && tr[1].per_s == 20.0, "a key new since the last read: all of it is new (40 in 2 s)");
	ok(n == 2 && strchr(tr[1].comm, '\033') == NULL, "comm sanitised");
	is_int((int)cw_events_transitions(ev, NS + 1, tr, 4), 0, "an idle key has no rate");
	is_int((int)cw_events_transitions(ev, NS, tr, 1), 1, "at most max");

	/* A key that went from the map (pruned) goes from the rates. */
	cw_events_ingest_begin(ev, 4000, 0, 0, 0);
	cw_events_ingest_trans(ev, NS, CW_TCP_TIME_WAIT, "client", 800);
	cw_events_ingest_end(ev);
	n = cw_events_transitions(ev, NS, tr, 4);
	ok(n == 1 && tr[0].per_s == 100.0, "keys gone from the map are gone from the rates");
	cw_events_free(ev);
}

int main(void)
{
	test_off();
	test_deferred();
	test_seed_live_reconcile();
	test_events_during_dump();
	test_entry_reset_during_dump();
	test_clone_and_full();
	test_transitions();
	return tap_done();
}
