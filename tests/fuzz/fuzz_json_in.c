/* fuzz_json_in: text -> cw_json_in_snapshot, the reader of snapshot files
 * (replay, UI tests), whose input may come from anywhere. What it accepts
 * must round-trip: written back by json_out, it is read again, and writing
 * that gives the same text. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "json_in.h"
#include "json_out.h"
#include "snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), *cause = NULL, *out1, *out2;
	struct cw_snapshot *s = cw_json_in_snapshot(text, &cause), *s2;

	if (!s) {
		if (!cause)
			abort(); /* a refusal always says why */
		free(cause);
		free(text);
		return 0;
	}
	out1 = cw_json_snapshot(s);
	s2 = cw_json_in_snapshot(out1, &cause);
	if (!s2) {
		fprintf(stderr, "json_out wrote what json_in refuses: %s\n%s\n", cause, out1);
		abort();
	}
	out2 = cw_json_snapshot(s2);
	if (strcmp(out1, out2) != 0) {
		fprintf(stderr, "not a fixpoint:\n%s\n%s\n", out1, out2);
		abort();
	}
	free(out2);
	free(out1);
	cw_snapshot_unref(s2);
	cw_snapshot_unref(s);
	free(cause);
	free(text);
	return 0;
}
