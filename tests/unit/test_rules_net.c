/* test_rules_net: the network rules (dns-storm, time-wait, connect-fail,
 * listen-overflow, node-limit) on synthetic snapshots fed through the
 * history stage and then the findings stage, with explicit times and no
 * sleeps. A small "world" of namespaces is stepped one tick at a time; the
 * test changes it between ticks. For each rule: it fires when it should,
 * within the time it promises (30 s of hold), with the right row, peer and
 * evidence; and it stays quiet on noise, a 20-second spike, a busy steady
 * pod, a big pod, counters that go backwards and a namespace that vanishes
 * mid-trend. */
#include "config.h"
#include "findings.h"
#include "history.h"
#include "rules.h"
#include "rules_net.h"
#include "tap.h"
#include "fstree.h"
#include "util.h"

#include <ftw.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define T0 1700000000000LL
#define MAXROWS 6
#define MAXPEERS 8

struct wpeer {
	const char *addr;
	uint16_t port;
	uint8_t dir;
	uint32_t tcp[CW_TCP_NSTATES];
	uint32_t udp;
};

struct wrow {
	bool present;
	bool exact;              /* has exact counts */
	int64_t exact_age_ms;
	uint64_t id;
	enum cw_ns_kind kind;
	const char *label;
	uint32_t extra[CW_TCP_NSTATES]; /* counts not toward any listed peer */
	struct wpeer peers[MAXPEERS];
	size_t npeers;
	struct cw_listener listener;
	bool has_listener;
	/* per-second rates, added to the cumulative counters each tick */
	double opens, fails, overflows, drops;
	struct cw_counters counters;
	bool has_sysctl;
	struct cw_sysctls sysctl;
	uint32_t udp_dns;
	int32_t pids[4];
	size_t npids;
};

struct world {
	int64_t t;               /* the next tick's time */
	int64_t step_ms;
	struct wrow rows[MAXROWS];
	struct cw_node node;
	struct cw_history *h;
	struct cw_findings *f;
	struct cw_snapshot *s;   /* the latest, kept until the next tick */
};

static struct cw_findings_conf conf = {.procfs = "/nonexistent", .close_wait = 50, .time_wait = 5000,
				       .syn_sent = 100};

static void world_init(struct world *w, const struct cw_rule_def *rule)
{
	/* the stage keeps the list: static, one world at a time */
	static const struct cw_rule_def *one[2];

	memset(w, 0, sizeof(*w));
	w->t = T0;
	w->step_ms = 1000;
	cw_node_unknown(&w->node);
	w->h = cw_history_new(5000, 1);
	if (rule) {
		one[0] = rule;
		w->f = cw_findings_new_with(&conf, one);
	} else {
		w->f = cw_findings_new(&conf);
	}
}

static void world_done(struct world *w)
{
	cw_snapshot_unref(w->s);
	cw_findings_free(w->f);
	cw_history_free(w->h);
	w->s = NULL;
}

static struct wrow *add_row(struct world *w, size_t i, uint64_t id, const char *label)
{
	struct wrow *r = &w->rows[i];

	memset(r, 0, sizeof(*r));
	r->present = true;
	r->exact = true;
	r->id = id;
	r->kind = CW_KIND_POD;
	r->label = label;
	cw_sysctls_unknown(&r->sysctl);
	r->counters.valid = true;
	return r;
}

static struct wpeer *add_peer(struct wrow *r, const char *addr, uint16_t port, uint8_t dir)
{
	struct wpeer *p = &r->peers[r->npeers++];

	memset(p, 0, sizeof(*p));
	p->addr = addr;
	p->port = port;
	p->dir = dir;
	return p;
}

static void build_row(struct cw_snapshot *s, struct cw_ns_row *d, struct wrow *r, double dt)
{
	size_t k;
	unsigned st;

	d->id = d->inode = r->id;
	d->kind = r->kind;
	d->is_pod = r->kind == CW_KIND_POD;
	d->label = cw_arena_strdup(&s->arena, r->label);
	r->counters.active_opens += (uint64_t)llround(r->opens * dt);
	r->counters.attempt_fails += (uint64_t)llround(r->fails * dt);
	r->counters.listen_overflows += (uint64_t)llround(r->overflows * dt);
	r->counters.listen_drops += (uint64_t)llround(r->drops * dt);
	d->counters = r->counters;
	d->has_sysctl = r->has_sysctl;
	d->sysctl = r->sysctl;
	d->udp_dns = r->udp_dns;
	memcpy(d->pids, r->pids, sizeof(r->pids));
	d->npids = r->npids;
	if (!r->exact)
		return;
	d->has_exact = true;
	d->exact_age_ms = r->exact_age_ms;
	for (st = 1; st < CW_TCP_NSTATES; st++) {
		d->tcp.tcp[st] = r->extra[st];
		for (k = 0; k < r->npeers; k++)
			d->tcp.tcp[st] += r->peers[k].tcp[st];
		d->tcp.total += d->tcp.tcp[st];
	}
	d->peers = cw_arena_alloc(&s->arena, (r->npeers ? r->npeers : 1) * sizeof(*d->peers));
	d->npeers = d->peers_all = r->npeers;
	for (k = 0; k < r->npeers; k++) {
		struct cw_peer *p = &d->peers[k];

		cw_addr_parse(r->peers[k].addr, &p->addr);
		p->port = r->peers[k].port;
		p->dir = r->peers[k].dir;
		p->udp = r->peers[k].udp;
		for (st = 1; st < CW_TCP_NSTATES; st++) {
			p->tcp[st] = r->peers[k].tcp[st];
			p->total += p->tcp[st];
		}
	}
	if (r->has_listener) {
		d->listeners = cw_arena_memdup(&s->arena, &r->listener, sizeof(r->listener));
		d->nlisteners = 1;
	}
}

/* One tick: the world as a snapshot, through history and findings. */
static const struct cw_snapshot *tick(struct world *w)
{
	struct cw_snapshot *s = cw_snapshot_new();
	size_t i, n = 0;

	s->time_ms = w->t;
	s->node = w->node;
	s->rows = cw_arena_alloc(&s->arena, MAXROWS * sizeof(*s->rows));
	for (i = 0; i < MAXROWS; i++)
		if (w->rows[i].present)
			build_row(s, &s->rows[n++], &w->rows[i], (double)w->step_ms / 1000.0);
	s->nrows = n;
	cw_history_apply(w->h, s);
	cw_findings_apply(w->f, s);
	cw_snapshot_unref(w->s);
	w->s = s;
	w->t += w->step_ms;
	return s;
}

static const struct cw_finding *find(const struct cw_snapshot *s, enum cw_rule rule, uint64_t id)
{
	size_t i;

	for (i = 0; s && i < s->nfindings; i++)
		if (s->findings[i].rule == rule && s->findings[i].id == id)
			return &s->findings[i];
	return NULL;
}

static size_t count_rule(const struct cw_snapshot *s, enum cw_rule rule)
{
	size_t i, n = 0;

	for (i = 0; s && i < s->nfindings; i++)
		n += s->findings[i].rule == rule;
	return n;
}

static const struct cw_evidence *ev(const struct cw_finding *f, const char *key)
{
	size_t i;

	for (i = 0; f && i < f->nevidence; i++)
		if (strcmp(f->evidence[i].key, key) == 0)
			return &f->evidence[i];
	return NULL;
}

static double evnum(const struct cw_finding *f, const char *key)
{
	const struct cw_evidence *e = ev(f, key);

	return e && !e->str ? e->num : NAN;
}

static const char *evstr(const struct cw_finding *f, const char *key)
{
	const struct cw_evidence *e = ev(f, key);

	return e && e->str ? e->str : "(none)";
}

static bool peer_is(const struct cw_finding *f, const char *addr, uint16_t port)
{
	struct cw_addr a;

	cw_addr_parse(addr, &a);
	return f && f->has_peer && f->peer.port == port && cw_addr_equal(&f->peer.addr, &a);
}

/* Ticks until rule fires for id, at most max ticks; returns the ticks run
 * (max + 1 if it never fired). */
static int until_fires(struct world *w, enum cw_rule rule, uint64_t id, int max)
{
	int i;

	for (i = 1; i <= max; i++)
		if (find(tick(w), rule, id))
			return i;
	return max + 1;
}

/* Runs n ticks; returns how many had a finding of rule (any row). */
static int ticks_with(struct world *w, enum cw_rule rule, int n)
{
	int i, hits = 0;

	for (i = 0; i < n; i++)
		hits += count_rule(tick(w), rule) > 0;
	return hits;
}

/* A deterministic pseudo-random sequence for noise. */
static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

/* A steady busy pod (many ESTABLISHED to a database, a few UDP lookups,
 * a listener with a short queue, steady opens) and a big one. */
static void add_controls(struct world *w)
{
	struct wrow *r = add_row(w, 4, 900, "team-a/busy");
	struct wpeer *p;

	p = add_peer(r, "10.96.7.7", 5432, CW_PEER_OUT);
	p->tcp[CW_TCP_ESTABLISHED] = 300;
	p->tcp[CW_TCP_TIME_WAIT] = 40;
	p = add_peer(r, "10.96.0.10", 53, CW_PEER_OUT);
	p->udp = 2;
	p = add_peer(r, "10.1.2.3", 8080, CW_PEER_IN);
	p->tcp[CW_TCP_ESTABLISHED] = 200;
	r->has_listener = true;
	cw_addr_parse("0.0.0.0", &r->listener.addr);
	r->listener.port = 8080;
	r->listener.queue = 3;
	r->listener.backlog = 4096;
	r->opens = 5;
	r = add_row(w, 5, 901, "team-b/big");
	p = add_peer(r, "10.96.9.9", 6379, CW_PEER_OUT);
	p->tcp[CW_TCP_ESTABLISHED] = 5000;
	p = add_peer(r, "10.96.9.10", 443, CW_PEER_OUT);
	p->tcp[CW_TCP_ESTABLISHED] = 900;
	p->tcp[CW_TCP_TIME_WAIT] = 300;
	r->opens = 5;
}

static void check_controls(const struct cw_snapshot *s, const char *what)
{
	ok(!find(s, CW_RULE_DNS_STORM, 900) && !find(s, CW_RULE_TIME_WAIT, 900) &&
	   !find(s, CW_RULE_CONNECT_FAIL, 900) && !find(s, CW_RULE_LISTEN_OVERFLOW, 900) &&
	   !find(s, CW_RULE_NODE_LIMIT, 900) && !find(s, CW_RULE_DNS_STORM, 901) &&
	   !find(s, CW_RULE_TIME_WAIT, 901) && !find(s, CW_RULE_NODE_LIMIT, 901) &&
	   !find(s, CW_RULE_CONNECT_FAIL, 901) && !find(s, CW_RULE_LISTEN_OVERFLOW, 901),
	   "%s: the busy and the big pod have no finding", what);
}

/* ---- dns-storm ---- */

static struct wpeer *dns_pod(struct world *w, size_t i, uint64_t id)
{
	struct wrow *r = add_row(w, i, id, "team-a/web");

	return add_peer(r, "10.96.0.10", 53, CW_PEER_OUT);
}

static void test_dns_storm(void)
{
	struct world w;
	struct wpeer *p;
	const struct cw_finding *f;
	int n, k;
	uint32_t x = 7;

	/* A storm: 140 SYN_SENT to the resolver, 20 opens/s. */
	world_init(&w, &cw_rule_dns_storm);
	add_controls(&w);
	p = dns_pod(&w, 0, 100);
	p->tcp[CW_TCP_SYN_SENT] = 140;
	w.rows[0].opens = 20;
	w.rows[0].udp_dns = 6;
	n = until_fires(&w, CW_RULE_DNS_STORM, 100, 60);
	ok(n >= 30 && n <= 32, "dns-storm: fires after its 30 s hold (tick %d)", n);
	f = find(w.s, CW_RULE_DNS_STORM, 100);
	ok(f && peer_is(f, "10.96.0.10", 53) && f->severity == CW_SEV_WARN && f->since_ms == T0,
	   "dns-storm: the resolver as its peer, warn, since the storm began");
	is_int(evnum(f, "sockets"), 146, "dns-storm: sockets counts SYN_SENT and UDP");
	is_int(evnum(f, "syn_sent"), 140, "dns-storm: syn_sent");
	is_int(evnum(f, "udp"), 6, "dns-storm: udp from the row's udp_dns");
	is_int(evnum(f, "opens_per_s"), 20, "dns-storm: opens per second");
	is_str(evstr(f, "resolver"), "10.96.0.10:53", "dns-storm: resolver");
	ok(f && strstr(f->text, "146 sockets to 10.96.0.10:53") && strstr(f->next, "10.96.0.10"),
	   "dns-storm: text and next name the resolver: %s", f ? f->text : "");
	check_controls(w.s, "dns-storm");
	/* Growing: the change per second shows it; crit at 200. */
	p->tcp[CW_TCP_SYN_SENT] = 240;
	f = find(tick(&w), CW_RULE_DNS_STORM, 100);
	ok(f && f->severity == CW_SEV_CRIT && evnum(f, "change_per_s") == 100,
	   "dns-storm: crit at 246 sockets, +100/s (%g)", evnum(f, "change_per_s"));
	/* Hysteresis: 15 sockets, 8 in flight, keeps it; 6 ends it. */
	p->tcp[CW_TCP_SYN_SENT] = 9;
	w.rows[0].opens = 6;
	ok(ticks_with(&w, CW_RULE_DNS_STORM, 10) == 10, "dns-storm: kept above the lower bar");
	p->tcp[CW_TCP_SYN_SENT] = 0;
	w.rows[0].udp_dns = 6;
	w.rows[0].opens = 1;
	ok(!find(tick(&w), CW_RULE_DNS_STORM, 100), "dns-storm: ends below the lower bar");
	world_done(&w);

	/* A 20-second spike. */
	world_init(&w, &cw_rule_dns_storm);
	p = dns_pod(&w, 0, 100);
	p->tcp[CW_TCP_SYN_SENT] = 300;
	w.rows[0].opens = 50;
	n = ticks_with(&w, CW_RULE_DNS_STORM, 20);
	p->tcp[CW_TCP_SYN_SENT] = 0;
	w.rows[0].opens = 1;
	n += ticks_with(&w, CW_RULE_DNS_STORM, 60);
	is_int(n, 0, "dns-storm: a 20-second spike gives no finding");
	world_done(&w);

	/* A forwarder: 40 pooled ESTABLISHED to port 53, no opens. */
	world_init(&w, &cw_rule_dns_storm);
	p = dns_pod(&w, 0, 100);
	p->tcp[CW_TCP_ESTABLISHED] = 40;
	is_int(ticks_with(&w, CW_RULE_DNS_STORM, 90), 0, "dns-storm: a forwarder's pooled connections are no storm");
	world_done(&w);

	/* Noise: 0 to 24 SYN_SENT, at random. */
	world_init(&w, &cw_rule_dns_storm);
	p = dns_pod(&w, 0, 100);
	w.rows[0].opens = 3;
	for (k = 0, n = 0; k < 300; k++) {
		p->tcp[CW_TCP_SYN_SENT] = lcg(&x) % 25;
		n += find(tick(&w), CW_RULE_DNS_STORM, 100) != NULL;
	}
	is_int(n, 0, "dns-storm: noise around the bar gives no finding");
	world_done(&w);

	/* Vanishes at 20 s; the inode comes back as a new namespace, storming
	 * too: its hold starts over. */
	world_init(&w, &cw_rule_dns_storm);
	p = dns_pod(&w, 0, 100);
	p->tcp[CW_TCP_SYN_SENT] = 140;
	w.rows[0].opens = 20;
	n = ticks_with(&w, CW_RULE_DNS_STORM, 20);
	w.rows[0].present = false;
	n += ticks_with(&w, CW_RULE_DNS_STORM, 8);
	w.rows[0].present = true;
	w.rows[0].counters.active_opens = 0; /* a new namespace's counters */
	n += ticks_with(&w, CW_RULE_DNS_STORM, 20);
	is_int(n, 0, "dns-storm: a namespace that vanishes mid-trend, and its reused inode, start over");
	n = until_fires(&w, CW_RULE_DNS_STORM, 100, 30);
	ok(n >= 10 && n <= 13, "dns-storm: the new namespace fires 30 s after it began (%d more ticks)", n);
	world_done(&w);

	/* Counters that go backwards every 5 s: no rate from them. */
	world_init(&w, &cw_rule_dns_storm);
	p = dns_pod(&w, 0, 100);
	p->tcp[CW_TCP_ESTABLISHED] = 40;
	w.rows[0].counters.active_opens = 1000000;
	for (k = 0, n = 0; k < 90; k++) {
		if (k % 5 == 0)
			w.rows[0].counters.active_opens = k % 10 ? 1000000 : 5;
		n += find(tick(&w), CW_RULE_DNS_STORM, 100) != NULL;
	}
	is_int(n, 0, "dns-storm: counters that go backwards are not opens");
	world_done(&w);
}

/* The pod's files behind the hints: a fake --procfs under a temporary
 * directory. len (size_t)-1: text is a C string. */
static void put_file(const char *procfs, int pid, const char *rel, const char *text, size_t len)
{
	char *full = cw_xasprintf("%s/%d/%s", procfs, pid, rel), *dir = cw_xstrdup(full);
	int fd;

	if (len == (size_t)-1)
		len = strlen(text);
	*strrchr(dir, '/') = 0;
	fstree_mkdirs(dir);
	fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		printf("# cannot write %s\n", full);
	if (fd >= 0)
		close(fd);
	free(dir);
	free(full);
}

static void test_dns_hints(void)
{
	char tmpl[] = "/tmp/cwt-rnet.XXXXXX";
	char *tmp = mkdtemp(tmpl), *procfs;
	static const char env30[] = "HOSTNAME=web-0\0PATH=/bin\0";
	static const char env20[] = "GODEBUG=x509sha1=1,netdns=go\0HOME=/\0";
	const char *saved = conf.procfs;
	struct world w;
	struct wpeer *p;
	const struct cw_finding *f;
	int n;

	if (!tmp) {
		ok(0, "dns-storm hints: a temporary directory");
		return;
	}
	fstree_guard(tmp, "a pod file read");
	alarm(60);
	procfs = cw_xasprintf("%s/proc", tmp);
	/* 10 is the pause process; 30, the newest, has the resolver files;
	 * 20 sets GODEBUG. */
	put_file(procfs, 30, "root/etc/resolv.conf",
		 "nameserver 10.96.0.10\nsearch ns1.svc.cluster.local svc.cluster.local cluster.local "
		 "ec2.internal\noptions ndots:5 timeout:2 single-request\n", (size_t)-1);
	put_file(procfs, 30, "environ", env30, sizeof(env30) - 1);
	put_file(procfs, 20, "environ", env20, sizeof(env20) - 1);
	conf.procfs = procfs;

	world_init(&w, &cw_rule_dns_storm);
	p = dns_pod(&w, 0, 100);
	p->tcp[CW_TCP_SYN_SENT] = 140;
	w.rows[0].opens = 20;
	w.rows[0].pids[0] = 10;
	w.rows[0].pids[1] = 20;
	w.rows[0].pids[2] = 30;
	w.rows[0].npids = 3;
	/* a second storming pod whose files cannot be read */
	p = dns_pod(&w, 1, 101);
	p->tcp[CW_TCP_SYN_SENT] = 50;
	w.rows[1].opens = 20;
	w.rows[1].pids[0] = 77;
	w.rows[1].npids = 1;
	n = until_fires(&w, CW_RULE_DNS_STORM, 100, 40);
	f = find(w.s, CW_RULE_DNS_STORM, 100);
	ok(n <= 32 && f && f->pid == 30, "dns-storm hints: the finding names the process it read (pid %d)",
	   f ? f->pid : -1);
	ok(evnum(f, "ndots") == 5 && evnum(f, "search") == 4 && evnum(f, "names_per_lookup") == 5,
	   "dns-storm hints: ndots 5, 4 search domains, 5 names per external lookup");
	is_str(evstr(f, "options"), "timeout:2 single-request", "dns-storm hints: options in force");
	is_str(evstr(f, "netdns"), "go", "dns-storm hints: GODEBUG netdns from another process of the pod");
	ok(f && strstr(f->text, "ndots:5 with 4 search domains: each lookup of an external name tries 5 names; "
			  "GODEBUG netdns=go"), "dns-storm hints: %s", f ? f->text : "");
	ok(f && strstr(evstr(f, "resolv_conf"), "nameserver 10.96.0.10, ndots:5, 4 search domains"),
	   "dns-storm hints: resolv_conf %s", evstr(f, "resolv_conf"));
	f = find(w.s, CW_RULE_DNS_STORM, 101);
	ok(f && strstr(evstr(f, "files_note"), "pid 77") && f->pid == 0 && isnan(evnum(f, "ndots")),
	   "dns-storm hints: unreadable files are a note: %s", evstr(f, "files_note"));
	/* Read again only after 10 s. */
	put_file(procfs, 30, "root/etc/resolv.conf", "nameserver 10.96.0.10\noptions ndots:2\n", (size_t)-1);
	tick(&w);
	f = find(w.s, CW_RULE_DNS_STORM, 100);
	ok(evnum(f, "ndots") == 5, "dns-storm hints: not read again within 10 s");
	for (n = 0; n < 10; n++)
		tick(&w);
	f = find(w.s, CW_RULE_DNS_STORM, 100);
	ok(evnum(f, "ndots") == 2 && evnum(f, "names_per_lookup") == 1 && f && !strstr(f->text, "search domains"),
	   "dns-storm hints: read again after 10 s: %s", f ? f->text : "");
	world_done(&w);
	conf.procfs = saved;
	alarm(0);
	nftw(tmp, fstree_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(procfs);
}

/* ---- time-wait ---- */

static void test_time_wait(void)
{
	struct world w;
	struct wpeer *p;
	struct wrow *r;
	const struct cw_finding *f;
	int n, k;

	/* 50 connect+close/s to one destination: 3,000 TIME_WAIT after 60 s,
	 * 10.6% of the default range. */
	world_init(&w, &cw_rule_time_wait);
	add_controls(&w);
	r = add_row(&w, 0, 100, "team-a/churn");
	p = add_peer(r, "10.213.0.3", 8080, CW_PEER_OUT);
	r->opens = 50;
	for (k = 1, n = 0; k <= 120 && !n; k++) {
		p->tcp[CW_TCP_TIME_WAIT] = k < 60 ? 50 * k : 3000;
		if (find(tick(&w), CW_RULE_TIME_WAIT, 100))
			n = k;
	}
	/* 5% of 28,232 is 1,412: reached at 29 s, then 30 s of hold. */
	ok(n >= 59 && n <= 61, "time-wait: fires 30 s after 5%% of the range (tick %d)", n);
	for (k = 0; k < 10; k++) {
		p->tcp[CW_TCP_TIME_WAIT] = 3000;
		tick(&w);
	}
	f = find(w.s, CW_RULE_TIME_WAIT, 100);
	ok(f && peer_is(f, "10.213.0.3", 8080) && f->severity == CW_SEV_INFO && f->since_ms == T0 + 28000,
	   "time-wait: the destination as peer, info, since the share passed 5%%");
	ok(fabs(evnum(f, "share_pct") - 300000.0 / 28232) <= 0.05, "time-wait: share_pct %.2f", evnum(f, "share_pct"));
	is_str(evstr(f, "port_range_from"), "kernel default", "time-wait: an unknown range is the default, and says so");
	ok(evnum(f, "port_lo") == 32768 && evnum(f, "port_hi") == 60999 && evnum(f, "tcp_tw_reuse") == -1 &&
	   evnum(f, "tcp_max_tw_buckets") == -1 && evnum(f, "time_wait") == 3000,
	   "time-wait: range, unknown sysctls as -1, the count");
	ok(f && strstr(f->text, "TIME_WAIT pile-up: 3,000 to 10.213.0.3:8080") && strstr(f->text, "(kernel default)"),
	   "time-wait: text %s", f ? f->text : "");
	check_controls(w.s, "time-wait");
	/* Hysteresis: 4% keeps it, 3% ends it. */
	p->tcp[CW_TCP_TIME_WAIT] = 1130;
	ok(ticks_with(&w, CW_RULE_TIME_WAIT, 5) == 5, "time-wait: kept at 4%%");
	p->tcp[CW_TCP_TIME_WAIT] = 850;
	ok(!find(tick(&w), CW_RULE_TIME_WAIT, 100), "time-wait: ends at 3%%");
	world_done(&w);

	/* The namespace's own small range, and its sysctls. */
	world_init(&w, &cw_rule_time_wait);
	r = add_row(&w, 0, 100, "team-a/churn");
	r->has_sysctl = true;
	r->sysctl.port_lo = 40000;
	r->sysctl.port_hi = 40999;
	r->sysctl.tcp_tw_reuse = 1;
	r->sysctl.tcp_fin_timeout = 60;
	r->sysctl.tcp_max_tw_buckets = 600;
	w.node.valid = true;
	w.node.sysctl.port_lo = 1024;
	w.node.sysctl.port_hi = 65535;
	p = add_peer(r, "fd00::5", 443, CW_PEER_OUT);
	p->tcp[CW_TCP_TIME_WAIT] = 600;
	r->opens = 10;
	n = until_fires(&w, CW_RULE_TIME_WAIT, 100, 60);
	f = find(w.s, CW_RULE_TIME_WAIT, 100);
	ok(n >= 30 && n <= 32 && f && f->severity == CW_SEV_CRIT, "time-wait: 60%% of a 1,000-port range is crit (tick %d)", n);
	ok(f && evnum(f, "share_pct") == 60 && strcmp(evstr(f, "port_range_from"), "netns") == 0 &&
	   evnum(f, "tcp_tw_reuse") == 1 && evnum(f, "tcp_fin_timeout") == 60,
	   "time-wait: the namespace's range and sysctls win over the node's");
	ok(f && strstr(f->text, "[fd00::5]:443") && strstr(f->text, "tcp_max_tw_buckets") &&
	   strstr(f->next, "already"), "time-wait: v6 destination, the bucket limit, tw_reuse=1: %s", f ? f->text : "");
	world_done(&w);

	/* Count trigger: 5,500 TIME_WAIT, 3,000 to one place, on the node's
	 * full range (4.7%: under the share bar). */
	world_init(&w, &cw_rule_time_wait);
	w.node.valid = true;
	cw_sysctls_unknown(&w.node.sysctl);
	w.node.sysctl.port_lo = 1024;
	w.node.sysctl.port_hi = 65535;
	r = add_row(&w, 0, 100, "team-a/churn");
	p = add_peer(r, "10.96.1.1", 80, CW_PEER_OUT);
	p->tcp[CW_TCP_TIME_WAIT] = 3000;
	p = add_peer(r, "10.96.1.2", 80, CW_PEER_OUT);
	p->tcp[CW_TCP_TIME_WAIT] = 2500;
	r->opens = 100;
	n = until_fires(&w, CW_RULE_TIME_WAIT, 100, 60);
	f = find(w.s, CW_RULE_TIME_WAIT, 100);
	ok(n <= 32 && f && f->severity == CW_SEV_WARN && peer_is(f, "10.96.1.1", 80) &&
	   strcmp(evstr(f, "port_range_from"), "node") == 0,
	   "time-wait: --warn-time-wait reached with one destination dominating: warn (tick %d)", n);
	world_done(&w);

	/* A 20-second burst of 200/s leaves 4,000 TIME_WAIT for a minute,
	 * with nothing feeding them. */
	world_init(&w, &cw_rule_time_wait);
	r = add_row(&w, 0, 100, "team-a/burst");
	p = add_peer(r, "10.213.0.3", 8080, CW_PEER_OUT);
	r->opens = 200;
	for (k = 1, n = 0; k <= 100; k++) {
		if (k == 21)
			r->opens = 0;
		p->tcp[CW_TCP_TIME_WAIT] = k <= 20 ? 200 * k : k <= 80 ? 4000 : 0;
		n += find(tick(&w), CW_RULE_TIME_WAIT, 100) != NULL;
	}
	is_int(n, 0, "time-wait: a 20-second burst gives no finding");
	world_done(&w);

	/* A server's TIME_WAIT (incoming peers) spends none of our ports. */
	world_init(&w, &cw_rule_time_wait);
	r = add_row(&w, 0, 100, "team-a/server");
	p = add_peer(r, "10.1.1.1", 8080, CW_PEER_IN);
	p->tcp[CW_TCP_TIME_WAIT] = 8000;
	r->opens = 0;
	is_int(ticks_with(&w, CW_RULE_TIME_WAIT, 60), 0, "time-wait: incoming TIME_WAIT gives no finding");
	world_done(&w);

	/* Left-over TIME_WAIT, a few opens, and the opens counter wrapping
	 * past 2^64: no false churn from the wrap. */
	world_init(&w, &cw_rule_time_wait);
	r = add_row(&w, 0, 100, "team-a/wrap");
	p = add_peer(r, "10.213.0.3", 8080, CW_PEER_OUT);
	p->tcp[CW_TCP_TIME_WAIT] = 4000;
	r->opens = 5;
	r->counters.active_opens = UINT64_MAX - 50;
	is_int(ticks_with(&w, CW_RULE_TIME_WAIT, 60), 0, "time-wait: a wrapping opens counter is no churn");
	ok(r->counters.active_opens < 1000, "time-wait: (the counter did wrap)");
	world_done(&w);

	/* Vanishes mid-trend. */
	world_init(&w, &cw_rule_time_wait);
	r = add_row(&w, 0, 100, "team-a/churn");
	p = add_peer(r, "10.213.0.3", 8080, CW_PEER_OUT);
	p->tcp[CW_TCP_TIME_WAIT] = 3000;
	r->opens = 50;
	n = ticks_with(&w, CW_RULE_TIME_WAIT, 25);
	r->present = false;
	n += ticks_with(&w, CW_RULE_TIME_WAIT, 30);
	is_int(n, 0, "time-wait: a namespace that vanishes mid-trend gives no finding");
	world_done(&w);
}

/* ---- connect-fail ---- */

static void test_connect_fail(void)
{
	struct world w;
	struct wpeer *p, *q;
	struct wrow *r;
	const struct cw_finding *f;
	int n, k;

	world_init(&w, &cw_rule_connect_fail);
	add_controls(&w);
	r = add_row(&w, 0, 100, "team-a/api");
	p = add_peer(r, "198.51.100.2", 5432, CW_PEER_OUT);
	p->tcp[CW_TCP_SYN_SENT] = 12;
	p->tcp[CW_TCP_ESTABLISHED] = 3;
	r->fails = 2;
	r->opens = 2;
	/* the busy pod connects all the time, with a SYN_SENT or two */
	q = add_peer(&w.rows[4], "10.96.7.8", 80, CW_PEER_OUT);
	q->tcp[CW_TCP_SYN_SENT] = 2;
	n = until_fires(&w, CW_RULE_CONNECT_FAIL, 100, 60);
	ok(n >= 30 && n <= 32, "connect-fail: fires after 30 s of unanswered SYNs (tick %d)", n);
	f = find(w.s, CW_RULE_CONNECT_FAIL, 100);
	ok(f && peer_is(f, "198.51.100.2", 5432) && f->severity == CW_SEV_WARN && f->since_ms == T0,
	   "connect-fail: the peer, warn, since its first SYN_SENT");
	ok(evnum(f, "syn_sent") == 12 && evnum(f, "estab") == 3 && evnum(f, "fails_per_s") == 2 &&
	   evnum(f, "unanswered_s") >= 30, "connect-fail: evidence");
	ok(f && strstr(f->text, "failing connects: 12 SYN_SENT to 198.51.100.2:5432") && strstr(f->next, "198.51.100.2:5432"),
	   "connect-fail: text %s", f ? f->text : "");
	check_controls(w.s, "connect-fail");
	/* Failures stop but SYN_SENT remain: kept for 90 s, then over. */
	r->fails = 0;
	k = ticks_with(&w, CW_RULE_CONNECT_FAIL, 100);
	ok(k >= 88 && k <= 91, "connect-fail: kept while failures are recent (%d ticks)", k);
	/* Answered: over at once. */
	r->fails = 2;
	p->tcp[CW_TCP_SYN_SENT] = 0;
	ok(!find(tick(&w), CW_RULE_CONNECT_FAIL, 100), "connect-fail: no SYN_SENT, no finding");
	world_done(&w);

	/* A 20-second outage. */
	world_init(&w, &cw_rule_connect_fail);
	r = add_row(&w, 0, 100, "team-a/api");
	p = add_peer(r, "198.51.100.2", 5432, CW_PEER_OUT);
	p->tcp[CW_TCP_SYN_SENT] = 50;
	r->fails = 5;
	n = ticks_with(&w, CW_RULE_CONNECT_FAIL, 20);
	p->tcp[CW_TCP_SYN_SENT] = 0;
	n += ticks_with(&w, CW_RULE_CONNECT_FAIL, 40);
	is_int(n, 0, "connect-fail: a 20-second outage gives no finding");
	world_done(&w);

	/* Slow connects that do not fail. */
	world_init(&w, &cw_rule_connect_fail);
	r = add_row(&w, 0, 100, "team-a/api");
	p = add_peer(r, "198.51.100.2", 5432, CW_PEER_OUT);
	p->tcp[CW_TCP_SYN_SENT] = 5;
	r->counters.attempt_fails = 100000;
	is_int(ticks_with(&w, CW_RULE_CONNECT_FAIL, 90), 0, "connect-fail: SYN_SENT without failures gives no finding");
	/* A counter reset (backwards) is no failure either. */
	for (k = 0, n = 0; k < 60; k++) {
		if (k == 10)
			r->counters.attempt_fails = 5;
		n += find(tick(&w), CW_RULE_CONNECT_FAIL, 100) != NULL;
	}
	is_int(n, 0, "connect-fail: an attempt_fails counter that goes backwards gives no failures");
	world_done(&w);

	/* A busy connector: thousands of connects a second to one peer, a
	 * SYN_SENT toward it in every sample, and the odd failure. */
	world_init(&w, &cw_rule_connect_fail);
	r = add_row(&w, 0, 100, "team-a/fast");
	p = add_peer(r, "10.96.7.7", 80, CW_PEER_OUT);
	p->tcp[CW_TCP_SYN_SENT] = 6;
	p->tcp[CW_TCP_ESTABLISHED] = 400;
	r->opens = 5000;
	r->fails = 1;
	is_int(ticks_with(&w, CW_RULE_CONNECT_FAIL, 90), 0, "connect-fail: a busy connector with rare failures gives no finding");
	r->fails = 500;
	n = until_fires(&w, CW_RULE_CONNECT_FAIL, 100, 40);
	ok(n <= 12, "connect-fail: ... until 10%% of its connects fail (tick %d)", n);
	world_done(&w);

	/* Port 53: a storm-sized resolver is dns-storm's; a small one is ours.
	 * Both rules run. */
	{
		static const struct cw_rule_def *const both[] = {&cw_rule_dns_storm, &cw_rule_connect_fail,
								 NULL};

		memset(&w, 0, sizeof(w));
		w.t = T0;
		w.step_ms = 1000;
		cw_node_unknown(&w.node);
		w.h = cw_history_new(5000, 1);
		w.f = cw_findings_new_with(&conf, both);
	}
	r = add_row(&w, 0, 100, "team-a/storm");
	p = add_peer(r, "10.96.0.10", 53, CW_PEER_OUT);
	p->tcp[CW_TCP_SYN_SENT] = 140;
	r->opens = 20;
	r->fails = 20;
	r = add_row(&w, 1, 101, "team-a/tcpdns");
	p = add_peer(r, "10.96.0.10", 53, CW_PEER_OUT);
	p->tcp[CW_TCP_SYN_SENT] = 4;
	r->fails = 1;
	r->opens = 1;
	for (k = 0; k < 40; k++)
		tick(&w);
	ok(find(w.s, CW_RULE_DNS_STORM, 100) && !find(w.s, CW_RULE_CONNECT_FAIL, 100),
	   "connect-fail: a storming resolver is left to dns-storm");
	ok(find(w.s, CW_RULE_CONNECT_FAIL, 101) && !find(w.s, CW_RULE_DNS_STORM, 101),
	   "connect-fail: a resolver below the storm bar is reported as a failing peer");
	world_done(&w);

	/* Exact counts spaced 20 s apart by the budget: two samples 40 s apart
	 * are enough. */
	world_init(&w, &cw_rule_connect_fail);
	r = add_row(&w, 0, 100, "team-a/api");
	p = add_peer(r, "198.51.100.2", 5432, CW_PEER_OUT);
	p->tcp[CW_TCP_SYN_SENT] = 12;
	r->fails = 1;
	for (k = 0, n = 0; k < 60 && !n; k++) {
		r->exact_age_ms = (k % 20) * 1000;
		if (find(tick(&w), CW_RULE_CONNECT_FAIL, 100))
			n = k + 1;
	}
	ok(n >= 41 && n <= 42, "connect-fail: spaced samples: fires at the first sample 30 s after the first (tick %d)", n);
	world_done(&w);

	/* Vanishes mid-trend and comes back under the same inode. */
	world_init(&w, &cw_rule_connect_fail);
	r = add_row(&w, 0, 100, "team-a/api");
	p = add_peer(r, "198.51.100.2", 5432, CW_PEER_OUT);
	p->tcp[CW_TCP_SYN_SENT] = 12;
	r->fails = 1;
	n = ticks_with(&w, CW_RULE_CONNECT_FAIL, 20);
	r->present = false;
	n += ticks_with(&w, CW_RULE_CONNECT_FAIL, 3);
	r->present = true;
	r->counters.attempt_fails = 0;
	n += ticks_with(&w, CW_RULE_CONNECT_FAIL, 25);
	is_int(n, 0, "connect-fail: a namespace that vanishes mid-trend starts over");
	world_done(&w);
}

/* ---- listen-overflow ---- */

static void listener(struct wrow *r, uint32_t queue, uint32_t backlog)
{
	r->has_listener = true;
	cw_addr_parse("0.0.0.0", &r->listener.addr);
	r->listener.port = 8080;
	r->listener.queue = queue;
	r->listener.backlog = backlog;
}

static void test_listen_overflow(void)
{
	struct world w;
	struct wrow *r;
	const struct cw_finding *f;
	int n, k;

	world_init(&w, &cw_rule_listen_overflow);
	add_controls(&w);
	w.node.valid = true;
	cw_sysctls_unknown(&w.node.sysctl);
	w.node.sysctl.somaxconn = 4096;
	r = add_row(&w, 0, 100, "team-a/slow");
	listener(r, 129, 128);
	r->overflows = 4;
	r->drops = 4;
	n = until_fires(&w, CW_RULE_LISTEN_OVERFLOW, 100, 60);
	ok(n >= 30 && n <= 32, "listen-overflow: fires after 30 s of a full queue (tick %d)", n);
	f = find(w.s, CW_RULE_LISTEN_OVERFLOW, 100);
	ok(f && f->severity == CW_SEV_WARN && f->since_ms == T0 && !f->has_peer, "listen-overflow: warn, since the start");
	is_str(evstr(f, "listener"), "0.0.0.0:8080", "listen-overflow: the listener");
	ok(evnum(f, "queue") == 129 && evnum(f, "backlog") == 128 && evnum(f, "somaxconn") == 4096 &&
	   evnum(f, "overflows_per_s") == 4 && evnum(f, "drops_per_s") == 4, "listen-overflow: evidence");
	ok(f && strstr(f->text, "accept queue 129/128") && strstr(f->next, "accepts too slowly"),
	   "listen-overflow: %s / %s", f ? f->text : "", f ? f->next : "");
	check_controls(w.s, "listen-overflow");
	/* The app catches up: 50% and no drops: over once the lower bar fails. */
	listener(r, 64, 128);
	r->overflows = r->drops = 0;
	k = ticks_with(&w, CW_RULE_LISTEN_OVERFLOW, 70);
	ok(k >= 58 && k <= 61, "listen-overflow: kept while drops are within 60 s (%d ticks)", k);
	world_done(&w);

	/* Backlog capped by the namespace's somaxconn; drops only. */
	world_init(&w, &cw_rule_listen_overflow);
	r = add_row(&w, 0, 100, "team-a/capped");
	r->has_sysctl = true;
	r->sysctl.somaxconn = 128;
	listener(r, 20, 128);
	r->drops = 30;
	n = until_fires(&w, CW_RULE_LISTEN_OVERFLOW, 100, 60);
	f = find(w.s, CW_RULE_LISTEN_OVERFLOW, 100);
	ok(n <= 32 && f && f->severity == CW_SEV_CRIT && strstr(f->next, "somaxconn 128"),
	   "listen-overflow: drops at 30/s, backlog capped by somaxconn: crit, says so (tick %d)", n);
	world_done(&w);

	/* Counters only, no exact counts: the row, no listener. */
	world_init(&w, &cw_rule_listen_overflow);
	r = add_row(&w, 0, 100, "team-a/undumped");
	r->exact = false;
	r->overflows = 2;
	n = until_fires(&w, CW_RULE_LISTEN_OVERFLOW, 100, 60);
	f = find(w.s, CW_RULE_LISTEN_OVERFLOW, 100);
	ok(n <= 32 && f && strstr(f->text, "no listener seen") && evnum(f, "somaxconn") == -1,
	   "listen-overflow: from the counters alone (tick %d)", n);
	world_done(&w);

	/* A 20-second burst. */
	world_init(&w, &cw_rule_listen_overflow);
	r = add_row(&w, 0, 100, "team-a/burst");
	listener(r, 129, 128);
	r->overflows = 50;
	n = ticks_with(&w, CW_RULE_LISTEN_OVERFLOW, 20);
	listener(r, 0, 128);
	r->overflows = 0;
	n += ticks_with(&w, CW_RULE_LISTEN_OVERFLOW, 80);
	is_int(n, 0, "listen-overflow: a 20-second burst gives no finding");
	world_done(&w);

	/* Counters reset (backwards) under a busy listener: no drops. */
	world_init(&w, &cw_rule_listen_overflow);
	r = add_row(&w, 0, 100, "team-a/wrap");
	listener(r, 100, 4096);
	r->counters.listen_overflows = r->counters.listen_drops = 1000000;
	for (k = 0, n = 0; k < 90; k++) {
		if (k == 30)
			r->counters.listen_overflows = r->counters.listen_drops = 10;
		n += find(tick(&w), CW_RULE_LISTEN_OVERFLOW, 100) != NULL;
	}
	is_int(n, 0, "listen-overflow: counters that reset are no drops");
	world_done(&w);

	/* Vanishes mid-trend. */
	world_init(&w, &cw_rule_listen_overflow);
	r = add_row(&w, 0, 100, "team-a/slow");
	listener(r, 129, 128);
	r->overflows = 4;
	n = ticks_with(&w, CW_RULE_LISTEN_OVERFLOW, 25);
	r->present = false;
	n += ticks_with(&w, CW_RULE_LISTEN_OVERFLOW, 20);
	is_int(n, 0, "listen-overflow: a namespace that vanishes mid-trend gives no finding");
	world_done(&w);
}

/* ---- node-limit ---- */

static void test_node_limit(void)
{
	struct world w;
	struct wpeer *p;
	struct wrow *r;
	const struct cw_finding *f;
	int n, k;
	uint32_t x = 11;

	world_init(&w, &cw_rule_node_limit);
	add_controls(&w);
	w.node.valid = true;
	cw_sysctls_unknown(&w.node.sysctl);
	w.node.file_max = 1000000;
	w.node.file_nr = 950000;
	w.node.conntrack_max = 262144;
	w.node.sysctl.conntrack_count = 10000;
	n = until_fires(&w, CW_RULE_NODE_LIMIT, 0, 60);
	f = find(w.s, CW_RULE_NODE_LIMIT, 0);
	ok(n >= 30 && n <= 32 && f && f->inode == 0 && strcmp(f->label, "node") == 0 && f->severity == CW_SEV_WARN,
	   "node-limit: file-nr at 95%% of file-max: a node finding after 30 s (tick %d)", n);
	ok(strcmp(evstr(f, "what"), "file-nr") == 0 && evnum(f, "value") == 950000 &&
	   evnum(f, "limit") == 1000000 && evnum(f, "pct") == 95, "node-limit: file-nr evidence");
	ok(f && strstr(f->text, "950,000 of file-max 1,000,000 (95.0%)"), "node-limit: %s", f ? f->text : "");
	is_int(count_rule(w.s, CW_RULE_NODE_LIMIT), 1, "node-limit: conntrack at 4%% gives nothing");
	check_controls(w.s, "node-limit");
	w.node.file_nr = 870000;
	ok(ticks_with(&w, CW_RULE_NODE_LIMIT, 5) == 5, "node-limit: kept at 87%%");
	w.node.file_nr = 800000;
	ok(ticks_with(&w, CW_RULE_NODE_LIMIT, 1) == 0, "node-limit: over at 80%%");
	/* A 20-second peak. */
	w.node.file_nr = 990000;
	n = ticks_with(&w, CW_RULE_NODE_LIMIT, 20);
	w.node.file_nr = 500000;
	n += ticks_with(&w, CW_RULE_NODE_LIMIT, 40);
	is_int(n, 0, "node-limit: a 20-second peak gives no finding");
	/* Noise around 90%. */
	for (k = 0, n = 0; k < 200; k++) {
		w.node.file_nr = 800000 + (int64_t)(lcg(&x) % 110000);
		n += count_rule(tick(&w), CW_RULE_NODE_LIMIT) > 0;
	}
	is_int(n, 0, "node-limit: noise between 80%% and 91%% gives no finding");
	/* Conntrack, node-wide, crit; and one pod holding 60% of the table. */
	w.node.file_nr = 1000;
	w.node.sysctl.conntrack_count = 258000;
	r = add_row(&w, 0, 100, "team-a/scanner");
	r->has_sysctl = true;
	r->sysctl.conntrack_count = 160000;
	r = add_row(&w, 1, 1, "host");
	r->kind = CW_KIND_HOST;
	r->has_sysctl = true;
	r->sysctl.conntrack_count = 258000;
	for (k = 0; k < 31; k++)
		tick(&w);
	f = find(w.s, CW_RULE_NODE_LIMIT, 0);
	ok(f && f->severity == CW_SEV_CRIT && strcmp(evstr(f, "what"), "nf_conntrack_count") == 0 &&
	   evnum(f, "limit") == 262144, "node-limit: conntrack at 98%% of nf_conntrack_max: crit");
	f = find(w.s, CW_RULE_NODE_LIMIT, 100);
	ok(f && f->severity == CW_SEV_WARN && evnum(f, "value") == 160000 && strstr(f->text, "61.0%"),
	   "node-limit: a namespace holding 61%% of the table: %s", f ? f->text : "");
	ok(!find(w.s, CW_RULE_NODE_LIMIT, 1), "node-limit: the host row is the node-wide figure");
	/* Unknown figures: nothing. */
	w.node.valid = false;
	w.rows[0].present = w.rows[1].present = false;
	is_int(ticks_with(&w, CW_RULE_NODE_LIMIT, 40), 0, "node-limit: unknown node figures give no finding");
	world_done(&w);

	/* Ephemeral ports: 80 sockets toward one destination in a 100-port range. */
	world_init(&w, &cw_rule_node_limit);
	r = add_row(&w, 0, 100, "team-a/pool");
	r->has_sysctl = true;
	r->sysctl.port_lo = 40000;
	r->sysctl.port_hi = 40099;
	p = add_peer(r, "10.96.3.4", 5432, CW_PEER_OUT);
	p->tcp[CW_TCP_ESTABLISHED] = 60;
	p->tcp[CW_TCP_TIME_WAIT] = 20;
	n = until_fires(&w, CW_RULE_NODE_LIMIT, 100, 60);
	f = find(w.s, CW_RULE_NODE_LIMIT, 100);
	ok(n >= 30 && n <= 32 && f && peer_is(f, "10.96.3.4", 5432) && f->severity == CW_SEV_WARN,
	   "node-limit: 80%% of the ports toward one destination (tick %d)", n);
	ok(strcmp(evstr(f, "what"), "ephemeral_ports") == 0 && evnum(f, "value") == 80 &&
	   evnum(f, "limit") == 100 && evnum(f, "estab") == 60 && evnum(f, "time_wait") == 20 &&
	   strcmp(evstr(f, "port_range_from"), "netns") == 0, "node-limit: ports evidence");
	ok(f && strstr(f->text, "80 sockets to 10.96.3.4:5432 use 80.0% of ports 40000-40099"),
	   "node-limit: %s", f ? f->text : "");
	/* Vanishes mid-trend: nothing lingers. */
	p->tcp[CW_TCP_ESTABLISHED] = 95;
	r->present = false;
	is_int(ticks_with(&w, CW_RULE_NODE_LIMIT, 10), 0, "node-limit: a vanished namespace has no finding");
	world_done(&w);

	/* A big pod on the default range: 5,000 to one destination is 18%. */
	world_init(&w, &cw_rule_node_limit);
	add_controls(&w);
	is_int(ticks_with(&w, CW_RULE_NODE_LIMIT, 60), 0, "node-limit: a big pod is not near a limit");
	world_done(&w);
}

/* On a big node the budget dumps a row once a minute: the counts one dump
 * caught are carried (exact_age_ms growing) until the next. set(w, on)
 * makes the pattern or not. A pattern caught by one dump only, then gone
 * at the next, gives no finding; caught by two dumps 60 s apart, it fires
 * at the second. */
static void check_spaced(const struct cw_rule_def *rule, enum cw_rule id,
			 void (*set)(struct world *w, bool on), const char *what)
{
	struct world w;
	int k, n = 0, at = 0;

	world_init(&w, rule);
	set(&w, false);
	for (k = 0; k < 180; k++) {
		/* dumps at 0, 60, 120 s: the pattern in the dump at 60 s only */
		w.rows[0].exact_age_ms = (k % 60) * 1000;
		if (k % 60 == 0)
			set(&w, k == 60);
		n += find(tick(&w), id, 100) != NULL;
	}
	is_int(n, 0, "%s: caught by one dump a minute apart from the next: no finding", what);
	world_done(&w);
	world_init(&w, rule);
	set(&w, false);
	for (k = 0; k < 180 && !at; k++) {
		w.rows[0].exact_age_ms = (k % 60) * 1000;
		if (k % 60 == 0)
			set(&w, k >= 60);
		if (find(tick(&w), id, 100))
			at = k;
	}
	is_int(at, 120, "%s: caught by two dumps 60 s apart: fires at the second", what);
	world_done(&w);
}

static void dns_set(struct world *w, bool on)
{
	struct wrow *r = &w->rows[0];

	if (!r->present) {
		add_row(w, 0, 100, "team-a/web");
		add_peer(r, "10.96.0.10", 53, CW_PEER_OUT);
	}
	r->peers[0].tcp[CW_TCP_SYN_SENT] = on ? 140 : 0;
	r->opens = on ? 20 : 0;
}

static void tw_set(struct world *w, bool on)
{
	struct wrow *r = &w->rows[0];

	if (!r->present) {
		add_row(w, 0, 100, "team-a/churn");
		add_peer(r, "10.213.0.3", 8080, CW_PEER_OUT);
	}
	r->peers[0].tcp[CW_TCP_TIME_WAIT] = on ? 3000 : 0;
	r->opens = on ? 50 : 0;
}

static void queue_set(struct world *w, bool on)
{
	struct wrow *r = &w->rows[0];

	if (!r->present)
		add_row(w, 0, 100, "team-a/slow");
	r->has_listener = true;
	cw_addr_parse("0.0.0.0", &r->listener.addr);
	r->listener.port = 8080;
	r->listener.queue = on ? 129 : 0;
	r->listener.backlog = 128;
}

static void ports_set(struct world *w, bool on)
{
	struct wrow *r = &w->rows[0];

	if (!r->present) {
		add_row(w, 0, 100, "team-a/pool");
		r->has_sysctl = true;
		r->sysctl.port_lo = 40000;
		r->sysctl.port_hi = 40099;
		add_peer(r, "10.96.3.4", 5432, CW_PEER_OUT);
	}
	r->peers[0].tcp[CW_TCP_ESTABLISHED] = on ? 90 : 0;
}

/* All the rules together on steady pods, noise included. */
static void test_all_quiet(void)
{
	struct world w;
	struct wrow *r;
	struct wpeer *p;
	uint32_t x = 3;
	int k, n = 0;

	world_init(&w, NULL);
	add_controls(&w);
	r = add_row(&w, 0, 100, "team-a/noisy");
	p = add_peer(r, "10.96.4.4", 443, CW_PEER_OUT);
	listener(r, 0, 4096);
	for (k = 0; k < 240; k++) {
		p->tcp[CW_TCP_ESTABLISHED] = 50 + lcg(&x) % 50;
		p->tcp[CW_TCP_TIME_WAIT] = lcg(&x) % 300;
		p->tcp[CW_TCP_SYN_SENT] = lcg(&x) % 3 == 0;
		r->opens = lcg(&x) % 10;
		r->listener.queue = lcg(&x) % 50;
		n += tick(&w)->nfindings > 0;
	}
	is_int(n, 0, "all rules: steady, busy, big and noisy pods give no finding in 4 minutes");
	world_done(&w);
}

int main(void)
{
	struct cw_hold h = {0};

	ok(!cw_rules_net_hold(&h, true, true, 0, 30000) && !cw_rules_net_hold(&h, false, true, 20000, 30000) &&
	   !cw_rules_net_hold(&h, false, true, 31000, 30000) && cw_rules_net_hold(&h, true, true, 32000, 30000) &&
	   cw_rules_net_hold(&h, false, true, 40000, 30000) && !cw_rules_net_hold(&h, false, false, 41000, 30000),
	   "a hold: survives dips to the lower bar, fires on the bar after its time, ends below the lower bar");
	test_dns_storm();
	test_dns_hints();
	test_time_wait();
	test_connect_fail();
	test_listen_overflow();
	test_node_limit();
	test_all_quiet();
	check_spaced(&cw_rule_dns_storm, CW_RULE_DNS_STORM, dns_set, "dns-storm");
	check_spaced(&cw_rule_time_wait, CW_RULE_TIME_WAIT, tw_set, "time-wait");
	check_spaced(&cw_rule_listen_overflow, CW_RULE_LISTEN_OVERFLOW, queue_set, "listen-overflow");
	check_spaced(&cw_rule_node_limit, CW_RULE_NODE_LIMIT, ports_set, "node-limit");
	return tap_done();
}
