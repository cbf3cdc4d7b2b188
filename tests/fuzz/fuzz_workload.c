/* fuzz_workload: a pod name -> cw_workload_from_pod. The first byte picks
 * the output buffer's size (0 to 255), the rest is the name; the buffer is
 * on the heap at its exact size so an overrun is an ASan report. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n;
	char *pod, *buf;

	if (size < 1)
		return 0;
	n = data[0];
	pod = fuzz_cstr(data + 1, size - 1);
	buf = cw_xmalloc(n ? n : 1);
	cw_workload_from_pod(pod, buf, n);
	if (n && strnlen(buf, n) == n)
		abort(); /* not terminated */
	if (n && strncmp(buf, pod, strlen(buf)) != 0)
		abort(); /* the workload is always a prefix of the pod name */
	free(buf);
	free(pod);
	return 0;
}
