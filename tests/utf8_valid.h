/* utf8_valid.h: a strict UTF-8 check for tests (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), written apart from the
 * code under test so that it can disagree with it. */
#ifndef CW_TEST_UTF8_VALID_H
#define CW_TEST_UTF8_VALID_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline bool utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		uint32_t cp, min;
		int more, i;

		if (s[0] < 0x80) {
			s++;
			continue;
		}
		if (s[0] >= 0xc2 && s[0] <= 0xdf) {
			more = 1, cp = s[0] & 0x1f, min = 0x80;
		} else if ((s[0] & 0xf0) == 0xe0) {
			more = 2, cp = s[0] & 0x0f, min = 0x800;
		} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
			more = 3, cp = s[0] & 0x07, min = 0x10000;
		} else {
			return false; /* a continuation byte first, 0xc0/0xc1, or 0xf5.. */
		}
		for (i = 1; i <= more; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false; /* cut short (this also stops at the NUL) */
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += more + 1;
	}
	return true;
}

#endif
