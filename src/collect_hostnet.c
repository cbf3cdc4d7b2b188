/* collect_hostnet: hostNetwork pods, for the collector. Their sockets are
 * in the host's namespace: the host's dump is split by socket cgroup
 * (hostnet.c does the pure split), each pod cgroup is named like any pod,
 * and each pod with processes or sockets in the host namespace becomes a
 * row of its own; the host row keeps the rest. */
#include "config.h"
#include "collect_priv.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cw_collect_hn_free(void *v)
{
	struct hnstate *h = v;

	cw_ident_done(&h->ident);
	cw_agg_done(&h->agg);
	free(h);
}


struct hnstate *cw_collect_hn_find(struct cw_collector *c, uint64_t cgid)
{
	return cw_imap_get(&c->hn, cgid);
}

static struct hnstate *hn_get(struct cw_collector *c, uint32_t pod)
{
	const struct cw_cgpod *p = &c->cgmap.pods[pod];
	struct hnstate *h = cw_collect_hn_find(c, p->id);

	if (!h) {
		h = cw_xcalloc(1, sizeof(*h));
		h->cgid = p->id;
		snprintf(h->uid, sizeof(h->uid), "%s", p->uid);
		cw_imap_put(&c->hn, p->id, h);
	}
	h->pod = pod;
	return h;
}

/* Walks the cgroup tree again. A pod whose processes are in the host's
 * namespace is a hostNetwork pod, with sockets or not; one that has left
 * the tree is gone. */
void cw_collect_cgmap_rescan(struct cw_collector *c, int64_t now)
{
	struct hnstate **del = NULL;
	size_t i, ndel = 0, capdel = 0;
	struct cw_imap_iter it;

	c->cgmap_err = cw_cgmap_scan(&c->cgmap, &c->root);
	c->cgmap_scanned = true;
	c->cgmap_ms = now;
	for (cw_imap_iter_init(&it, &c->hn); cw_imap_next(&it);) {
		struct hnstate *h = it.val;

		h->pod = CW_CGMAP_NONE;
		h->by_procs = false;
	}
	for (i = 0; i < c->cgmap.npods; i++) {
		const struct cw_cgpod *p = &c->cgmap.pods[i];
		pid_t pid;
		size_t nprocs;
		uint64_t ino;
		bool in_host;

		if (!p->id)
			continue;
		in_host = cw_cgmap_pids(&c->cgmap, &c->root, i, &pid, 1, &nprocs) == 1 &&
			  cw_netns_of_pid(c->procfs, pid, &ino) == 0 && ino == c->host_inode;
		if (in_host || cw_collect_hn_find(c, p->id))
			hn_get(c, (uint32_t)i)->by_procs = in_host;
	}
	for (cw_imap_iter_init(&it, &c->hn); cw_imap_next(&it);) {
		struct hnstate *h = it.val;

		if (h->pod == CW_CGMAP_NONE) {
			cw_xgrow((void **)&del, &capdel, ndel + 1, sizeof(*del));
			del[ndel++] = h;
		}
	}
	for (i = 0; i < ndel; i++)
		cw_collect_hn_free(cw_imap_del(&c->hn, del[i]->cgid));
	free(del);
}

/* Splits the host's dump (in c->scratch) by socket cgroup: each hostNetwork
 * pod's share goes to its state, the rest stays the host's. Returns false
 * when it cannot be split, and the host keeps every socket. */
bool cw_collect_split_host(struct cw_collector *c, struct nsstate *s, int64_t now)
{
	struct cw_hostnet_split *sp = &c->split;
	struct cw_imap_iter it;
	bool rescanned = false;
	size_t i;

	if (!c->cgmap.v2)
		return false;
	cw_hostnet_split_done(sp);
	cw_hostnet_split(c->scratch.v, c->scratch.n, &c->cgmap, c->max_peers, sp);
	/* Full sockets carry their cgroup's id since Linux 5.7: none at all
	 * means this kernel does not send it. */
	if (sp->tagged == 0 && sp->untagged_full > 0)
		c->no_sock_cgroup = true;
	else if (sp->tagged > 0)
		c->no_sock_cgroup = false;
	if (c->no_sock_cgroup)
		return false;
	if (sp->unknown && now - c->cgmap_ms >= CW_CGMAP_UNKNOWN_MS) {
		cw_collect_cgmap_rescan(c, now);
		cw_hostnet_split_done(sp);
		cw_hostnet_split(c->scratch.v, c->scratch.n, &c->cgmap, c->max_peers, sp);
		rescanned = true;
	}
	if (sp->unknown && rescanned) {
		/* Unknown to a fresh walk: outside it, or already removed (a
		 * socket outlives its cgroup's directory). The host's, and not
		 * new next time. Without a fresh walk they are only the host's
		 * until the next one. */
		for (i = 0; i < c->scratch.n; i++)
			if (c->scratch.v[i].cgroup_id && !cw_cgmap_find(&c->cgmap, c->scratch.v[i].cgroup_id))
				cw_cgmap_add(&c->cgmap, c->scratch.v[i].cgroup_id, NULL);
		cw_cgmap_finish(&c->cgmap);
	}
	for (cw_imap_iter_init(&it, &c->hn); cw_imap_next(&it);) {
		struct hnstate *h = it.val;

		cw_agg_done(&h->agg);
		h->has_socks = false;
		h->has_exact = true;
		h->exact_ms = now;
	}
	c->split_pods = 0;
	for (i = 0; i < sp->nparts; i++) {
		struct hnstate *h;

		if (!c->cgmap.pods[sp->parts[i].pod].id)
			continue;
		c->split_pods++;
		h = hn_get(c, sp->parts[i].pod);
		h->agg = sp->parts[i].agg; /* moved */
		memset(&sp->parts[i].agg, 0, sizeof(sp->parts[i].agg));
		h->has_socks = true;
		h->has_exact = true;
		h->exact_ms = now;
	}
	cw_agg_done(&cw_collect_ext(s)->agg);
	s->x->agg = sp->host_agg; /* moved */
	memset(&sp->host_agg, 0, sizeof(sp->host_agg));
	return true;
}


/* This tick's hostNetwork pods: every one still in the cgroup tree whose
 * processes are in the host namespace or whose sockets are, named. */
void cw_collect_hostnet_order(struct cw_collector *c, int64_t now)
{
	bool invalidated = false;
	struct cw_imap_iter it;

	c->nhn = 0;
	if (!c->cgmap.v2 || c->no_sock_cgroup)
		return;
	for (cw_imap_iter_init(&it, &c->hn); cw_imap_next(&it);) {
		struct hnstate *h = it.val;
		const struct cw_cgpod *p;

		h->live = h->pod != CW_CGMAP_NONE && (h->by_procs || h->has_socks);
		if (!h->live)
			continue;
		p = &c->cgmap.pods[h->pod];
		h->npids = cw_cgmap_pids(&c->cgmap, &c->root, h->pod, h->pids, CW_NETNS_MAXPIDS,
					 &h->nprocs);
		/* Runtime metadata may come after the cgroup: name it again. */
		if (!h->identified || (h->ident.note && now - h->ident_ms >= CW_REIDENTIFY_MS)) {
			if (!invalidated) {
				cw_podid_invalidate(c->podid);
				invalidated = true;
			}
			cw_ident_done(&h->ident);
			cw_podid_identify_cgroup(c->podid, p->uid, p->cids, p->ncids, p->runtime,
						 h->npids ? h->pids[0] : 0, &h->ident);
			h->identified = true;
			h->ident_ms = now;
		}
		cw_xgrow((void **)&c->hnorder, &c->caphn, c->nhn + 1, sizeof(*c->hnorder));
		c->hnorder[c->nhn++] = h;
	}
}


void cw_collect_hostnet_row(struct cw_collector *c, struct cw_snapshot *snap, struct cw_ns_row *row,
			     const struct hnstate *h, const struct nsstate *host, int64_t now)
{
	struct cw_arena *a = &snap->arena;
	const struct cw_ident *id = &h->ident;
	const char *status = host && host->dump_err ? host->dump_err : id->note;
	size_t i;

	row->id = h->cgid | CW_ROW_ID_CGROUP;
	row->inode = c->host_inode;
	row->kind = CW_KIND_HOSTNET_POD;
	row->label = cw_arena_strdup(a, id->label);
	row->runtime = id->runtime;
	row->id_source = id->source;
	row->is_pod = true;
	row->pod_ns = cw_arena_strdup(a, id->pod_ns);
	row->pod_name = cw_arena_strdup(a, id->pod_name);
	row->pod_uid = cw_arena_strdup(a, id->pod_uid);
	row->workload = cw_arena_strdup(a, id->workload);
	row->containers = cw_arena_strvdup(a, id->containers, id->ncontainers);
	row->ncontainers = id->ncontainers;
	for (i = 0; i < h->npids; i++)
		row->pids[i] = h->pids[i];
	row->npids = h->npids;
	row->nprocs = h->nprocs;
	row->comm = id->comm[0] ? cw_arena_strdup(a, id->comm) : NULL;
	row->status = status ? cw_arena_strdup(a, status) : NULL;
	/* Its exact counts are the host dump's; it has no counters or dump of
	 * its own, and its hash is the host's. */
	row->has_exact = h->has_exact;
	row->exact_age_ms = h->has_exact ? now - h->exact_ms : -1;
	row->shared_ehash = -1;
	if (h->has_exact)
		cw_agg_to_row(&h->agg, a, row);
}


/* Why hostNetwork pods are not split out of the host row, or NULL. */
const char *cw_collect_hostnet_note(struct cw_collector *c)
{
	if (!c->cgmap_scanned)
		return NULL;
	if (!c->cgmap.v2)
		return "hostNetwork pods are counted in the host row: no cgroup2 hierarchy under "
		       "/sys/fs/cgroup";
	if (c->no_sock_cgroup)
		return "hostNetwork pods are counted in the host row: the kernel reports no socket "
		       "cgroup";
	if (c->cgmap_err == -EMFILE || c->cgmap_err == -ENFILE)
		return "the cgroup tree was walked only in part (out of descriptors): some "
		       "hostNetwork pods may be counted in the host row";
	return NULL;
}

