/* rules: what a rule is, and how it reports. Each rule lives in a module of
 * its own (rule_<id>.c) and is a function over one snapshot (with the
 * history the history stage wrote into it: series, trend, baselines,
 * rates) and the rule's own state, taking time only from s->time_ms. The
 * findings stage (findings.c) runs them in order, dates their episodes and
 * sorts what they found.
 *
 * A rule reports through cw_rule_emit() and the helpers below; everything
 * it writes goes into the snapshot's arena, sanitised. A rule that reads
 * files inside a pod does so through podfiles, with the procfs in its
 * environment; a failure there is a note on the finding, never a stop. */
#ifndef CW_RULES_H
#define CW_RULES_H

#include <stdarg.h>

#include "snapshot.h"

/* What the rules are configured with. */
struct cw_findings_conf {
	const char *procfs;       /* the host's /proc: rules read inside pods through it */
	unsigned close_wait;      /* the --warn-* thresholds */
	unsigned time_wait;
	unsigned syn_sent;
};

struct cw_findings;
struct cw_rule_out;

struct cw_rule_def {
	enum cw_rule rule;
	/* Optional: state kept from one snapshot to the next. */
	void *(*state_new)(const struct cw_findings_conf *conf);
	void (*state_free)(void *state);
	void (*run)(void *state, const struct cw_findings_conf *conf, const struct cw_snapshot *s,
		    struct cw_rule_out *out);
};

/* A new finding of rule about row (NULL: the node). Fill it with the
 * helpers below; its episode start (since_ms) is the stage's unless the
 * rule sets an earlier one it knows (the start of a trend). */
struct cw_finding *cw_rule_emit(struct cw_rule_out *o, enum cw_rule rule, enum cw_severity sev,
				const struct cw_ns_row *row);
void cw_rule_text(struct cw_rule_out *o, struct cw_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cw_rule_next(struct cw_rule_out *o, struct cw_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cw_rule_num(struct cw_rule_out *o, struct cw_finding *f, const char *key, double v);
void cw_rule_str(struct cw_rule_out *o, struct cw_finding *f, const char *key, const char *v);
/* The finding is about this remote endpoint (Enter goes to its sockets). */
void cw_rule_peer(struct cw_finding *f, const struct cw_peer *p);

/* The rules, in the order they run (findings.c lists them). */
extern const struct cw_rule_def *const cw_rules[];
extern const struct cw_rule_def cw_rule_pool_leak;
extern const struct cw_rule_def cw_rule_dns_storm;
extern const struct cw_rule_def cw_rule_avalanche;
extern const struct cw_rule_def cw_rule_close_wait;
extern const struct cw_rule_def cw_rule_time_wait;
extern const struct cw_rule_def cw_rule_connect_fail;
extern const struct cw_rule_def cw_rule_listen_overflow;
extern const struct cw_rule_def cw_rule_node_limit;
extern const struct cw_rule_def cw_rule_off_baseline;

/* The stage with other rules (NULL-terminated): for tests. */
struct cw_findings *cw_findings_new_with(const struct cw_findings_conf *conf,
					 const struct cw_rule_def *const *rules);

#endif
