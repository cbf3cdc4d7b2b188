/* nsenter: setns in, do one thing, setns back. */
#include "config.h"
#include "nsenter.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

int cw_nsenter_call(int nsfd, int (*fn)(void *arg), void *arg, char **cause)
{
	int self, r, e;

	/* thread-self: setns changes only this thread, so remember this thread's namespace. */
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return cw_cause(cause, -errno, "cannot open own network namespace: %s", strerror(errno));
	if (setns(nsfd, CLONE_NEWNET) != 0) {
		e = errno;
		close(self);
		if (e == EPERM)
			return cw_cause(cause, -e, "cannot enter namespace: need CAP_SYS_ADMIN");
		return cw_cause(cause, -e, "cannot enter namespace: %s", strerror(e));
	}
	r = fn(arg);
	if (setns(self, CLONE_NEWNET) != 0)
		cw_fatal("cannot return to own network namespace: %s", strerror(errno));
	close(self);
	return r;
}
