/* test_opts: every flag, and every bad value with its one-line cause. */
#include "config.h"
#include "opts.h"
#include "tap.h"

#include <errno.h>
#include <stdarg.h>

static char *cause;

/* Parses "connwatch" followed by the given arguments (NULL-terminated). */
static int run(struct cw_opts *o, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)"connwatch";
	va_start(ap, o);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	cw_opts_defaults(o);
	free(cause);
	cause = NULL;
	return cw_opts_parse(o, argc, argv, &cause);
}

/* Expects -EINVAL and a one-line cause that mentions what. */
#define BAD(what, ...)                                                                      \
	do {                                                                                \
		struct cw_opts o_;                                                          \
		int r_ = run(&o_, __VA_ARGS__, NULL);                                       \
		is_int(r_, -EINVAL, "%s: -EINVAL", #__VA_ARGS__);                           \
		ok(cause && strstr(cause, what) && !strchr(cause, '\n'),                    \
		   "%s: one-line cause mentions '%s' (%s)", #__VA_ARGS__, what,             \
		   cause ? cause : "(none)");                                               \
	} while (0)

int main(void)
{
	struct cw_opts o;

	/* Defaults. */
	is_int(run(&o, NULL), 0, "no arguments");
	ok(o.mode == CW_MODE_TUI && o.delay_s == 1.0 && o.count == 1 && o.budget_pct == 10.0,
	   "defaults: TUI, 1 s, count 1, budget 10%%");
	ok(strcmp(o.procfs, "/proc") == 0 && strcmp(o.rootfs, "/") == 0, "defaults: /proc and /");
	ok(o.peers == 20 && o.diag_mode == CW_DIAG_MODE_AUTO && !o.sockets && !o.sockets_info,
	   "defaults: 20 peers, auto diag mode, no sockets");
	ok(o.color && o.mouse && !o.sort && !o.filter && !o.help && !o.version,
	   "defaults: colour and mouse on");
	ok(o.warn_close_wait == 50 && o.warn_time_wait == 5000 && o.warn_syn_sent == 100,
	   "defaults: warning thresholds");
	is_int(o.history_min, 15, "defaults: 15 minutes of history");

	/* Every flag. */
	is_int(run(&o, "--json", "--count", "5", NULL), 0, "--json --count 5");
	ok(o.mode == CW_MODE_JSON && o.count == 5, "json mode, count 5");
	is_int(run(&o, "-b", "-n", "3", NULL), 0, "-b -n 3");
	ok(o.mode == CW_MODE_BATCH && o.count == 3 && o.count_set, "batch mode, count 3");
	is_int(run(&o, "--batch", NULL), 0, "--batch");
	ok(o.mode == CW_MODE_BATCH && !o.count_set, "batch mode, no count: until stopped");
	is_int(run(&o, "-bn2", NULL), 0, "-bn2");
	ok(o.mode == CW_MODE_BATCH && o.count == 2, "grouped short options");
	is_int(run(&o, "--json", "--json", NULL), 0, "--json twice is --json");
	ok(run(&o, "--json", "-b", NULL) == -EINVAL && run(&o, "-b", "--json", NULL) == -EINVAL,
	   "--json and --batch together are refused");
	is_int(run(&o, "--history", "1", NULL), 0, "--history 1");
	is_int(o.history_min, 1, "history 1 minute");
	is_int(run(&o, "--history=1440", NULL), 0, "--history=1440");
	is_int(o.history_min, 1440, "history a day");
	is_int(run(&o, "--count=1000000000", NULL), 0, "--count=1000000000");
	is_int(o.count, 1000000000, "count at its maximum");
	is_int(run(&o, "-d", "0.5", NULL), 0, "-d 0.5");
	ok(o.delay_s == 0.5, "delay 0.5");
	is_int(run(&o, "--delay", "3600", NULL), 0, "--delay 3600");
	ok(o.delay_s == 3600, "delay 3600");
	is_int(run(&o, "--delay=0.05", NULL), 0, "--delay=0.05");
	ok(o.delay_s == 0.05, "delay 0.05 (the minimum)");
	is_int(run(&o, "-d2", NULL), 0, "-d2");
	ok(o.delay_s == 2, "delay 2");
	is_int(run(&o, "--budget", "100", NULL), 0, "--budget 100");
	ok(o.budget_pct == 100, "budget 100");
	is_int(run(&o, "--budget", "0.5", NULL), 0, "--budget 0.5");
	ok(o.budget_pct == 0.5, "budget 0.5");
	is_int(run(&o, "--procfs", "/host/proc", "--rootfs", "/host", NULL), 0, "--procfs --rootfs");
	ok(strcmp(o.procfs, "/host/proc") == 0 && strcmp(o.rootfs, "/host") == 0, "procfs and rootfs");
	is_int(run(&o, "--peers", "0", NULL), 0, "--peers 0");
	is_int(o.peers, 0, "peers 0");
	is_int(run(&o, "--peers", "100000", NULL), 0, "--peers 100000");
	is_int(o.peers, 100000, "peers 100000");
	is_int(run(&o, "--diag-mode", "legacy", NULL), 0, "--diag-mode legacy");
	is_int(o.diag_mode, CW_DIAG_MODE_LEGACY, "legacy");
	is_int(run(&o, "--diag-mode", "family", NULL), 0, "--diag-mode family");
	is_int(o.diag_mode, CW_DIAG_MODE_FAMILY, "family");
	is_int(run(&o, "--diag-mode", "auto", NULL), 0, "--diag-mode auto");
	ok(o.bpf, "state events by default");
	is_int(run(&o, "--no-bpf", NULL), 0, "--no-bpf");
	ok(!o.bpf, "--no-bpf turns state events off");
	is_int(o.diag_mode, CW_DIAG_MODE_AUTO, "auto");
	is_int(run(&o, "--json", "--sockets", "default/web", "--tcp-info", NULL), 0, "--sockets --tcp-info");
	ok(o.sockets && strcmp(o.sockets, "default/web") == 0 && o.sockets_info, "sockets and tcp-info");
	is_int(run(&o, "-s", "CLOSE_WAIT", "-F", "!kube-system", NULL), 0, "-s -F");
	ok(strcmp(o.sort, "CLOSE_WAIT") == 0 && strcmp(o.filter, "!kube-system") == 0, "sort and filter");
	is_int(run(&o, "--sort", "label", "--filter", "web", NULL), 0, "--sort --filter");
	ok(strcmp(o.sort, "label") == 0 && strcmp(o.filter, "web") == 0, "long sort and filter");
	is_int(run(&o, "--no-color", "--no-mouse", NULL), 0, "--no-color --no-mouse");
	ok(!o.color && !o.mouse, "no colour, no mouse");
	is_int(run(&o, "--warn-close-wait", "10", "--warn-time-wait", "20", "--warn-syn-sent", "30", NULL),
	       0, "--warn-*");
	ok(o.warn_close_wait == 10 && o.warn_time_wait == 20 && o.warn_syn_sent == 30, "warning thresholds");
	is_int(run(&o, "-h", NULL), 0, "-h");
	ok(o.help, "help");
	is_int(run(&o, "--help", NULL), 0, "--help");
	ok(o.help, "help (long)");
	is_int(run(&o, "-V", NULL), 0, "-V");
	ok(o.version, "version");
	is_int(run(&o, "--version", NULL), 0, "--version");
	ok(o.version, "version (long)");
	is_int(run(&o, "-hV", NULL), 0, "grouped -hV");
	ok(o.help && o.version, "grouped short flags");
	is_int(run(&o, "--", NULL), 0, "a lone --");

	/* Bad values. */
	BAD("--delay", "--delay", "-1");
	BAD("--delay", "--delay", "0");
	BAD("--delay", "--delay", "abc");
	BAD("--delay", "--delay", "0.04");
	BAD("--delay", "--delay", "3601");
	BAD("--delay", "--delay", "");
	BAD("--delay", "--delay", "nan");
	BAD("--delay", "-d", "1s");
	BAD("--count", "--count", "0");
	BAD("--count", "-n", "0");
	BAD("--history", "--history", "0");
	BAD("--history", "--history", "1441");
	BAD("--history", "--history", "1.5");
	BAD("--history", "--history", "abc");
	BAD("--count", "--count", "abc");
	BAD("--count", "--count", "-1");
	BAD("--count", "--count", "1000000001");
	BAD("--count", "--count", "1.5");
	BAD("--budget", "--budget", "0");
	BAD("--budget", "--budget", "500");
	BAD("--budget", "--budget", "abc");
	BAD("--budget", "--budget", "-5");
	BAD("--budget", "--budget", "100.1");
	BAD("--peers", "--peers", "abc");
	BAD("--peers", "--peers", "100001");
	BAD("--peers", "--peers", "-1");
	BAD("--diag-mode", "--diag-mode", "fast");
	BAD("--diag-mode", "--diag-mode", "LEGACY");
	BAD("--warn-close-wait", "--warn-close-wait", "0");
	BAD("--warn-close-wait", "--warn-close-wait", "abc");
	BAD("--warn-time-wait", "--warn-time-wait", "-3");
	BAD("--warn-syn-sent", "--warn-syn-sent", "x");
	BAD("--warn-syn-sent", "--warn-syn-sent=0");
	/* The value is quoted back. */
	{
		struct cw_opts x;

		run(&x, "--budget", "500", NULL);
		ok(cause && strstr(cause, "'500'"), "cause quotes the value (%s)", cause ? cause : "");
	}

	/* Unknown flags, missing values, stray arguments. */
	BAD("--bogus", "--bogus");
	BAD("--bogus=1", "--bogus=1");
	BAD("-x", "-x");
	BAD("-x", "-hx");
	BAD("--json", "--json=yes");
	BAD("--delay", "--delay");
	BAD("-d", "-d");
	BAD("--count", "--json", "--count");
	BAD("--sockets", "--sockets");
	BAD("--filter", "--filter");
	BAD("stray", "stray");
	BAD("extra", "--json", "extra");
	BAD("--tcp-info", "--tcp-info");

	/* The exporter. */
	is_int(run(&o, "--daemon", "--listen", ":9101", "--metrics-peers", "5", NULL), 0,
	       "--daemon --listen :9101 --metrics-peers 5");
	ok(o.daemon && strcmp(o.listen, ":9101") == 0 && o.metrics_peers == 5, "listen and metrics peers set");
	is_int(run(&o, "--listen", "[::1]:9101", NULL), 0, "--listen beside the live view, IPv6");
	ok(!o.listen || o.metrics_peers == 0, "metrics peers default 0");
	BAD("--listen", "--listen", "9101");
	BAD("--listen", "--listen", "host:9101");
	BAD("--listen", "--listen", ":70000");
	BAD("--metrics-peers", "--metrics-peers", "3");
	BAD("--metrics-peers", "--listen", ":1", "--metrics-peers", "x");
	BAD("--listen", "--listen", ":1", "--replay", "f", "--json");
	BAD("--daemon", "--daemon");

	/* A parse after a failed one starts afresh. */
	BAD("-x", "-xh");
	is_int(run(&o, "--json", NULL), 0, "a good parse after a failed one");
	ok(o.mode == CW_MODE_JSON && !o.help, "and sees only its own arguments");

	/* Usage text. */
	{
		char buf[8192] = "";
		FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

		cw_opts_usage(f);
		fclose(f);
		ok(strstr(buf, "Usage: connwatch") && strstr(buf, "--budget PERCENT") &&
		   strstr(buf, "--diag-mode MODE") && strstr(buf, "--warn-syn-sent N"),
		   "usage lists the options");
	}
	free(cause);
	return tap_done();
}
