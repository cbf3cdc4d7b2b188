/* fuzz_json_in: text -> cw_json_in_snapshot, the reader of snapshot files
 * (replay, UI tests), whose input may come from anywhere. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "json_in.h"
#include "snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), *cause = NULL;
	struct cw_snapshot *s = cw_json_in_snapshot(text, &cause);

	if (s)
		cw_snapshot_unref(s);
	else if (!cause)
		abort(); /* a refusal always says why */
	free(cause);
	free(text);
	return 0;
}
