/* json_in: JSON -> snapshot. The keys, their types and their checks are
 * json_schema's tables; this adds what concerns the whole document: the
 * JSON syntax, the schema version, and rows unique by inode. */
#include "config.h"
#include "json_in.h"
#include "json_schema.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

struct inode_at {
	uint64_t inode;
	size_t idx;
};

static int inode_cmp(const void *a, const void *b)
{
	const struct inode_at *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Rows are looked up by id (the inode, or a hostnet-pod's cgroup id), so an
 * id may appear once. */
static bool unique_inodes(struct cw_json_reader *r, const struct cw_snapshot *s)
{
	struct inode_at *v;
	size_t i;
	bool okay = true;

	if (s->nrows < 2)
		return true;
	v = cw_xcalloc(s->nrows, sizeof(*v));
	for (i = 0; i < s->nrows; i++) {
		v[i].inode = s->rows[i].id;
		v[i].idx = i;
	}
	qsort(v, s->nrows, sizeof(*v), inode_cmp);
	for (i = 1; i < s->nrows && okay; i++)
		if (v[i].inode == v[i - 1].inode) {
			size_t len = cw_json_reader_push_key(r, "netns");

			cw_json_reader_push_index(r, v[i].idx);
			okay = cw_json_reader_fail(r, s->rows[v[i].idx].kind == CW_KIND_HOSTNET_POD
							 ? "cgroup_id" : "inode",
						   "same as netns[%zu]", v[i - 1].idx);
			cw_json_reader_pop(r, len);
		}
	free(v);
	return okay;
}

/* The schema first, with the table's own reader: a document of another
 * version is refused as that, not for the first key that changed. */
static bool check_schema(struct cw_json_reader *r, const cJSON *root, const struct cw_json_ref *o)
{
	const struct cw_json_object *t = &cw_json_snapshot_object;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "schema");
	size_t i;

	if (!v)
		return cw_json_reader_fail(r, "schema", "missing");
	for (i = 0; i < t->nfields; i++)
		if (strcmp(t->fields[i].key, "schema") == 0)
			return t->fields[i].conv->get(r, &t->fields[i], v, o);
	cw_fatal("json_in: the document's table has no schema");
}

/* What is left open at the end of text: "a string", "an object", "an
 * array", or NULL when everything is closed. */
static const char *left_open(const char *text)
{
	char stack[256];
	size_t depth = 0;
	bool in_str = false, esc = false;
	const char *p;

	for (p = text; *p; p++) {
		if (in_str) {
			if (esc)
				esc = false;
			else if (*p == '\\')
				esc = true;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '{' || *p == '[') {
			if (depth < sizeof(stack))
				stack[depth] = *p;
			depth++;
		} else if ((*p == '}' || *p == ']') && depth) {
			depth--;
		}
	}
	if (in_str)
		return "a string";
	if (!depth)
		return NULL;
	if (depth > sizeof(stack))
		return "an object or array";
	return stack[depth - 1] == '{' ? "an object" : "an array";
}

/* Why the text does not parse, in words: a line cut short (a record being
 * written, a full disk) ends with something still open. */
static void syntax_cause(char **cause, const char *text, const char *end)
{
	size_t at = end && end >= text ? (size_t)(end - text) : 0;
	const char *open = left_open(text);
	char near[24];

	if (!text[strspn(text, " \t\r\n")]) {
		cw_cause(cause, -1, "not valid JSON: empty");
		return;
	}
	if (open) {
		cw_cause(cause, -1, "not valid JSON (at byte %zu): truncated, %s is not closed",
			 strlen(text), open);
		return;
	}
	cw_sanitize(near, sizeof(near), text + at);
	cw_cause(cause, -1, "not valid JSON (at byte %zu, near \"%s\")", at, near);
}

struct cw_snapshot *cw_json_in_snapshot(const char *text, char **cause)
{
	struct cw_json_reader r = {.cause = cause};
	struct cw_json_ref o;
	const char *end = NULL;
	struct cw_snapshot *s;
	cJSON *root;
	bool okay;

	if (cause)
		*cause = NULL;
	if (!text) {
		cw_cause(cause, -1, "no JSON text");
		return NULL;
	}
	/* One document: anything but whitespace after it is refused. */
	root = cJSON_ParseWithOpts(text, &end, 1);
	if (!root) {
		syntax_cause(cause, text, end);
		return NULL;
	}
	if (!cJSON_IsObject(root)) {
		cw_cause(cause, -1, "not a JSON object");
		cJSON_Delete(root);
		return NULL;
	}
	s = cw_snapshot_new();
	r.arena = &s->arena;
	o.part[0] = s;
	o.part[1] = NULL;
	okay = check_schema(&r, root, &o) &&
	       cw_json_schema_read(&r, &cw_json_snapshot_object, root, &o) &&
	       unique_inodes(&r, s);
	cJSON_Delete(root);
	if (!okay) {
		cw_snapshot_unref(s);
		return NULL;
	}
	return s;
}
