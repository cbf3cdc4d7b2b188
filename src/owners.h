/* owners: finds the process that holds each socket, by socket inode, from
 * the fd tables of the processes in one network namespace. Run on demand
 * for the socket list that is being looked at, never for every namespace. */
#ifndef CW_OWNERS_H
#define CW_OWNERS_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* Fills out[i] for socks[i]. Processes that vanish or hide are skipped. */
void cw_owners_find(const char *procfs, uint64_t netns_inode, const struct cw_sock *socks,
		    size_t n, struct cw_owner *out);

#endif
