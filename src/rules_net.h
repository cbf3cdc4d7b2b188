/* rules_net: what the network rules (dns-storm, time-wait, connect-fail,
 * listen-overflow, node-limit) share: a hold with hysteresis (a finding
 * starts only after its condition has lasted, and ends only when a lower
 * bar fails), the settings a row runs under (its own sysctls, else the
 * node's, else the kernel's defaults), the sockets a row has toward port
 * 53, and formatting of endpoints and counts. */
#ifndef CW_RULES_NET_H
#define CW_RULES_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* How long every network rule's condition must last before it fires. A
 * 20-second burst (a deploy, a peer restarting, a retry wave) is over
 * before this; an incident is not. */
#define CW_RULES_NET_HOLD_MS 30000
/* Per-row state not refreshed for this long is forgotten. */
#define CW_RULES_NET_FORGET_MS 60000

/* A condition that must hold for a while before a finding starts, and is
 * then kept while a lower bar holds. */
struct cw_hold {
	bool pending;      /* the condition began at since_ms, not yet long enough */
	bool on;           /* the finding is on */
	int64_t since_ms;
};

/* Feeds one observation at now. A condition on exact counts runs on the
 * clock of their samples (cw_rules_net_sample_ms), not the snapshot's: on
 * a big node the dump budget refreshes a row about once a minute, and a
 * burst caught by one dump is carried unchanged until the next; on the
 * sample clock those repeats add no time, so one sample never passes a
 * hold alone. up: the firing bar holds; keep: the lower
 * bar holds (up implies keep). A pending condition survives dips to the
 * lower bar, so noise around the firing bar does not restart its clock;
 * it turns on once hold_ms have passed and the firing bar holds again.
 * Returns whether the finding is on. */
bool cw_rules_net_hold(struct cw_hold *h, bool up, bool keep, int64_t now, int64_t hold_ms);

/* Where a setting came from. */
enum cw_setting_from {
	CW_FROM_NETNS = 0,   /* the namespace's own */
	CW_FROM_NODE,        /* the host namespace's */
	CW_FROM_DEFAULT,     /* unknown: the kernel's default, assumed */
};

const char *cw_rules_net_from_name(enum cw_setting_from from);

/* A sysctl (offset into struct cw_sysctls) as the row sees it: its own,
 * else the node's; -1 when neither is known. */
int64_t cw_rules_net_sysctl(const struct cw_snapshot *s, const struct cw_ns_row *r, size_t offset);

/* The row's ephemeral port range (ip_local_port_range): its own, else
 * the node's, else the kernel default 32768-60999. Returns where it came
 * from. */
enum cw_setting_from cw_rules_net_port_range(const struct cw_snapshot *s, const struct cw_ns_row *r,
					     int64_t *lo, int64_t *hi);

/* When the row's exact counts were taken (they may be older than the
 * snapshot: the dump budget spaces them). */
int64_t cw_rules_net_sample_ms(const struct cw_snapshot *s, const struct cw_ns_row *r);

/* The row's sockets toward port 53 (its resolvers). */
struct cw_dns_count {
	uint32_t syn_sent, estab, udp;
	uint32_t total;
	const struct cw_peer *resolver;  /* the busiest port-53 peer, or NULL */
};
void cw_rules_net_dns(const struct cw_ns_row *r, struct cw_dns_count *out);

/* dns-storm's firing bar on the row's port-53 sockets now: many of them,
 * and lookups in flight or connects being made (defined, and explained,
 * in rule_dns_storm.c). connect-fail leaves the port-53 peers of such a
 * row to dns-storm. */
bool cw_rule_dns_storm_sized(const struct cw_ns_row *r, const struct cw_dns_count *d);

/* "10.0.0.1:53", "[fd00::1]:53". */
const char *cw_rules_net_endpoint(const struct cw_addr *a, uint16_t port, char *buf, size_t n);

/* A key for a (row, endpoint) pair, for per-peer state in a cw_smap. */
struct cw_peer_key {
	uint64_t row;
	uint8_t family, dir;
	uint16_t port;
	uint8_t addr[16];
};
void cw_rules_net_peer_key(struct cw_peer_key *k, uint64_t row, const struct cw_peer *p);

/* Per-row and per-peer state: each value is a heap struct that begins
 * with the time it was last seen (int64_t ms). A sweep frees the values
 * not seen at now: a row missing from one snapshot starts again from
 * nothing when it returns (the kernel reuses a vanished namespace's
 * inode for a new one), and memory stays bounded by what is live. */
struct cw_imap;
struct cw_smap;
void cw_rules_net_sweep_imap(struct cw_imap *m, int64_t now);
void cw_rules_net_sweep_smap(struct cw_smap *m, int64_t now);
/* The same for values that own more memory: fn frees one. */
void cw_rules_net_sweep_imap_fn(struct cw_imap *m, int64_t now, void (*fn)(void *val));

#endif
