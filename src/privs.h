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
 *   CAP_DAC_READ_SEARCH  read root-only runtime state under --rootfs;
 * and, only while TCP state events are in use (src/events.c):
 *   CAP_BPF, CAP_PERFMON read the event maps each tick (the bpf() calls on
 *                        them are checked against the caller's capabilities). */
#define CW_PRIVS_KEEP_NAMES "cap_dac_read_search,cap_sys_admin,cap_sys_ptrace"
#define CW_PRIVS_KEEP_BPF_NAMES "cap_bpf,cap_perfmon"

/* Drops every capability but the kept ones (with bpf, CAP_BPF and
 * CAP_PERFMON too). Returns the number of
 * capabilities dropped (0 when there was nothing to drop), or -errno with
 * a one-line *cause; the process is then unchanged or has fewer. */
int cw_privs_drop(bool bpf, char **cause);
/* CAP_BPF and CAP_PERFMON (Linux 5.8) by number: older headers may lack
 * their names. */
#define CW_CAP_PERFMON 38
#define CW_CAP_BPF 39
/* Whether this thread has capability cap (CAP_SYS_PTRACE, ...) in effect. */
bool cw_privs_have(int cap);

#endif
