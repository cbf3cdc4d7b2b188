/* fmt: cell text. */
#include "config.h"
#include "fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void cw_fmt_count(uint64_t v, char *buf, size_t n)
{
	if (v < 100000)
		snprintf(buf, n, "%llu", (unsigned long long)v);
	else if (v < 10000000)
		snprintf(buf, n, "%lluk", (unsigned long long)(v / 1000));
	else if (v < 1000000000)
		snprintf(buf, n, "%.1fM", (double)v / 1e6);
	else
		snprintf(buf, n, "%.1fG", (double)v / 1e9);
}

void cw_fmt_rate(double v, char *buf, size_t n)
{
	double a = v < 0 ? -v : v;

	if (a < 0.05)
		snprintf(buf, n, "0");
	else if (a < 10)
		snprintf(buf, n, "%+.1f", v);
	else if (a < 100000)
		snprintf(buf, n, "%+.0f", v);
	else
		snprintf(buf, n, "%+.0fk", v / 1000);
}

void cw_fmt_age(int64_t ms, char *buf, size_t n)
{
	if (ms < 0)
		snprintf(buf, n, "-");
	else if (ms < 1000)
		snprintf(buf, n, "%lldms", (long long)ms);
	else if (ms < 100000)
		snprintf(buf, n, "%llds", (long long)(ms / 1000));
	else if (ms < 6000000)
		snprintf(buf, n, "%lldm", (long long)(ms / 60000));
	else
		snprintf(buf, n, "%lldh", (long long)(ms / 3600000));
}

void cw_fmt_spark(const uint32_t *vals, size_t n, size_t width, bool utf8, char *buf, size_t bufn)
{
	static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	static const char ascii[] = "_.-:=+*#";
	uint32_t max = 0;
	size_t i, o = 0, skip = n > width ? n - width : 0;

	for (i = skip; i < n; i++)
		if (vals[i] > max)
			max = vals[i];
	/* Pad on the left when there is less history than width. */
	for (i = n - skip; i < width && o + 1 < bufn; i++)
		buf[o++] = ' ';
	for (i = skip; i < n; i++) {
		unsigned lvl = max ? (unsigned)((uint64_t)vals[i] * 7 / max) : 0;
		const char *b;
		size_t bl;

		if (utf8) {
			b = vals[i] || !max ? blocks[lvl] : " ";
			bl = strlen(b);
		} else {
			b = &ascii[lvl];
			bl = 1;
			if (!vals[i] && max)
				b = " ";
		}
		if (o + bl >= bufn)
			break;
		memcpy(buf + o, b, bl);
		o += bl;
	}
	buf[o] = '\0';
}

/* Decodes one UTF-8 character; returns its length (1 for a bad byte). */
static size_t decode(const char *s, wchar_t *wc)
{
	mbstate_t st;
	size_t l;

	memset(&st, 0, sizeof(st));
	l = mbrtowc(wc, s, MB_CUR_MAX, &st);
	if (l == (size_t)-1 || l == (size_t)-2 || l == 0) {
		*wc = L'?';
		return 1;
	}
	return l;
}

static int wc_width(wchar_t wc)
{
	int w = wcwidth(wc);

	return w < 0 ? 1 : w;
}

static int width_of(const char *s, size_t len);

int cw_fmt_width(const char *s)
{
	return width_of(s, strlen(s));
}

/* Byte length of the longest prefix of s that fits in width cells. */
static size_t prefix_fit(const char *s, int width)
{
	const char *p = s;
	int w = 0, cw;
	wchar_t wc;
	size_t l;

	while (*p) {
		l = decode(p, &wc);
		cw = wc_width(wc);
		if (w + cw > width)
			break;
		w += cw;
		p += l;
	}
	return (size_t)(p - s);
}

/* Start of the longest suffix of s that fits in width cells. */
static const char *suffix_fit(const char *s, int width)
{
	const char *p = s + strlen(s);
	int w = 0;

	while (p > s) {
		const char *q = p - 1;
		wchar_t wc;

		while (q > s && ((unsigned char)*q & 0xc0) == 0x80)
			q--;
		decode(q, &wc);
		if (w + wc_width(wc) > width)
			break;
		w += wc_width(wc);
		p = q;
	}
	return p;
}

/* Display width of the first len bytes of s. */
static int width_of(const char *s, size_t len)
{
	const char *end = s + len;
	int w = 0;
	wchar_t wc;

	while (s < end && *s) {
		s += decode(s, &wc);
		w += wc_width(wc);
	}
	return w;
}

void cw_fmt_fit(const char *s, int width, bool middle, bool utf8, char *buf, size_t n)
{
	const char *mark = utf8 ? "…" : "~";
	size_t head, ml = strlen(mark);
	const char *tail;
	int hw;

	if (width <= 0 || n == 0) {
		if (n)
			buf[0] = '\0';
		return;
	}
	if (cw_fmt_width(s) <= width) {
		snprintf(buf, n, "%s", s);
		return;
	}
	if (!middle) {
		head = prefix_fit(s, width - 1);
		snprintf(buf, n, "%.*s%s", (int)head, s, mark);
		return;
	}
	hw = (width - 1) / 2;
	head = prefix_fit(s, hw);
	/* the tail gets every cell the head did not use */
	tail = suffix_fit(s + head, width - 1 - width_of(s, head));
	if (head + ml + strlen(tail) + 1 > n) {
		snprintf(buf, n, "%s", mark);
		return;
	}
	snprintf(buf, n, "%.*s%s%s", (int)head, s, mark, tail);
}
