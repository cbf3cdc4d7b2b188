/* test_findings: the findings stage with rules made for the test: episodes
 * are dated and end, findings are sorted worst first and linked to their
 * rows, evidence is kept in order, and what rules quote is sanitised. */
#include "config.h"
#include "findings.h"
#include "rules.h"
#include "tap.h"

#include <string.h>

#define T0 1700000000000LL

/* Finds rows whose ESTABLISHED is at least 10: warn, crit at 100. */
static void run_big(void *state, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		    struct cw_rule_out *out)
{
	size_t i;

	(void)state;
	(void)conf;
	for (i = 0; i < s->nrows; i++) {
		const struct cw_ns_row *r = &s->rows[i];
		uint32_t e = r->tcp.tcp[CW_TCP_ESTABLISHED];
		struct cw_finding *f;

		if (e < 10)
			continue;
		f = cw_rule_emit(out, CW_RULE_CLOSE_WAIT, e >= 100 ? CW_SEV_CRIT : CW_SEV_WARN, r);
		cw_rule_text(out, f, "%s holds %u \x1b[31m", r->label, e);
		cw_rule_num(out, f, "estab", e);
		cw_rule_str(out, f, "who", "a\a" "b");
		cw_rule_next(out, f, "look at %s", r->label);
		if (r->npeers)
			cw_rule_peer(f, &r->peers[0]);
	}
}

/* Says something about the node every time, dated from a known start. */
static void run_node(void *state, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		     struct cw_rule_out *out)
{
	struct cw_finding *f = cw_rule_emit(out, CW_RULE_NODE_LIMIT, CW_SEV_INFO, NULL);

	(void)state;
	(void)conf;
	cw_rule_text(out, f, "node");
	f->since_ms = s->time_ms - 60000;
}

static const struct cw_rule_def big = {CW_RULE_CLOSE_WAIT, NULL, NULL, run_big};
static const struct cw_rule_def node = {CW_RULE_NODE_LIMIT, NULL, NULL, run_node};
static const struct cw_rule_def *const rules[] = {&node, &big, NULL};

static struct cw_snapshot *snap(int64_t t, const uint32_t *estab, size_t n)
{
	struct cw_snapshot *s = cw_snapshot_new();
	size_t i;

	s->time_ms = t;
	s->nrows = n;
	s->rows = cw_arena_alloc(&s->arena, n * sizeof(*s->rows));
	for (i = 0; i < n; i++) {
		struct cw_ns_row *r = &s->rows[i];
		char label[32];

		snprintf(label, sizeof(label), "pod-%zu", i);
		r->id = r->inode = 100 + i;
		r->label = cw_arena_strdup(&s->arena, label);
		r->has_exact = true;
		r->tcp.tcp[CW_TCP_ESTABLISHED] = estab[i];
		r->tcp.total = estab[i];
		if (i == 1) {
			struct cw_peer *p = cw_arena_alloc(&s->arena, sizeof(*p));

			cw_addr_parse("10.96.3.4", &p->addr);
			p->port = 5432;
			r->peers = p;
			r->npeers = 1;
		}
	}
	return s;
}

static const struct cw_finding *of(const struct cw_snapshot *s, enum cw_rule rule, uint64_t id)
{
	size_t i;

	for (i = 0; i < s->nfindings; i++)
		if (s->findings[i].rule == rule && s->findings[i].id == id)
			return &s->findings[i];
	return NULL;
}

int main(void)
{
	struct cw_findings_conf conf = {.procfs = "/proc"};
	struct cw_findings *st = cw_findings_new_with(&conf, rules);
	uint32_t a[3] = {5, 50, 200};
	struct cw_snapshot *s = snap(T0, a, 3);
	const struct cw_finding *f;
	size_t i;

	cw_findings_apply(st, s);
	is_int(s->nfindings, 3, "three findings");
	ok(s->findings[0].severity == CW_SEV_CRIT && s->findings[0].id == 102 &&
	   s->findings[1].id == 101 && s->findings[2].rule == CW_RULE_NODE_LIMIT,
	   "worst first, though the info finding is the oldest");
	ok(s->findings[2].since_ms == T0 - 60000 && s->findings[2].id == 0 &&
	   strcmp(s->findings[2].label, "node") == 0, "a node finding keeps the start its rule knows");
	ok(s->rows[0].finding == 0 && s->rows[1].finding == 2 && s->rows[2].finding == 1,
	   "rows are linked to their worst finding");
	f = of(s, CW_RULE_CLOSE_WAIT, 101);
	ok(f && f->nevidence == 2 && strcmp(f->evidence[0].key, "estab") == 0 &&
	   f->evidence[0].num == 50 && !f->evidence[0].str && strcmp(f->evidence[1].str, "a?b") == 0,
	   "evidence in order, strings sanitised");

	ok(f && !strchr(f->text, 0x1b) && strncmp(f->text, "pod-1 holds 50", 14) == 0,
	   "text sanitised: %s", f ? f->text : "");
	ok(f && f->has_peer && f->peer.port == 5432 && f->since_ms == T0 &&
	   strcmp(f->next, "look at pod-1") == 0, "peer, since and next");
	cw_snapshot_unref(s);

	/* Held for a minute: the episode keeps its start. */
	for (i = 1; i <= 60; i++) {
		s = snap(T0 + (int64_t)i * 1000, a, 3);
		cw_findings_apply(st, s);
		if (i < 60)
			cw_snapshot_unref(s);
	}
	f = of(s, CW_RULE_CLOSE_WAIT, 101);
	ok(f && f->since_ms == T0, "an episode held for a minute keeps its start");
	cw_snapshot_unref(s);

	/* Gone for a tick: over. Back: a new episode. */
	a[1] = 1;
	s = snap(T0 + 61000, a, 3);
	cw_findings_apply(st, s);
	ok(!of(s, CW_RULE_CLOSE_WAIT, 101) && s->rows[1].finding == 0, "below the line: no finding");
	cw_snapshot_unref(s);
	a[1] = 50;
	s = snap(T0 + 62000, a, 3);
	cw_findings_apply(st, s);
	f = of(s, CW_RULE_CLOSE_WAIT, 101);
	ok(f && f->since_ms == T0 + 62000, "back again: a new episode");
	cw_snapshot_unref(s);

	/* No rows, no findings: an empty list, not NULL. */
	s = snap(T0 + 63000, a, 0);
	cw_findings_apply(st, s);
	ok(s->findings != NULL && s->nfindings == 1, "only the node's with no rows");
	cw_snapshot_unref(s);
	cw_findings_free(st);
	return tap_done();
}
