/* opts: the command line. Parsed once into a struct that is passed down;
 * there are no option globals. Every bad value gets a one-line cause. */
#ifndef CW_OPTS_H
#define CW_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"

enum cw_mode {
	CW_MODE_TUI = 0,
	CW_MODE_JSON,
	CW_MODE_BATCH,
};

struct cw_opts {
	enum cw_mode mode;
	double delay_s;
	long count;             /* snapshots to print in --json or --batch mode */
	bool count_set;         /* given: --batch otherwise runs until stopped */
	double budget_pct;
	const char *procfs, *rootfs;
	bool procfs_set, rootfs_set;
	size_t peers;
	enum cw_diag_mode diag_mode;
	bool bpf;               /* TCP state events when they can be had (--no-bpf: off) */
	const char *sockets;    /* --sockets NETNS: inode or label whose sockets to include */
	bool sockets_info;
	/* TUI */
	const char *sort, *filter;
	bool color, mouse;
	unsigned warn_close_wait, warn_time_wait, warn_syn_sent;
	unsigned history_min;   /* --history: minutes of trend behind baselines */
	const char *record;     /* --record FILE */
	unsigned record_size_mb; /* --record-size: rotate past this many MB; 0: never */
	unsigned record_keep;   /* --record-keep: files kept in all */
	bool daemon;            /* --daemon: no live view */
	const char *listen;     /* --listen ADDR:PORT: the Prometheus exporter */
	size_t metrics_peers;   /* --metrics-peers: top peers per row exported */
	const char *replay;     /* --replay FILE: the source is a recording */
	const char *bundle_dir; /* --bundle DIR: where the view's bundles go (default .) */
	bool help, version;
};

void cw_opts_defaults(struct cw_opts *o);
/* Returns 0, or -EINVAL with a one-line *cause. */
int cw_opts_parse(struct cw_opts *o, int argc, char **argv, char **cause);
void cw_opts_usage(FILE *f);

#endif
