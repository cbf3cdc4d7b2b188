/* fuzz_cgroup: text -> cw_cgroup_parse, as read from /proc/<pid>/cgroup,
 * whose paths a pod's runtime and a privileged pod can shape. The fixed-size
 * fields of the result must stay NUL-terminated. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "cgroup.h"
#include "fuzz.h"

/* What cgroup.h promises of the fields: a uid in 8-4-4-4-12 lowercase hex
 * with dashes, a lowercase hex container id, a known QoS class, and "found"
 * exactly when there is a uid or an id. */
static void check_fields(const struct cw_cgroup_info *i, bool found)
{
	static const char *const qos[] = {"", "guaranteed", "burstable", "besteffort"};
	size_t k, n;
	bool qos_ok = false;

	n = strlen(i->pod_uid);
	if (n != 0 && n != 36)
		abort();
	for (k = 0; k < n; k++) {
		bool dash = k == 8 || k == 13 || k == 18 || k == 23;

		if (dash ? i->pod_uid[k] != '-' : !strchr("0123456789abcdef", i->pod_uid[k]))
			abort();
	}
	for (k = 0; i->container_id[k]; k++)
		if (!strchr("0123456789abcdef", i->container_id[k]))
			abort();
	for (k = 0; k < sizeof(qos) / sizeof(qos[0]); k++)
		qos_ok |= strcmp(i->qos, qos[k]) == 0;
	if (!qos_ok || found != (i->pod_uid[0] || i->container_id[0]))
		abort();
	if (i->pod_uid[0] && !i->kube)
		abort(); /* a pod uid outside kubepods is not taken */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct cw_cgroup_info info;
	bool found;

	memset(&info, 0x5a, sizeof(info)); /* the parser must set every field */
	found = cw_cgroup_parse(text, &info);
	if (strnlen(info.pod_uid, sizeof(info.pod_uid)) == sizeof(info.pod_uid) ||
	    strnlen(info.container_id, sizeof(info.container_id)) == sizeof(info.container_id) ||
	    strnlen(info.qos, sizeof(info.qos)) == sizeof(info.qos))
		abort(); /* an unterminated field */
	(void)cw_runtime_name(info.runtime);
	check_fields(&info, found);
	free(text);
	return 0;
}
