/* json_out: snapshot -> JSON, as the tables in json_schema say. */
#include "config.h"
#include "json_out.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

char *cw_json_snapshot(const struct cw_snapshot *s)
{
	/* The walker only reads through the reference. */
	struct cw_json_ref o = {{(void *)s, NULL}};
	cJSON *root = cw_json_schema_write(&cw_json_snapshot_object, &o);
	char *out = cJSON_PrintUnformatted(root);

	cJSON_Delete(root);
	if (!out)
		cw_fatal("out of memory printing JSON");
	return out;
}
