/* netns: discovers every network namespace on the node, deduplicated by
 * netns inode: from processes (<procfs>/<pid>/ns/net) and from pinned files
 * (<rootfs>/run/netns, /var/run/netns, /run/docker/netns). A namespace with
 * no process still appears. Processes and files vanish during a scan; that
 * is normal and never an error. */
#ifndef CW_NETNS_H
#define CW_NETNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "map.h"
#include "root.h"

#define CW_NETNS_MAXPIDS 16

enum cw_pin_kind {
	CW_PIN_NONE = 0,
	CW_PIN_NETNS,   /* /run/netns/<name>: ip netns, CNI (cni-<uuid>), CRI-O, podman */
	CW_PIN_DOCKER,  /* /run/docker/netns/<id> */
};

struct cw_nsinfo {
	uint64_t inode;
	pid_t pids[CW_NETNS_MAXPIDS]; /* the lowest pids, ascending */
	size_t npids;
	size_t nprocs;                /* every process seen in it */
	char *pin_path;               /* host path of the first pinned file, or NULL */
	enum cw_pin_kind pin_kind;
};

struct cw_nslist {
	struct cw_nsinfo *v;
	size_t n, cap;
	size_t denied;       /* processes whose namespace we may not read */
	struct cw_imap index; /* inode -> CW_MAP_IDX(position in v) */
};

/* Scans procfs and the pin directories under root into out (cleared first).
 * Fails if procfs cannot be read, or if a pin directory or pinned file
 * cannot be opened for want of descriptors or memory (EMFILE, ENFILE,
 * ENOMEM): then out is incomplete, and the caller keeps its last good list.
 * A missing pin directory is normal. */
int cw_netns_scan(struct cw_nslist *out, const char *procfs, const struct cw_root *root,
		  char **cause);
struct cw_nsinfo *cw_nslist_find(const struct cw_nslist *l, uint64_t inode);
/* Exchanges two lists (pointers into either move with their list). */
void cw_nslist_swap(struct cw_nslist *a, struct cw_nslist *b);
void cw_nslist_done(struct cw_nslist *l);

/* Parses a "net:[4026531993]" link. Returns 0 if it is not one. */
uint64_t cw_netns_parse_link(const char *link);
/* The netns inode of <procfs>/<pid>/ns/net, or -errno. pid 0 means this thread. */
int cw_netns_of_pid(const char *procfs, pid_t pid, uint64_t *inode);
/* Opens a namespace for setns: a pid's ns/net, else the pinned file. The
 * result is checked against inode, since pids and files get reused. */
int cw_netns_open(const struct cw_nsinfo *ns, const char *procfs, const struct cw_root *root,
		  char **cause);

#endif
