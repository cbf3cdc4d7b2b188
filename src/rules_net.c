/* rules_net: holds, settings, port-53 counts and formatting for the
 * network rules. */
#include "config.h"
#include "rules_net.h"
#include "map.h"
#include "util.h"

#include <stdlib.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

bool cw_rules_net_hold(struct cw_hold *h, bool up, bool keep, int64_t now, int64_t hold_ms)
{
	if (h->on) {
		if (keep)
			return true;
		h->on = false;
		h->pending = false;
	}
	if (h->pending && !keep)
		h->pending = false;
	if (!h->pending) {
		if (!up)
			return false;
		h->pending = true;
		h->since_ms = now;
	}
	if (up && now - h->since_ms >= hold_ms)
		h->on = true;
	return h->on;
}

const char *cw_rules_net_from_name(enum cw_setting_from from)
{
	switch (from) {
	case CW_FROM_NETNS:
		return "netns";
	case CW_FROM_NODE:
		return "node";
	case CW_FROM_DEFAULT:
		break;
	}
	return "kernel default";
}

int64_t cw_rules_net_sysctl(const struct cw_snapshot *s, const struct cw_ns_row *r, size_t offset)
{
	int64_t v = -1;

	if (r && r->has_sysctl)
		memcpy(&v, (const char *)&r->sysctl + offset, sizeof(v));
	if (v < 0 && s->node.valid)
		memcpy(&v, (const char *)&s->node.sysctl + offset, sizeof(v));
	return v < 0 ? -1 : v;
}

static bool range_ok(int64_t lo, int64_t hi)
{
	return lo > 0 && hi >= lo && hi <= 65535;
}

enum cw_setting_from cw_rules_net_port_range(const struct cw_snapshot *s, const struct cw_ns_row *r,
					     int64_t *lo, int64_t *hi)
{
	/* ip_local_port_range is per network namespace, and a new namespace
	 * starts with the kernel default, not the host's: a pod's range is
	 * the host's only where the runtime copied it. */
	if (r && r->has_sysctl && range_ok(r->sysctl.port_lo, r->sysctl.port_hi)) {
		*lo = r->sysctl.port_lo;
		*hi = r->sysctl.port_hi;
		return CW_FROM_NETNS;
	}
	if (s->node.valid && range_ok(s->node.sysctl.port_lo, s->node.sysctl.port_hi)) {
		*lo = s->node.sysctl.port_lo;
		*hi = s->node.sysctl.port_hi;
		return CW_FROM_NODE;
	}
	*lo = 32768;
	*hi = 60999;
	return CW_FROM_DEFAULT;
}

int64_t cw_rules_net_sample_ms(const struct cw_snapshot *s, const struct cw_ns_row *r)
{
	return s->time_ms - (r->exact_age_ms > 0 ? r->exact_age_ms : 0);
}

void cw_rules_net_dns(const struct cw_ns_row *r, struct cw_dns_count *out)
{
	uint32_t best = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; r->has_exact && i < r->npeers; i++) {
		const struct cw_peer *p = &r->peers[i];
		uint32_t n;

		if (p->dir != CW_PEER_OUT || p->port != 53)
			continue;
		n = p->tcp[CW_TCP_SYN_SENT] + p->tcp[CW_TCP_ESTABLISHED] + p->udp;
		out->syn_sent += p->tcp[CW_TCP_SYN_SENT];
		out->estab += p->tcp[CW_TCP_ESTABLISHED];
		out->udp += p->udp;
		if (n > best) {
			best = n;
			out->resolver = p;
		}
	}
	/* The peers list is cut to the busiest; the row's own count of
	 * connected UDP sockets to port 53 covers every resolver. */
	if (r->udp_dns > out->udp)
		out->udp = r->udp_dns;
	out->total = out->syn_sent + out->estab + out->udp;
}

const char *cw_rules_net_endpoint(const struct cw_addr *a, uint16_t port, char *buf, size_t n)
{
	char ip[64];

	cw_addr_str(a, ip, sizeof(ip));
	if (a->family == AF_INET6)
		snprintf(buf, n, "[%s]:%u", ip, (unsigned)port);
	else
		snprintf(buf, n, "%s:%u", ip, (unsigned)port);
	return buf;
}

void cw_rules_net_peer_key(struct cw_peer_key *k, uint64_t row, const struct cw_peer *p)
{
	memset(k, 0, sizeof(*k));
	k->row = row;
	k->family = p->addr.family;
	k->dir = p->dir;
	k->port = p->port;
	memcpy(k->addr, p->addr.bytes, sizeof(k->addr));
}

void cw_rules_net_sweep_imap(struct cw_imap *m, int64_t now)
{
	cw_rules_net_sweep_imap_fn(m, now, free);
}

void cw_rules_net_sweep_imap_fn(struct cw_imap *m, int64_t now, void (*fn)(void *val))
{
	struct cw_imap_iter it;
	uint64_t *stale = NULL;
	size_t n = 0, cap = 0, i;

	for (cw_imap_iter_init(&it, m); cw_imap_next(&it);)
		if (*(const int64_t *)it.val != now) {
			cw_xgrow((void **)&stale, &cap, n + 1, sizeof(*stale));
			stale[n++] = it.key;
		}
	for (i = 0; i < n; i++)
		fn(cw_imap_del(m, stale[i]));
	free(stale);
}

void cw_rules_net_sweep_smap(struct cw_smap *m, int64_t now)
{
	struct cw_smap_iter it;
	struct cw_peer_key *stale = NULL;
	size_t n = 0, cap = 0, i;

	for (cw_smap_iter_init(&it, m); cw_smap_next(&it);)
		if (*(const int64_t *)it.val != now && it.len == sizeof(*stale)) {
			cw_xgrow((void **)&stale, &cap, n + 1, sizeof(*stale));
			memcpy(&stale[n++], it.key, sizeof(*stale));
		}
	for (i = 0; i < n; i++)
		free(cw_smap_delb(m, &stale[i], sizeof(stale[i])));
	free(stale);
}
