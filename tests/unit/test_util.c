/* test_util: sanitising, number parsing and path joining. */
#include "config.h"
#include "fstree.h"
#include "tap.h"
#include "utf8_valid.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Sanitises src into a buffer of size n and returns a static copy. */
static const char *san(const char *src, size_t n)
{
	static char out[512];

	memset(out, 'Z', sizeof(out));
	cw_sanitize(out, n, src);
	return out;
}

static void test_sanitize(void)
{
	char *d;

	/* Plain and valid UTF-8 text is kept as is. */
	is_str(san("web-5d8f7c9b6-x2k4q", 64), "web-5d8f7c9b6-x2k4q", "ascii kept");
	is_str(san("", 64), "", "empty string");
	is_str(san("caf\xc3\xa9", 64), "caf\xc3\xa9", "2-byte UTF-8 (e acute) kept");
	is_str(san("\xe2\x82\xac 5", 64), "\xe2\x82\xac 5", "3-byte UTF-8 (euro) kept");
	is_str(san("\xf0\x9f\x98\x80!", 64), "\xf0\x9f\x98\x80!", "4-byte UTF-8 (emoji) kept");
	is_str(san("\xc2\xa0x", 64), "\xc2\xa0x", "U+00A0 (first non-C1 in the block) kept");

	/* Terminal escapes: ESC and the C0 controls become '?', the rest stays
	 * printable text that cannot drive the terminal. */
	is_str(san("\x1b[31mred\x1b[0m", 64), "?[31mred?[0m", "CSI colour sequence neutralised");
	is_str(san("\x1b]0;title\x07", 64), "?]0;title?", "OSC title sequence neutralised");
	is_str(san("a\tb\nc\rd", 64), "a?b?c?d", "tab, newline, CR replaced");
	is_str(san("x\x7fy", 64), "x?y", "DEL replaced");
	is_str(san("\x01\x1f", 64), "??", "C0 controls replaced");

	/* C1 controls encoded as UTF-8: U+009B is CSI on some terminals. */
	is_str(san("a\xc2\x9b" "31mb", 64), "a??31mb", "U+009B (C1 CSI, UTF-8) replaced byte by byte");
	is_str(san("\xc2\x80\xc2\x9f", 64), "????", "U+0080 and U+009F replaced");
	/* Raw C1 bytes are invalid UTF-8 anyway. */
	is_str(san("a\x9b" "b", 64), "a?b", "raw 0x9b byte replaced");

	/* Bidi overrides and line separators. */
	is_str(san("abc\xe2\x80\xae" "fed", 64), "abc???fed", "U+202E RIGHT-TO-LEFT OVERRIDE replaced");
	is_str(san("\xe2\x80\xaa", 64), "???", "U+202A LRE replaced");
	is_str(san("\xe2\x81\xa6x\xe2\x81\xa9", 64), "???x???", "U+2066 and U+2069 isolates replaced");
	is_str(san("\xe2\x80\xa8", 64), "???", "U+2028 LINE SEPARATOR replaced");
	is_str(san("\xe2\x80\xa9", 64), "???", "U+2029 PARAGRAPH SEPARATOR replaced");
	is_str(san("\xe2\x80\xa7", 64), "\xe2\x80\xa7", "U+2027 (just below the range) kept");
	is_str(san("\xe2\x80\xaf", 64), "\xe2\x80\xaf", "U+202F (just above the range) kept");

	/* Invalid UTF-8. */
	is_str(san("\xc0\xaf", 64), "??", "overlong '/' (C0 AF) replaced");
	is_str(san("\xe0\x80\xaf", 64), "???", "3-byte overlong replaced");
	is_str(san("\xf0\x80\x80\xaf", 64), "????", "4-byte overlong replaced");
	is_str(san("\xed\xa0\x80", 64), "???", "UTF-16 surrogate U+D800 replaced");
	is_str(san("\xf4\x90\x80\x80", 64), "????", "above U+10FFFF replaced");
	is_str(san("\xf8\x88\x80\x80\x80", 64), "?????", "5-byte form replaced");
	is_str(san("\xff\xfe", 64), "??", "0xff 0xfe replaced");
	is_str(san("a\xc3", 64), "a?", "truncated 2-byte sequence at the end");
	is_str(san("\xe2\x82x", 64), "??x", "truncated 3-byte sequence mid-string");
	is_str(san("\x80" "abc", 64), "?abc", "lone continuation byte");

	/* Truncation: the output always ends in NUL, never splits a code point. */
	is_str(san("abcdef", 4), "abc", "ascii truncated to n-1 bytes");
	is_str(san("ab\xc3\xa9", 4), "ab", "2-byte code point that does not fit is dropped whole");
	is_str(san("ab\xc3\xa9", 5), "ab\xc3\xa9", "2-byte code point that just fits is kept");
	is_str(san("a\xe2\x82\xac", 4), "a", "3-byte code point that does not fit is dropped whole");
	is_str(san("\xf0\x9f\x98\x80", 4), "", "4-byte code point into 4 bytes: dropped");
	is_str(san("abc", 1), "", "size 1: empty string");
	{
		char buf[4] = "XYZ";

		cw_sanitize(buf, 0, "abc");
		is_str(buf, "XYZ", "size 0: buffer untouched");
	}
	{
		char buf[8];

		memset(buf, 'Z', sizeof(buf));
		cw_sanitize(buf, 3, "\x1b\x1b\x1b\x1b");
		is_str(buf, "??", "replacements also respect the size");
		is_int(buf[3], 'Z', "nothing written past n");
	}

	d = cw_sanitize_dup("pod\x1b[2Jname\xe2\x80\xae");
	is_str(d, "pod?[2Jname???", "cw_sanitize_dup");
	free(d);
	d = cw_sanitize_dup("");
	is_str(d, "", "cw_sanitize_dup of empty");
	free(d);
}

static void test_parse_u64(void)
{
	uint64_t v = 7;

	ok(cw_parse_u64("0", &v) && v == 0, "u64 '0'");
	ok(cw_parse_u64("42", &v) && v == 42, "u64 '42'");
	ok(cw_parse_u64("007", &v) && v == 7, "u64 leading zeros");
	ok(cw_parse_u64("18446744073709551615", &v) && v == UINT64_MAX, "u64 max");
	v = 9;
	ok(!cw_parse_u64("18446744073709551616", &v), "u64 max+1 overflows");
	ok(!cw_parse_u64("99999999999999999999", &v), "u64 20 nines overflow");
	is_int(v, 9, "out untouched on failure");
	ok(!cw_parse_u64("", &v), "u64 empty");
	ok(!cw_parse_u64(NULL, &v), "u64 NULL");
	ok(!cw_parse_u64("-1", &v), "u64 negative");
	ok(!cw_parse_u64("+1", &v), "u64 plus sign");
	ok(!cw_parse_u64(" 1", &v), "u64 leading space");
	ok(!cw_parse_u64("1 ", &v), "u64 trailing space");
	ok(!cw_parse_u64("12a", &v), "u64 trailing junk");
	ok(!cw_parse_u64("0x10", &v), "u64 hex");
	ok(!cw_parse_u64("1.5", &v), "u64 decimal point");
	is_int(v, 9, "still untouched");
}

static void test_parse_double(void)
{
	double d = 3;

	ok(cw_parse_double("1", &d) && d == 1.0, "double '1'");
	ok(cw_parse_double("0.5", &d) && d == 0.5, "double '0.5'");
	ok(cw_parse_double(".25", &d) && d == 0.25, "double '.25'");
	ok(cw_parse_double("-1", &d) && d == -1.0, "double '-1' (range checks are the caller's)");
	ok(cw_parse_double("1e2", &d) && d == 100.0, "double '1e2'");
	d = 3;
	ok(!cw_parse_double("", &d), "double empty");
	ok(!cw_parse_double(NULL, &d), "double NULL");
	ok(!cw_parse_double("abc", &d), "double 'abc'");
	ok(!cw_parse_double("1.5s", &d), "double trailing junk");
	ok(!cw_parse_double("1 ", &d), "double trailing space");
	ok(!cw_parse_double("nan", &d), "double NaN rejected");
	ok(!cw_parse_double("1e999", &d), "double overflow (ERANGE) rejected");
	is_int((long long)d, 3, "out untouched on failure");
}

static void test_path_join(void)
{
	char *p;

	p = cw_path_join("/host", "/run/x");
	is_str(p, "/host/run/x", "join root and absolute path");
	free(p);
	p = cw_path_join("/host/", "/run/x");
	is_str(p, "/host/run/x", "trailing slash on root");
	free(p);
	p = cw_path_join("/host///", "///run/x");
	is_str(p, "/host/run/x", "many slashes collapse at the seam");
	free(p);
	p = cw_path_join("/", "/proc/1/ns/net");
	is_str(p, "/proc/1/ns/net", "root '/'");
	free(p);
	p = cw_path_join("", "/etc");
	is_str(p, "/etc", "empty root");
	free(p);
	p = cw_path_join("/host", "run/x");
	is_str(p, "/host/run/x", "relative path");
	free(p);
	p = cw_path_join("/host", "");
	is_str(p, "/host/", "empty path");
	free(p);
	p = cw_path_join("rel", "/a/b/");
	is_str(p, "rel/a/b/", "relative root, path's trailing slash kept");
	free(p);
}

static void test_misc(void)
{
	char *c = NULL, *text = NULL, tmpl[] = "/tmp/cw-test-util-XXXXXX";
	size_t len = 0;
	int fd, r;

	is_int(cw_cause(NULL, -ENOENT, "x %d", 1), -ENOENT, "cw_cause without cause returns err");
	is_int(cw_cause(&c, -EINVAL, "bad %s", "thing"), -EINVAL, "cw_cause returns err");
	is_str(c, "bad thing", "cw_cause text");
	cw_cause(&c, -EINVAL, "second");
	is_str(c, "second", "cw_cause replaces an earlier cause");
	free(c);

	c = cw_xasprintf("%s-%03d", "a", 7);
	is_str(c, "a-007", "cw_xasprintf");
	free(c);

	fd = mkstemp(tmpl);
	ok(fd >= 0, "temp file");
	ok(write(fd, "hello\n", 6) == 6, "temp file written");
	close(fd);
	r = cw_read_file(tmpl, 100, &text, &len);
	is_int(r, 0, "cw_read_file");
	is_str(text, "hello\n", "cw_read_file text");
	is_int(len, 6, "cw_read_file length");
	free(text);
	text = NULL;
	is_int(cw_read_file(tmpl, 5, &text, &len), -EFBIG, "cw_read_file past max: -EFBIG");
	ok(text == NULL, "no buffer on -EFBIG");
	unlink(tmpl);
	is_int(cw_read_file(tmpl, 100, &text, &len), -ENOENT, "cw_read_file missing: -ENOENT");

	ok(cw_now_ms() > 1500000000000LL, "cw_now_ms is wall clock in ms");
	ok(cw_mono_ns() > 0, "cw_mono_ns");
}

static char fifo_dir[] = "/tmp/cw-test-util-files-XXXXXX";

static long maxrss_kb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/* Files that are not small regular files: refused, quickly and cheaply. */
static void test_read_hostile(void)
{
	char *dir = fifo_dir, *text = NULL;
	char *fifo, *sparse, *link, *sub;
	long rss0, rss1;
	int fd, r;

	if (!mkdtemp(dir)) {
		ok(false, "mkdtemp");
		return;
	}
	fifo = cw_xasprintf("%s/fifo", dir);
	sparse = cw_xasprintf("%s/sparse", dir);
	link = cw_xasprintf("%s/link", dir);
	sub = cw_xasprintf("%s/sub", dir);

	/* 1 GB of nothing: refused by its size, before a byte is read. This
	 * runs first, so the process's peak memory is still low. */
	fd = open(sparse, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ok(fd >= 0 && ftruncate(fd, 1L << 30) == 0, "a 1 GB sparse file");
	if (fd >= 0)
		close(fd);
	rss0 = maxrss_kb();
	r = cw_read_file(sparse, 4u << 20, &text, NULL);
	rss1 = maxrss_kb();
	is_int(r, -EFBIG, "1 GB sparse file, max 4 MiB: -EFBIG");
	ok(rss1 - rss0 < 1024, "1 GB sparse file: peak memory grew %ld kB (< 1 MiB)", rss1 - rss0);
	free(text);
	text = NULL;

	fstree_guard(fifo_dir, "a file read");
	ok(mkfifo(fifo, 0600) == 0, "a FIFO");
	alarm(5);
	r = cw_read_file(fifo, 4096, &text, NULL);
	alarm(0);
	is_int(r, -EINVAL, "cw_read_file of a FIFO: -EINVAL, without blocking");
	ok(text == NULL, "no text from a FIFO");
	ok(mkdir(sub, 0700) == 0, "a directory");
	is_int(cw_read_file(sub, 4096, &text, NULL), -EISDIR, "cw_read_file of a directory: -EISDIR");
	ok(symlink(sparse, link) == 0, "a symlink");
	is_int(cw_read_file(link, 4096, &text, NULL), -ELOOP, "cw_read_file of a symlink: -ELOOP");
	{
		char *through = cw_xasprintf("/proc/self/root%s", fifo);

		alarm(5);
		/* links before the last component are followed, as procfs needs */
		is_int(cw_read_file(through, 4096, &text, NULL), -EINVAL,
		       "through /proc/self/root (a link): the FIFO refused");
		alarm(0);
		free(through);
	}
	is_int(cw_read_file("/proc/self/comm", 4096, &text, NULL), 0, "procfs files are regular");
	free(text);

	unlink(fifo);
	unlink(sparse);
	unlink(link);
	rmdir(sub);
	rmdir(dir);
	free(fifo);
	free(sparse);
	free(link);
	free(sub);
}

static void test_utf8_truncate(void)
{
	/* "a" U+00E9 (2) U+20AC (3) U+1F600 (4): bytes 0 | 1-2 | 3-5 | 6-9 */
	static const char s[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	static const size_t want[] = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 10};
	size_t len = strlen(s), max, bad = 0;
	char out[16];

	for (max = 0; max < CW_ARRAY_LEN(want); max++) {
		size_t got = cw_utf8_truncate(s, len, max);

		memcpy(out, s, got);
		out[got] = '\0';
		if (got != want[max] || !utf8_valid(out)) {
			printf("#   max %zu: got %zu, want %zu\n", max, got, want[max]);
			bad++;
		}
	}
	is_int(bad, 0, "cw_utf8_truncate: every cut of 1-, 2-, 3- and 4-byte characters");
	is_int(cw_utf8_truncate("abc", 3, 0), 0, "cw_utf8_truncate to 0 bytes");
	is_int(cw_utf8_truncate("abc", 3, 3), 3, "cw_utf8_truncate: what fits is kept");
	/* Not UTF-8 (a run of continuation bytes): cut as bytes. */
	is_int(cw_utf8_truncate("\x80\x80\x80\x80\x80\x80", 6, 5), 5,
	       "cw_utf8_truncate of continuation bytes only: cut at max");
	is_int(cw_utf8_truncate("a\xc3", 2, 1), 1, "a lead byte just past max is simply dropped");
}

int main(void)
{
	test_read_hostile();
	test_utf8_truncate();
	test_sanitize();
	test_parse_u64();
	test_parse_double();
	test_path_join();
	test_misc();
	return tap_done();
}
