/* fuzz.h: what every libFuzzer target in tests/fuzz shares: the entry
 * point's prototype (the build uses -Wmissing-prototypes) and a copy of the
 * input as a C string, since the text parsers take NUL-terminated text. */
#ifndef CW_FUZZ_H
#define CW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A heap copy (so ASan sees reads past its end) with a NUL appended. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = cw_xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
