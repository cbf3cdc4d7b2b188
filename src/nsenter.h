/* nsenter: runs a function inside another network namespace on the calling
 * thread, and always comes back. Used only to create per-namespace handles
 * (netlink socket, counter files), never per tick. */
#ifndef CW_NSENTER_H
#define CW_NSENTER_H

/* Enters the namespace of nsfd, calls fn(arg), returns to this thread's
 * original namespace. Returns fn's result, or -errno (with *cause) if the
 * namespace cannot be entered. Failing to return is fatal: nothing after it
 * could be trusted. */
int cw_nsenter_call(int nsfd, int (*fn)(void *arg), void *arg, char **cause);

#endif
