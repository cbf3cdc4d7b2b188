/* test_fmt: cell text. The examples the header promises, and cutting to a
 * width in a UTF-8 and in a non-UTF-8 locale: never wider than asked, never
 * a partial UTF-8 sequence, and outside UTF-8 one cell per byte with every
 * byte past ASCII drawn as '?'. Widths are measured here independently of
 * fmt.c: by bytes in the C locale, by wcswidth() in C.UTF-8. */
#include "config.h"
#include "fmt.h"
#include "tap.h"
#include "util.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static void numbers(void)
{
	static const struct { uint64_t v; const char *want; } counts[] = {
		{99999, "99999"}, {100000, "100k"}, {123999, "123k"}, {9999999, "9999k"},
		{12345678, "12.3M"}, {999949999, "999.9M"}, {999999999, "1000.0M"},
		{4000000000u, "4.0G"},
	};
	static const struct { double v; const char *want; } rates[] = {
		{12.5, "+12"}, {13.5, "+14"}, {0.049, "0"}, {-0.2, "-0.2"}, {9.95, "+9.9"},
		{9.96, "+10.0"}, {123.4, "+123"}, {250000, "+250k"}, {-250000, "-250k"},
	};
	static const struct { int64_t v; const char *want; } ages[] = {
		{999, "999ms"}, {1999, "1s"}, {99999, "99s"}, {100000, "1m"},
		{5999999, "99m"}, {7200000, "2h"}, {-1, "-"},
	};
	static const struct { double v; const char *want; } ratios[] = {
		{0.04, "x0.0"}, {0.44, "x0.4"}, {3.21, "x3.2"}, {9.94, "x9.9"}, {9.95, "x10"},
		{420, "x420"}, {999.4, "x999"}, {999.5, "x999+"}, {1e9, "x999+"}, {-1, "-"},
		{1.0 / 0.0, "-"},
	};
	char buf[32];
	size_t i;

	for (i = 0; i < CW_ARRAY_LEN(ratios); i++) {
		cw_fmt_ratio(ratios[i].v, buf, sizeof(buf));
		is_str(buf, ratios[i].want, "ratio %g", ratios[i].v);
		ok(strlen(buf) <= 5, "ratio %g takes at most 5 cells", ratios[i].v);
	}
	for (i = 0; i < CW_ARRAY_LEN(counts); i++) {
		cw_fmt_count(counts[i].v, buf, sizeof(buf));
		is_str(buf, counts[i].want, "count %llu", (unsigned long long)counts[i].v);
	}
	for (i = 0; i < CW_ARRAY_LEN(rates); i++) {
		cw_fmt_rate(rates[i].v, buf, sizeof(buf));
		is_str(buf, rates[i].want, "rate %g", rates[i].v);
	}
	for (i = 0; i < CW_ARRAY_LEN(ages); i++) {
		cw_fmt_age(ages[i].v, buf, sizeof(buf));
		is_str(buf, ages[i].want, "age %lld ms", (long long)ages[i].v);
	}
}

/* Width of s in the current UTF-8 locale, or -1 if it is not valid UTF-8
 * or holds something without a width. */
static int utf8_cells(const char *s)
{
	wchar_t w[512];
	size_t n = mbstowcs(w, s, CW_ARRAY_LEN(w));

	if (n == (size_t)-1 || n == CW_ARRAY_LEN(w))
		return -1;
	return wcswidth(w, n);
}

/* Width of s as drawn in a non-UTF-8 locale, or -1 if a byte is not
 * printable ASCII (curses would draw it wider than one cell). */
static int ascii_cells(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return -1;
	return (int)i;
}

struct fit_case {
	const char *in;
	int width;
	bool middle;
	const char *want;
};

static void fit_cases(const char *locale, bool utf8, const struct fit_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char buf[256];
		int cells;

		cw_fmt_fit(c[i].in, c[i].width, c[i].middle, utf8, buf, sizeof(buf));
		is_str(buf, c[i].want, "%s: %s cut to %d%s", locale, c[i].want, c[i].width,
		       c[i].middle ? " in the middle" : "");
		cells = utf8 ? utf8_cells(buf) : ascii_cells(buf);
		ok(cells >= 0 && cells <= c[i].width, "%s: %d cells of %d, all drawable", locale,
		   cells, c[i].width);
		is_int(cw_fmt_width(buf, utf8), cells, "%s: cw_fmt_width agrees", locale);
	}
}

static const char *const labels[] = {
	"café-ñandú-pod-xyz", "日本語のポッド名", "abc\xc3", "\xc3", "\xa9\xa9\xa9\xa9\xa9",
	"ééééééééééé", "a\x1b[31mred\x1b[0m", "e\xcc\x81\xcc\x81xyz", "\xf0\x9f\x90\xb3 whale pod",
	"\xed\xa0\x80surrogate", "\xc0\xafoverlong", "plain-ascii-label-0123456789", "",
};

/* Every label, every width from 0 to 24, both ways of cutting, a full and
 * a short buffer: the invariants hold. */
static void fit_sweep(const char *locale, bool utf8)
{
	size_t i, bad = 0, count = 0;
	int w, m;

	for (i = 0; i < CW_ARRAY_LEN(labels); i++)
		for (w = 0; w <= 24; w++)
			for (m = 0; m < 4; m++) {
				char buf[256];
				size_t n = m < 2 ? sizeof(buf) : 7;
				int cells, in_cells = cw_fmt_width(labels[i], utf8);

				memset(buf, 'X', sizeof(buf));
				cw_fmt_fit(labels[i], w, m & 1, utf8, buf, n);
				cells = utf8 ? utf8_cells(buf) : ascii_cells(buf);
				count++;
				if (cells < 0 || cells > w || strlen(buf) >= n ||
				    (n == sizeof(buf) && w > 0 && in_cells > w && cells < w - 1) ||
				    (n == sizeof(buf) && in_cells <= w && cells != in_cells)) {
					if (bad++ < 5)
						printf("# %s: label %zu width %d middle %d n %zu: '%s' (%d cells)\n",
						       locale, i, w, m & 1, n, buf, cells);
				}
			}
	ok(bad == 0, "%s: %zu cuts of odd labels: within the width, all drawable, at most one cell short",
	   locale, count);
}

/* Wraps s at width into "line|line|..." */
static void wrap_all(const char *s, int width, bool utf8, char *out, size_t n)
{
	size_t at = 0, len = strlen(s), o = 0;
	int guard = 0;

	out[0] = '\0';
	while (at < len && guard++ < 1000) {
		size_t next, l = cw_fmt_wrap(s + at, width, utf8, &next);

		o += (size_t)snprintf(out + o, n - o, "%s%.*s", o ? "|" : "", (int)l, s + at);
		if (next == 0)
			break; /* would loop for ever */
		at += next;
	}
}

static void wraps(void)
{
	static const struct { const char *in; int width; bool utf8; const char *want; } cases[] = {
		{"next: look at the pool", 10, false, "next: look|at the|pool"},
		{"a  b   c", 3, false, "a|b|c"},
		{"abcdefghij", 4, false, "abcd|efgh|ij"},
		{"fits exactly", 12, false, "fits exactly"},
		{"trailing   ", 20, false, "trailing"},
		{"日本語のポッド名 x", 5, true, "日本|語の|ポッ|ド名|x"},
		{"ééé ééé", 4, true, "ééé|ééé"},
		{"日", 1, true, "日"}, /* wider than the line: still one per line */
		{"café ñandú", 7, false, "café|ñandú"}, /* bytes are cells outside UTF-8 */
		{"café ñandú", 6, false, "café|ñand\xc3|\xba"},
		{"", 5, false, ""},
	};
	char out[256];
	size_t i, bad = 0, k;

	for (i = 0; i < CW_ARRAY_LEN(cases); i++) {
		setlocale(LC_ALL, cases[i].utf8 ? "C.UTF-8" : "C");
		wrap_all(cases[i].in, cases[i].width, cases[i].utf8, out, sizeof(out));
		is_str(out, cases[i].want, "wrap '%s' at %d", cases[i].in, cases[i].width);
	}
	/* Every label at every width: each line within the width (but one
	 * character), never split inside a character, and always progressing. */
	setlocale(LC_ALL, "C.UTF-8");
	for (i = 0; i < CW_ARRAY_LEN(labels); i++)
		for (k = 1; k <= 12; k++) {
			size_t at = 0, len = strlen(labels[i]);
			int steps = 0;
			bool valid = utf8_cells(labels[i]) >= 0;

			while (at < len && steps++ < 200) {
				char line[256];
				size_t next, l = cw_fmt_wrap(labels[i] + at, (int)k, true, &next);

				snprintf(line, sizeof(line), "%.*s", (int)l, labels[i] + at);
				/* Over the width only as one character alone. */
				if (next == 0 || (cw_fmt_width(line, true) > (int)k && l > 4) ||
				    (valid && ((unsigned char)labels[i][at + l] & 0xc0) == 0x80)) {
					if (bad++ < 5)
						printf("# label %zu at %zu: '%s'\n", i, k, line);
				}
				if (next == 0)
					break;
				at += next;
			}
			if (at < len)
				bad++;
		}
	ok(bad == 0, "wrapping odd labels at widths 1 to 12: lines fit, characters stay whole, "
	   "every step moves on");
}

int main(void)
{
	static const struct fit_case c_cases[] = {
		/* the overrun that was: 10 cells and a lone lead byte at width 8 */
		{"café-ñandú-pod-xyz", 8, false, "caf?" "?-?~"},
		{"café-ñandú-pod-xyz", 8, true, "caf~-xyz"},
		{"café", 8, false, "caf??"},
		{"日本語", 8, false, "???" "???" "?~"},
		{"abc\xc3", 8, false, "abc?"},
		{"a\x1b[31m", 8, false, "a?[31m"},
		{"team-a/web-7d9c5-x2k4q", 12, true, "team-~-x2k4q"},
		{"long-label", 1, false, "~"},
	};
	static const struct fit_case u_cases[] = {
		{"café-ñandú-pod-xyz", 8, false, "café-ña…"},
		{"café-ñandú-pod-xyz", 8, true, "caf…-xyz"},
		{"日本語のポッド名", 8, false, "日本語…"},
		{"日本語のポッド名", 8, true, "日…ド名"},
		{"abc\xc3", 8, false, "abc?"},
		{"\xc3\xa9\xa9x", 8, false, "é?x"},
		{"a\x1b[31m", 8, false, "a?[31m"},
		{"\xed\xa0\x80x", 8, false, "???x"},
		{"team-a/web-7d9c5-x2k4q", 12, true, "team-…-x2k4q"},
	};
	char buf[8];

	numbers();

	if (!setlocale(LC_ALL, "C")) {
		printf("Bail out! no C locale\n");
		return 1;
	}
	fit_cases("C", false, c_cases, CW_ARRAY_LEN(c_cases));
	fit_sweep("C", false);

	if (!setlocale(LC_ALL, "C.UTF-8")) {
		printf("Bail out! no C.UTF-8 locale\n");
		return 1;
	}
	fit_cases("C.UTF-8", true, u_cases, CW_ARRAY_LEN(u_cases));
	fit_sweep("C.UTF-8", true);
	/* A buffer too small for the next character stops before it. */
	cw_fmt_fit("éééééé", 20, false, true, buf, 6);
	is_str(buf, "éé", "a 6-byte buffer takes two 2-byte characters, not half a third");
	wraps();
	return tap_done();
}
