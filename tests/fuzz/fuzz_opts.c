/* fuzz_opts: bytes -> cw_opts_parse. The input is split on NUL bytes into
 * the arguments after argv[0], as a shell would pass them. What it accepts
 * must be within the ranges --help gives. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "opts.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), *cause = NULL, *argv[MAX_ARGS + 2];
	char prog[] = "connwatch";
	struct cw_opts o;
	int argc = 0;
	size_t i = 0;

	argv[argc++] = prog;
	while (i < size && argc <= MAX_ARGS) {
		argv[argc++] = text + i;
		i += strlen(text + i) + 1;
	}
	argv[argc] = NULL;
	cw_opts_defaults(&o);
	if (cw_opts_parse(&o, argc, argv, &cause) < 0) {
		if (!cause)
			abort(); /* a refusal always says why */
	} else if (!(o.delay_s >= 0.05 && o.delay_s <= 3600) || o.count < 1 ||
		   !(o.budget_pct > 0 && o.budget_pct <= 100) || o.peers > 100000 ||
		   !o.warn_close_wait || !o.warn_time_wait || !o.warn_syn_sent ||
		   !o.procfs || !o.rootfs || (o.sockets_info && !o.sockets)) {
		abort(); /* accepted a value --help says is out of range */
	}
	free(cause);
	free(text);
	return 0;
}
