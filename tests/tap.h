/* tap.h: a tiny TAP producer for C tests. Typed asserts print what they got
 * and what they wanted. Use: plan nothing up front; call tap_done() last. */
#ifndef CW_TAP_H
#define CW_TAP_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline bool tap_ok(bool cond, const char *name)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	if (!cond)
		tap_failed++;
	return cond;
}

#define ok(cond, ...)                                                         \
	do {                                                                  \
		char tap_name_[512];                                          \
		snprintf(tap_name_, sizeof(tap_name_), __VA_ARGS__);          \
		tap_ok((cond), tap_name_);                                    \
	} while (0)

#define is_int(got, want, ...)                                                \
	do {                                                                  \
		long long g_ = (long long)(got), w_ = (long long)(want);      \
		char tap_name_[512];                                          \
		snprintf(tap_name_, sizeof(tap_name_), __VA_ARGS__);          \
		if (!tap_ok(g_ == w_, tap_name_))                             \
			printf("#   got: %lld\n#  want: %lld\n", g_, w_);     \
	} while (0)

#define is_str(got, want, ...)                                                \
	do {                                                                  \
		const char *g_ = (got), *w_ = (want);                         \
		char tap_name_[512];                                          \
		snprintf(tap_name_, sizeof(tap_name_), __VA_ARGS__);          \
		if (!tap_ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, tap_name_)) \
			printf("#   got: '%s'\n#  want: '%s'\n", g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)");                          \
	} while (0)

static inline void tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

/* Ends the test at once with a TAP bail-out: the setup failed. */
static inline void tap_bail(const char *why)
{
	printf("Bail out! %s\n", why);
	exit(1);
}

/* Skips a test that needs root, except under CI=true, where it bails. */
static inline void tap_need_root(bool is_root)
{
	const char *ci = getenv("CI");

	if (is_root)
		return;
	if (ci && strcmp(ci, "true") == 0)
		tap_bail("needs root, and CI=true forbids skipping");
	tap_skip_all("needs root");
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
