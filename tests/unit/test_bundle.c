/* test_bundle: incident bundles from a fixture snapshot: both files are
 * made new, with safe names; the JSON holds the row (read back by the same
 * tables as --json), its history and only its own findings; the Markdown
 * names the pod, its findings and peers, escaped; nothing is overwritten;
 * an unwritable directory leaves nothing behind. */
#include "config.h"
#include "bundle.h"
#include "history.h"
#include "json_in.h"
#include "tap.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/cwt-bundle.XXXXXX";

static char *slurp(const char *path)
{
	char *text = NULL;
	size_t len;

	if (cw_read_file(path, 1 << 24, &text, &len) < 0)
		return NULL;
	return text;
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	char *path = cw_xasprintf("%s/tests/fixtures/snapshots/incident.json", top ? top : "."), *text;
	char *cause = NULL, *js, *md, *cmd;
	struct cw_snapshot *s;
	struct cw_bundle_paths p;
	struct cw_ns_row *r;
	cJSON *doc;
	size_t len;
	int rc;

	if (!mkdtemp(dir))
		return 1;
	if (cw_read_file(path, 1 << 24, &text, &len) < 0)
		return 1;
	s = cw_json_in_snapshot(strtok(text, "\n"), &cause);
	ok(s != NULL, "fixture read");
	if (!s)
		return tap_done();
	r = &s->rows[1];
	/* A label with what Markdown and file names must not take raw. */
	r->label = "shop/front|end`x` ../../etc";
	s->findings = cw_arena_alloc(&s->arena, 2 * sizeof(*s->findings));
	s->findings[0] = (struct cw_finding){.rule = CW_RULE_CLOSE_WAIT, .severity = CW_SEV_WARN,
					     .id = r->id, .inode = r->inode, .label = r->label,
					     .since_ms = s->time_ms - 90000,
					     .text = "CLOSE_WAIT 91 toward 10.0.0.9:5432 | *bold*",
					     .next = "check that the client closes its sockets"};
	s->findings[1] = (struct cw_finding){.rule = CW_RULE_NODE_LIMIT, .severity = CW_SEV_INFO,
					     .label = "node", .since_ms = s->time_ms, .text = "other"};
	s->nfindings = 2;

	ok(cw_bundle_write(s, r->id, dir, &p, &cause) == 0, "written%s%s", cause ? ": " : "",
	   cause ? cause : "");
	ok(strstr(p.json, "/connwatch-shop_front_end_x________etc-") && strstr(p.json, "Z.json") &&
	   strncmp(p.json, dir, strlen(dir)) == 0 && !strstr(p.json + strlen(dir), ".."),
	   "a safe name inside the directory: %s", p.json + strlen(dir) + 1);
	js = slurp(p.json);
	md = slurp(p.md);
	doc = js ? cJSON_Parse(js) : NULL;
	ok(doc != NULL, "the JSON file parses");
	if (doc) {
		cJSON *row = cJSON_GetObjectItem(doc, "row"), *fl = cJSON_GetObjectItem(doc, "findings");
		cJSON *h = cJSON_GetObjectItem(doc, "history");

		ok(row && cJSON_GetObjectItem(row, "tcp") && cJSON_GetObjectItem(row, "peers") &&
		   strcmp(cJSON_GetObjectItem(row, "label")->valuestring, r->label) == 0,
		   "the row as --json writes it");
		ok(cJSON_GetArraySize(fl) == 1 &&
		   strcmp(cJSON_GetObjectItem(cJSON_GetArrayItem(fl, 0), "rule")->valuestring, "close-wait") == 0,
		   "only the row's own findings");
		ok(h && cJSON_IsArray(cJSON_GetObjectItem(h, "last_minute")) &&
		   cJSON_IsArray(cJSON_GetObjectItem(h, "trend")), "its history");
		cJSON_Delete(doc);
	}
	ok(md && strstr(md, "# connwatch: shop/front\\|end\\`x\\` \\.\\./\\.\\./etc on "),
	   "the Markdown title names the pod, escaped");
	ok(md && strstr(md, "**warn close-wait** since ") &&
	   strstr(md, "CLOSE\\_WAIT 91 toward 10\\.0\\.0\\.9:5432 \\| \\*bold\\*") &&
	   strstr(md, "Next: check that the client closes its sockets"),
	   "the finding, escaped, with its next step");
	ok(md && strstr(md, "## Top peers") && strstr(md, "| ESTABLISHED |"), "states and peers tables");
	free(js);
	free(md);
	/* The same second again: never over an existing file. */
	free(cause);
	cause = NULL;
	rc = cw_bundle_write(s, r->id, dir, &p, &cause);
	ok(rc < 0 && cause && strstr(cause, "File exists"),
	   "an existing bundle is not overwritten: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	rc = cw_bundle_write(s, r->id, "/nonexistent/dir", &p, &cause);
	ok(rc < 0 && cause,
	   "a missing directory is an error: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	rc = cw_bundle_write(s, 12345, dir, &p, &cause);
	ok(rc < 0 && cause && strstr(cause, "gone"),
	   "a row that is gone: %s", cause ? cause : "");
	free(cause);
	cw_snapshot_unref(s);
	free(text);
	free(path);
	cmd = cw_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
	return tap_done();
}
