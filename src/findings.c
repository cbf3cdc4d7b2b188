/* findings: runs the rules, dates episodes, sorts and links findings. */
#include "config.h"
#include "findings.h"
#include "map.h"
#include "rules.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every rule, in the order they run. */
const struct cw_rule_def *const cw_rules[] = {
	&cw_rule_pool_leak,
	&cw_rule_dns_storm,
	&cw_rule_avalanche,
	&cw_rule_close_wait,
	&cw_rule_time_wait,
	&cw_rule_connect_fail,
	&cw_rule_listen_overflow,
	&cw_rule_node_limit,
	&cw_rule_off_baseline,
	NULL,
};

struct cw_rule_out {
	struct cw_arena *arena;
	struct cw_finding *v;
	size_t n, cap;
	/* evidence of the finding being filled, grown on the heap */
	struct cw_evidence *ev;
	size_t nev, capev;
	size_t evof;            /* 1 + the index of the finding ev belongs to; 0: none */
};

/* An episode: a finding (rule, row, endpoint) seen in the previous
 * snapshot, and since when. */
struct episode {
	uint64_t key;
	int64_t since_ms;
	int64_t seen_ms;
};

struct cw_findings {
	struct cw_findings_conf conf;
	const struct cw_rule_def *const *rules;
	size_t nrules;
	void **state;
	struct cw_imap episodes;      /* key -> struct episode */
};

struct cw_findings *cw_findings_new_with(const struct cw_findings_conf *conf,
					 const struct cw_rule_def *const *rules)
{
	struct cw_findings *f = cw_xcalloc(1, sizeof(*f));
	size_t i;

	f->conf = *conf;
	f->rules = rules;
	while (rules[f->nrules])
		f->nrules++;
	f->state = cw_xcalloc(f->nrules + 1, sizeof(*f->state));
	for (i = 0; i < f->nrules; i++)
		if (rules[i]->state_new)
			f->state[i] = rules[i]->state_new(&f->conf);
	return f;
}

struct cw_findings *cw_findings_new(const struct cw_findings_conf *conf)
{
	return cw_findings_new_with(conf, cw_rules);
}

void cw_findings_free(struct cw_findings *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nrules; i++)
		if (f->rules[i]->state_free)
			f->rules[i]->state_free(f->state[i]);
	free(f->state);
	cw_imap_done(&f->episodes, free);
	free(f);
}

/* ---- what rules call ---- */

/* Moves the evidence gathered so far into the arena, onto its finding. */
static void evidence_flush(struct cw_rule_out *o)
{
	if (o->evof) {
		struct cw_finding *f = &o->v[o->evof - 1];

		f->evidence = cw_arena_memdup(o->arena, o->ev, o->nev * sizeof(*o->ev));
		f->nevidence = o->nev;
	}
	o->nev = 0;
	o->evof = 0;
}

struct cw_finding *cw_rule_emit(struct cw_rule_out *o, enum cw_rule rule, enum cw_severity sev,
				const struct cw_ns_row *row)
{
	struct cw_finding *f;

	evidence_flush(o);
	cw_xgrow((void **)&o->v, &o->cap, o->n + 1, sizeof(*o->v));
	f = &o->v[o->n++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->severity = sev;
	if (row) {
		f->id = row->id;
		f->inode = row->inode;
		f->label = row->label; /* the snapshot's: already in its arena */
	} else {
		f->label = "node";
	}
	o->evof = o->n;
	return f;
}

static const char *vformat(struct cw_rule_out *o, const char *fmt, va_list ap)
{
	char buf[512], clean[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* Rules quote what pods control (names, resolver files): sanitised
	 * here, once, for every sink. */
	cw_sanitize(clean, sizeof(clean), buf);
	return cw_arena_strdup(o->arena, clean);
}

void cw_rule_text(struct cw_rule_out *o, struct cw_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	f->text = vformat(o, fmt, ap);
	va_end(ap);
}

void cw_rule_next(struct cw_rule_out *o, struct cw_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	f->next = vformat(o, fmt, ap);
	va_end(ap);
}

static struct cw_evidence *evidence_add(struct cw_rule_out *o, struct cw_finding *f, const char *key)
{
	struct cw_evidence *e;

	if (!o->evof || &o->v[o->evof - 1] != f)
		cw_fatal("evidence for a finding that is not the latest");
	cw_xgrow((void **)&o->ev, &o->capev, o->nev + 1, sizeof(*o->ev));
	e = &o->ev[o->nev++];
	memset(e, 0, sizeof(*e));
	e->key = cw_arena_strdup(o->arena, key);
	return e;
}

void cw_rule_num(struct cw_rule_out *o, struct cw_finding *f, const char *key, double v)
{
	evidence_add(o, f, key)->num = v;
}

void cw_rule_str(struct cw_rule_out *o, struct cw_finding *f, const char *key, const char *v)
{
	char *clean = cw_sanitize_dup(v ? v : "");

	evidence_add(o, f, key)->str = cw_arena_strdup(o->arena, clean);
	free(clean);
}

void cw_rule_peer(struct cw_finding *f, const struct cw_peer *p)
{
	f->has_peer = true;
	f->peer.addr = p->addr;
	f->peer.port = p->port;
	f->peer.dir = p->dir;
}

/* ---- the stage ---- */

/* FNV-1a over what makes an episode the same: the rule, the row, the
 * endpoint. */
static uint64_t episode_key(const struct cw_finding *f)
{
	uint64_t h = 1469598103934665603ull;
	unsigned char buf[64];
	size_t n = 0, i;

	memset(buf, 0, sizeof(buf));
	memcpy(buf + n, &f->rule, sizeof(f->rule)), n += sizeof(f->rule);
	memcpy(buf + n, &f->id, sizeof(f->id)), n += sizeof(f->id);
	if (f->has_peer) {
		buf[n++] = f->peer.addr.family;
		memcpy(buf + n, f->peer.addr.bytes, sizeof(f->peer.addr.bytes)), n += sizeof(f->peer.addr.bytes);
		memcpy(buf + n, &f->peer.port, sizeof(f->peer.port)), n += sizeof(f->peer.port);
		buf[n++] = f->peer.dir;
	}
	for (i = 0; i < n; i++) {
		h ^= buf[i];
		h *= 1099511628211ull;
	}
	return h ? h : 1;
}

static void date_episodes(struct cw_findings *st, struct cw_finding *v, size_t n, int64_t now)
{
	struct cw_imap_iter it;
	uint64_t *stale = NULL;
	size_t i, nstale = 0, cap = 0;

	for (i = 0; i < n; i++) {
		uint64_t key = episode_key(&v[i]);
		struct episode *e = cw_imap_get(&st->episodes, key);

		if (!e) {
			e = cw_xcalloc(1, sizeof(*e));
			e->key = key;
			e->since_ms = now;
			cw_imap_put(&st->episodes, key, e);
		}
		if (v[i].since_ms && v[i].since_ms < e->since_ms)
			e->since_ms = v[i].since_ms;
		e->seen_ms = now;
		v[i].since_ms = e->since_ms;
	}
	/* An episode not seen in this snapshot is over. */
	for (cw_imap_iter_init(&it, &st->episodes); cw_imap_next(&it);) {
		const struct episode *e = it.val;

		if (e->seen_ms != now) {
			cw_xgrow((void **)&stale, &cap, nstale + 1, sizeof(*stale));
			stale[nstale++] = e->key;
		}
	}
	for (i = 0; i < nstale; i++)
		free(cw_imap_del(&st->episodes, stale[i]));
	free(stale);
}

/* Worst first: severity, then the oldest episode, then rule order. */
static int cmp_finding(const void *a, const void *b)
{
	const struct cw_finding *x = a, *y = b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->since_ms != y->since_ms)
		return x->since_ms < y->since_ms ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

void cw_findings_apply(struct cw_findings *f, struct cw_snapshot *s)
{
	struct cw_rule_out o = {.arena = &s->arena};
	size_t i;

	for (i = 0; i < f->nrules; i++)
		f->rules[i]->run(f->state[i], &f->conf, s, &o);
	evidence_flush(&o);
	date_episodes(f, o.v, o.n, s->time_ms);
	if (o.n)
		qsort(o.v, o.n, sizeof(*o.v), cmp_finding);
	/* Never NULL, as a list read back from JSON is not. */
	s->findings = o.n ? cw_arena_memdup(&s->arena, o.v, o.n * sizeof(*o.v))
			  : cw_arena_alloc(&s->arena, sizeof(*o.v));
	s->nfindings = o.n;
	cw_snapshot_link_findings(s);
	free(o.v);
	free(o.ev);
}
