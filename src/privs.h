/* privs: least privilege. Once the collector is set up, connwatch keeps
 * only the capabilities it needs for the rest of the run, for namespaces
 * that appear later too (CW_PRIVS_KEEP), and drops every other one from
 * its effective, permitted, inheritable and bounding sets. It also sets
 * no_new_privs: it never executes anything. Capabilities are per thread,
 * so this runs on the main thread before the thread pool starts; the
 * workers inherit the reduced sets. Uses libcap rather than raw capset(2),
 * whose versioned structs libcap already gets right. */
#ifndef CW_PRIVS_H
#define CW_PRIVS_H

#include <stdbool.h>
#include <stddef.h>

/* What a full view needs after start:
 *   CAP_SYS_ADMIN        setns() into new namespaces for their sock_diag socket;
 *   CAP_SYS_PTRACE       read other users' /proc/<pid>/ns/net and /proc/<pid>/fd;
 *   CAP_DAC_READ_SEARCH  read root-only runtime state under --rootfs. */
#define CW_PRIVS_KEEP_NAMES "cap_dac_read_search,cap_sys_admin,cap_sys_ptrace"

/* Drops every capability but the kept ones. Returns the number of
 * capabilities dropped (0 when there was nothing to drop), or -errno with
 * a one-line *cause; the process is then unchanged or has fewer. */
int cw_privs_drop(char **cause);
/* Whether this thread has capability cap (CAP_SYS_PTRACE, ...) in effect. */
bool cw_privs_have(int cap);

#endif
