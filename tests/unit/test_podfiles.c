/* test_podfiles: the parsers of resolv.conf, environ and limits on real
 * and hostile text, then the readers on a fake --procfs whose pods hold a
 * FIFO, a symlink out of their root, huge files, binary junk and missing
 * files. The pod-root reads run twice: through openat2 and through the
 * hand-made fallback (CW_ROOT_NO_OPENAT2). */
#include "config.h"
#include "podfiles.h"
#include "fstree.h"
#include "tap.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[] = "/tmp/cw-test-podfiles-XXXXXX";
static char *procfs;

static void parse(const char *text, struct cw_resolv *r)
{
	cw_podfiles_parse_resolv(text, strlen(text), r);
}

static const char *ns_str(const struct cw_resolv *r, size_t i)
{
	static char buf[64];

	return cw_addr_str(&r->ns[i], buf, sizeof(buf));
}

static void test_resolv_k8s(void)
{
	struct cw_resolv r;

	parse("search default.svc.cluster.local svc.cluster.local cluster.local\n"
	      "nameserver 10.96.0.10\n"
	      "options ndots:5\n", &r);
	is_int(r.nns, 1, "k8s: one nameserver");
	is_str(ns_str(&r, 0), "10.96.0.10", "k8s: its address");
	is_int(r.nsearch, 3, "k8s: three search domains");
	is_str(r.search[0], "default.svc.cluster.local", "k8s: first search domain");
	is_str(r.search[2], "cluster.local", "k8s: last search domain");
	is_int(r.ndots, 5, "k8s: ndots:5");
	is_int(r.timeout, -1, "k8s: timeout not set");
	is_int(r.attempts, -1, "k8s: attempts not set");
	is_int(r.flags, 0, "k8s: no flag option");
	is_int(r.junk, 0, "k8s: no junk");
}

static void test_resolv_rules(void)
{
	struct cw_resolv r;

	parse("# comment\n; comment\n\n   \n"
	      "domain first.example\n"
	      "search a.example b.example\n"
	      "options timeout:3 attempts:4\r\n"
	      "options single-request use-vc rotate ndots:2 frobnicate ndots:\n"
	      "nameserver fe80::1%eth0\n"
	      "nameserver 2001:db8::53\n"
	      "nameserver not-an-address\n"
	      "nameserver\n"
	      "  nameserver 9.9.9.9\n"
	      "sortlist 10.0.0.0/255.0.0.0\n"
	      "bogus line\n", &r);
	is_int(r.nsearch, 2, "search after domain replaces it");
	is_str(r.search[1], "b.example", "second search domain");
	is_int(r.timeout, 3, "timeout:3 (CRLF line)");
	is_int(r.attempts, 4, "attempts:4");
	is_int(r.ndots, 2, "options lines add up: ndots:2");
	ok(r.flags == (CW_RESOLV_SINGLE_REQUEST | CW_RESOLV_USE_VC | CW_RESOLV_ROTATE),
	   "flags: single-request, use-vc, rotate (got %#x)", r.flags);
	is_int(r.unknown_opts, 2, "unknown options: frobnicate and a bare ndots:");
	is_int(r.nns, 2, "two good nameservers");
	is_str(ns_str(&r, 0), "fe80::1", "the zone is dropped");
	is_str(ns_str(&r, 1), "2001:db8::53", "IPv6 nameserver");
	is_int(r.ns_bad, 2, "bad and empty nameserver lines counted");
	is_int(r.junk, 2, "an indented keyword and a bogus line are junk");

	parse("search a.example\ndomain last.example\n", &r);
	is_int(r.nsearch, 1, "domain after search replaces it");
	is_str(r.search[0], "last.example", "the domain wins");
	is_str(cw_podfiles_flag_name(CW_RESOLV_USE_VC), "use-vc", "flag name");
	ok(cw_podfiles_flag_name(1u << 30) == NULL, "no name for an unknown flag");
}

static void test_resolv_bounds(void)
{
	struct cw_resolv r;
	char *text = cw_xstrdup(""), *long_name = cw_xmalloc(701), *t;
	int i;

	for (i = 0; i < 12; i++) {
		t = cw_xasprintf("%snameserver 10.0.0.%d\n", text, i + 1);
		free(text);
		text = t;
	}
	t = cw_xasprintf("%ssearch", text);
	free(text);
	text = t;
	for (i = 0; i < 20; i++) {
		t = cw_xasprintf("%s d%d.example", text, i);
		free(text);
		text = t;
	}
	parse(text, &r);
	is_int(r.nns, CW_RESOLV_MAXNS, "nameservers kept up to the bound");
	is_int(r.nns_all, 12, "all nameservers counted");
	is_str(ns_str(&r, CW_RESOLV_MAXNS - 1), "10.0.0.8", "the first ones are kept");
	is_int(r.nsearch, CW_RESOLV_MAXSEARCH, "search domains kept up to the bound");
	is_int(r.nsearch_all, 20, "all search domains counted");
	free(text);

	memset(long_name, 'x', 700);
	long_name[700] = '\0';
	text = cw_xasprintf("search %s \x1b[31mred\x1b[0m.example caf\xc3\xa9\xff.example\n"
			    "options ndots:123456789012345678901234567890\n", long_name);
	parse(text, &r);
	is_int(strlen(r.search[0]), CW_RESOLV_NAMELEN - 1, "a long domain is cut to its buffer");
	ok(strchr(r.search[1], '\x1b') == NULL, "escape sequences are sanitised (%s)", r.search[1]);
	is_str(r.search[2], "caf\xc3\xa9?.example", "invalid UTF-8 becomes ?");
	is_int(r.ndots, 999, "a huge ndots is clamped, never overflows");
	free(text);
	free(long_name);

	/* Binary junk: NULs and random bytes, lines and all. */
	{
		static const char junk[] = "nameserver 1.1.1.1\0evil\nnameserver 8.8.8.8\n\x7f\x01\x02\0\0"
					   "\xff\xfe\nsearch ok.example\n";

		cw_podfiles_parse_resolv(junk, sizeof(junk) - 1, &r);
		is_int(r.nns, 1, "a line with a NUL is not read");
		is_str(ns_str(&r, 0), "8.8.8.8", "the clean nameserver line is");
		is_int(r.junk, 2, "binary lines are junk");
		is_int(r.nsearch, 1, "the search line after junk is read");
	}
	cw_podfiles_parse_resolv("", 0, &r);
	is_int(r.nns + r.nsearch + r.junk, 0, "empty file: nothing");
	is_int(r.ndots, -1, "empty file: ndots unset");
}

static void test_environ(void)
{
	static const char env[] = "PATH=/bin\0GODEBUG=http2client=0,netdns=go+1,x=y,netdns=cgo\0"
				  "GODEBUG=netdns=go\0RES_OPTIONS=ndots:1 attempts:1\0"
				  "LOCALDOMAIN=corp.example lab.example\0RES_OPTIONS=ndots:9\0"
				  "HOME=/\0";
	static const char hostile[] = "GODEBUG=netdns=\x1b]0;pwned\x07\0LOCALDOMAIN=\xc3";
	struct cw_podenv e;
	struct cw_resolv r;

	cw_podfiles_parse_environ(env, sizeof(env) - 1, false, &e);
	ok(e.has_netdns, "netdns found");
	is_str(e.netdns, "cgo", "a later netdns in GODEBUG wins");
	ok(e.has_res_options, "RES_OPTIONS found");
	is_str(e.res_options, "ndots:1 attempts:1", "the first RES_OPTIONS counts, as getenv's");
	is_str(e.localdomain, "corp.example lab.example", "LOCALDOMAIN");
	ok(!e.truncated, "not truncated");

	parse("search a.example\nnameserver 10.96.0.10\noptions ndots:5 timeout:2\n", &r);
	cw_podfiles_apply_env(&r, &e);
	is_int(r.ndots, 1, "RES_OPTIONS overrides ndots");
	is_int(r.attempts, 1, "RES_OPTIONS adds attempts");
	is_int(r.timeout, 2, "resolv.conf's timeout stays");
	is_int(r.nsearch, 2, "LOCALDOMAIN replaces the search list");
	is_str(r.search[1], "lab.example", "LOCALDOMAIN's second domain");

	cw_podfiles_parse_environ(hostile, sizeof(hostile) - 1, true, &e);
	ok(e.has_netdns, "hostile: netdns found");
	ok(strchr(e.netdns, '\x1b') == NULL && strchr(e.netdns, '\x07') == NULL,
	   "hostile: control bytes sanitised (%s)", e.netdns);
	ok(!e.has_localdomain, "truncated: a cut last entry is dropped");
	ok(e.truncated, "truncated is reported");

	cw_podfiles_parse_environ("GODEBUG=netdnsx=1,netdns", 24, false, &e);
	ok(!e.has_netdns, "no netdns= in GODEBUG: none");
	cw_podfiles_parse_environ("", 0, false, &e);
	ok(!e.has_netdns && !e.has_res_options && !e.has_localdomain, "empty environ: nothing");
}

static void test_limits(void)
{
	static const char real[] =
		"Limit                     Soft Limit           Hard Limit           Units     \n"
		"Max cpu time              unlimited            unlimited            seconds   \n"
		"Max open filesystems      7                    7                    x         \n"
		"Max open files            1024                 524288               files     \n"
		"Max locked memory         8388608              8388608              bytes     \n";
	struct cw_nofile n = {0};

	is_int(cw_podfiles_parse_limits(real, sizeof(real) - 1, &n), 0, "limits parse");
	is_int(n.soft, 1024, "soft limit");
	is_int(n.hard, 524288, "hard limit");
	is_int(cw_podfiles_parse_limits("Max open files unlimited unlimited files\n", 41, &n), 0,
	       "unlimited parses");
	ok(n.soft == CW_NOFILE_UNLIMITED && n.hard == CW_NOFILE_UNLIMITED, "unlimited both");
	is_int(cw_podfiles_parse_limits("Max processes 5 5\n", 18, &n), -ENOENT, "no line: -ENOENT");
	is_int(cw_podfiles_parse_limits("Max open files 1024\n", 20, &n), -EBADMSG, "one value: -EBADMSG");
	is_int(cw_podfiles_parse_limits("Max open files -1 99999999999999999999999\n", 42, &n), -EBADMSG,
	       "junk values: -EBADMSG");
	is_int(cw_podfiles_parse_limits("Max open files", 14, &n), -EBADMSG, "cut short: -EBADMSG");
}

static void test_summary(void)
{
	struct cw_resolv r;
	struct cw_podenv e;
	char buf[512], small[64];
	static const char env[] = "GODEBUG=netdns=go\0RES_OPTIONS=attempts:1\0";

	parse("search default.svc.cluster.local svc.cluster.local cluster.local\n"
	      "nameserver 10.96.0.10\nnameserver 10.96.0.11\noptions ndots:5 single-request use-vc\n", &r);
	is_int(cw_podfiles_names_per_lookup(&r, 2), 4, "ndots:5: a 2-dot name tries 3 search domains first");
	is_int(cw_podfiles_names_per_lookup(&r, 5), 1, "ndots:5: a 5-dot name is tried as given");
	cw_podfiles_parse_environ(env, sizeof(env) - 1, false, &e);
	cw_podfiles_summary(&r, &e, buf, sizeof(buf));
	is_str(buf, "nameserver 10.96.0.10 (+1), ndots:5, 3 search domains, single-request, use-vc; "
		    "GODEBUG netdns=go; RES_OPTIONS=attempts:1", "summary");
	cw_podfiles_summary(&r, NULL, small, 40);
	is_int(strlen(small), 39, "summary: cut to its buffer");

	parse("search caf\xc3\xa9.example\n", &r);
	is_int(cw_podfiles_names_per_lookup(&r, 0), 2, "default ndots 1: a bare name tries the search domain");
	is_int(cw_podfiles_names_per_lookup(&r, 1), 1, "default ndots 1: a dotted name goes as given");
	memset(&e, 0, sizeof(e));
	e.has_localdomain = true;
	snprintf(e.localdomain, sizeof(e.localdomain), "\xc3\xa9\xc3\xa9");
	cw_podfiles_summary(&r, &e, small, 39);
	ok(strcmp(small, "no nameserver, 1 search domain; LOCALD") == 0, "summary without a nameserver: %s", small);
	cw_podfiles_summary(&r, &e, small, 38 + 16);
	is_str(small, "no nameserver, 1 search domain; LOCALDOMAIN=\xc3\xa9\xc3\xa9", "a value fits whole");
	cw_podfiles_summary(&r, &e, small, 38 + 10);
	is_str(small, "no nameserver, 1 search domain; LOCALDOMAIN=\xc3\xa9",
	       "a cut never splits a character");
}

/* The fake --procfs. */

static char *pidpath(int pid, const char *rel)
{
	return cw_xasprintf("%s/%d/%s", procfs, pid, rel);
}

static void put(int pid, const char *rel, const char *text)
{
	char *full = pidpath(pid, rel), *dir = cw_xstrdup(full);

	*strrchr(dir, '/') = '\0';
	fstree_mkdirs(dir);
	fstree_write(full, text);
	free(dir);
	free(full);
}

static void put_bytes(int pid, const char *rel, const char *bytes, size_t n)
{
	char *full = pidpath(pid, rel);
	int fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, bytes, n) != (ssize_t)n)
		printf("# cannot write %s\n", full);
	if (fd >= 0)
		close(fd);
	free(full);
}

static void mk(int pid, const char *rel, int kind, const char *target)
{
	char *full = pidpath(pid, rel), *dir = cw_xstrdup(full);

	*strrchr(dir, '/') = '\0';
	fstree_mkdirs(dir);
	if (kind == 'p' ? mkfifo(full, 0644) : kind == 'd' ? mkdir(full, 0755) : symlink(target, full))
		printf("# cannot make %s\n", full);
	free(dir);
	free(full);
}

static void build_tree(void)
{
	char *big, *out, *abs_target;
	size_t i;

	procfs = cw_xasprintf("%s/proc", tmp);
	/* What an escape from a pod's root would read. */
	out = cw_xasprintf("%s/resolv-out", tmp);
	fstree_write(out, "nameserver 6.6.6.6\n");

	/* 100: a well-formed pod process. */
	put(100, "root/etc/resolv.conf", "search ns1.svc.cluster.local svc.cluster.local cluster.local\n"
				     "nameserver 10.96.0.10\noptions ndots:5\n");
	put_bytes(100, "environ", "HOSTNAME=web-0\0GODEBUG=netdns=go\0", 33);
	put(100, "limits", "Limit                     Soft Limit           Hard Limit           Units\n"
		       "Max open files            65536                65536                files\n");
	for (i = 0; i < 5; i++) {
		char name[32];

		snprintf(name, sizeof(name), "fd/%zu", i);
		put(100, name, "");
	}

	/* 101: resolv.conf links out of the root, relative and absolute; the
	 * root itself is a link to a directory, as /proc/<pid>/root is. */
	put(101, "realroot/resolv-out", "nameserver 10.0.0.1\n");
	put(101, "realroot/etc/hosts", "");
	mk(101, "realroot/etc/resolv.conf", 'l', "../../../../resolv-out");
	abs_target = cw_xasprintf("%s/resolv-out", tmp);
	mk(101, "root", 'l', "realroot");
	/* 106: an absolute link to the host's path of the file outside. */
	mk(106, "root/etc/resolv.conf", 'l', abs_target);
	free(abs_target);

	/* 102: FIFOs everywhere a file is read, and as fd/. */
	mk(102, "root/etc", 'd', NULL);
	mk(102, "root/etc/resolv.conf", 'p', NULL);
	mk(102, "environ", 'p', NULL);
	mk(102, "limits", 'p', NULL);
	mk(102, "fd", 'p', NULL);

	/* 103: huge files. */
	big = cw_xmalloc(CW_PODFILES_ENV_MAX + 4096);
	memset(big, '#', CW_PODFILES_MAX + 10);
	mk(103, "root/etc", 'd', NULL);
	put_bytes(103, "root/etc/resolv.conf", big, CW_PODFILES_MAX + 10);
	memcpy(big, "GODEBUG=netdns=cgo", 19);
	memset(big + 19, 'A', CW_PODFILES_ENV_MAX + 4096 - 19 - 16);
	memcpy(big + CW_PODFILES_ENV_MAX + 4096 - 16, "\0LOCALDOMAIN=x\0", 16);
	put_bytes(103, "environ", big, CW_PODFILES_ENV_MAX + 4096);
	memset(big, ' ', CW_PODFILES_MAX + 10);
	memcpy(big, "Max open files 1 2\n", 19);
	put_bytes(103, "limits", big, CW_PODFILES_MAX + 10);
	free(big);

	/* 104: binary junk. */
	mk(104, "root/etc", 'd', NULL);
	put_bytes(104, "root/etc/resolv.conf", "\x7f" "ELF\0\0\x01\x02\nnameserver\0 1.2.3.4\n\xff\xfe", 28);
	put_bytes(104, "limits", "\0\0\0\x01", 4);
	put_bytes(104, "environ", "\0\0\0", 3);
	mk(104, "fd", 'd', NULL);

	/* 105: nothing there but an empty root; environ is a symlink, and
	 * resolv.conf a directory. */
	mk(105, "root/etc/resolv.conf", 'd', NULL);
	put(105, "real-environ", "GODEBUG=netdns=go");
	mk(105, "environ", 'l', "real-environ");
	free(out);
}

static void test_read_pod(void)
{
	struct cw_podenv e;
	struct cw_nofile n;
	size_t count;
	bool capped;
	char *cause = NULL;

	is_int(cw_podfiles_read_environ(procfs, 100, &e, &cause), 0, "100: environ reads");
	is_str(e.netdns, "go", "100: netdns=go");
	is_int(cw_podfiles_read_limits(procfs, 100, &n, &cause), 0, "100: limits read");
	is_int(n.soft, 65536, "100: soft limit");
	is_int(cw_podfiles_count_fds(procfs, 100, 1000, &count, &capped, &cause), 0, "100: fds counted");
	is_int(count, 5, "100: five fds");
	ok(!capped, "100: under the cap");
	is_int(cw_podfiles_count_fds(procfs, 100, 3, &count, &capped, &cause), 0, "100: capped count");
	ok(count == 3 && capped, "100: counting stops at the cap and says so (%zu)", count);
	ok(cause == NULL, "no cause when all went well");

	is_int(cw_podfiles_read_environ(procfs, 102, &e, &cause), -EINVAL, "102: a FIFO environ is refused");
	ok(cause && strstr(cause, "environ") && strstr(cause, "not a regular file"),
	   "102: the cause says so: %s", cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	is_int(cw_podfiles_read_limits(procfs, 102, &n, NULL), -EINVAL, "102: a FIFO limits is refused");
	is_int(cw_podfiles_count_fds(procfs, 102, 10, &count, &capped, &cause), -ENOTDIR,
	       "102: a FIFO fd/ is refused");
	ok(cause && strstr(cause, "not a directory"), "102: cause: %s", cause ? cause : "(none)");
	free(cause);
	cause = NULL;

	is_int(cw_podfiles_read_environ(procfs, 103, &e, NULL), 0, "103: a huge environ reads its start");
	ok(e.truncated, "103: truncated is reported");
	is_str(e.netdns, "cgo", "103: GODEBUG at the start is found");
	ok(!e.has_localdomain, "103: what is past the bound is not read");
	is_int(cw_podfiles_read_limits(procfs, 103, &n, &cause), -EFBIG, "103: huge limits: -EFBIG");
	ok(cause && strstr(cause, "too large"), "103: cause: %s", cause ? cause : "(none)");
	free(cause);
	cause = NULL;

	is_int(cw_podfiles_read_environ(procfs, 104, &e, NULL), 0, "104: a junk environ reads");
	ok(!e.has_netdns && !e.has_res_options, "104: and gives nothing");
	is_int(cw_podfiles_read_limits(procfs, 104, &n, &cause), -ENOENT, "104: junk limits: -ENOENT");
	free(cause);
	cause = NULL;
	is_int(cw_podfiles_count_fds(procfs, 104, 10, &count, &capped, NULL), 0, "104: empty fd/");
	is_int(count, 0, "104: no fds");

	is_int(cw_podfiles_read_environ(procfs, 105, &e, &cause), -ELOOP, "105: a symlinked environ is refused");
	free(cause);
	cause = NULL;
	is_int(cw_podfiles_read_limits(procfs, 105, &n, &cause), -ENOENT, "105: missing limits");
	ok(cause && strstr(cause, "pid 105: limits"), "105: cause names the pid and file: %s",
	   cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	is_int(cw_podfiles_read_limits(procfs, 999, &n, &cause), -ENOENT, "999: no such pid");
	ok(cause && strstr(cause, "no such process"), "999: cause: %s", cause ? cause : "(none)");
	free(cause);
	cause = NULL;
}

/* The reads inside a pod's root, once per resolution method. */
static void test_read_resolv(const char *how)
{
	struct cw_resolv r;
	char *cause = NULL;

	is_int(cw_podfiles_read_resolv(procfs, 100, &r, &cause), 0, "%s: 100: resolv.conf reads", how);
	is_int(r.ndots, 5, "%s: 100: ndots:5", how);
	is_int(r.nsearch, 3, "%s: 100: three search domains", how);
	is_str(r.nns ? ns_str(&r, 0) : "", "10.96.0.10", "%s: 100: nameserver", how);

	is_int(cw_podfiles_read_resolv(procfs, 101, &r, &cause), 0,
	       "%s: 101: a link climbing out of the root resolves inside it", how);
	is_str(r.nns ? ns_str(&r, 0) : "", "10.0.0.1", "%s: 101: the pod's file, not the host's", how);
	free(cause);
	cause = NULL;

	is_int(cw_podfiles_read_resolv(procfs, 106, &r, &cause), -ENOENT,
	       "%s: 106: an absolute link to a host path resolves inside the root", how);
	free(cause);
	cause = NULL;
	is_int(cw_podfiles_read_resolv(procfs, 101, &r, NULL), 0, "%s: 101 again, without a cause", how);

	is_int(cw_podfiles_read_resolv(procfs, 102, &r, &cause), -EINVAL,
	       "%s: 102: a FIFO resolv.conf is refused, without hanging", how);
	ok(cause && strstr(cause, "/etc/resolv.conf: not a regular file"), "%s: 102: cause: %s", how,
	   cause ? cause : "(none)");
	free(cause);
	cause = NULL;

	is_int(cw_podfiles_read_resolv(procfs, 103, &r, &cause), -EFBIG, "%s: 103: huge: -EFBIG", how);
	ok(cause && strstr(cause, "64 KiB"), "%s: 103: cause: %s", how, cause ? cause : "(none)");
	free(cause);
	cause = NULL;

	is_int(cw_podfiles_read_resolv(procfs, 104, &r, &cause), 0, "%s: 104: binary junk reads", how);
	ok(r.nns == 0 && r.junk == 2, "%s: 104: no nameserver, two junk lines (%zu, %zu)", how, r.nns,
	   r.junk);

	is_int(cw_podfiles_read_resolv(procfs, 105, &r, &cause), -EISDIR, "%s: 105: a directory", how);
	free(cause);
	cause = NULL;
	is_int(cw_podfiles_read_resolv(procfs, 999, &r, &cause), -ENOENT, "%s: 999: no such pid", how);
	ok(cause && strstr(cause, "cannot open its root"), "%s: 999: cause: %s", how,
	   cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	ok(r.nns == 0 && r.ndots == -1, "%s: a failed read leaves an empty result", how);
}

/* Real processes under the real /proc (root): one chrooted into a tree
 * whose resolv.conf links out of it, which opens 10 more descriptors on
 * request; one exec'd with a resolver environment, whose open-file limit
 * the test lowers. Children only use what the fork gave them (they run
 * under valgrind too, which keeps descriptors of its own in them and
 * fakes RLIMIT_NOFILE for the process it runs). */
static void test_real_proc(const char *how)
{
	static char chroot_dir[256];
	char *p;
	struct cw_resolv r;
	struct cw_podenv e;
	struct cw_nofile n;
	struct rlimit rl = {.rlim_cur = 777, .rlim_max = 888};
	size_t before = 0, after = 0;
	bool capped;
	pid_t a, b;
	int up[2], down[2], i;
	char c = 0;

	if (geteuid() != 0) {
		const char *ci = getenv("CI");

		if (ci && strcmp(ci, "true") == 0) {
			printf("Bail out! the /proc part needs root, and CI=true forbids skipping\n");
			exit(1);
		}
		printf("ok %d # SKIP the /proc part needs root\n", ++tap_n);
		return;
	}
	snprintf(chroot_dir, sizeof(chroot_dir), "%s/chroot", tmp);
	p = cw_xasprintf("%s/etc", chroot_dir);
	fstree_mkdirs(p);
	free(p);
	p = cw_xasprintf("%s/resolv-out", chroot_dir);
	fstree_write(p, "nameserver 10.0.0.7\noptions ndots:3\n");
	free(p);
	p = cw_xasprintf("%s/etc/resolv.conf", chroot_dir);
	if (symlink("../../resolv-out", p) != 0 && errno != EEXIST)
		printf("# cannot link %s\n", p);
	free(p);

	if (pipe(up) != 0 || pipe(down) != 0) {
		printf("Bail out! pipe\n");
		exit(1);
	}
	fflush(stdout);
	a = fork();
	if (a == 0) {
		close(up[0]);
		close(down[1]);
		if (chroot(chroot_dir) != 0 || chdir("/") != 0 || write(up[1], "x", 1) != 1)
			_exit(1);
		/* On the parent's word, 10 more descriptors. */
		if (read(down[0], &c, 1) != 1)
			_exit(1);
		for (i = 0; i < 10; i++)
			if (dup(up[1]) < 0)
				_exit(1);
		if (write(up[1], "y", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	ok(a > 0 && read(up[0], &c, 1) == 1 && c == 'x', "%s: a chrooted process is ready", how);
	b = fork();
	if (b == 0) {
		char *argv[] = {"sleep", "60", NULL};
		char *envp[] = {"PATH=/bin", "GODEBUG=x=1,netdns=cgo+2", "LOCALDOMAIN=corp.example", NULL};

		execve("/bin/sleep", argv, envp);
		_exit(127);
	}
	/* Until the exec, the child's environ is ours. */
	for (i = 0; i < 200; i++) {
		if (cw_podfiles_read_environ("/proc", b, &e, NULL) == 0 && e.has_netdns)
			break;
		usleep(10000);
	}

	is_int(cw_podfiles_read_resolv("/proc", a, &r, NULL), 0, "%s: /proc: the chrooted process's resolv.conf", how);
	is_str(r.nns ? ns_str(&r, 0) : "", "10.0.0.7", "%s: /proc: its link resolves inside its root", how);
	is_int(r.ndots, 3, "%s: /proc: ndots:3", how);

	is_int(cw_podfiles_count_fds("/proc", a, 1000, &before, &capped, NULL), 0, "%s: /proc: fds", how);
	ok(write(down[1], "d", 1) == 1 && read(up[0], &c, 1) == 1 && c == 'y', "%s: it opened 10 more", how);
	is_int(cw_podfiles_count_fds("/proc", a, 1000, &after, &capped, NULL), 0, "%s: /proc: fds again", how);
	is_int(after - before, 10, "%s: /proc: the fd count follows (%zu, then %zu)", how, before, after);
	is_int(cw_podfiles_count_fds("/proc", a, before, &after, &capped, NULL), 0, "%s: /proc: fds, capped", how);
	ok(capped && after == before, "%s: /proc: capped at the cap", how);

	ok(b > 0 && prlimit(b, RLIMIT_NOFILE, &rl, NULL) == 0, "%s: lowered its RLIMIT_NOFILE", how);
	is_int(cw_podfiles_read_limits("/proc", b, &n, NULL), 0, "%s: /proc: limits", how);
	ok(n.soft == 777 && n.hard == 888, "%s: /proc: the process's own RLIMIT_NOFILE (%llu/%llu)", how,
	   (unsigned long long)n.soft, (unsigned long long)n.hard);
	is_int(cw_podfiles_read_environ("/proc", b, &e, NULL), 0, "%s: /proc: environ", how);
	is_str(e.netdns, "cgo+2", "%s: /proc: GODEBUG netdns", how);
	is_str(e.localdomain, "corp.example", "%s: /proc: LOCALDOMAIN", how);

	close(up[0]);
	close(down[1]);
	if (a > 0) {
		kill(a, SIGKILL);
		waitpid(a, NULL, 0);
	}
	if (b > 0) {
		kill(b, SIGKILL);
		waitpid(b, NULL, 0);
	}
}

int main(void)
{
	test_resolv_k8s();
	test_resolv_rules();
	test_resolv_bounds();
	test_environ();
	test_limits();
	test_summary();

	if (!mkdtemp(tmp)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	fstree_guard(tmp, "a read of a FIFO");
	alarm(20);
	build_tree();
	test_read_pod();
	unsetenv("CW_ROOT_NO_OPENAT2");
	test_read_resolv("openat2");
	setenv("CW_ROOT_NO_OPENAT2", "1", 1);
	test_read_resolv("fallback");
	test_real_proc("fallback");
	unsetenv("CW_ROOT_NO_OPENAT2");
	test_real_proc("openat2");
	alarm(0);
	nftw(tmp, fstree_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(procfs);
	return tap_done();
}
