/* test_node: the node and sysctl parsers, and reading them from a fake
 * /proc tree: kept descriptors re-read with pread, absent files unknown,
 * FIFOs refused without blocking. */
#include "config.h"
#include "node.h"
#include "fstree.h"
#include "tap.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Two CPUs' lines as 6.x prints them: "entries" repeats the namespace's
 * total on each. */
#define CT_HEAD "entries  clashres found new invalid ignore delete chainlength insert " \
	"insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart\n"
#define CT_LINE(e) e "  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 " \
	"00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000001\n"

static void test_parsers(void)
{
	int64_t v = 7, lo = 7, hi = 7;

	ok(cw_node_parse_file_nr("1632\t0\t9223372036854775807\n", &v), "file-nr parses");
	is_int(v, 1632, "file-nr: the first field, allocated handles");
	ok(!cw_node_parse_file_nr("1632\t0\n", &v), "file-nr with two fields is refused");
	ok(!cw_node_parse_file_nr("1632 0 12 x\n", &v), "file-nr with junk after is refused");
	ok(cw_node_parse_int("9223372036854775807\n", &v), "file-max of 2^63-1 parses");
	ok(v == INT64_MAX, "file-max: INT64_MAX");
	ok(!cw_node_parse_int("9223372036854775808\n", &v), "past INT64_MAX is refused");
	ok(!cw_node_parse_int("-1\n", &v), "a negative value is refused");
	ok(!cw_node_parse_int("", &v), "empty is refused");
	ok(!cw_node_parse_int("60\n60\n", &v), "two lines are refused");
	ok(cw_node_parse_int("60", &v) && v == 60, "no newline is fine");
	ok(cw_node_parse_range("32768\t60999\n", &lo, &hi), "ip_local_port_range parses");
	is_int(lo, 32768, "range: lo");
	is_int(hi, 60999, "range: hi");
	ok(!cw_node_parse_range("32768\n", &lo, &hi), "a range of one number is refused");
	ok(!cw_node_parse_range("1 70000\n", &lo, &hi), "a port past 65535 is refused");
	v = -1;
	ok(cw_node_parse_ctstat(CT_HEAD CT_LINE("0000012c") CT_LINE("0000012c"), &v),
	   "stat/nf_conntrack parses");
	is_int(v, 300, "stat/nf_conntrack: entries is hex (0x12c = 300)");
	ok(cw_node_parse_ctstat(CT_HEAD "0000ABCD  0\n", &v) && v == 0xabcd, "upper-case hex too");
	ok(!cw_node_parse_ctstat(CT_HEAD, &v), "a header alone is refused");
	ok(!cw_node_parse_ctstat("bogus\n0000012c 0\n", &v), "another header is refused");
	ok(!cw_node_parse_ctstat(CT_HEAD "0000012g 0\n", &v), "a non-hex digit is refused");
	ok(!cw_node_parse_ctstat(CT_HEAD "1234567890abcdef0 0\n", &v), "16+ hex digits are refused");
	ok(!cw_node_parse_ctstat(CT_HEAD "fffffffffffffff0 0\n", &v),
	   "16 hex digits are refused (16 could overflow)");
}

static char *fixture(const char *name)
{
	const char *top = getenv("top_srcdir");
	char *path = cw_xasprintf("%s/tests/fixtures/proc/node/%s", top && *top ? top : ".", name);
	char *text = NULL;

	if (cw_read_file(path, 1 << 16, &text, NULL) < 0) {
		printf("# cannot read %s\n", path);
		text = cw_xstrdup("");
	}
	free(path);
	return text;
}

/* The files as a real kernel printed them (tests/fixtures/proc/node). */
static void test_fixtures(void)
{
	char *t;
	int64_t v = -1, lo = -1, hi = -1;

	t = fixture("file-nr");
	ok(cw_node_parse_file_nr(t, &v) && v == 1328, "fixture file-nr: 1328 allocated");
	free(t);
	t = fixture("file-max");
	ok(cw_node_parse_int(t, &v) && v == 2466170, "fixture file-max: 2466170");
	free(t);
	t = fixture("tcp_fin_timeout");
	ok(cw_node_parse_int(t, &v) && v == 60, "fixture tcp_fin_timeout: 60");
	free(t);
	t = fixture("ip_local_port_range");
	ok(cw_node_parse_range(t, &lo, &hi) && lo == 32768 && hi == 60999,
	   "fixture ip_local_port_range: 32768-60999 (a tab between)");
	free(t);
	t = fixture("nf_conntrack");
	ok(cw_node_parse_ctstat(t, &v) && v == 3, "fixture stat/nf_conntrack: 3 entries");
	free(t);
	/* A fuzzer's find: 22 hex digits overflowed the entries (UBSan). */
	{
		const char *top = getenv("top_srcdir");
		char *path = cw_xasprintf("%s/tests/fuzz/crashes/nscount/ctstat-16-hex-digits",
					  top && *top ? top : ".");

		t = NULL;
		ok(cw_read_file(path, 1 << 16, &t, NULL) == 0, "crashes/nscount/ctstat-16-hex-digits reads");
		ok(t && !cw_node_parse_ctstat(t, &v), "... and is refused, without overflow");
		free(t);
		free(path);
	}
}

static char *mk(const char *root, const char *rel, const char *text)
{
	char *path = cw_xasprintf("%s/%s", root, rel), *dir = cw_xstrdup(path);

	*strrchr(dir, '/') = '\0';
	fstree_mkdirs(dir);
	free(dir);
	if (text)
		fstree_write(path, text);
	return path;
}

static void put(const char *root, const char *rel, const char *text)
{
	free(mk(root, rel, text));
}

static void test_tree(const char *root)
{
	struct cw_node_files nf;
	struct cw_sysctl_fds sf;
	struct cw_sysctls s;
	struct cw_node n;
	char *procsys = cw_xasprintf("%s/sys", root), *netdir = cw_xasprintf("%s/42/net", root);
	int fd;

	/* Nothing there yet: all unknown, not valid. */
	cw_node_files_init(&nf);
	cw_node_files_open(&nf, root);
	cw_node_files_read(&nf, &n);
	ok(!n.valid, "an empty tree: node not valid");
	is_int(n.file_nr, -1, "an empty tree: file-nr unknown");
	ok(cw_sysctl_read_once(procsys, &s) == -ENOENT, "an empty tree: no sysctls (-ENOENT)");
	is_int(s.tcp_fin_timeout, -1, "an empty tree: tcp_fin_timeout unknown");

	put(root, "sys/fs/file-nr", "1632\t0\t9223372036854775807\n");
	put(root, "sys/fs/file-max", "9223372036854775807\n");
	put(root, "sys/net/ipv4/tcp_tw_reuse", "2\n");
	put(root, "sys/net/ipv4/tcp_fin_timeout", "30\n");
	put(root, "sys/net/ipv4/tcp_max_tw_buckets", "262144\n");
	put(root, "sys/net/ipv4/ip_local_port_range", "20000\t30000\n");
	put(root, "sys/net/core/somaxconn", "4096\n");
	/* no tcp_child_ehash_entries (before 6.1), no conntrack module */
	cw_node_files_open(&nf, root);
	cw_node_files_read(&nf, &n);
	ok(n.valid, "node valid once its files exist (opened again)");
	is_int(n.file_nr, 1632, "node file-nr");
	ok(n.file_max == INT64_MAX, "node file-max");
	is_int(n.conntrack_max, -1, "no conntrack module: nf_conntrack_max unknown");
	is_int(n.sysctl.tcp_fin_timeout, -1, "host sysctls unknown until opened inside");

	ok(cw_sysctl_open(&sf, procsys) == 5, "5 of 7 sysctls open");
	nf.host = sf;
	cw_node_files_read(&nf, &n);
	is_int(n.sysctl.tcp_tw_reuse, 2, "host tcp_tw_reuse");
	is_int(n.sysctl.tcp_fin_timeout, 30, "host tcp_fin_timeout");
	is_int(n.sysctl.tcp_max_tw_buckets, 262144, "host tcp_max_tw_buckets");
	is_int(n.sysctl.port_lo, 20000, "host port_lo");
	is_int(n.sysctl.port_hi, 30000, "host port_hi");
	is_int(n.sysctl.somaxconn, 4096, "host somaxconn");
	is_int(n.sysctl.tcp_child_ehash_entries, -1, "absent tcp_child_ehash_entries: -1");
	is_int(n.sysctl.conntrack_count, -1, "absent nf_conntrack_count: -1");

	/* Kept descriptors see new values (pread from 0), as /proc files do. */
	put(root, "sys/fs/file-nr", "99999\t0\t9223372036854775807\n");
	put(root, "sys/net/ipv4/tcp_fin_timeout", "15\n");
	cw_node_files_read(&nf, &n);
	is_int(n.file_nr, 99999, "file-nr re-read through the kept descriptor");
	is_int(n.sysctl.tcp_fin_timeout, 15, "tcp_fin_timeout re-read through the kept descriptor");

	/* A value that does not parse is unknown, the rest still read. */
	put(root, "sys/net/core/somaxconn", "lots\n");
	cw_node_files_read(&nf, &n);
	is_int(n.sysctl.somaxconn, -1, "junk somaxconn: unknown");
	is_int(n.sysctl.tcp_tw_reuse, 2, "... the others still read");

	put(root, "sys/net/netfilter/nf_conntrack_count", "300\n");
	put(root, "sys/net/ipv4/tcp_child_ehash_entries", "4096\n");
	ok(cw_sysctl_read_once(procsys, &s) == 0, "read once");
	is_int(s.conntrack_count, 300, "read once: nf_conntrack_count");
	is_int(s.tcp_child_ehash_entries, 4096, "read once: tcp_child_ehash_entries");
	is_int(s.port_hi, 30000, "read once: port_hi");
	cw_node_files_close(&nf);
	is_int(nf.host.fd[0], -1, "closing the node closes the host's sysctls");

	/* stat/nf_conntrack of a namespace. */
	fd = cw_ctstat_open(netdir);
	is_int(fd, -ENOENT, "no conntrack module: stat/nf_conntrack absent (-ENOENT)");
	is_int(cw_ctstat_read(-1), -1, "no descriptor: -1");
	put(root, "42/net/stat/nf_conntrack", CT_HEAD CT_LINE("00000007") CT_LINE("00000007"));
	fd = cw_ctstat_open(netdir);
	ok(fd >= 0, "stat/nf_conntrack opens");
	is_int(cw_ctstat_read(fd), 7, "conntrack entries 7");
	put(root, "42/net/stat/nf_conntrack", CT_HEAD CT_LINE("00000100"));
	is_int(cw_ctstat_read(fd), 256, "re-read: 256");
	close(fd);

	/* A FIFO planted where a file is expected: refused at once. */
	{
		char *fifo = mk(root, "sys/net/ipv4/tcp_max_tw_buckets", NULL);

		unlink(fifo);
		ok(mkfifo(fifo, 0600) == 0, "a FIFO as tcp_max_tw_buckets");
		alarm(5);
		ok(cw_sysctl_read_once(procsys, &s) == 0, "read once past a FIFO");
		alarm(0);
		is_int(s.tcp_max_tw_buckets, -1, "the FIFO is unknown");
		is_int(s.tcp_fin_timeout, 15, "the rest read");
		free(fifo);
		fifo = mk(root, "42/net/stat/nf_conntrack", NULL);
		unlink(fifo);
		ok(mkfifo(fifo, 0600) == 0, "a FIFO as stat/nf_conntrack");
		alarm(5);
		is_int(cw_ctstat_open(netdir), -EINVAL, "a FIFO conntrack file is refused (-EINVAL)");
		alarm(0);
		free(fifo);
	}
	free(procsys);
	free(netdir);
}

int main(void)
{
	char tmpl[] = "/tmp/cwt-node.XXXXXX";
	char *root = mkdtemp(tmpl);

	test_parsers();
	test_fixtures();
	if (!root) {
		ok(false, "mkdtemp");
		return tap_done();
	}
	fstree_guard(root, "opening a FIFO");
	test_tree(root);
	nftw(root, fstree_rm, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
