/* fuzz_cgroup: text -> cw_cgroup_parse, as read from /proc/<pid>/cgroup,
 * whose paths a pod's runtime and a privileged pod can shape. The fixed-size
 * fields of the result must stay NUL-terminated. */
#include "config.h"

#include <stdlib.h>

#include "cgroup.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct cw_cgroup_info info;

	memset(&info, 0x5a, sizeof(info)); /* the parser must set every field */
	cw_cgroup_parse(text, &info);
	if (strnlen(info.pod_uid, sizeof(info.pod_uid)) == sizeof(info.pod_uid) ||
	    strnlen(info.container_id, sizeof(info.container_id)) == sizeof(info.container_id) ||
	    strnlen(info.qos, sizeof(info.qos)) == sizeof(info.qos))
		abort(); /* an unterminated field */
	(void)cw_runtime_name(info.runtime);
	free(text);
	return 0;
}
