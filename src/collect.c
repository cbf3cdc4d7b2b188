/* collect: the tick: discovery, naming, descriptors, counters, dumps and
 * the snapshot. hostNetwork pods are in collect_hostnet.c; the state both
 * share is in collect_priv.h. */
#include "config.h"
#include "collect_priv.h"
#include "nsenter.h"
#include "owners.h"
#include "privs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>

_Static_assert(CW_ROW_MAXPIDS >= CW_NETNS_MAXPIDS, "a row holds every pid discovery keeps");

/* Names the errno of a shortage, which strerror's words leave vague. */
static const char *errno_tag(int e)
{
	return e == EMFILE ? " (EMFILE)" : e == ENFILE ? " (ENFILE)" : e == ENOMEM ? " (ENOMEM)" : "";
}

static void state_free(void *v)
{
	struct nsstate *s = v;

	if (s->ident)
		cw_ident_done(s->ident);
	free(s->ident);
	cw_diag_close(s->diag);
	cw_nscount_close(&s->cnt);
	if (s->ct_fd >= 0)
		close(s->ct_fd);
	if (s->x)
		cw_agg_done(&s->x->agg);
	free(s->x);
	free(s->setup_err);
	free(s->count_err);
	free(s->dump_err);
	free(s);
}

struct nsext *cw_collect_ext(struct nsstate *s)
{
	if (!s->x) {
		s->x = cw_xcalloc(1, sizeof(*s->x));
		cw_sysctls_unknown(&s->x->sysctl);
	}
	return s->x;
}

/* A namespace's kind: one not named yet is taken for a process's. */
static enum cw_ns_kind kind_of(const struct nsstate *s)
{
	return s->ident ? s->ident->kind : CW_KIND_PROCESS;
}

static void read_hostname(struct cw_collector *c)
{
	char *text = NULL;

	/* Under --rootfs (a DaemonSet) the node's name is the host's, not ours. */
	if (strcmp(c->root.path, "/") != 0 &&
	    cw_root_read_file(&c->root, "/etc/hostname", 4096, &text) == 0) {
		text[strcspn(text, "\n")] = '\0';
		cw_sanitize(c->hostname, sizeof(c->hostname), text);
		free(text);
		if (c->hostname[0])
			return;
	}
	if (gethostname(c->hostname, sizeof(c->hostname) - 1) != 0)
		snprintf(c->hostname, sizeof(c->hostname), "?");
	cw_sanitize(c->hostname, sizeof(c->hostname), c->hostname);
}

static bool any_process(const struct cw_nslist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].nprocs)
			return true;
	return false;
}

int cw_collector_new(struct cw_collector **out, const struct cw_collector_cfg *cfg, char **cause)
{
	struct cw_collector *c;
	int r;

	c = cw_xcalloc(1, sizeof(*c));
	c->root.fd = -1;
	r = cw_root_open(&c->root, cfg->rootfs, cause);
	if (r < 0) {
		free(c);
		return r;
	}
	c->procfs = cw_xstrdup(cfg->procfs);
	if (cw_nofile_raise(&c->nofile) < 0 || c->nofile == UINT64_MAX)
		c->nofile = 0;
	r = cw_netns_scan(&c->list, c->procfs, &c->root, cause);
	if (r < 0) {
		cw_collector_free(c);
		return r;
	}
	/* Not one process, readable or not: not a proc filesystem (a
	 * DaemonSet that forgot to mount the host's /proc), not an empty node. */
	if (!c->list.denied && !any_process(&c->list)) {
		r = cw_cause(cause, -ENOENT, "--procfs %s: no processes there; is it a proc filesystem?",
			     cfg->procfs);
		cw_collector_free(c);
		return r;
	}
	if (cw_netns_of_pid(NULL, 0, &c->self_inode) < 0) {
		cw_collector_free(c);
		return cw_cause(cause, -EIO, "cannot read own network namespace");
	}
	/* The host namespace is pid 1's. Some machines hide it even from root;
	 * then our own namespace stands in, and the snapshot says so. */
	if (cw_netns_of_pid(c->procfs, 1, &c->host_inode) == 0) {
		c->host_from = "pid1";
	} else {
		c->host_inode = c->self_inode;
		c->host_from = "self";
	}
	c->budget_pct = cfg->budget_pct;
	c->interval_s = cfg->interval_s;
	c->max_peers = cfg->max_peers;
	c->fd_reserve = cfg->fd_reserve;
	c->diag_mode = cfg->diag_mode;
	c->builder = cw_agg_builder_new();
	/* events: loaded by the first tick that may (cw_collector_tick); off,
	 * with its reason, when BPF cannot be had. */
	c->events = cw_events_new(cfg->events);
	c->podid = cw_podid_new(c->procfs, &c->root);
	cw_podid_index(c->podid);
	read_hostname(c);
	cw_node_files_init(&c->node);
	cw_node_files_open(&c->node, c->procfs);
	*out = c;
	return 0;
}

void cw_collector_free(struct cw_collector *c)
{
	if (!c)
		return;
	cw_imap_done(&c->states, state_free);
	cw_node_files_close(&c->node);
	cw_nslist_done(&c->list);
	cw_nslist_done(&c->next);
	free(c->scan_note);
	free(c->udp_note);
	free(c->fdb);
	cw_podid_free(c->podid);
	cw_imap_done(&c->hn, cw_collect_hn_free);
	cw_cgmap_done(&c->cgmap);
	cw_hostnet_split_done(&c->split);
	free(c->hnorder);
	cw_root_close(&c->root);
	cw_sockvec_done(&c->scratch);
	cw_sockvec_done(&c->udp);
	cw_agg_builder_free(c->builder);
	free(c->order);
	free(c->items);
	free(c->procfs);
	/* events */
	cw_events_free(c->events);
	free(c->live_inodes);
	free(c);
}

bool cw_collector_events_wanted(const struct cw_collector *c)
{
	return cw_events_wanted(c->events);
}

/* Runs inside the namespace: the handles that must be created there. */
struct setup_ctx {
	struct nsstate *s;
	enum cw_diag_mode mode;
	struct cw_sysctl_fds *host;  /* the node's copy of the host's sysctls, for the host */
	int64_t now;
	char *cause;
};

/* Inside a namespace: its sysctls, and its conntrack file if not open yet.
 * /proc/sys/net answers for the namespace of the thread that opens a file
 * there, whatever procfs mount the path goes through: read from anywhere
 * else, these would be our own namespace's values. */
static void read_inside(struct nsstate *s, int64_t now)
{
	struct cw_sysctls v;

	s->sysctl_ms = now;
	if (cw_sysctl_read_once("/proc/sys", &v) == 0) {
		cw_collect_ext(s)->sysctl = v;
		s->x->has_sysctl = true;
	}
	/* thread-self/net is this thread's namespace too. Without the
	 * conntrack module the file is absent: tried again at the next read. */
	if (s->ct_fd < 0) {
		int fd = cw_ctstat_open("/proc/thread-self/net");

		s->ct_fd = fd >= 0 ? fd : -1;
	}
}

static int read_ehash(void)
{
	char *text = NULL;
	int64_t v;
	int r;

	/* /proc/sys/net resolves against the reading thread's namespace:
	 * negative means the namespace shares the node's hash. */
	r = cw_read_file("/proc/sys/net/ipv4/tcp_ehash_entries", 64, &text, NULL);
	if (r < 0)
		return -1;
	v = strtoll(text, NULL, 10);
	free(text);
	return v < 0 ? 1 : 0;
}

static int setup_inside(void *arg)
{
	struct setup_ctx *x = arg;
	int r;

	r = cw_diag_open(&x->s->diag, x->mode, &x->cause);
	if (r < 0)
		return r;
	x->s->shared_ehash = read_ehash();
	read_inside(x->s, x->now);
	/* The host's are kept open and read every tick, for the node. */
	if (x->host && !cw_sysctl_is_open(x->host))
		cw_sysctl_open(x->host, "/proc/sys");
	/* thread-self/net is this thread's namespace: the one just entered.
	 * The open files keep reading it after we leave. */
	if (!cw_nscount_is_open(&x->s->cnt))
		cw_nscount_open(&x->s->cnt, "/proc/thread-self/net", NULL);
	return 0;
}

static void setup(struct cw_collector *c, struct nsstate *s, int64_t now)
{
	struct setup_ctx x = {.s = s, .mode = c->diag_mode, .now = now,
			      .host = s->inode == c->host_inode ? &c->node.host : NULL};
	int fd, r;

	s->setup_tried = true;
	s->setup_ms = now;
	s->setup_vanished = false;
	free(s->setup_err);
	s->setup_err = NULL;
	if (s->inode == c->self_inode) {
		r = setup_inside(&x);
	} else {
		fd = cw_netns_open(s->info, c->procfs, &c->root, &x.cause);
		r = fd;
		if (fd >= 0) {
			r = cw_nsenter_call(fd, setup_inside, &x, &x.cause);
			close(fd);
		}
	}
	if (r < 0) {
		const char *why = x.cause ? x.cause : strerror(-r);

		s->setup_err = strstr(why, "FILE") ? cw_xstrdup(why)
						   : cw_xasprintf("%s%s", why, errno_tag(-r));
		/* Privilege does not change while we run; other failures may pass. */
		s->setup_final = r == -EPERM || r == -EACCES;
		s->setup_vanished = r == -ENOENT;
	} else {
		s->setup_final = true;
	}
	free(x.cause);
	/* Without entering it, a process's /proc/<pid>/net still gives counters. */
	if (!cw_nscount_is_open(&s->cnt) && s->info->npids) {
		char *dir = cw_xasprintf("%s/%d/net", c->procfs, (int)s->info->pids[0]);

		x.cause = NULL;
		r = cw_nscount_open(&s->cnt, dir, &x.cause);
		/* stat/nf_conntrack follows the pid's namespace too. */
		if (r == 0 && s->ct_fd < 0) {
			fd = cw_ctstat_open(dir);
			s->ct_fd = fd >= 0 ? fd : -1;
		}
		free(dir);
		if (r < 0 && !s->setup_err) {
			s->setup_err = cw_xasprintf("%s%s", x.cause ? x.cause : strerror(-r),
						    errno_tag(-r));
			s->setup_final = false; /* EMFILE passes; a vanished pid too */
			s->setup_vanished = r == -ENOENT;
		}
		free(x.cause);
	}
}

/* Descriptors a namespace holds now; the host's include the node's copy
 * of its sysctls, which its setup opens. */
static unsigned held_fds(const struct cw_collector *c, const struct nsstate *s)
{
	unsigned n = s->diag ? 1 : 0;
	int i;

	for (i = 0; i < CW_NSCOUNT_NFILES; i++)
		n += s->cnt.fd[i] >= 0;
	for (i = 0; s->inode == c->host_inode && i < CW_SYSCTL_NFILES; i++)
		n += c->node.host.fd[i] >= 0;
	return n + (s->ct_fd >= 0);
}

/* Closes a namespace's kept handles; it is set up again once it may keep them. */
static void release(struct cw_collector *c, struct nsstate *s)
{
	if (s->inode == c->host_inode)
		cw_sysctl_close(&c->node.host);
	cw_diag_close(s->diag);
	s->diag = NULL;
	cw_nscount_close(&s->cnt);
	if (s->ct_fd >= 0)
		close(s->ct_fd);
	s->ct_fd = -1;
	if (s->x)
		s->x->has_sysctl = false;
	s->setup_tried = false;
	free(s->setup_err);
	s->setup_err = NULL;
}

static enum cw_fdbudget_rank fd_rank(const struct nsstate *s)
{
	switch (kind_of(s)) {
	case CW_KIND_HOST:
		return CW_FDBUDGET_HOST;
	case CW_KIND_POD:
		return CW_FDBUDGET_POD;
	case CW_KIND_PROCESS:
		return CW_FDBUDGET_PROCESS;
	default:
		return CW_FDBUDGET_OTHER;
	}
}

/* Decides which namespaces keep descriptors this tick (fdbudget's policy)
 * and releases the handles of those that may not. */
static void plan_fds(struct cw_collector *c, const struct cw_wants *w)
{
	uint64_t held = 0, other;
	int open_now = cw_fdbudget_count_open();
	size_t i;

	cw_xgrow((void **)&c->fdb, &c->capfdb, c->norder, sizeof(*c->fdb));
	for (i = 0; i < c->norder; i++) {
		const struct nsstate *s = c->order[i];
		unsigned h = held_fds(c, s);

		held += h;
		c->fdb[i] = (struct cw_fdbudget_item){
			.rank = fd_rank(s),
			.focus = s->inode == w->focus_id || s->inode == w->sockets_id ||
				 /* a hostNetwork pod's row is the host's dump */
				 (s->inode == c->host_inode &&
				  ((w->focus_id | w->sockets_id) & CW_ROW_ID_CGROUP)),
			.first_seen_ms = s->first_ms,
			.inode = s->inode,
			/* One that was set up holds what it will hold. */
			.cost = s->setup_tried ? h
				: CW_FDBUDGET_NS_COST + (s->inode == c->host_inode ? CW_SYSCTL_NFILES : 0),
		};
	}
	/* Too many open even to count them: take it that we are at the limit. */
	if (open_now < 0)
		other = c->nofile > held ? c->nofile - held : 0;
	else
		other = (uint64_t)open_now > held ? (uint64_t)open_now - held : 0;
	/* The sinks may open their descriptors at any moment (the exporter's
	 * connections): their most is counted as open already. What they hold
	 * now is in open_now too, so this errs on the side of fewer kept. */
	other += c->fd_reserve;
	c->fd_unkept = cw_fdbudget_plan(c->fdb, c->norder, c->nofile, other);
	for (i = 0; i < c->norder; i++) {
		struct nsstate *s = c->order[i];

		s->fd_kept = c->fdb[i].keep;
		if (!s->fd_kept && (held_fds(c, s) || s->setup_tried))
			release(c, s);
	}
}

static struct nsstate *state_get(struct cw_collector *c, uint64_t inode, int64_t now,
				  bool *fresh)
{
	struct nsstate *s = cw_imap_get(&c->states, inode);

	*fresh = !s;
	if (s)
		return s;
	s = cw_xcalloc(1, sizeof(*s));
	s->inode = inode;
	s->first_ms = now;
	s->shared_ehash = -1;
	s->cnt = (struct cw_nscount)CW_NSCOUNT_CLOSED;
	s->ct_fd = -1;
	s->conntrack = -1;
	cw_imap_put(&c->states, inode, s);
	return s;
}

/* A namespace left for a later tick to name: it keeps no name at all
 * (fill_row gives it a label that costs no I/O, and the note below). */
static void unnamed(struct nsstate *s, size_t *count)
{
	if (s->ident)
		cw_ident_done(s->ident);
	free(s->ident);
	s->ident = NULL;
	(*count)++;
}

#define STR_(x) #x
#define STR(x) STR_(x)
static const char unnamed_note[] =
	"not named yet: at most " STR(CW_EXAMINE_PER_TICK) " namespaces are examined per tick";

static int sysctl_inside(void *arg)
{
	struct setup_ctx *x = arg;

	read_inside(x->s, x->now);
	return 0;
}

/* Reads the sysctls of the namespaces whose values are the oldest past
 * CW_SYSCTL_REFRESH_MS, entering each: as many per tick as spreads them
 * all over that period, round-robin. Only namespaces set up from inside
 * (those with a sock_diag socket) can be entered. The host's are read
 * every tick from kept files instead. */
static void refresh_sysctls(struct cw_collector *c, int64_t now, size_t *examined)
{
	size_t quota, start, k;

	if (!c->norder)
		return;
	quota = 1 + (size_t)((double)c->norder * c->interval_s * 1000.0 / CW_SYSCTL_REFRESH_MS);
	start = c->sysctl_next < c->norder ? c->sysctl_next : 0;
	for (k = 0; k < c->norder && quota && *examined < 2 * CW_EXAMINE_PER_TICK; k++) {
		struct nsstate *s = c->order[(start + k) % c->norder];
		struct setup_ctx x = {.s = s, .now = now};
		int fd;

		if (!s->diag || s->inode == c->host_inode || now - s->sysctl_ms < CW_SYSCTL_REFRESH_MS)
			continue;
		if (s->inode == c->self_inode) {
			sysctl_inside(&x);
		} else {
			s->sysctl_ms = now; /* a failure waits for the next round too */
			fd = cw_netns_open(s->info, c->procfs, &c->root, NULL);
			if (fd >= 0) {
				cw_nsenter_call(fd, sysctl_inside, &x, NULL);
				close(fd);
			}
		}
		quota--;
		(*examined)++;
		c->sysctl_next = (start + k + 1) % c->norder;
	}
	/* Node files missing at start (conntrack's module loads later). */
	if (now - c->node_open_ms >= CW_SYSCTL_REFRESH_MS) {
		c->node_open_ms = now;
		cw_node_files_open(&c->node, c->procfs);
	}
}

/* Discovery, naming, setup; leaves c->order holding this tick's live states. */
static void refresh(struct cw_collector *c, const struct cw_wants *w, int64_t now)
{
	struct cw_imap_iter it;
	struct nsstate **gone = NULL;
	size_t i, ngone = 0, capgone = 0;
	bool invalidated = false;
	char *cause = NULL;
	size_t examined = 0;
	int r, pass;

	/* Scan aside and swap only on success: a failed scan (EMFILE, most
	 * likely) must not look like every namespace vanished at once, which
	 * would close all their handles and reopen them all next tick. */
	r = cw_netns_scan(&c->next, c->procfs, &c->root, &cause);
	free(c->scan_note);
	c->scan_note = NULL;
	if (r == 0) {
		cw_nslist_swap(&c->list, &c->next);
		/* The spare list is kept for the next scan to fill without
		 * allocating, unless it is huge (a node, or a --procfs, with
		 * more namespaces than a tick examines): then it would double
		 * what discovery holds at the tick's peak. */
		if (c->next.cap > CW_EXAMINE_PER_TICK)
			cw_nslist_done(&c->next);
	} else {
		/* The cause may name a file in a pin directory: outside text. */
		char *raw = cw_xasprintf("namespace scan failed: %s%s; showing the last good list",
					 cause ? cause : strerror(-r), errno_tag(-r));

		c->scan_note = cw_sanitize_dup(raw);
		free(raw);
	}
	free(cause);
	for (cw_imap_iter_init(&it, &c->states); cw_imap_next(&it);)
		((struct nsstate *)it.val)->live = false;
	c->norder = 0;
	c->unnamed = 0;
	for (i = 0; i < c->list.n; i++) {
		bool fresh;
		struct nsstate *s = state_get(c, c->list.v[i].inode, now, &fresh);

		s->live = true;
		s->info = &c->list.v[i];
		cw_xgrow((void **)&c->order, &c->caporder, c->norder + 1, sizeof(*c->order));
		c->order[c->norder++] = s;
	}
	/* New namespaces are named first, then those whose name was not
	 * conclusive, so renaming can never starve a namespace of a name. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < c->norder; i++) {
			struct nsstate *s = c->order[i];

			if (pass == 0 ? s->identified
				      : !s->identified || kind_of(s) == CW_KIND_POD ||
					kind_of(s) == CW_KIND_HOST ||
					now - s->ident_ms < CW_REIDENTIFY_MS)
				continue;
			if (examined == CW_EXAMINE_PER_TICK) {
				if (pass == 0)
					unnamed(s, &c->unnamed);
				continue;
			}
			if (!invalidated) {
				cw_podid_invalidate(c->podid);
				invalidated = true;
			}
			if (s->ident)
				cw_ident_done(s->ident);
			else
				s->ident = cw_xmalloc(sizeof(*s->ident));
			cw_podid_identify(c->podid, s->info, c->host_inode, s->ident);
			s->identified = true;
			s->ident_ms = now;
			examined++;
		}
	/* Release before setting up, so freed descriptors can be reused. */
	plan_fds(c, w);
	for (i = 0; i < c->norder && examined < 2 * CW_EXAMINE_PER_TICK; i++) {
		struct nsstate *s = c->order[i];

		if (s->fd_kept && s->identified &&
		    (!s->setup_tried ||
		     (!s->setup_final && (s->setup_vanished || now - s->setup_ms >= CW_RESETUP_MS)))) {
			setup(c, s, now);
			examined++;
		}
	}
	refresh_sysctls(c, now, &examined);
	/* Close what vanished: our handles would keep a dead namespace alive. */
	for (cw_imap_iter_init(&it, &c->states); cw_imap_next(&it);) {
		struct nsstate *s = it.val;

		if (!s->live) {
			cw_xgrow((void **)&gone, &capgone, ngone + 1, sizeof(*gone));
			gone[ngone++] = s;
		}
	}
	for (i = 0; i < ngone; i++) {
		cw_imap_del(&c->states, gone[i]->inode);
		state_free(gone[i]);
	}
	free(gone);
}

/* Counters with no kept descriptor: open, read and close a process's
 * /proc/<pid>/net files. The pid is checked against the namespace first,
 * since pids are reused. A namespace with no process cannot be read this
 * way short of entering it, which a tick never does. */
static int read_unkept(struct cw_collector *c, struct nsstate *s)
{
	size_t i;

	for (i = 0; i < s->info->npids; i++) {
		struct cw_nscount tmp = CW_NSCOUNT_CLOSED;
		uint64_t ino;
		char *dir;
		int r;

		if (cw_netns_of_pid(c->procfs, s->info->pids[i], &ino) < 0 || ino != s->inode)
			continue;
		dir = cw_xasprintf("%s/%d/net", c->procfs, (int)s->info->pids[i]);
		r = cw_nscount_open(&tmp, dir, &s->count_err);
		free(dir);
		if (r == 0)
			r = cw_nscount_read(&tmp, &s->counters, &s->count_err);
		cw_nscount_close(&tmp);
		return r;
	}
	return cw_cause(&s->count_err, -ENOENT, "no counters: no process in this namespace to read them from");
}

/* Kept files are read every tick. Without a kept descriptor each read is
 * an open, a read and a close per file, so those take turns, at most
 * CW_EXAMINE_PER_TICK a tick; one not read this tick has no counters in
 * it, rather than last tick's passed off as new. */
static void read_counters(struct cw_collector *c)
{
	size_t i, k, unkept = 0, budget = CW_EXAMINE_PER_TICK;

	for (i = 0; i < c->norder; i++)
		unkept += !cw_nscount_is_open(&c->order[i]->cnt);
	if (c->unkept_next >= c->norder)
		c->unkept_next = 0;
	c->unread = unkept > budget ? unkept - budget : 0;
	for (k = 0; k < c->norder; k++) {
		struct nsstate *s = c->order[(c->unkept_next + k) % c->norder];
		int r;

		free(s->count_err);
		s->count_err = NULL;
		if (cw_nscount_is_open(&s->cnt)) {
			r = cw_nscount_read(&s->cnt, &s->counters, &s->count_err);
		} else if (budget) {
			r = read_unkept(c, s);
			budget--;
			if (!budget)
				c->unkept_next = (c->unkept_next + k + 1) % c->norder;
		} else {
			memset(&s->counters, 0, sizeof(s->counters));
			continue;
		}
		if (r < 0)
			memset(&s->counters, 0, sizeof(s->counters));
	}
}

/* The sockets of the row asked for: the host's after the split, or a pod's. */
static void keep_socks(struct cw_collector *c, struct nsstate *s, bool split, bool info, uint64_t id,
		       struct cw_snapshot *snap)
{
	const struct cw_sock *v = c->scratch.v;
	size_t n = c->scratch.n, i;

	if (split && id == s->inode) {
		v = c->split.host.v;
		n = c->split.host.n;
	} else if (split) {
		struct hnstate *h = cw_collect_hn_find(c, id & ~CW_ROW_ID_CGROUP);
		const struct cw_hostnet_part *part = h && h->pod != CW_CGMAP_NONE
							     ? cw_hostnet_part_of(&c->split, h->pod)
							     : NULL;

		v = part ? part->socks.v : NULL;
		n = part ? part->socks.n : 0;
	}
	c->kept.set = true;
	c->kept.id = id;
	/* The socket list is TCP's: the UDP sockets dumped for the DNS
	 * count stay out of it. */
	c->kept.socks = cw_arena_alloc(&snap->arena, (n ? n : 1) * sizeof(*v));
	c->kept.n = 0;
	for (i = 0; i < n; i++)
		if (!v[i].udp)
			c->kept.socks[c->kept.n++] = v[i];
	n = c->kept.n;
	c->kept.owners = NULL;
	/* Walking fd tables is dear: only when details are asked for. */
	if (info) {
		c->kept.owners = cw_arena_alloc(&snap->arena, (n ? n : 1) * sizeof(*c->kept.owners));
		cw_owners_find(c->procfs, s->inode, v, n, c->kept.owners);
	}
}

static void sink_sock(void *arg, const struct cw_sock *s)
{
	cw_agg_add(arg, s);
}

static void sink_reset(void *arg)
{
	cw_agg_begin(arg);
}

/* Dumps a namespace's TCP sockets and its UDP ones to port 53: into
 * c->scratch when list is set, else straight into c->builder, with no
 * socket list at all. */
static int dump_sockets(struct cw_collector *c, struct nsstate *s, bool info, bool list)
{
	const struct cw_diag_sink sink = {.sock = sink_sock, .reset = sink_reset, .arg = c->builder};
	struct cw_sockvec *udp = list ? &c->scratch : &c->udp;
	char *cause = NULL;
	size_t i;
	int r;

	cw_sockvec_clear(&c->scratch);
	cw_sockvec_clear(&c->udp);
	free(s->dump_err);
	s->dump_err = NULL;
	if (list) {
		r = cw_diag_dump(s->diag, info, &c->scratch, &s->dump_err);
	} else {
		cw_agg_begin(c->builder);
		r = cw_diag_dump_sink(s->diag, info, &sink, &s->dump_err);
	}
	if (r < 0)
		return r;
	/* Without them the row still has its TCP counts; the status line
	 * says why udp_dns is missing. They are few, and kept aside until
	 * their dump is whole, so a failed one adds none. */
	if (cw_diag_dump_udp_dns(s->diag, udp, &cause) < 0 && !c->udp_note)
		c->udp_note = cw_xasprintf("UDP sockets to port 53 not counted: %s",
					   cause ? cause : "?");
	free(cause);
	for (i = 0; !list && i < c->udp.n; i++)
		cw_agg_add(c->builder, &c->udp.v[i]);
	return 0;
}

/* Whether hostNetwork pods share the host's namespace: the last split
 * found sockets of one, or one is known by its processes. Then the host's
 * row is only part of its namespace, and state events (per namespace)
 * cannot count it. */
static bool host_shared(const struct cw_collector *c)
{
	return c->split_pods > 0 || c->nhn > 0;
}

static void dump(struct cw_collector *c, struct nsstate *s, bool info, bool keep, uint64_t keep_id,
		 double *spent, struct cw_snapshot *snap, int64_t now)
{
	int64_t t0 = cw_thread_cpu_ns();
	bool split = false, list;
	struct cw_evtotals ev_before;
	uint64_t retried = cw_diag_retried(s->diag);
	int r;

	/* A list of the sockets only where one is needed: for the row whose
	 * sockets are shown, and for the host's, which is split by cgroup
	 * among hostNetwork pods. The others are aggregated as parsed. */
	list = keep || (s->inode == c->host_inode && c->cgmap.v2 && !c->no_sock_cgroup);
	/* events: the totals as the walk starts (seed and reconcile, below). */
	cw_events_before_dump(c->events, s->inode, &ev_before);
	r = dump_sockets(c, s, info, list);
	if (r == 0 && !list && !cw_agg_end(c->builder, &cw_collect_ext(s)->agg, c->max_peers)) {
		/* A listener came after connected sockets on its port: this
		 * kernel walks its tables in another order. Again, as a list. */
		list = true;
		r = dump_sockets(c, s, info, true);
	}
	s->dump_ms = (double)(cw_thread_cpu_ns() - t0) / 1e6;
	*spent += s->dump_ms;
	s->dumped = true;
	c->dumps_retried += cw_diag_retried(s->diag) - retried;
	if (r < 0) {
		/* The row keeps its last exact counts, with their age; its
		 * status says why they are not this tick's. */
		c->dumps_failed++;
		cw_events_unseed(c->events, s->inode);
		return;
	}
	if (c->scratch.n > c->scratch_peak)
		c->scratch_peak = c->scratch.n;
	if (list && s->inode == c->host_inode)
		split = cw_collect_split_host(c, s, now);
	if (list && !split)
		cw_agg_build_list(c->builder, &cw_collect_ext(s)->agg, c->scratch.v, c->scratch.n,
				  c->max_peers);
	if (!split || !host_shared(c)) {
		/* events: this dump seeds the namespace's live counts, or
		 * reconciles them (drift is counted and corrected). A host
		 * that no hostNetwork pod shares holds all of its namespace. */
		cw_events_after_dump(c->events, s->inode, &s->x->agg.count, &ev_before);
	} else {
		/* The row holds only part of the namespace; its events are all
		 * of it, and are keyed by namespace, not cgroup: the host and
		 * its hostNetwork pods are counted by dumps. */
		cw_events_unseed(c->events, s->inode);
	}
	s->has_exact = true;
	s->exact_ms = now;
	cw_collect_ext(s)->counters_at_dump = s->counters;
	c->dump_mode = cw_diag_mode_used(s->diag) == CW_DIAG_MODE_FAMILY ? "family" : "legacy";
	if (keep)
		keep_socks(c, s, split, info, keep_id, snap);
}

/* The last status text copied into a snapshot: rows in trouble mostly
 * share one (a descriptor shortage, the per-tick bound), and each copy of
 * it would cost every one of a hundred thousand rows its own string. */
struct status_cache {
	char *text;            /* a copy of the last text (heap), or NULL */
	const char *copy;      /* ... and its copy in the snapshot */
};

static const char *status_copy(struct cw_arena *a, struct status_cache *sc, const char *status)
{
	if (!status)
		return NULL;
	if (!sc->text || strcmp(sc->text, status) != 0) {
		free(sc->text);
		sc->text = cw_xstrdup(status);
		sc->copy = cw_arena_strdup(a, status);
	}
	return sc->copy;
}

static void fill_row(struct cw_snapshot *snap, struct cw_ns_row *row, const struct nsstate *s,
		     const char *fd_note, struct status_cache *sc, int64_t now)
{
	static const struct cw_ident none = {.kind = CW_KIND_PROCESS};
	struct cw_arena *a = &snap->arena;
	const struct cw_ident *id = s->ident ? s->ident : &none;
	const char *status = s->dump_err ? s->dump_err
			     : s->setup_err ? s->setup_err
			     : !s->fd_kept ? fd_note
			     : s->count_err ? s->count_err
			     : s->ident ? id->note : unnamed_note;
	char *both = NULL;
	size_t i;

	/* Without a kept descriptor, say too why its counters are missing. */
	if (status == fd_note && s->count_err)
		status = both = cw_xasprintf("%s; %s", fd_note, s->count_err);

	row->id = s->inode;
	row->inode = s->inode;
	row->kind = id->kind;
	if (s->ident) {
		row->label = cw_arena_strdup(a, id->label);
	} else {
		char label[48];

		snprintf(label, sizeof(label), "netns:[%" PRIu64 "]", s->inode);
		row->label = cw_arena_strdup(a, label);
	}
	row->netns_name = cw_arena_strdup(a, id->kind == CW_KIND_NAMED ? id->netns_name : NULL);
	row->runtime = id->runtime;
	row->id_source = id->source;
	row->is_pod = id->kind == CW_KIND_POD;
	row->pod_ns = cw_arena_strdup(a, id->pod_ns);
	row->pod_name = cw_arena_strdup(a, id->pod_name);
	row->pod_uid = cw_arena_strdup(a, id->pod_uid);
	row->workload = cw_arena_strdup(a, id->workload);
	row->containers = cw_arena_strvdup(a, id->containers, id->ncontainers);
	row->ncontainers = id->ncontainers;
	for (i = 0; i < s->info->npids; i++)
		row->pids[i] = s->info->pids[i];
	row->npids = s->info->npids;
	row->nprocs = s->info->nprocs;
	row->comm = id->comm[0] ? cw_arena_strdup(a, id->comm) : NULL;
	row->status = status_copy(a, sc, status);
	free(both);
	row->has_exact = s->has_exact;
	row->exact_age_ms = s->has_exact ? now - s->exact_ms : -1;
	row->dumped = s->dumped;
	row->dump_ms = s->dump_ms;
	row->shared_ehash = s->shared_ehash;
	row->counters = s->counters;
	if (s->has_exact)
		cw_agg_to_row(&s->x->agg, a, row);
	/* Not dumped this tick: TIME_WAIT is still this tick's. sockstat's
	 * tw is the namespace's TIME_WAIT sockets, both families, exact
	 * every tick (its own death row's count, on a shared hash too). The
	 * host's row keeps every TIME_WAIT socket after a cgroup split too:
	 * they carry no cgroup. */
	if (s->has_exact && !s->dumped && s->counters.valid && !s->live_events) {
		uint64_t tw = s->counters.tw > UINT32_MAX ? UINT32_MAX : s->counters.tw;

		row->tcp.total = row->tcp.total - row->tcp.tcp[CW_TCP_TIME_WAIT] + (uint32_t)tw;
		row->tcp.tcp[CW_TCP_TIME_WAIT] = (uint32_t)tw;
		row->tw_current = true;
	}
	/* events: not dumped this tick, but live counts exact to the tick; the
	 * peers and listeners stay the last dump's. */
	if (s->live_events) {
		row->tcp = s->x->ev_live;
		row->from_events = true;
		row->dump_age_ms = now - s->exact_ms;
		row->exact_age_ms = 0;
	}
}

/* events: the namespace's busiest transitions, per second, into the row. */
#define CW_ROW_MAXTRANS 20
static void fill_transitions(struct cw_collector *c, struct cw_snapshot *snap, struct cw_ns_row *row)
{
	struct cw_transition tr[CW_ROW_MAXTRANS];
	size_t n = cw_events_transitions(c->events, row->inode, tr, CW_ROW_MAXTRANS), i;
	uint64_t drift = cw_events_drift(c->events, row->inode);

	row->events_drift = drift > UINT32_MAX ? UINT32_MAX : (uint32_t)drift;
	if (!n || row->kind == CW_KIND_HOSTNET_POD)
		return;
	row->transitions = cw_arena_alloc(&snap->arena, n * sizeof(*tr));
	for (i = 0; i < n; i++) {
		row->transitions[i] = tr[i];
		row->transitions[i].comm = cw_arena_strdup(&snap->arena, tr[i].comm);
	}
	row->ntransitions = n;
}

/* A row's settings: the host's are the node's, read this tick; the others'
 * were read inside at most CW_SYSCTL_REFRESH_MS ago, with this tick's
 * conntrack count. */
static void fill_sysctl(const struct cw_collector *c, struct cw_ns_row *row,
			const struct nsstate *s, const struct cw_node *node)
{
	if (s->inode == c->host_inode && cw_sysctl_is_open(&c->node.host)) {
		row->sysctl = node->sysctl;
		row->has_sysctl = true;
		return;
	}
	if (s->x && s->x->has_sysctl)
		row->sysctl = s->x->sysctl;
	else
		cw_sysctls_unknown(&row->sysctl);
	/* The conntrack limit applies to each namespace's own count, not to
	 * the node's sum: nf_conntrack_max caps every namespace's table. */
	row->sysctl.conntrack_count = s->conntrack;
	row->has_sysctl = (s->x && s->x->has_sysctl) || s->conntrack >= 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct cw_ns_row *x = a, *y = b;
	int c;

	/* host first, then pods, containers, named, processes; by label */
	static const int rank[] = {
		[CW_KIND_HOST] = 0, [CW_KIND_POD] = 1, [CW_KIND_CONTAINER] = 2,
		[CW_KIND_NAMED] = 3, [CW_KIND_PROCESS] = 4, [CW_KIND_HOSTNET_POD] = 1,
	};
	if (rank[x->kind] != rank[y->kind])
		return rank[x->kind] - rank[y->kind];
	c = strcmp(x->label, y->label);
	if (c)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

static const char *privilege_note(struct cw_collector *c, struct cw_snapshot *snap)
{
	size_t i, denied = 0;

	for (i = 0; i < c->norder; i++)
		if (c->order[i]->setup_err && c->order[i]->setup_final)
			denied++;
	if (c->list.denied && denied)
		return cw_arena_strdup(&snap->arena, "some namespaces are hidden or cannot be entered: "
					"run as root, or grant CAP_SYS_PTRACE and CAP_SYS_ADMIN");
	if (c->list.denied && cw_privs_have(CAP_SYS_PTRACE))
		return cw_arena_strdup(&snap->arena, "some processes hide their namespace even from CAP_SYS_PTRACE");
	if (c->list.denied)
		return cw_arena_strdup(&snap->arena, "processes hidden: grant CAP_SYS_PTRACE to see "
					"other users' namespaces");
	if (denied)
		return cw_arena_strdup(&snap->arena, "cannot enter namespaces: grant CAP_SYS_ADMIN for "
					"exact counts");
	return NULL;
}

/* The status line's note, its parts joined: a failed scan first, then the
 * descriptor budget, the per-tick bound, privilege, hostNetwork pods. */
static const char *collector_note(struct cw_collector *c, struct cw_snapshot *snap)
{
	char *part[7] = {NULL}, *all = NULL;
	const char *priv = privilege_note(c, snap), *hn = cw_collect_hostnet_note(c), *r;
	size_t i, n = 0;

	if (c->scan_note)
		part[n++] = cw_xstrdup(c->scan_note);
	if (c->fd_unkept)
		part[n++] = cw_xasprintf("%zu namespace%s keep no descriptor: near the open-file "
					 "limit (RLIMIT_NOFILE %" PRIu64 ")",
					 c->fd_unkept, c->fd_unkept == 1 ? "" : "s", c->nofile);
	if (c->unnamed || c->unread)
		part[n++] = cw_xasprintf("%zu namespaces not named yet and %zu without counters this "
					 "tick: at most %d are examined per tick", c->unnamed,
					 c->unread, CW_EXAMINE_PER_TICK);
	if (priv)
		part[n++] = cw_xstrdup(priv);
	if (cw_podid_denied(c->podid))
		part[n++] = cw_xasprintf("runtime metadata cannot be read (%s under --rootfs: "
					 "permission denied): run as root, or grant "
					 "CAP_DAC_READ_SEARCH", cw_podid_denied(c->podid));
	if (hn)
		part[n++] = cw_xstrdup(hn);
	if (c->udp_note)
		part[n++] = cw_xstrdup(c->udp_note);
	for (i = 0; i < n; i++) {
		char *next = all ? cw_xasprintf("%s; %s", all, part[i]) : cw_xstrdup(part[i]);

		free(all);
		free(part[i]);
		all = next;
	}
	r = cw_arena_strdup(&snap->arena, all);
	free(all);
	return r;
}

/* events: live counts against CurrEstab (ESTABLISHED + CLOSE_WAIT, exact
 * on every tick). The two are read a moment apart, so a busy namespace's
 * may differ by a few; beyond that the live counts have drifted (events
 * lost), and the namespace is dumped as one without them, before those
 * whose live counts hold. */
static bool live_agrees(const struct cw_tcpcount *live, const struct cw_counters *k)
{
	uint64_t e = (uint64_t)live->tcp[CW_TCP_ESTABLISHED] + live->tcp[CW_TCP_CLOSE_WAIT];
	uint64_t d = e > k->curr_estab ? e - k->curr_estab : k->curr_estab - e;

	return d <= 8 + k->curr_estab / 16;
}

struct cw_snapshot *cw_collector_tick(struct cw_collector *c, const struct cw_wants *w,
				      int64_t now_ms)
{
	static const struct cw_wants none;
	int64_t t0 = cw_thread_cpu_ns(), wall0 = cw_mono_ns();
	struct cw_snapshot *snap = cw_snapshot_new();
	double spent = 0, budget = c->budget_pct / 100.0 * c->interval_s * 1000.0;
	int64_t age_bound, round_ms, live_round_ms, budget_ns = (int64_t)(budget * 1e6);
	int64_t live_ns = (int64_t)(budget * CW_EVENTS_DUMP_SHARE * 1e6);
	struct cw_sched_tick tick;
	size_t i, dumped = 0, nrows;
	bool shared = false;
	char fd_note[128] = "";
	/* A hostNetwork pod's row is the host's dump. */
	bool hn_focus, hn_socks;
	/* The first tick's snapshot is the first screen, unless an output
	 * wants every count exact at once. */
	bool first_screen;
	const struct nsstate *host = NULL;
	const struct cw_ns_row *host_row = NULL;
	struct status_cache sc = {0};

	if (!w)
		w = &none;
	hn_focus = (w->focus_id & CW_ROW_ID_CGROUP) != 0;
	hn_socks = (w->sockets_id & CW_ROW_ID_CGROUP) != 0;
	first_screen = !c->ticks && !w->exact_all;
	/* events: loaded after the first screen (it costs about 100 ms of
	 * CPU); an exact first snapshot seeds them, so they load before it. */
	if (!first_screen)
		cw_events_start(c->events);
	refresh(c, w, now_ms);
	read_counters(c);
	cw_node_files_read(&c->node, &snap->node);
	for (i = 0; i < c->norder; i++)
		c->order[i]->conntrack = cw_ctstat_read(c->order[i]->ct_fd);
	/* events: this tick's totals, read once; vanished namespaces forgotten. */
	cw_xgrow((void **)&c->live_inodes, &c->caplive, c->norder, sizeof(*c->live_inodes));
	for (i = 0; i < c->norder; i++)
		c->live_inodes[i] = c->order[i]->inode;
	cw_events_prune(c->events, c->live_inodes, c->norder);
	cw_events_read(c->events, now_ms);
	if (!c->cgmap_scanned || now_ms - c->cgmap_ms >= CW_CGMAP_RESCAN_MS)
		cw_collect_cgmap_rescan(c, now_ms);
	memset(&c->kept, 0, sizeof(c->kept));
	if (c->fd_unkept)
		snprintf(fd_note, sizeof(fd_note),
			 "no descriptor kept: near the open-file limit (RLIMIT_NOFILE %" PRIu64 ")",
			 c->nofile);

	snap->time_ms = now_ms;
	snap->hostname = cw_arena_strdup(&snap->arena, c->hostname);
	free(c->udp_note);
	c->udp_note = NULL;

	/* Order the dumps, then spend the budget. */
	cw_xgrow((void **)&c->items, &c->capitems, c->norder, sizeof(*c->items));
	for (i = 0; i < c->norder; i++) {
		struct nsstate *s = c->order[i];
		struct cw_sched_item *it = &c->items[i];
		bool is_host = s->inode == c->host_inode;

		if (is_host)
			host = s;
		s->dumped = false;
		s->ev_covered = false;
		it->index = i;
		it->last_exact_ms = s->has_exact ? s->exact_ms : 0;
		it->cost_ns = s->has_exact ? (int64_t)(s->dump_ms * 1e6) : 0;
		/* Its sockets by the cheap counters: never dumped, the most per
		 * predicted CPU first; and its own hash's walk. */
		it->weight = s->counters.valid ? s->counters.inuse + s->counters.tw : 0;
		/* The host's table is the shared one, whatever its
		 * tcp_ehash_entries says: its dumps walk every sharer's sockets. */
		it->hash = is_host ? 1 : s->shared_ehash;
		it->walked = s->has_exact ? s->walked : 0;
		if (!s->diag)
			it->cls = CW_SCHED_NEVER;
		else if (s->inode == w->focus_id || s->inode == w->sockets_id ||
			 (is_host && (hn_focus || hn_socks)) || (!s->has_exact && w->exact_all))
			it->cls = CW_SCHED_MUST; /* an output wants every count exact now */
		else if (!s->has_exact)
			it->cls = CW_SCHED_NEW;  /* a burst of new pods stays within budget */
		/* events: live counts are exact already; dumps only reconcile
		 * (and refresh peers), which the age bound schedules. */
		else if (!(is_host && host_shared(c)) &&
			 (s->ev_covered = cw_events_live(c->events, s->inode, &s->counters,
							 &s->x->ev_live)) &&
			 live_agrees(&s->x->ev_live, &s->counters))
			it->cls = CW_SCHED_LIVE;
		else if (!s->counters.valid || cw_counters_moved(&s->counters, &s->x->counters_at_dump))
			it->cls = CW_SCHED_MOVED;
		else
			it->cls = CW_SCHED_IDLE;
	}
	cw_sched_model_fit(&c->model, c->items, c->norder);
	round_ms = cw_sched_round_ms(c->items, c->norder, budget_ns, (int64_t)(c->interval_s * 1000.0),
				     &c->model);
	age_bound = cw_sched_age_bound(round_ms);
	live_round_ms = cw_sched_live_round_ms(c->items, c->norder, live_ns,
					       (int64_t)(c->interval_s * 1000.0), &c->model);
	cw_sched_overdue(c->items, c->norder, now_ms, age_bound, cw_sched_age_bound(live_round_ms));
	cw_sched_order(c->items, c->norder, now_ms, &c->model);
	/* The budget is a rate: what the last ticks left unspent may pay for
	 * a dump that does not fit this one's. */
	/* The first screen's dumps get a share of the budget (a small node's
	 * all fit; a big node with the shared hash shows its counters first,
	 * and dumps from the next tick on). */
	cw_sched_tick_start(&tick, first_screen ? budget_ns / CW_FIRST_TICK_SHARE : budget_ns,
			    c->carry_ns, c->overs);
	/* events: a namespace with live counts needs dumps only to reconcile
	 * (and for its peers): those spend a share of the budget of their
	 * own, as a rate, whatever the others spent. */
	cw_sched_tick_live(&tick, live_ns, c->live_carry_ns);
	for (i = 0; i < c->norder; i++) {
		struct nsstate *s = c->order[c->items[i].index];
		bool keep = s->inode == w->sockets_id || (s->inode == c->host_inode && hn_socks);

		if (!cw_sched_should_dump(&c->items[i], &tick, &c->model))
			continue;
		s->walked = cw_sched_walk(&c->model, &c->items[i]);
		dump(c, s, keep && w->sockets_info, keep, w->sockets_id, &spent, snap, now_ms);
		tick.spent_ns = (int64_t)(spent * 1e6);
		if (c->items[i].cls == CW_SCHED_LIVE)
			tick.live_spent_ns += (int64_t)(s->dump_ms * 1e6);
		dumped++;
	}
	c->carry_ns = cw_sched_tick_carry(&tick);
	c->overs = cw_sched_tick_overs(&tick);
	c->live_carry_ns = cw_sched_tick_live_carry(&tick);
	cw_collect_hostnet_order(c, now_ms);
	/* events: live counts for the namespaces not dumped this tick. */
	for (i = 0; i < c->norder; i++) {
		struct nsstate *s = c->order[i];

		s->live_events = !s->dumped && s->has_exact &&
				 !(s->inode == c->host_inode && host_shared(c)) &&
				 cw_events_live(c->events, s->inode, &s->counters, &s->x->ev_live);
		snap->collector.netns_events += s->live_events;
	}

	nrows = c->norder + c->nhn;
	snap->nrows = nrows;
	snap->rows = cw_arena_alloc(&snap->arena, (nrows ? nrows : 1) * sizeof(*snap->rows));
	for (i = 0; i < c->norder; i++) {
		fill_row(snap, &snap->rows[i], c->order[i], fd_note, &sc, now_ms);
		fill_sysctl(c, &snap->rows[i], c->order[i], &snap->node);
		fill_transitions(c, snap, &snap->rows[i]);
		shared |= snap->rows[i].shared_ehash == 1;
		if (c->order[i] == host)
			host_row = &snap->rows[i];
	}
	for (i = 0; i < c->nhn; i++) {
		struct cw_ns_row *r = &snap->rows[c->norder + i];

		cw_collect_hostnet_row(c, snap, r, c->hnorder[i], host, now_ms);
		/* A hostNetwork pod lives in the host's namespace: its settings
		 * and conntrack table are the host's. */
		r->has_sysctl = host_row && host_row->has_sysctl;
		r->sysctl = host_row ? host_row->sysctl : r->sysctl;
		if (!r->has_sysctl)
			cw_sysctls_unknown(&r->sysctl);
	}
	free(sc.text);
	for (i = 0; c->kept.set && i < nrows; i++)
		if (snap->rows[i].id == c->kept.id) {
			snap->rows[i].socks = c->kept.socks;
			snap->rows[i].owners = c->kept.owners;
			snap->rows[i].nsocks = c->kept.n;
		}
	/* The host's own table is the shared one: its dumps walk every
	 * namespace that shares it. */
	for (i = 0; i < nrows; i++)
		if (snap->rows[i].kind == CW_KIND_HOST && snap->rows[i].shared_ehash >= 0)
			snap->rows[i].shared_ehash = shared;
	for (i = 0; i < c->norder; i++)
		if (c->order[i]->diag)
			snap->collector.diag_rejected += (size_t)cw_diag_rejected(c->order[i]->diag);
	snap->collector.dumps_failed = c->dumps_failed;
	snap->collector.dumps_retried = c->dumps_retried;
	/* Sorting moves rows, so the socket lists move with them. */
	qsort(snap->rows, snap->nrows, sizeof(*snap->rows), row_cmp);

	snap->collector.budget_ms = budget;
	snap->collector.age_bound_ms = age_bound;
	snap->collector.round_ms = round_ms;
	for (i = 0; i < snap->nrows; i++)
		if (snap->rows[i].has_exact && snap->rows[i].exact_age_ms > snap->collector.oldest_exact_ms)
			snap->collector.oldest_exact_ms = snap->rows[i].exact_age_ms;
	snap->collector.dump_ms = spent;
	snap->collector.netns_total = c->norder;
	snap->collector.netns_dumped = dumped;
	snap->collector.procs_denied = c->list.denied;
	snap->collector.host_netns_from = c->host_from;
	snap->collector.dump_mode = c->dump_mode;
	snap->collector.note = collector_note(c, snap);
	snap->collector.cpu_ms = (double)(cw_thread_cpu_ns() - t0) / 1e6;
	snap->collector.wall_ms = (double)(cw_mono_ns() - wall0) / 1e6;
	snap->collector.exact_all = w->exact_all;
	/* events */
	{
		const struct cw_events_stats *es = cw_events_stats(c->events);

		snap->collector.events = cw_arena_strdup(&snap->arena, cw_events_source(c->events));
		snap->collector.events_drift = es->drift;
		snap->collector.events_reconciled = es->reconciled;
		snap->collector.events_drift_share =
			es->reconciled ? (double)es->drift / (double)es->reconciled : 0;
		snap->collector.events_lost = es->full_states + es->full_trans;
		snap->collector.events_read_ms = es->read_ms;
	}
	/* A socket list grown for a namespace that has since shrunk or gone
	 * is given back, to twice what the window needed. */
	if (++c->scratch_ticks >= CW_SCRATCH_WINDOW) {
		size_t want = 2 * (c->scratch_peak > CW_SCRATCH_MIN ? c->scratch_peak : CW_SCRATCH_MIN);

		if (c->scratch.cap > 2 * want)
			cw_sockvec_shrink(&c->scratch, want);
		c->scratch_ticks = 0;
		c->scratch_peak = 0;
	}
	c->ticks++;
	return snap;
}
