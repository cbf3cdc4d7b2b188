/* rule listen-overflow: a listener that cannot take its connections.
 *
 * When it fires, held for 30 s:
 *   - the namespace's ListenOverflows or ListenDrops rose within the last
 *     5 s (connections dropped because an accept queue was full, or SYNs
 *     dropped at a listener), or
 *   - a listener's accept queue is at its backlog now (the kernel lets it
 *     reach backlog + 1 before it drops, so queue >= backlog is full).
 * A 20-second burst (a client fleet reconnecting at once) is over before
 * the hold; a server that accepts too slowly keeps its queue full or keeps
 * dropping. It stays on while drops happened within 60 s or the fullest
 * queue is at 80% of its backlog. warn; crit at 10 overflows or drops a
 * second.
 *
 * What it reports: the fullest listener (address:port, queue, backlog),
 * somaxconn (the namespace's, else the node's; -1 unknown) and the
 * overflows and drops per second. The backlog a listener has is
 * min(listen()'s argument, somaxconn) as it was at listen() time: raising
 * somaxconn later changes no listener until the application listens again,
 * and a backlog below somaxconn is the application's own choice.
 *
 * The drops are counters, read every tick: their hold runs on the
 * snapshot's clock. The queue comes from exact counts: its hold runs on
 * their samples' clock (see rules_net.h), so a full queue caught by one
 * dump on a busy node is not enough.
 *
 * State: per row, its two holds and the last time (and rates) of drops; rows not
 * in the snapshot are forgotten. Counters that go backwards give no rate
 * (history), so a reset is never read as drops. */
#include "config.h"
#include "map.h"
#include "rulekit.h"
#include "rules.h"
#include "rules_net.h"
#include "util.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LO_UP_WINDOW_MS 5000
#define LO_KEEP_WINDOW_MS 60000
#define LO_KEEP_FILL 0.8
#define LO_CRIT_RATE 10.0

struct lo_row {
	int64_t last_ms;          /* first: see cw_rules_net_sweep_imap */
	struct cw_hold drops_hold, full_hold;
	int64_t drop_ms;          /* the last tick with overflows or drops; 0: none */
	double overflows, drops;  /* per second, at that tick */
};

struct lo_state {
	struct cw_imap rows;      /* row id -> struct lo_row */
};

static void *state_new(const struct cw_findings_conf *conf)
{
	(void)conf;
	return cw_xcalloc(1, sizeof(struct lo_state));
}

static void state_free(void *p)
{
	struct lo_state *st = p;

	if (!st)
		return;
	cw_imap_done(&st->rows, free);
	free(st);
}

/* The listener whose queue is the largest part of its backlog. */
static const struct cw_listener *fullest(const struct cw_ns_row *r, double *fill)
{
	const struct cw_listener *best = NULL;
	double bf = -1;
	size_t i;

	for (i = 0; r->has_exact && i < r->nlisteners; i++) {
		const struct cw_listener *l = &r->listeners[i];
		double f;

		if (!l->backlog)
			continue;
		f = (double)l->queue / (double)l->backlog;
		if (f > bf || (f == bf && l->queue > best->queue)) {
			best = l;
			bf = f;
		}
	}
	*fill = best ? bf : 0;
	return best;
}

static void report(struct cw_rule_out *out, const struct cw_snapshot *s, const struct cw_ns_row *r,
		   const struct lo_row *e, const struct cw_listener *l)
{
	int64_t somax = cw_rules_net_sysctl(s, r, offsetof(struct cw_sysctls, somaxconn));
	bool recent = e->drop_ms && s->time_ms - e->drop_ms <= LO_KEEP_WINDOW_MS;
	double ov = recent ? e->overflows : 0, dr = recent ? e->drops : 0;
	char where[80] = "", q[96] = "", sm[48] = "", ns[300];
	struct cw_finding *f;

	f = cw_rule_emit(out, CW_RULE_LISTEN_OVERFLOW,
			 ov >= LO_CRIT_RATE || dr >= LO_CRIT_RATE ? CW_SEV_CRIT : CW_SEV_WARN, r);
	if (e->drops_hold.on && e->full_hold.on)
		f->since_ms = e->drops_hold.since_ms < e->full_hold.since_ms ? e->drops_hold.since_ms
									   : e->full_hold.since_ms;
	else
		f->since_ms = e->drops_hold.on ? e->drops_hold.since_ms : e->full_hold.since_ms;
	if (l) {
		cw_rules_net_endpoint(&l->addr, l->port, where, sizeof(where));
		snprintf(q, sizeof(q), "%s accept queue %u/%u", where, l->queue, l->backlog);
	} else {
		snprintf(q, sizeof(q), "no listener seen");
	}
	if (somax >= 0)
		snprintf(sm, sizeof(sm), " (somaxconn %lld)", (long long)somax);
	cw_rule_text(out, f, "listen overflow: %s%s; %.1f overflows/s, %.1f drops/s",
		     q, sm, ov, dr);
	cw_rule_str(out, f, "listener", where);
	cw_rule_num(out, f, "queue", l ? l->queue : 0);
	cw_rule_num(out, f, "backlog", l ? l->backlog : 0);
	cw_rule_num(out, f, "somaxconn", (double)somax);
	cw_rule_num(out, f, "overflows_per_s", cw_rulekit_round(ov, 0.1));
	cw_rule_num(out, f, "drops_per_s", cw_rulekit_round(dr, 0.1));
	if (l && somax > 0 && l->backlog >= somax)
		cw_rule_next(out, f,
			     "the backlog of %s is capped by somaxconn %lld: raise net.core.somaxconn in "
			     "the pod and restart the listener, or make the app accept faster",
			     where, (long long)somax);
	else if (l)
		cw_rule_next(out, f,
			     "the app accepts too slowly on %s: look at its accept loop and worker pool, or "
			     "raise its listen() backlog (%u)",
			     where, l->backlog);
	else
		cw_rule_next(out, f,
			     "find the listener: %s ss -ltn shows each one's accept queue (Recv-Q) and "
			     "backlog (Send-Q)",
			     cw_rulekit_in_ns(r, 0, ns, sizeof(ns)));
}

static void run(void *state, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		struct cw_rule_out *out)
{
	struct lo_state *st = state;
	size_t i;

	(void)conf;
	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *r = &s->rows[i];
		const struct cw_listener *l;
		struct lo_row *e;
		double fill;
		bool dropping, drops_on, full_on;

		if (r->vanished)
			continue;
		dropping = r->rates.valid && (r->rates.listen_overflows > 0 || r->rates.listen_drops > 0);
		l = fullest(r, &fill);
		e = cw_imap_get(&st->rows, r->id);
		if (!e) {
			if (!dropping && fill < LO_KEEP_FILL)
				continue; /* no state for quiet rows */
			e = cw_xcalloc(1, sizeof(*e));
			cw_imap_put(&st->rows, r->id, e);
		}
		e->last_ms = s->time_ms;
		if (dropping) {
			e->drop_ms = s->time_ms;
			e->overflows = r->rates.listen_overflows;
			e->drops = r->rates.listen_drops;
		}
		drops_on = cw_rules_net_hold(&e->drops_hold,
					     e->drop_ms && s->time_ms - e->drop_ms <= LO_UP_WINDOW_MS,
					     e->drop_ms && s->time_ms - e->drop_ms <= LO_KEEP_WINDOW_MS,
					     s->time_ms, CW_RULES_NET_HOLD_MS);
		full_on = cw_rules_net_hold(&e->full_hold, fill >= 1.0, fill >= LO_KEEP_FILL,
					    cw_rules_net_sample_ms(s, r), CW_RULES_NET_HOLD_MS);
		if (drops_on || full_on)
			report(out, s, r, e, l);
	}
	cw_rules_net_sweep_imap(&st->rows, s->time_ms);
}

const struct cw_rule_def cw_rule_listen_overflow = {CW_RULE_LISTEN_OVERFLOW, state_new, state_free,
						    run};
