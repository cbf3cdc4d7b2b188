/* fmt: cell text. */
#include "config.h"
#include "fmt.h"

#include <math.h>
#include <stdint.h>
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

void cw_fmt_ratio(double r, char *buf, size_t n)
{
	if (!isfinite(r) || r < 0)
		snprintf(buf, n, "-");
	else if (r < 9.95)
		snprintf(buf, n, "x%.1f", r);
	else if (r < 999.5)
		snprintf(buf, n, "x%.0f", r);
	else
		snprintf(buf, n, "x999+");
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

/* One character of a string as it is drawn: its bytes, its cells, and
 * whether those bytes are drawn as they are or replaced by one '?'. */
struct glyph {
	size_t len;
	int width;
	bool raw;
};

/* Decodes one strict UTF-8 sequence (no overlongs, surrogates or values
 * past U+10FFFF); returns its length, or 0 if s does not start with one. */
static size_t utf8_decode(const unsigned char *s, wchar_t *wc)
{
	uint32_t c, min;
	size_t len, i;

	if (s[0] < 0x80) {
		*wc = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		c = s[0] & 0x1fu, len = 2, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		c = s[0] & 0x0fu, len = 3, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		c = s[0] & 0x07u, len = 4, min = 0x10000;
	} else {
		return 0;
	}
	/* A NUL ends the string here, and it is no continuation byte either. */
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*wc = (wchar_t)c;
	return len;
}

/* The glyph at s (not at its end). Outside UTF-8 every byte is a cell of
 * its own and only printable ASCII is drawn as it is: curses would show
 * other bytes as "M-x" or "~x", wider than counted. In UTF-8, invalid
 * bytes and characters without a width (controls) are drawn as '?'. */
static struct glyph glyph_at(const char *s, bool utf8)
{
	struct glyph g = {1, 1, false};
	const unsigned char *u = (const unsigned char *)s;
	wchar_t wc;
	size_t len;
	int w;

	if (!utf8 || u[0] < 0x80) {
		g.raw = u[0] >= 0x20 && u[0] < 0x7f;
		return g;
	}
	len = utf8_decode(u, &wc);
	if (len == 0)
		return g; /* one bad byte, one '?' */
	g.len = len;
	w = wcwidth(wc);
	if (w >= 0) {
		g.width = w;
		g.raw = true;
	}
	return g;
}

int cw_fmt_width(const char *s, bool utf8)
{
	int w = 0;

	while (*s) {
		struct glyph g = glyph_at(s, utf8);

		w += g.width;
		s += g.len;
	}
	return w;
}

/* Writes into a buffer, whole pieces only: once one does not fit, the rest
 * are dropped too, so no character is ever cut or skipped. */
struct out {
	char *buf;
	size_t n, o;
	bool full;
};

static void put(struct out *o, const char *p, size_t len)
{
	if (o->full || o->o + len + 1 > o->n) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->o, p, len);
	o->o += len;
	o->buf[o->o] = '\0';
}

/* Copies the glyphs of s from byte from to byte to, sanitised. */
static void put_glyphs(struct out *o, const char *s, size_t from, size_t to, bool utf8)
{
	while (from < to) {
		struct glyph g = glyph_at(s + from, utf8);

		put(o, g.raw ? s + from : "?", g.raw ? g.len : 1);
		from += g.len;
	}
}

/* Byte length of the longest prefix of s that fits in width cells; its
 * width goes to *used. */
static size_t prefix_fit(const char *s, int width, bool utf8, int *used)
{
	size_t p = 0;
	int w = 0;

	while (s[p]) {
		struct glyph g = glyph_at(s + p, utf8);

		if (w + g.width > width)
			break;
		w += g.width;
		p += g.len;
	}
	*used = w;
	return p;
}

/* Offset of the longest suffix of s, starting at or after byte from, that
 * fits in width cells; total is the width of all of s. Walks forward, as
 * only a forward walk finds where the characters start. */
static size_t suffix_fit(const char *s, size_t from, int total, int width, bool utf8)
{
	size_t p = 0;
	int w = 0; /* width of s before p */

	while (s[p]) {
		struct glyph g = glyph_at(s + p, utf8);

		if (p >= from && total - w <= width)
			break;
		w += g.width;
		p += g.len;
	}
	return p;
}

void cw_fmt_fit(const char *s, int width, bool middle, bool utf8, char *buf, size_t n)
{
	const char *mark = utf8 ? "…" : "~";
	struct out o = {buf, n, 0, false};
	size_t head, tail, len = strlen(s);
	int total, used;

	if (n == 0)
		return;
	buf[0] = '\0';
	if (width <= 0)
		return;
	total = cw_fmt_width(s, utf8);
	if (total <= width) {
		put_glyphs(&o, s, 0, len, utf8);
		return;
	}
	/* The mark takes one cell; the text gets the others. */
	head = prefix_fit(s, middle ? (width - 1) / 2 : width - 1, utf8, &used);
	put_glyphs(&o, s, 0, head, utf8);
	put(&o, mark, strlen(mark));
	if (!middle)
		return;
	/* The tail gets every cell the head did not use. */
	tail = suffix_fit(s, head, total, width - 1 - used, utf8);
	put_glyphs(&o, s, tail, len, utf8);
}

size_t cw_fmt_wrap(const char *s, int width, bool utf8, size_t *next)
{
	size_t p = 0, brk = 0, len = strlen(s);
	int w = 0;

	while (s[p]) {
		struct glyph g = glyph_at(s + p, utf8);

		if (s[p] == ' ')
			brk = p; /* the line may end before this blank */
		if (w + g.width > width && s[p] != ' ') {
			size_t end = brk ? brk : p;

			if (end == 0)
				end = g.len; /* one character wider than the line */
			*next = end;
			while (s[*next] == ' ')
				(*next)++;
			while (end > 0 && s[end - 1] == ' ')
				end--;
			return end;
		}
		w += g.width;
		p += g.len;
	}
	*next = len;
	while (len > 0 && s[len - 1] == ' ')
		len--;
	return len;
}
