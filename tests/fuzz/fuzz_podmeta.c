/* fuzz_podmeta: JSON text -> every runtime metadata parser (OCI
 * config.json of containerd and CRI-O, the CNI result cache, docker's
 * config.v2.json, podman's containers.json). Each is run on every input. */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "podmeta.h"

static void one(int (*parse)(const char *, struct cw_meta *, char **), const char *text)
{
	struct cw_meta m = {0};
	char *cause = NULL;

	parse(text, &m, &cause);
	free(cause);
	cw_meta_done(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	/* Ids from tests/fixtures/podmeta/podman-containers.json, and none. */
	static const char *const ids[] = {
		"", "1111111111111111111111111111111111111111111111111111111111111111",
		"9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b",
	};
	size_t i;

	one(cw_podmeta_parse_oci, text);
	one(cw_podmeta_parse_cni, text);
	one(cw_podmeta_parse_docker, text);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct cw_meta m = {0};
		char *cause = NULL;

		cw_podmeta_parse_podman(text, ids[i], &m, &cause);
		free(cause);
		cw_meta_done(&m);
	}
	free(text);
	return 0;
}
