/* json_out: snapshot -> JSON, as the tables in json_schema say. */
#include "config.h"
#include "json_out.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

static char *print(cJSON *v)
{
	char *out = cJSON_PrintUnformatted(v);

	cJSON_Delete(v);
	if (!out)
		cw_fatal("out of memory printing JSON");
	return out;
}

int cw_json_write(FILE *f, const struct cw_snapshot *s)
{
	static const char list[] = "\"netns\":[";
	struct cw_snapshot head;
	struct cw_json_ref o = {{&head, NULL}};
	char *text, *mark = NULL, *p;
	size_t i;
	int bad;

	/* The document with an empty list, split where the rows go: the last
	 * "netns":[ is the key's (inside strings every quote is escaped). */
	errno = 0;
	memcpy(&head, s, sizeof(head));
	head.nrows = 0;
	text = print(cw_json_schema_write(&cw_json_snapshot_object, &o));
	for (p = strstr(text, list); p; p = strstr(p + 1, list))
		mark = p + sizeof(list) - 1;
	if (!mark)
		cw_fatal("JSON document without its netns list");
	bad = fwrite(text, 1, (size_t)(mark - text), f) != (size_t)(mark - text);
	for (i = 0; i < s->nrows && !bad; i++) {
		struct cw_json_ref r = {{(void *)&s->rows[i], NULL}};
		char *row = print(cw_json_schema_write(cw_json_row_object, &r));

		bad = (i && fputc(',', f) == EOF) || fputs(row, f) == EOF;
		free(row);
	}
	bad = bad || fputs(mark, f) == EOF || fputc('\n', f) == EOF || fflush(f) == EOF;
	free(text);
	return bad ? -(errno ? errno : EIO) : 0;
}
