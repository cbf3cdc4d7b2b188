/* fmt: text for cells: compact numbers, rates, ages, sparklines, and
 * truncation by display width. Pure; no curses. */
#ifndef CW_FMT_H
#define CW_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exact below 100000 ("99999"); thousands below 10 million, truncated
 * (123999 -> "123k", up to "9999k"); then millions or, from 10^9, billions
 * with one decimal, rounded by printf (12345678 -> "12.3M", 4e9 -> "4.0G").
 * At most 6 cells below 999.95 million; from there "1000.0M" takes 7, and
 * so does "1000.0G" from 999.95 billion, and more past that. */
void cw_fmt_count(uint64_t v, char *buf, size_t n);
/* A signed rate, rounded by printf (to nearest, a binary half to even:
 * 12.5 -> "+12", 13.5 -> "+14"): "0" when |v| < 0.05; one decimal below 10
 * ("-0.2", "+9.9"; 9.96 rounds up to "+10.0"); whole numbers below 100000
 * ("+123"); then thousands ("+250k"). */
void cw_fmt_rate(double v, char *buf, size_t n);
/* Truncated, not rounded: 999 -> "999ms", 1999 -> "1s", 99999 -> "99s",
 * 100000 -> "1m", 5999999 -> "99m", 7200000 -> "2h"; negative -> "-". */
void cw_fmt_age(int64_t ms, char *buf, size_t n);
/* A ratio to a baseline, at most 5 cells: "x0.4", "x3.2", "x12", "x999",
 * then "x999+"; "-" for a negative or non-finite one. */
void cw_fmt_ratio(double r, char *buf, size_t n);
/* A sparkline of vals scaled to their maximum, width cells wide (right
 * aligned: the newest value is the last cell). */
void cw_fmt_spark(const uint32_t *vals, size_t n, size_t width, bool utf8, char *buf, size_t bufn);
/* Display width of a string as cw_fmt_fit() draws it. With utf8 (a UTF-8
 * locale), wide characters count 2 and invalid bytes 1 each; without, every
 * byte counts 1. */
int cw_fmt_width(const char *s, bool utf8);
/* Copies s into buf, cut to at most width display cells, and never past n
 * bytes or in the middle of a character. With middle set, keeps the start
 * and the end ("team-a/web…x2k4q"); the cut is marked with "…" (or "~"
 * when !utf8). What the terminal cannot draw in one cell becomes '?':
 * control characters, invalid UTF-8, and without utf8 every byte past
 * ASCII. */
void cw_fmt_fit(const char *s, int width, bool middle, bool utf8, char *buf, size_t n);
/* Word wrap: the first line of s in width cells (as cw_fmt_width counts
 * them). Returns its length in bytes, without the blanks it ends on, and
 * sets *next to the start of the next line, past blanks (strlen(s) when
 * none is left). A word longer than a line is cut between characters; a
 * line holds at least one character, so a loop on *next always ends. */
size_t cw_fmt_wrap(const char *s, int width, bool utf8, size_t *next);

#endif
