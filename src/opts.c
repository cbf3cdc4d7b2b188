/* opts: command-line parsing. */
#include "config.h"
#include "opts.h"
#include "exporter.h"
#include "history.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_JSON = 256, OPT_BUDGET, OPT_PROCFS, OPT_ROOTFS, OPT_PEERS, OPT_DIAG_MODE,
	OPT_SOCKETS, OPT_INFO, OPT_NO_COLOR, OPT_NO_MOUSE, OPT_WARN_CW, OPT_WARN_TW, OPT_WARN_SS,
	OPT_HISTORY, OPT_RECORD, OPT_RECORD_SIZE, OPT_RECORD_KEEP, OPT_DAEMON, OPT_REPLAY, OPT_BUNDLE,
	OPT_LISTEN, OPT_METRICS_PEERS,
	OPT_NO_BPF,
};

static const struct option longopts[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"count", required_argument, NULL, 'n'},
	{"batch", no_argument, NULL, 'b'},
	{"delay", required_argument, NULL, 'd'},
	{"budget", required_argument, NULL, OPT_BUDGET},
	{"procfs", required_argument, NULL, OPT_PROCFS},
	{"rootfs", required_argument, NULL, OPT_ROOTFS},
	{"peers", required_argument, NULL, OPT_PEERS},
	{"diag-mode", required_argument, NULL, OPT_DIAG_MODE},
	{"no-bpf", no_argument, NULL, OPT_NO_BPF},
	{"sockets", required_argument, NULL, OPT_SOCKETS},
	{"tcp-info", no_argument, NULL, OPT_INFO},
	{"sort", required_argument, NULL, 's'},
	{"filter", required_argument, NULL, 'F'},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"no-mouse", no_argument, NULL, OPT_NO_MOUSE},
	{"warn-close-wait", required_argument, NULL, OPT_WARN_CW},
	{"warn-time-wait", required_argument, NULL, OPT_WARN_TW},
	{"warn-syn-sent", required_argument, NULL, OPT_WARN_SS},
	{"history", required_argument, NULL, OPT_HISTORY},
	{"record", required_argument, NULL, OPT_RECORD},
	{"record-size", required_argument, NULL, OPT_RECORD_SIZE},
	{"record-keep", required_argument, NULL, OPT_RECORD_KEEP},
	{"daemon", no_argument, NULL, OPT_DAEMON},
	{"replay", required_argument, NULL, OPT_REPLAY},
	{"bundle", required_argument, NULL, OPT_BUNDLE},
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"metrics-peers", required_argument, NULL, OPT_METRICS_PEERS},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

void cw_opts_defaults(struct cw_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = CW_MODE_TUI;
	o->delay_s = 1.0;
	o->count = 1;
	o->budget_pct = 10.0;
	o->procfs = "/proc";
	o->rootfs = "/";
	o->peers = 20;
	o->diag_mode = CW_DIAG_MODE_AUTO;
	o->bpf = true;
	o->color = true;
	o->mouse = true;
	o->warn_close_wait = 50;
	o->warn_time_wait = 5000;
	o->warn_syn_sent = 100;
	o->history_min = CW_HISTORY_DEFAULT_MIN;
	o->record_keep = 5;
}

void cw_opts_usage(FILE *f)
{
	fputs("Usage: connwatch [OPTION]...\n"
	      "Live TCP connection counts for every pod and network namespace on this node.\n"
	      "\n"
	      "Modes:\n"
	      "  (none)                 the interactive view\n"
	      "      --json             print one JSON snapshot and exit\n"
	      "  -b, --batch            print a text table per refresh, for logs and tickets\n"
	      "                         (until stopped, or -n times)\n"
	      "  -n, --count N          print N snapshots (--json: one per line; default 1)\n"
	      "\n"
	      "Collection:\n"
	      "  -d, --delay SECONDS    time between refreshes (default 1; fractions allowed)\n"
	      "      --budget PERCENT   CPU for exact dumps per tick, percent of one core\n"
	      "                         (default 10, range 0-100]\n"
	      "      --peers N          peers kept per namespace (default 20)\n"
	      "      --procfs DIR       the host's /proc (default /proc)\n"
	      "      --rootfs DIR       the host's / (default /)\n"
	      "      --sockets NETNS    with --json: list the sockets of NETNS (label or inode)\n"
	      "      --tcp-info         with --sockets: add rtt and retransmits (tcp_info)\n"
	      "      --diag-mode MODE   auto, legacy (one walk) or family (two dumps)\n"
	      "      --no-bpf           no TCP state events: exact counts from dumps alone\n"
	      "      --history MINUTES  trend kept per namespace for baselines and findings\n"
	      "                         (default 15, at most 1440)\n"
	      "\n"
	      "Recording:\n"
	      "      --record FILE      also write every snapshot to FILE (NDJSON; zstd if it\n"
	      "                         ends in .zst), beside the view or another output\n"
	      "      --record-size MB   rotate FILE past MB megabytes (FILE.1, FILE.2, ...)\n"
	      "      --record-keep K    files kept in all when rotating (default 5)\n"
	      "      --daemon           no live view: just record and/or export\n"
	      "                         (with --record or --listen)\n"
	      "      --replay FILE      read snapshots from a recording instead of the node:\n"
	      "                         in the live view (time keys: ] [ } { b Space), or\n"
	      "                         with --json or --batch\n"
	      "\n"
	      "Prometheus:\n"
	      "      --listen ADDR:PORT serve GET /metrics there (:PORT is 127.0.0.1:PORT;\n"
	      "                         IPv6 as [::1]:PORT)\n"
	      "      --metrics-peers N  also export the top N peers of each namespace\n"
	      "                         (default 0: none)\n"
	      "\n"
	      "View:\n"
	      "  -s, --sort COLUMN      sort by COLUMN, e.g. CLOSE_WAIT (case-insensitive)\n"
	      "  -F, --filter TEXT      show rows whose label contains TEXT (!TEXT negates)\n"
	      "      --no-color         monochrome (also when NO_COLOR is set)\n"
	      "      --no-mouse         do not capture the mouse\n"
	      "      --bundle DIR       where e writes incident bundles (default: here)\n"
	      "      --warn-close-wait N  highlight CLOSE_WAIT at N or more (default 50)\n"
	      "      --warn-time-wait N   highlight TIME_WAIT at N or more (default 5000)\n"
	      "      --warn-syn-sent N    highlight SYN_SENT at N or more (default 100)\n"
	      "\n"
	      "  -h, --help             this text\n"
	      "  -V, --version          the version\n",
	      f);
}

static int bad(char **cause, const char *opt, const char *arg, const char *what)
{
	return cw_cause(cause, -EINVAL, "%s: %s (got '%s')", opt, what, arg);
}

static bool parse_count(const char *s, unsigned long max, unsigned long *out)
{
	uint64_t v;

	if (!cw_parse_u64(s, &v) || v > max)
		return false;
	*out = (unsigned long)v;
	return true;
}

int cw_opts_parse(struct cw_opts *o, int argc, char **argv, char **cause)
{
	unsigned long n;
	double d;
	int c;

	opterr = 0; /* our own one-line messages */
	optind = 0; /* 0, not 1: also resets getopt's state inside a group like -xh */
	while ((c = getopt_long(argc, argv, ":bn:d:s:F:hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
		case 'b':
			if (o->mode != CW_MODE_TUI && o->mode != (c == 'b' ? CW_MODE_BATCH : CW_MODE_JSON))
				return cw_cause(cause, -EINVAL, "--json and --batch: choose one");
			o->mode = c == 'b' ? CW_MODE_BATCH : CW_MODE_JSON;
			break;
		case 'n':
			if (!parse_count(optarg, 1000000000, &n) || n == 0)
				return bad(cause, "--count", optarg, "must be a whole number, 1 or more");
			o->count = (long)n;
			o->count_set = true;
			break;
		case 'd':
			if (!cw_parse_double(optarg, &d) || d < 0.05 || d > 3600)
				return bad(cause, "--delay", optarg, "must be seconds between 0.05 and 3600");
			o->delay_s = d;
			break;
		case OPT_BUDGET:
			if (!cw_parse_double(optarg, &d) || d <= 0 || d > 100)
				return bad(cause, "--budget", optarg,
					   "must be a percentage of one core, above 0 and at most 100");
			o->budget_pct = d;
			break;
		case OPT_PROCFS:
			o->procfs = optarg;
			o->procfs_set = true;
			break;
		case OPT_ROOTFS:
			o->rootfs = optarg;
			o->rootfs_set = true;
			break;
		case OPT_PEERS:
			if (!parse_count(optarg, 100000, &n))
				return bad(cause, "--peers", optarg, "must be a whole number up to 100000");
			o->peers = n;
			break;
		case OPT_DIAG_MODE:
			if (strcmp(optarg, "auto") == 0)
				o->diag_mode = CW_DIAG_MODE_AUTO;
			else if (strcmp(optarg, "legacy") == 0)
				o->diag_mode = CW_DIAG_MODE_LEGACY;
			else if (strcmp(optarg, "family") == 0)
				o->diag_mode = CW_DIAG_MODE_FAMILY;
			else
				return bad(cause, "--diag-mode", optarg, "must be auto, legacy or family");
			break;
		case OPT_SOCKETS:
			o->sockets = optarg;
			break;
		case OPT_INFO:
			o->sockets_info = true;
			break;
		case 's':
			o->sort = optarg;
			break;
		case 'F':
			o->filter = optarg;
			break;
		case OPT_NO_BPF:
			o->bpf = false;
			break;
		case OPT_NO_COLOR:
			o->color = false;
			break;
		case OPT_NO_MOUSE:
			o->mouse = false;
			break;
		case OPT_WARN_CW:
		case OPT_WARN_TW:
		case OPT_WARN_SS:
			if (!parse_count(optarg, 100000000, &n) || n == 0)
				return bad(cause,
					   c == OPT_WARN_CW   ? "--warn-close-wait"
					   : c == OPT_WARN_TW ? "--warn-time-wait"
							      : "--warn-syn-sent",
					   optarg, "must be a whole number, 1 or more");
			if (c == OPT_WARN_CW)
				o->warn_close_wait = (unsigned)n;
			else if (c == OPT_WARN_TW)
				o->warn_time_wait = (unsigned)n;
			else
				o->warn_syn_sent = (unsigned)n;
			break;
		case OPT_HISTORY:
			if (!parse_count(optarg, CW_HISTORY_MAX_MIN, &n) || n == 0)
				return bad(cause, "--history", optarg,
					   "must be whole minutes, 1 to " CW_STR(CW_HISTORY_MAX_MIN));
			o->history_min = (unsigned)n;
			break;
		case OPT_RECORD:
		case OPT_REPLAY:
			if (!*optarg)
				return bad(cause, c == OPT_RECORD ? "--record" : "--replay", optarg,
					   "needs a file name");
			if (c == OPT_RECORD)
				o->record = optarg;
			else
				o->replay = optarg;
			break;
		case OPT_RECORD_SIZE:
			if (!parse_count(optarg, 1000000, &n) || n == 0)
				return bad(cause, "--record-size", optarg,
					   "must be whole megabytes, 1 to 1000000");
			o->record_size_mb = (unsigned)n;
			break;
		case OPT_RECORD_KEEP:
			if (!parse_count(optarg, 1000, &n) || n == 0)
				return bad(cause, "--record-keep", optarg, "must be a whole number, 1 to 1000");
			o->record_keep = (unsigned)n;
			break;
		case OPT_DAEMON:
			o->daemon = true;
			break;
		case OPT_BUNDLE:
			if (!*optarg)
				return bad(cause, "--bundle", optarg, "needs a directory");
			o->bundle_dir = optarg;
			break;
		case OPT_LISTEN: {
			struct sockaddr_storage ss;
			socklen_t len;

			if (cw_exporter_parse_listen(optarg, &ss, &len, cause) < 0)
				return -EINVAL;
			o->listen = optarg;
			break;
		}
		case OPT_METRICS_PEERS:
			if (!parse_count(optarg, 1000, &n))
				return bad(cause, "--metrics-peers", optarg,
					   "must be a whole number up to 1000");
			o->metrics_peers = n;
			break;
		case 'h':
			o->help = true;
			break;
		case 'V':
			o->version = true;
			break;
		case ':':
			return cw_cause(cause, -EINVAL, "%s: needs a value", argv[optind - 1]);
		default:
			if (optopt > 0 && optopt < 256) /* a long option's val is >= 256, not a char */
				return cw_cause(cause, -EINVAL, "unknown option '-%c' (see --help)", optopt);
			return cw_cause(cause, -EINVAL, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cw_cause(cause, -EINVAL, "unexpected argument '%s' (see --help)", argv[optind]);
	if (o->sockets_info && !o->sockets)
		return cw_cause(cause, -EINVAL, "--tcp-info: needs --sockets");
	if (o->daemon && o->mode != CW_MODE_TUI)
		return cw_cause(cause, -EINVAL, "--daemon: runs without output; not with --json or --batch");
	if (o->daemon && !o->record && !o->listen)
		return cw_cause(cause, -EINVAL,
				"--daemon: needs something to do (--record FILE or --listen ADDR:PORT)");
	if (o->metrics_peers && !o->listen)
		return cw_cause(cause, -EINVAL, "--metrics-peers: needs --listen");
	if (o->replay && o->listen)
		return cw_cause(cause, -EINVAL, "--listen: exports the live node; not with --replay");
	if (o->replay && o->record)
		return cw_cause(cause, -EINVAL, "--replay and --record: choose one");
	if (o->replay && (o->sockets || o->procfs_set || o->rootfs_set))
		return cw_cause(cause, -EINVAL, "--replay: collection options do not apply to a recording");
	return 0;
}
