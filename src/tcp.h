/* tcp: TCP state numbering (the kernel's), state names, and addresses: the
 * vocabulary the snapshot and its producers share. */
#ifndef CW_TCP_H
#define CW_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kernel TCP states (include/net/tcp_states.h). Index 0 is unused. */
enum cw_tcp_state {
	CW_TCP_ESTABLISHED = 1,
	CW_TCP_SYN_SENT,
	CW_TCP_SYN_RECV,
	CW_TCP_FIN_WAIT1,
	CW_TCP_FIN_WAIT2,
	CW_TCP_TIME_WAIT,
	CW_TCP_CLOSE,
	CW_TCP_CLOSE_WAIT,
	CW_TCP_LAST_ACK,
	CW_TCP_LISTEN,
	CW_TCP_CLOSING,
	CW_TCP_NEW_SYN_RECV, /* request sockets; counted as SYN_RECV, as ss does */
	CW_TCP_NSTATES = 12  /* slots 1..11 hold counts; NEW_SYN_RECV folds into 3 */
};

/* idiag_states bits 1..12. Never bit 13 (TCP_BOUND_INACTIVE, 6.8+): asking
 * for it makes each dump also walk the node's bind hash. */
#define CW_TCP_STATE_MASK 0x1ffeu

/* Canonical name ("ESTABLISHED", ...) or NULL for an out-of-range state. */
const char *cw_tcp_state_name(unsigned state);
/* Maps a kernel state to its counting slot (NEW_SYN_RECV -> SYN_RECV), 0 if invalid. */
unsigned cw_tcp_state_slot(unsigned state);

/* An address in the family it means: v4-mapped IPv6 is stored as IPv4. */
struct cw_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
};

/* Formats an address ("10.0.0.1", "fd00::1"); buf must hold 46 bytes. */
const char *cw_addr_str(const struct cw_addr *a, char *buf, size_t n);
bool cw_addr_parse(const char *s, struct cw_addr *a);
bool cw_addr_equal(const struct cw_addr *a, const struct cw_addr *b);
bool cw_addr_is_any(const struct cw_addr *a);

#endif
