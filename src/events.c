/* events: the TCP state event source (see events.h). The BPF part, under
 * HAVE_BPF, only loads, attaches and reads the maps; everything it reads
 * goes through the cw_events_ingest_* functions, which hold the
 * arithmetic and are the same with or without BPF. */
#include "config.h"
#include "events.h"
#include "map.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_BPF
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/capability.h>
#include "bpf/states.h"
#include "privs.h"
#include "states.skel.h"
#endif

/* A transition key whose count has not moved for this long is deleted from
 * the map, so the map holds what is happening now. An increment racing with
 * the deletion is lost; the key was idle for a minute. */
#define CW_EV_TRANS_IDLE_MS 60000
/* A batched map read asks for up to this many entries, or as many as fit
 * this many bytes of per-CPU values, a system call. */
#define CW_EV_BATCH_KEYS 256
#define CW_EV_BATCH_BYTES (256 * 1024)
/* One CPU's share of a per-CPU counts value, as the kernel lays them out. */
#define CW_EV_COUNTS_STRIDE ((sizeof(struct cw_ev_counts) + 7) & ~(size_t)7)
#define CW_EV_COMMLEN 16

struct evns {
	uint64_t inode;
	struct cw_evtotals cur;     /* at the latest read */
	bool seeded;
	uint32_t seed[CW_TCP_NSTATES];
	struct cw_evtotals at_seed; /* the totals the seed goes with */
	uint64_t unc_seed;          /* events while the seeding dump walked */
	uint64_t drift;             /* dumps of it that found drift */
};

struct evtrans {
	uint32_t netns;
	uint32_t state;
	char comm[CW_EV_COMMLEN];   /* sanitised */
	uint64_t total, prev;
	double per_s;
	int64_t changed_ms;
	bool seen;                  /* in this read */
};

/* The binary key of the transitions' map: (netns, state, raw comm). */
struct tkey {
	uint32_t netns, state;
	char comm[CW_EV_COMMLEN];
};

#ifdef HAVE_BPF
/* One entry of a map read whole, its per-CPU values summed. */
struct ns_entry {
	__u32 inode;
	struct cw_evtotals t;
};

struct tr_entry {
	struct cw_ev_trans_key k;
	uint64_t total;
};
#endif

struct cw_events {
	bool active;
	bool pending;               /* asked for, not loaded yet (cw_events_start) */
	char *why;                  /* why off, or NULL */
	struct cw_events_stats stats;
	struct cw_imap ns;          /* inode -> struct evns */
	struct cw_smap trans;       /* struct tkey -> struct evtrans */
	struct evtrans **tv;        /* this read's, by netns then busiest first */
	size_t ntv, captv;
	uint64_t full_states_seen;
	bool have_read;
	int64_t read_ms, prev_read_ms;
#ifdef HAVE_BPF
	struct cw_states *skel;
	int ncpus;
	void *buf;                  /* one per-CPU value of the largest map */
	bool no_batch;              /* the kernel refused a batched read */
	void *bkeys, *bvals;        /* one batch of keys and per-CPU values */
	struct ns_entry *nsv;       /* the states map, staged, summed */
	size_t nnsv, capnsv;
	struct tr_entry *trv;       /* the transitions map, staged, summed */
	size_t ntrv, captrv;
#endif
};

static struct evns *ns_get(struct cw_events *ev, uint64_t inode)
{
	struct evns *n = cw_imap_get(&ev->ns, inode);

	if (!n) {
		n = cw_xcalloc(1, sizeof(*n));
		n->inode = inode;
		cw_imap_put(&ev->ns, inode, n);
	}
	return n;
}

static uint64_t sum_events(const struct cw_evtotals *t)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i <= CW_TCP_NSTATES; i++)
		s += t->enter[i] + t->leave[i];
	return s;
}

/* The live count of one slot against totals t. TIME_WAIT and CLOSE are not
 * the events' (events.h). */
static int64_t live_slot(const struct evns *n, const struct cw_evtotals *t, unsigned slot)
{
	int64_t v = n->seed[slot];

	if (slot == CW_TCP_TIME_WAIT || slot == CW_TCP_CLOSE)
		return v;
	v += (int64_t)(t->enter[slot] - n->at_seed.enter[slot]);
	v -= (int64_t)(t->leave[slot] - n->at_seed.leave[slot]);
	return v;
}

void cw_events_ingest_begin(struct cw_events *ev, int64_t now_ms, uint64_t full_states,
			    uint64_t full_trans, uint64_t events)
{
	struct cw_imap_iter it;
	struct cw_smap_iter si;

	/* A namespace that found the map full missed events, and we cannot
	 * tell which one: no live count is trusted until its next dump. */
	if (full_states != ev->full_states_seen)
		for (cw_imap_iter_init(&it, &ev->ns); cw_imap_next(&it);)
			((struct evns *)it.val)->seeded = false;
	ev->full_states_seen = full_states;
	ev->stats.full_states = full_states;
	ev->stats.full_trans = full_trans;
	ev->stats.events = events;
	for (cw_smap_iter_init(&si, &ev->trans); cw_smap_next(&si);)
		((struct evtrans *)si.val)->seen = false;
	ev->prev_read_ms = ev->read_ms;
	ev->read_ms = now_ms;
}

void cw_events_ingest_ns(struct cw_events *ev, uint64_t inode, const struct cw_evtotals *t)
{
	ns_get(ev, inode)->cur = *t;
}

void cw_events_ingest_trans(struct cw_events *ev, uint64_t inode, unsigned state, const char *comm,
			    uint64_t total)
{
	struct tkey k;
	struct evtrans *t;

	/* Only states a row can name (the map's keys are the kernel's). */
	if (!cw_tcp_state_slot(state))
		return;
	memset(&k, 0, sizeof(k));
	k.netns = (uint32_t)inode;
	k.state = state;
	memcpy(k.comm, comm, strnlen(comm, sizeof(k.comm) - 1));
	t = cw_smap_getb(&ev->trans, &k, sizeof(k));
	if (!t) {
		t = cw_xcalloc(1, sizeof(*t));
		t->netns = k.netns;
		t->state = state;
		cw_sanitize(t->comm, sizeof(t->comm), k.comm);
		/* New since the last read: all of it happened since. On the
		 * first read there is no interval yet. */
		t->prev = ev->have_read ? 0 : total;
		t->total = t->prev;
		t->changed_ms = ev->read_ms;
		cw_smap_putb(&ev->trans, &k, sizeof(k), t);
	}
	if (total != t->total)
		t->changed_ms = ev->read_ms;
	t->prev = t->total;
	t->total = total;
	t->seen = true;
}

static int trans_cmp(const void *a, const void *b)
{
	const struct evtrans *x = *(struct evtrans *const *)a, *y = *(struct evtrans *const *)b;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	if (x->per_s != y->per_s)
		return x->per_s > y->per_s ? -1 : 1;
	if (x->state != y->state)
		return x->state < y->state ? -1 : 1;
	return strcmp(x->comm, y->comm);
}

void cw_events_ingest_end(struct cw_events *ev)
{
	struct cw_smap_iter si;
	double dt = (double)(ev->read_ms - ev->prev_read_ms) / 1000.0;
	struct tkey *gone = NULL;
	size_t ngone = 0, capgone = 0, i;

	ev->ntv = 0;
	for (cw_smap_iter_init(&si, &ev->trans); cw_smap_next(&si);) {
		struct evtrans *t = si.val;

		if (!t->seen) {
			/* Deleted from the map (idle, or its namespace vanished). */
			cw_xgrow((void **)&gone, &capgone, ngone + 1, sizeof(*gone));
			memcpy(&gone[ngone++], si.key, sizeof(*gone));
			continue;
		}
		t->per_s = ev->have_read && dt > 0 && t->total >= t->prev
				   ? (double)(t->total - t->prev) / dt : 0;
		cw_xgrow((void **)&ev->tv, &ev->captv, ev->ntv + 1, sizeof(*ev->tv));
		ev->tv[ev->ntv++] = t;
	}
	for (i = 0; i < ngone; i++)
		free(cw_smap_delb(&ev->trans, &gone[i], sizeof(gone[i])));
	free(gone);
	if (ev->ntv)
		qsort(ev->tv, ev->ntv, sizeof(*ev->tv), trans_cmp);
	ev->have_read = true;
}

void cw_events_force_active(struct cw_events *ev)
{
	ev->active = true;
	free(ev->why);
	ev->why = NULL;
}

bool cw_events_active(const struct cw_events *ev)
{
	return ev && ev->active;
}

bool cw_events_wanted(const struct cw_events *ev)
{
	return ev && (ev->active || ev->pending);
}

const char *cw_events_source(const struct cw_events *ev)
{
	return ev->active ? "bpf" : ev->why;
}

const struct cw_events_stats *cw_events_stats(const struct cw_events *ev)
{
	return &ev->stats;
}

/* The totals of one namespace now: read from the map when BPF is in use,
 * else the latest ingested. */
static void sample(struct cw_events *ev, uint64_t inode, struct cw_evtotals *out);

void cw_events_before_dump(struct cw_events *ev, uint64_t inode, struct cw_evtotals *before)
{
	memset(before, 0, sizeof(*before));
	if (ev->active)
		sample(ev, inode, before);
}

int cw_events_after_dump(struct cw_events *ev, uint64_t inode, const struct cw_tcpcount *dumped,
			 const struct cw_evtotals *before)
{
	struct cw_evtotals after;
	struct evns *n;
	uint64_t unc;
	unsigned slot;
	int drift = 0;
	bool lost;

	if (!ev->active)
		return 0;
	sample(ev, inode, &after);
	n = ns_get(ev, inode);
	n->cur = after;
	/* Events while this dump walked: each may or may not be in it. The
	 * totals only grow; fewer after than before means the namespace's
	 * entry was dropped and made again meanwhile: its events were lost. */
	lost = sum_events(&after) < sum_events(before);
	unc = lost ? 0 : sum_events(&after) - sum_events(before);
	if (n->seeded) {
		ev->stats.reconciled++;
		drift = lost;
		for (slot = 1; slot < CW_TCP_NSTATES; slot++) {
			int64_t d = live_slot(n, &after, slot) - (int64_t)dumped->tcp[slot];

			/* Not the events' to get right (live_slot). */
			if (slot == CW_TCP_TIME_WAIT || slot == CW_TCP_CLOSE)
				continue;
			if ((uint64_t)(d < 0 ? -d : d) > n->unc_seed + unc)
				drift = 1;
		}
		ev->stats.drift += (uint64_t)drift;
		n->drift += (uint64_t)drift;
	}
	for (slot = 0; slot < CW_TCP_NSTATES; slot++)
		n->seed[slot] = dumped->tcp[slot];
	n->at_seed = after;
	n->unc_seed = unc;
	n->seeded = true;
	return drift;
}

uint64_t cw_events_drift(const struct cw_events *ev, uint64_t inode)
{
	const struct evns *n = ev ? cw_imap_get(&ev->ns, inode) : NULL;

	return n ? n->drift : 0;
}

void cw_events_unseed(struct cw_events *ev, uint64_t inode)
{
	struct evns *n = cw_imap_get(&ev->ns, inode);

	if (n)
		n->seeded = false;
}

bool cw_events_live(const struct cw_events *ev, uint64_t inode, const struct cw_counters *counters,
		    struct cw_tcpcount *out)
{
	const struct evns *n;
	unsigned slot;

	if (!ev || !ev->active || !counters->valid)
		return false;
	n = cw_imap_get(&ev->ns, inode);
	if (!n || !n->seeded)
		return false;
	memset(out, 0, sizeof(*out));
	for (slot = 1; slot < CW_TCP_NSTATES; slot++) {
		int64_t v = live_slot(n, &n->cur, slot);

		/* Below zero cannot be: the next dump finds it as drift. */
		out->tcp[slot] = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	}
	out->tcp[CW_TCP_TIME_WAIT] = counters->tw > UINT32_MAX ? UINT32_MAX : (uint32_t)counters->tw;
	for (slot = 1; slot < CW_TCP_NSTATES; slot++)
		out->total += out->tcp[slot];
	return true;
}

size_t cw_events_transitions(const struct cw_events *ev, uint64_t inode, struct cw_transition *out,
			     size_t max)
{
	size_t lo = 0, hi, k = 0;

	if (!ev || !ev->active)
		return 0;
	hi = ev->ntv;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ev->tv[mid]->netns < (uint32_t)inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ev->ntv && ev->tv[lo]->netns == (uint32_t)inode && k < max; lo++) {
		const struct evtrans *t = ev->tv[lo];

		if (t->per_s <= 0)
			continue;
		out[k].comm = t->comm;
		out[k].state = (uint8_t)t->state;
		out[k].per_s = t->per_s;
		k++;
	}
	return k;
}

static void map_forget(struct cw_events *ev, uint64_t inode);

void cw_events_prune(struct cw_events *ev, const uint64_t *live, size_t n)
{
	struct cw_imap keep = {0};
	struct cw_imap_iter it;
	uint64_t *gone = NULL;
	size_t ngone = 0, cap = 0, i;

	if (!ev->active)
		return;
	for (i = 0; i < n; i++)
		cw_imap_put(&keep, live[i], CW_MAP_IDX(0));
	for (cw_imap_iter_init(&it, &ev->ns); cw_imap_next(&it);)
		if (!cw_imap_get(&keep, it.key)) {
			cw_xgrow((void **)&gone, &cap, ngone + 1, sizeof(*gone));
			gone[ngone++] = it.key;
		}
	for (i = 0; i < ngone; i++) {
		free(cw_imap_del(&ev->ns, gone[i]));
		map_forget(ev, gone[i]);
	}
	free(gone);
	cw_imap_done(&keep, NULL);
}

#ifdef HAVE_BPF

static void sum_counts(const struct cw_events *ev, const void *buf, struct cw_evtotals *out)
{
	size_t stride = CW_EV_COUNTS_STRIDE;
	int cpu, s;

	memset(out, 0, sizeof(*out));
	for (cpu = 0; cpu < ev->ncpus; cpu++) {
		const struct cw_ev_counts *c = (const void *)((const char *)buf + (size_t)cpu * stride);

		for (s = 1; s < CW_EV_NSTATES && s <= CW_TCP_NSTATES; s++) {
			out->enter[s] += c->enter[s];
			out->leave[s] += c->leave[s];
		}
	}
}

static uint64_t sum_u64(const struct cw_events *ev, const uint64_t *v)
{
	uint64_t s = 0;
	int cpu;

	for (cpu = 0; cpu < ev->ncpus; cpu++)
		s += v[cpu];
	return s;
}

static void map_sample(struct cw_events *ev, uint64_t inode, struct cw_evtotals *out)
{
	__u32 k = (__u32)inode;

	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(bpf_map__fd(ev->skel->maps.states), &k, ev->buf) == 0)
		sum_counts(ev, ev->buf, out);
}

static void map_forget(struct cw_events *ev, uint64_t inode)
{
	__u32 k = (__u32)inode;

	if (ev->skel)
		bpf_map_delete_elem(bpf_map__fd(ev->skel->maps.states), &k);
}

/* Why loading failed, in words. Missing capabilities are told apart
 * before loading, since the verifier's refusal is EACCES too. */
static char *load_error(int err, const char *what)
{
	return cw_xasprintf("events off: %s: %s", what, strerror(err < 0 ? -err : err));
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* Whether the running kernel is release maj.min or later. */
static bool kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return false;
	return a > maj || (a == maj && b >= min);
}

/* Both hash maps allocate an entry when a key first comes, not all of them
 * at load: preallocated, the namespace map alone pins 8192 x 256 bytes per
 * possible CPU (2 MiB each: 192 MiB on a 96-CPU node) for the hundred
 * namespaces a node has, and allocating it all costs most of the
 * program's loading time. Tracing programs may use such maps from Linux 6.1
 * (bpf_mem_alloc); before, the verifier lets them load with a kernel
 * warning, so they stay preallocated there. A failed allocation counts as a
 * full map (states.bpf.c), which the reader already handles. */
static void maps_on_insert(struct cw_states *skel)
{
	if (!kernel_at_least(6, 1))
		return;
	bpf_map__set_map_flags(skel->maps.states, bpf_map__map_flags(skel->maps.states) | BPF_F_NO_PREALLOC);
	bpf_map__set_map_flags(skel->maps.trans, bpf_map__map_flags(skel->maps.trans) | BPF_F_NO_PREALLOC);
}

static void bpf_start(struct cw_events *ev)
{
	struct cw_states *skel;
	int r, raw;

	/* libbpf prints its own diagnostics; the library never prints. */
	libbpf_set_print(quiet_print);
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		ev->why = cw_xstrdup("events off: the kernel has no BTF (/sys/kernel/btf/vmlinux)");
		return;
	}
	/* CAP_SYS_ADMIN stands in for both on kernels before 5.8. */
	if (!(cw_privs_have(CW_CAP_BPF) && cw_privs_have(CW_CAP_PERFMON)) &&
	    !cw_privs_have(CAP_SYS_ADMIN)) {
		ev->why = cw_xstrdup("events off: needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)");
		return;
	}
	ev->ncpus = libbpf_num_possible_cpus();
	if (ev->ncpus <= 0) {
		ev->why = cw_xstrdup("events off: cannot count the possible CPUs");
		return;
	}
	/* The typed tracepoint first; the raw one where the kernel refuses it. */
	for (raw = 0; raw < 2; raw++) {
		skel = cw_states__open();
		if (!skel) {
			ev->why = load_error(-errno, "opening the BPF object");
			return;
		}
		bpf_program__set_autoload(skel->progs.cw_set_state, !raw);
		bpf_program__set_autoload(skel->progs.cw_set_state_raw, raw);
		maps_on_insert(skel);
		r = cw_states__load(skel);
		if (r == 0) {
			r = cw_states__attach(skel);
			if (r == 0)
				break;
		}
		cw_states__destroy(skel);
		skel = NULL;
		if (r == -EPERM || raw) {
			free(ev->why);
			ev->why = load_error(r, raw ? "loading the BPF program (raw tracepoint)"
						    : "loading the BPF program");
			return;
		}
	}
	free(ev->why);
	ev->why = NULL;
	ev->skel = skel;
	ev->buf = cw_xcalloc((size_t)ev->ncpus, CW_EV_COUNTS_STRIDE);
	ev->active = true;
}

/* Stages one entry of the map being read (a key and its per-CPU value). */
static void stage(struct cw_events *ev, bool states, const void *key, const void *val)
{
	if (states) {
		struct ns_entry *e;

		cw_xgrow((void **)&ev->nsv, &ev->capnsv, ev->nnsv + 1, sizeof(*ev->nsv));
		e = &ev->nsv[ev->nnsv++];
		memcpy(&e->inode, key, sizeof(e->inode));
		sum_counts(ev, val, &e->t);
	} else {
		struct tr_entry *e;

		cw_xgrow((void **)&ev->trv, &ev->captrv, ev->ntrv + 1, sizeof(*ev->trv));
		e = &ev->trv[ev->ntrv++];
		memcpy(&e->k, key, sizeof(e->k));
		e->total = sum_u64(ev, val);
	}
}

/* Reads the states map (states) or the transitions map whole into nsv or
 * trv, in batches (BPF_MAP_LOOKUP_BATCH, Linux 5.6): a few system calls a
 * tick where a walk takes two a key (get_next_key, then a lookup), which
 * was 0.3 of the tick at 110 namespaces. The map is staged whole before
 * anything is ingested: a batch that fails half-way (a kernel without
 * batched reads, a hash bucket bigger than a batch) leaves nothing
 * half-read, and the caller walks the map key by key. Returns false then. */
static bool read_batched(struct cw_events *ev, int fd, bool states)
{
	size_t ksz = states ? sizeof(__u32) : sizeof(struct cw_ev_trans_key);
	size_t vsz = states ? CW_EV_COUNTS_STRIDE : sizeof(__u64);
	size_t stride = vsz * (size_t)ev->ncpus, per = CW_EV_BATCH_BYTES / stride, i;
	__u64 token = 0;
	bool started = false;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (ev->no_batch)
		return false;
	if (per > CW_EV_BATCH_KEYS)
		per = CW_EV_BATCH_KEYS;
	if (per < 1)
		per = 1;
	if (!ev->bkeys) {
		/* per * stride fits, for either map: one value at least. */
		size_t most = (size_t)ev->ncpus * CW_EV_COUNTS_STRIDE;

		ev->bkeys = cw_xmalloc(CW_EV_BATCH_KEYS * sizeof(struct cw_ev_trans_key));
		ev->bvals = cw_xmalloc(most > CW_EV_BATCH_BYTES ? most : CW_EV_BATCH_BYTES);
	}
	if (states)
		ev->nnsv = 0;
	else
		ev->ntrv = 0;
	for (;;) {
		__u32 n = (__u32)per;
		int r = bpf_map_lookup_batch(fd, started ? &token : NULL, &token, ev->bkeys, ev->bvals,
					     &n, &opts);

		if (r < 0 && r != -ENOENT) {
			/* Not for this kernel, or not for this map: never again. */
			if (!started && (r == -EINVAL || r == -ENOTSUP || r == -EOPNOTSUPP))
				ev->no_batch = true;
			return false;
		}
		for (i = 0; i < n; i++)
			stage(ev, states, (const char *)ev->bkeys + i * ksz,
			      (const char *)ev->bvals + i * stride);
		if (r == -ENOENT)
			return true;
		started = true;
	}
}

/* The same, key by key. */
static void read_walk(struct cw_events *ev, int fd, bool states)
{
	union {
		__u32 ns;
		struct cw_ev_trans_key tr;
	} k, next;
	bool first = true;

	if (states)
		ev->nnsv = 0;
	else
		ev->ntrv = 0;
	memset(&k, 0, sizeof(k));
	while (bpf_map_get_next_key(fd, first ? NULL : &k, &next) == 0) {
		k = next;
		first = false;
		if (bpf_map_lookup_elem(fd, &k, ev->buf) != 0)
			continue; /* deleted meanwhile */
		stage(ev, states, &k, ev->buf);
	}
}

void cw_events_read(struct cw_events *ev, int64_t now_ms)
{
	int64_t t0 = cw_thread_cpu_ns();
	int sfd, tfd, ffd;
	uint64_t full[CW_EV_NFULL] = {0};
	__u32 slot;
	struct cw_ev_trans_key *tgone = NULL;
	size_t ntgone = 0, captgone = 0, i;

	if (!ev->active || !ev->skel)
		return;
	sfd = bpf_map__fd(ev->skel->maps.states);
	tfd = bpf_map__fd(ev->skel->maps.trans);
	ffd = bpf_map__fd(ev->skel->maps.full);
	for (slot = 0; slot < CW_EV_NFULL; slot++)
		if (bpf_map_lookup_elem(ffd, &slot, ev->buf) == 0)
			full[slot] = sum_u64(ev, ev->buf);
	if (!read_batched(ev, sfd, true))
		read_walk(ev, sfd, true);
	if (!read_batched(ev, tfd, false))
		read_walk(ev, tfd, false);
	cw_events_ingest_begin(ev, now_ms, full[CW_EV_FULL_STATES], full[CW_EV_FULL_TRANS],
			       full[CW_EV_EVENTS]);
	for (i = 0; i < ev->nnsv; i++)
		cw_events_ingest_ns(ev, ev->nsv[i].inode, &ev->nsv[i].t);
	for (i = 0; i < ev->ntrv; i++) {
		const struct cw_ev_trans_key tk = ev->trv[i].k;
		uint64_t total = ev->trv[i].total;
		struct evtrans *old;
		char comm[CW_EV_COMM_LEN + 1];

		memcpy(comm, tk.comm, CW_EV_COMM_LEN);
		comm[CW_EV_COMM_LEN] = '\0';
		{
			struct tkey uk;

			memset(&uk, 0, sizeof(uk));
			uk.netns = tk.netns;
			uk.state = tk.state;
			memcpy(uk.comm, comm, strnlen(comm, sizeof(uk.comm) - 1));
			old = cw_smap_getb(&ev->trans, &uk, sizeof(uk));
		}
		if (old && old->total == total && now_ms - old->changed_ms >= CW_EV_TRANS_IDLE_MS) {
			cw_xgrow((void **)&tgone, &captgone, ntgone + 1, sizeof(*tgone));
			tgone[ntgone++] = tk;
			continue;
		}
		cw_events_ingest_trans(ev, tk.netns, tk.state, comm, total);
	}
	/* Deleting while reading would restart a walk: after it. */
	for (i = 0; i < ntgone; i++)
		bpf_map_delete_elem(tfd, &tgone[i]);
	free(tgone);
	cw_events_ingest_end(ev);
	ev->stats.read_ms = (double)(cw_thread_cpu_ns() - t0) / 1e6;
}

#else /* !HAVE_BPF */

static void map_forget(struct cw_events *ev, uint64_t inode)
{
}

void cw_events_read(struct cw_events *ev, int64_t now_ms)
{
}

#endif

static void sample(struct cw_events *ev, uint64_t inode, struct cw_evtotals *out)
{
	struct evns *n;

#ifdef HAVE_BPF
	if (ev->skel) {
		map_sample(ev, inode, out);
		return;
	}
#endif
	n = cw_imap_get(&ev->ns, inode);
	if (n)
		*out = n->cur;
	else
		memset(out, 0, sizeof(*out));
}

struct cw_events *cw_events_new(bool enable)
{
	struct cw_events *ev = cw_xcalloc(1, sizeof(*ev));

	if (!enable) {
		ev->why = cw_xstrdup("events off: --no-bpf");
		return ev;
	}
#ifdef HAVE_BPF
	ev->pending = true;
	ev->why = cw_xstrdup("events off: not loaded yet (they load after the first snapshot)");
#else
	ev->why = cw_xstrdup("events off: built without BPF (configure --with-bpf)");
#endif
	return ev;
}

void cw_events_start(struct cw_events *ev)
{
	if (!ev->pending)
		return;
	ev->pending = false;
	/* bpf_start says why when it fails, or leaves no reason. */
	free(ev->why);
	ev->why = NULL;
#ifdef HAVE_BPF
	bpf_start(ev);
#endif
}

static void free_val(void *v)
{
	free(v);
}

void cw_events_free(struct cw_events *ev)
{
	if (!ev)
		return;
#ifdef HAVE_BPF
	if (ev->skel)
		cw_states__destroy(ev->skel);
	free(ev->buf);
	free(ev->bkeys);
	free(ev->bvals);
	free(ev->nsv);
	free(ev->trv);
#endif
	cw_imap_done(&ev->ns, free_val);
	cw_smap_done(&ev->trans, free_val);
	free(ev->tv);
	free(ev->why);
	free(ev);
}
