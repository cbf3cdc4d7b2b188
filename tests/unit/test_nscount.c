/* test_nscount: the /proc/net counter parsers, over files copied from a
 * real machine (tests/fixtures/proc) and inline variants. */
#include "config.h"
#include "nscount.h"
#include "fstree.h"
#include "tap.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s && *s ? s : ".";
}

static char *proc_fixture(const char *dir, const char *name)
{
	char *path = cw_xasprintf("%s/tests/fixtures/proc/%s/%s", srcdir(), dir, name), *text = NULL;

	if (cw_read_file(path, 1 << 20, &text, NULL) < 0) {
		printf("# cannot read %s\n", path);
		text = cw_xstrdup("");
	}
	free(path);
	return text;
}

/* The fixture namespace of make-fixtures.sh: 17 sockets (legacy.txt):
 * 8 IPv4 and 6 IPv6 in use, 2 in TIME_WAIT (TIME_WAIT + the timewait
 * FIN_WAIT2), 1 request socket (counted nowhere); 8 ESTABLISHED + 1
 * CLOSE_WAIT = CurrEstab 9. */
static void test_fixture_netns(void)
{
	struct cw_counters c;
	char *t;

	memset(&c, 0, sizeof(c));
	t = proc_fixture("netns", "sockstat");
	ok(cw_nscount_parse_sockstat(t, &c), "netns sockstat parses");
	is_int(c.inuse, 8, "netns sockstat: TCP inuse 8");
	is_int(c.tw, 2, "netns sockstat: tw 2");
	free(t);
	t = proc_fixture("netns", "sockstat6");
	ok(cw_nscount_parse_sockstat6(t, &c), "netns sockstat6 parses");
	is_int(c.inuse, 14, "netns: inuse adds TCP6 inuse 6");
	free(t);
	t = proc_fixture("netns", "snmp");
	ok(cw_nscount_parse_snmp(t, &c), "netns snmp parses (MaxConn is -1 in it)");
	is_int(c.curr_estab, 9, "netns snmp: CurrEstab");
	is_int(c.active_opens, 7, "netns snmp: ActiveOpens");
	is_int(c.passive_opens, 6, "netns snmp: PassiveOpens");
	is_int(c.attempt_fails, 0, "netns snmp: AttemptFails");
	is_int(c.estab_resets, 0, "netns snmp: EstabResets");
	is_int(c.in_errs, 0, "netns snmp: InErrs");
	is_int(c.out_rsts, 0, "netns snmp: OutRsts");
	{
		uint64_t v = 0;

		ok(cw_nscount_table_get(t, "Tcp:", "InSegs", &v) && v == 25, "netns snmp: InSegs 25");
		ok(cw_nscount_table_get(t, "Tcp:", "RtoMax", &v) && v == 120000, "netns snmp: RtoMax");
		ok(cw_nscount_table_get(t, "Ip:", "DefaultTTL", &v) && v == 64, "netns snmp: Ip DefaultTTL");
		ok(cw_nscount_table_get(t, "Tcp:", "InCsumErrors", &v) && v == 0,
		   "netns snmp: last key of the line");
		ok(!cw_nscount_table_get(t, "Tcp:", "MaxConn", &v), "MaxConn -1 is not a u64");
		ok(!cw_nscount_table_get(t, "Tcp:", "NoSuchKey", &v), "missing key");
		ok(!cw_nscount_table_get(t, "Sctp:", "CurrEstab", &v), "missing table");
	}
	free(t);
	t = proc_fixture("netns", "netstat");
	c.listen_overflows = c.listen_drops = 77;
	ok(cw_nscount_parse_netstat(t, &c), "netns netstat parses");
	is_int(c.listen_overflows, 0, "netns netstat: ListenOverflows");
	is_int(c.listen_drops, 0, "netns netstat: ListenDrops");
	{
		uint64_t v = 0;

		ok(cw_nscount_table_get(t, "TcpExt:", "TW", &v) && v == 2, "netns netstat: TcpExt TW 2");
		ok(cw_nscount_table_get(t, "TcpExt:", "DelayedACKs", &v) && v == 2,
		   "netns netstat: DelayedACKs 2");
		ok(cw_nscount_table_get(t, "IpExt:", "InOctets", &v) && v == 1212,
		   "netns netstat: IpExt InOctets (second table)");
		ok(cw_nscount_table_get(t, "MPTcpExt:", "WinProbe", &v) && v == 0,
		   "netns netstat: last key of MPTcpExt");
	}
	free(t);
}

static void test_fixture_host(void)
{
	struct cw_counters c;
	char *t;

	memset(&c, 0, sizeof(c));
	t = proc_fixture("host", "sockstat");
	ok(cw_nscount_parse_sockstat(t, &c) && c.inuse == 1 && c.tw == 0, "host sockstat: inuse 1, tw 0");
	free(t);
	t = proc_fixture("host", "sockstat6");
	ok(cw_nscount_parse_sockstat6(t, &c) && c.inuse == 1, "host sockstat6: TCP6 inuse 0");
	free(t);
	t = proc_fixture("host", "snmp");
	ok(cw_nscount_parse_snmp(t, &c), "host snmp parses");
	is_int(c.active_opens, 48, "host snmp: ActiveOpens");
	is_int(c.passive_opens, 6, "host snmp: PassiveOpens");
	is_int(c.out_rsts, 62, "host snmp: OutRsts");
	is_int(c.curr_estab, 0, "host snmp: CurrEstab");
	free(t);
	t = proc_fixture("host", "netstat");
	ok(cw_nscount_parse_netstat(t, &c), "host netstat parses");
	free(t);
}

static const char sockstat[] =
	"sockets: used 290\n"
	"TCP: inuse 27 orphan 1 tw 153 alloc 31 mem 4\n"
	"UDP: inuse 9 mem 2\n"
	"UDPLITE: inuse 0\n"
	"RAW: inuse 0\n"
	"FRAG: inuse 0 memory 0\n";

static const char snmp[] =
	"Ip: Forwarding DefaultTTL InReceives\n"
	"Ip: 1 64 123\n"
	"Icmp: InMsgs InErrors\n"
	"Icmp: 4 0\n"
	"IcmpMsg: InType3 OutType3\n"
	"IcmpMsg: 4 4\n"
	"Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
	"Tcp: 1 200 120000 -1 1001 2002 33 44 55 66 77 88 9 1010 0\n"
	"Udp: InDatagrams NoPorts\n"
	"Udp: 1 2\n";

static const char netstat[] =
	"TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops TCPHPHits\n"
	"TcpExt: 0 0 12 13 999\n"
	"IpExt: InNoRoutes InTruncatedPkts\n"
	"IpExt: 0 0\n";

static void test_inline(void)
{
	struct cw_counters c;
	uint64_t v;

	memset(&c, 0, sizeof(c));
	ok(cw_nscount_parse_sockstat(sockstat, &c), "sockstat");
	is_int(c.inuse, 27, "inuse");
	is_int(c.tw, 153, "tw");
	ok(cw_nscount_parse_sockstat6("TCP6: inuse 4\nUDP6: inuse 1\n", &c), "sockstat6");
	is_int(c.inuse, 31, "inuse = TCP + TCP6");
	ok(cw_nscount_parse_snmp(snmp, &c), "snmp with IcmpMsg and MaxConn -1");
	is_int(c.active_opens, 1001, "ActiveOpens");
	is_int(c.passive_opens, 2002, "PassiveOpens");
	is_int(c.attempt_fails, 33, "AttemptFails");
	is_int(c.estab_resets, 44, "EstabResets");
	is_int(c.curr_estab, 55, "CurrEstab");
	is_int(c.in_errs, 9, "InErrs");
	is_int(c.out_rsts, 1010, "OutRsts");
	ok(cw_nscount_parse_netstat(netstat, &c), "netstat");
	is_int(c.listen_overflows, 12, "ListenOverflows");
	is_int(c.listen_drops, 13, "ListenDrops");

	/* sockstat variants */
	memset(&c, 0, sizeof(c));
	ok(!cw_nscount_parse_sockstat("TCP: inuse 5 orphan 0 alloc 7 mem 1\n", &c), "sockstat without tw");
	ok(!cw_nscount_parse_sockstat("TCP: orphan 0 tw 3\n", &c), "sockstat without inuse");
	ok(!cw_nscount_parse_sockstat("UDP: inuse 5\n", &c), "sockstat without a TCP line");
	ok(!cw_nscount_parse_sockstat("", &c), "empty sockstat");
	ok(!cw_nscount_parse_sockstat("TCP: inuse x tw 3\n", &c), "sockstat junk value");
	ok(!cw_nscount_parse_sockstat("TCP: inuse 5 tw\n", &c), "sockstat key without a value at the end");
	ok(!cw_nscount_parse_sockstat("TCP: inuse 99999999999999999999 tw 1\n", &c),
	   "sockstat overflowing value");
	ok(!cw_nscount_parse_sockstat("TCP6: inuse 5 tw 1\n", &c), "TCP6 line is not the TCP line");
	is_int(c.inuse, 0, "failed parses leave inuse alone");
	ok(cw_nscount_parse_sockstat("TCP: inuse 5 orphan 0 tw 3", &c) && c.inuse == 5 && c.tw == 3,
	   "sockstat without a final newline");
	memset(&c, 0, sizeof(c));
	ok(cw_nscount_parse_sockstat("TCP: xinuse 1 inuse 2 tw 3\n", &c) && c.inuse == 2,
	   "key matched as a whole word");
	ok(!cw_nscount_parse_sockstat6("TCP: inuse 5\n", &c), "sockstat6 without a TCP6 line");
	ok(!cw_nscount_parse_sockstat6("", &c), "empty sockstat6");

	/* snmp variants */
	ok(!cw_nscount_parse_snmp("Tcp: ActiveOpens\nTcp: 5\n", &c), "snmp missing keys");
	ok(!cw_nscount_parse_snmp("Tcp: RtoAlgorithm CurrEstab\n", &c), "snmp header without values");
	ok(!cw_nscount_parse_snmp("Tcp: CurrEstab ActiveOpens\nUdp: 1 2\n", &c),
	   "snmp header followed by another table");
	ok(!cw_nscount_parse_snmp("", &c), "empty snmp");
	ok(!cw_nscount_parse_snmp("garbage\n\n\n", &c), "junk snmp");
	ok(!cw_nscount_table_get("Tcp: A B C\nTcp: 1 2\n", "Tcp:", "C", &v), "more keys than values");
	ok(cw_nscount_table_get("Tcp: A B C\nTcp: 1 2\n", "Tcp:", "B", &v) && v == 2,
	   "keys before the shortfall still read");
	ok(cw_nscount_table_get("Tcp: A B\nTcp: 1 2", "Tcp:", "B", &v) && v == 2,
	   "value line without a final newline");
	ok(!cw_nscount_table_get("Tcp: A B\n", "Tcp:", "A", &v), "header as the last line");
	ok(!cw_nscount_table_get("Tcp: A B", "Tcp:", "A", &v), "header without a newline");
	ok(!cw_nscount_table_get("Tcp: A B\nTcp: 1 x\n", "Tcp:", "B", &v), "junk value");
	ok(!cw_nscount_table_get("Tcp: A B\nTcp: 1 -1\n", "Tcp:", "B", &v), "negative value");
	ok(!cw_nscount_table_get("Tcp: A\nTcp: 123456789012345678901234567890123\n", "Tcp:", "A", &v),
	   "33-digit value");
	ok(!cw_nscount_table_get("Tcp: A\nTcp: 18446744073709551616\n", "Tcp:", "A", &v),
	   "value past u64");
	ok(cw_nscount_table_get("Tcp: A\nTcp: 18446744073709551615\n", "Tcp:", "A", &v) &&
	   v == UINT64_MAX, "u64 max");
	ok(!cw_nscount_table_get("TcpExt: A\nTcpExt: 5\n", "Tcp:", "A", &v), "Tcp: does not match TcpExt:");
	ok(cw_nscount_table_get("Tcp:  A   B\nTcp:  1   2\n", "Tcp:", "B", &v) && v == 2,
	   "several spaces between tokens");
	ok(!cw_nscount_table_get("Tcp: AB\nTcp: 1\n", "Tcp:", "A", &v), "key is a whole token");

	/* netstat variants */
	ok(!cw_nscount_parse_netstat("TcpExt: ListenOverflows\nTcpExt: 1\n", &c), "netstat without ListenDrops");
	ok(!cw_nscount_parse_netstat("IpExt: A\nIpExt: 1\n", &c), "netstat without TcpExt");
}

static void test_moved(void)
{
	struct cw_counters a, b;

	memset(&a, 0, sizeof(a));
	a.valid = true;
	a.inuse = 10;
	a.tw = 3;
	a.curr_estab = 4;
	b = a;
	ok(!cw_counters_moved(&a, &b), "same counters: not moved");
	b.tw = 4;
	ok(cw_counters_moved(&a, &b), "tw moved");
	b = a;
	b.inuse = 11;
	ok(cw_counters_moved(&a, &b), "inuse moved");
	b = a;
	b.curr_estab = 5;
	ok(cw_counters_moved(&a, &b), "curr_estab moved");
	b = a;
	b.active_opens = 1;
	ok(cw_counters_moved(&a, &b), "active_opens moved");
	b = a;
	b.passive_opens = 1;
	ok(cw_counters_moved(&a, &b), "passive_opens moved");
	b = a;
	b.attempt_fails = 1;
	ok(cw_counters_moved(&a, &b), "attempt_fails moved");
	b = a;
	b.estab_resets = 1;
	ok(cw_counters_moved(&a, &b), "estab_resets moved");
	b = a;
	b.out_rsts = 1;
	ok(cw_counters_moved(&a, &b), "out_rsts moved");
	b = a;
	b.valid = false;
	ok(cw_counters_moved(&a, &b), "validity changed");
	b = a;
	b.in_errs = 5;
	b.listen_drops = 5;
	b.listen_overflows = 5;
	ok(!cw_counters_moved(&a, &b), "errors and listen drops are not state changes");
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = cw_xasprintf("%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			printf("# write %s failed\n", p);
		close(fd);
	}
	free(p);
}

static void test_files(void)
{
	struct cw_nscount n = CW_NSCOUNT_CLOSED;
	struct cw_counters c;
	char dir[] = "/tmp/cw-test-nscount-XXXXXX", *cause = NULL, *fix;
	int r;

	ok(!cw_nscount_is_open(&n), "CLOSED initialiser is not open");

	/* The real files from the fixture namespace. */
	fix = cw_xasprintf("%s/tests/fixtures/proc/netns", srcdir());
	r = cw_nscount_open(&n, fix, &cause);
	is_int(r, 0, "open the fixture directory");
	ok(cw_nscount_is_open(&n), "is open");
	r = cw_nscount_read(&n, &c, &cause);
	is_int(r, 0, "read");
	ok(c.valid && c.inuse == 14 && c.tw == 2 && c.curr_estab == 9 && c.active_opens == 7,
	   "read: counters from all four files");
	/* Reads again from offset 0. */
	memset(&c, 0xff, sizeof(c));
	r = cw_nscount_read(&n, &c, &cause);
	ok(r == 0 && c.inuse == 14 && c.listen_drops == 0, "second read from offset 0");
	cw_nscount_close(&n);
	ok(!cw_nscount_is_open(&n), "closed");
	free(fix);

	if (!mkdtemp(dir)) {
		ok(false, "mkdtemp");
		return;
	}
	/* Only sockstat: the others are optional. */
	write_file(dir, "sockstat", sockstat);
	r = cw_nscount_open(&n, dir, &cause);
	is_int(r, 0, "open with sockstat only");
	r = cw_nscount_read(&n, &c, &cause);
	ok(r == 0 && c.valid && c.inuse == 27 && c.tw == 153 && c.curr_estab == 0,
	   "read with sockstat only (IPv6 disabled, no snmp)");
	cw_nscount_close(&n);

	/* A file that does not parse: -EBADMSG naming it. */
	write_file(dir, "snmp", "Tcp: nonsense\n");
	cw_nscount_open(&n, dir, &cause);
	r = cw_nscount_read(&n, &c, &cause);
	is_int(r, -EBADMSG, "unparsable snmp: -EBADMSG");
	ok(cause && strstr(cause, "snmp"), "cause names the file (%s)", cause ? cause : "");
	ok(!c.valid, "counters not valid after a failed read");
	cw_nscount_close(&n);

	/* No sockstat at all. */
	{
		char *p = cw_xasprintf("%s/sockstat", dir);

		unlink(p);
		free(p);
	}
	r = cw_nscount_open(&n, dir, &cause);
	is_int(r, -ENOENT, "no sockstat: -ENOENT");
	ok(cause && strstr(cause, "sockstat"), "cause names sockstat (%s)", cause ? cause : "");
	ok(!cw_nscount_is_open(&n), "not open");
	cw_nscount_close(&n);
	{
		char *p = cw_xasprintf("%s/snmp", dir);

		unlink(p);
		free(p);
	}
	rmdir(dir);
	free(cause);
}

static char fifo_dir[] = "/tmp/cw-test-nscount-fifo-XXXXXX";

/* A FIFO where a counter file is expected: refused at once, not waited on. */
static void test_fifo(void)
{
	struct cw_nscount n = CW_NSCOUNT_CLOSED;
	char *dir = fifo_dir, *cause = NULL;
	char *sock, *snmp_path;
	int r;

	if (!mkdtemp(dir)) {
		ok(false, "mkdtemp");
		return;
	}
	sock = cw_xasprintf("%s/sockstat", dir);
	snmp_path = cw_xasprintf("%s/snmp", dir);
	fstree_guard(fifo_dir, "opening a counter file");
	ok(mkfifo(sock, 0600) == 0, "a FIFO as sockstat");
	alarm(5);
	r = cw_nscount_open(&n, dir, &cause);
	alarm(0);
	is_int(r, -EINVAL, "FIFO sockstat: open fails without blocking");
	ok(cause && strstr(cause, "sockstat: not a regular file"), "cause says why (%s)",
	   cause ? cause : "");
	ok(!cw_nscount_is_open(&n), "FIFO sockstat: not open");
	cw_nscount_close(&n);

	/* An optional file as a FIFO is left out, the rest still read. */
	unlink(sock);
	write_file(dir, "sockstat", sockstat);
	ok(mkfifo(snmp_path, 0600) == 0, "a FIFO as snmp");
	alarm(5);
	r = cw_nscount_open(&n, dir, &cause);
	alarm(0);
	is_int(r, 0, "FIFO snmp: open succeeds");
	is_int(n.fd[CW_NSCOUNT_SNMP], -1, "FIFO snmp: left closed");
	{
		struct cw_counters c;

		alarm(5);
		r = cw_nscount_read(&n, &c, &cause);
		alarm(0);
		ok(r == 0 && c.valid && c.inuse == 27, "FIFO snmp: sockstat still read");
	}
	cw_nscount_close(&n);
	unlink(sock);
	unlink(snmp_path);
	rmdir(dir);
	free(sock);
	free(snmp_path);
	free(cause);
}

int main(void)
{
	test_fixture_netns();
	test_fixture_host();
	test_inline();
	test_moved();
	test_files();
	test_fifo();
	return tap_done();
}
