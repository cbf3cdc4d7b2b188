/* ownnet.h: puts a C test in a network namespace of its own, with lo up
 * (root; unshare(CLONE_NEWNET) moves only this thread's process). */
#ifndef CW_OWNNET_H
#define CW_OWNNET_H

#include "tap.h"

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static inline void own_netns(void)
{
	struct ifreq ifr;
	int fd;

	if (unshare(CLONE_NEWNET) != 0)
		tap_bail("unshare(CLONE_NEWNET) failed");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		tap_bail("cannot read lo's flags");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		tap_bail("cannot bring lo up");
	close(fd);
}

#endif
