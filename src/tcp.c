/* tcp: state names and address helpers. */
#include "config.h"
#include "tcp.h"
#include "util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char *const state_names[] = {
	[CW_TCP_ESTABLISHED] = "ESTABLISHED", [CW_TCP_SYN_SENT] = "SYN_SENT",
	[CW_TCP_SYN_RECV] = "SYN_RECV",       [CW_TCP_FIN_WAIT1] = "FIN_WAIT1",
	[CW_TCP_FIN_WAIT2] = "FIN_WAIT2",     [CW_TCP_TIME_WAIT] = "TIME_WAIT",
	[CW_TCP_CLOSE] = "CLOSE",             [CW_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[CW_TCP_LAST_ACK] = "LAST_ACK",       [CW_TCP_LISTEN] = "LISTEN",
	[CW_TCP_CLOSING] = "CLOSING",         [CW_TCP_NEW_SYN_RECV] = "NEW_SYN_RECV",
};

const char *cw_tcp_state_name(unsigned state)
{
	if (state == 0 || state >= CW_ARRAY_LEN(state_names))
		return NULL;
	return state_names[state];
}

unsigned cw_tcp_state_slot(unsigned state)
{
	if (state == CW_TCP_NEW_SYN_RECV)
		return CW_TCP_SYN_RECV;
	if (state == 0 || state > CW_TCP_CLOSING)
		return 0;
	return state;
}

const char *cw_addr_str(const struct cw_addr *a, char *buf, size_t n)
{
	if (!inet_ntop(a->family == AF_INET ? AF_INET : AF_INET6, a->bytes, buf, (socklen_t)n))
		snprintf(buf, n, "?");
	return buf;
}

bool cw_addr_parse(const char *s, struct cw_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = AF_INET6;
		return true;
	}
	return false;
}

bool cw_addr_equal(const struct cw_addr *a, const struct cw_addr *b)
{
	if (a->family != b->family)
		return false;
	return memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16) == 0;
}

bool cw_addr_is_any(const struct cw_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->bytes, zero, a->family == AF_INET ? 4 : 16) == 0;
}
