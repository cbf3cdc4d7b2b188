/* fmt: text for cells: compact numbers, rates, ages, sparklines, and
 * truncation by display width. Pure; no curses. */
#ifndef CW_FMT_H
#define CW_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 1234 -> "1234", 123456 -> "123k", 12345678 -> "12.3M", 4e9 -> "4.0G": at most 6 cells. */
void cw_fmt_count(uint64_t v, char *buf, size_t n);
/* +12.5 -> "+13", -0.2 -> "-0.2", 0 -> "0". */
void cw_fmt_rate(double v, char *buf, size_t n);
/* 950 -> "950ms", 12000 -> "12s", 600000 -> "10m", 7200000 -> "2h". */
void cw_fmt_age(int64_t ms, char *buf, size_t n);
/* A sparkline of vals scaled to their maximum, width cells wide (right
 * aligned: the newest value is the last cell). */
void cw_fmt_spark(const uint32_t *vals, size_t n, size_t width, bool utf8, char *buf, size_t bufn);
/* Display width of a UTF-8 string (wide characters count 2). */
int cw_fmt_width(const char *s);
/* Copies s into buf, cut to at most width display cells. With middle set,
 * keeps the start and the end ("team-a/web…x2k4q"); the cut is marked with
 * "…" (or "~" when !utf8). */
void cw_fmt_fit(const char *s, int width, bool middle, bool utf8, char *buf, size_t n);

#endif
