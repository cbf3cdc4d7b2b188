/* test_batch: the --batch table from snapshots read from the JSON
 * fixtures: one header line and one line per row with as many fields as
 * the header, labels without blanks, "-" where a row has no exact counts,
 * the row's worst finding by rule id, and every count in its column. */
#include "config.h"
#include "batch_sink.h"
#include "json_in.h"
#include "tap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static char *fixture(const char *name)
{
	const char *top = getenv("top_srcdir");
	char *path = cw_xasprintf("%s/tests/fixtures/snapshots/%s", top ? top : ".", name), *text;
	size_t len;

	if (cw_read_file(path, 64 << 20, &text, &len) < 0)
		text = NULL;
	free(path);
	return text;
}

static size_t fields(char *line, char **out, size_t max)
{
	size_t n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save))
		if (n < max)
			out[n++] = t;
		else
			n++;
	return n;
}

static char *table(const struct cw_snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ok(cw_batch_write(f, s) == 0, "written");
	fclose(f);
	return buf;
}

static void test_fixture(void)
{
	char *text = fixture("incident.json"), *cause = NULL, *out, *line, *save = NULL;
	struct cw_snapshot *s;
	char *head[32], *f[32];
	size_t nhead = 0, rows = 0, bad = 0, i, k;
	int estab = -1, total = -1, label = -1, finding = -1, age = -1, twage = -1;
	bool counts_right = true, ages_right = true;

	s = text ? cw_json_in_snapshot(strtok(text, "\n"), &cause) : NULL;
	ok(s != NULL, "incident.json read");
	if (!s)
		return;
	/* Give a process a label with blanks, and one row a finding. */
	s->rows[s->nrows - 1].label = "java main [4123]";
	s->findings = cw_arena_alloc(&s->arena, sizeof(*s->findings));
	s->findings[0] = (struct cw_finding){.rule = CW_RULE_CLOSE_WAIT, .severity = CW_SEV_WARN,
					     .id = s->rows[1].id, .inode = s->rows[1].inode,
					     .label = s->rows[1].label, .text = "t"};
	s->nfindings = 1;
	cw_snapshot_link_findings(s);
	/* Row 0 not dumped this tick: its TIME_WAIT is the counters'. */
	s->rows[0].exact_age_ms = 4000;
	s->rows[0].tw_current = true;
	s->rows[1].exact_age_ms = 7000;
	out = table(s);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!nhead) {
			nhead = fields(line, head, 32);
			for (k = 0; k < nhead && k < 32; k++) {
				if (strcmp(head[k], "ESTABLISHED") == 0)
					estab = (int)k;
				if (strcmp(head[k], "TOTAL") == 0)
					total = (int)k;
				if (strcmp(head[k], "LABEL") == 0)
					label = (int)k;
				if (strcmp(head[k], "FINDING") == 0)
					finding = (int)k;
				if (strcmp(head[k], "AGE_MS") == 0)
					age = (int)k;
				if (strcmp(head[k], "TW_AGE_MS") == 0)
					twage = (int)k;
			}
			continue;
		}
		if (fields(line, f, 32) != nhead) {
			bad++;
			continue;
		}
		i = rows++;
		if (i >= s->nrows)
			continue;
		if (strcmp(f[label], s->rows[i].label) != 0 && i != s->nrows - 1)
			counts_right = false;
		if (s->rows[i].has_exact) {
			if (strtoul(f[estab], NULL, 10) != s->rows[i].tcp.tcp[CW_TCP_ESTABLISHED] ||
			    strtoul(f[total], NULL, 10) != s->rows[i].tcp.total)
				counts_right = false;
		} else if (strcmp(f[estab], "-") != 0) {
			counts_right = false;
		}
		if (age >= 0 && twage >= 0 && s->rows[i].has_exact &&
		    (strtol(f[age], NULL, 10) != s->rows[i].exact_age_ms ||
		     strtol(f[twage], NULL, 10) != (s->rows[i].tw_current ? 0 : s->rows[i].exact_age_ms)))
			ages_right = false;
		if (i <= 1 && strcmp(f[age], i ? "7000" : "4000") != 0)
			ages_right = false;
		if (i <= 1 && strcmp(f[twage], i ? "7000" : "0") != 0)
			ages_right = false;
		if (i == 1 && strcmp(f[finding], "close-wait") != 0)
			counts_right = false;
		if (i == 2 && strcmp(f[finding], "-") != 0)
			counts_right = false;
		if (i == s->nrows - 1 && strcmp(f[label], "java_main_[4123]") != 0)
			counts_right = false;
	}
	ok(nhead == 19 && estab == 3 && label == 18 && twage == 16, "one header line of 19 fields (%zu)",
	   nhead);
	ok(ages_right, "AGE_MS: the counts' age; TW_AGE_MS: 0 where TIME_WAIT is the counters' (row 0), "
	   "else the same");
	is_int(rows, s->nrows, "one line per row");
	is_int(bad, 0, "every line has the header's number of fields");
	ok(counts_right, "counts, labels and findings in their columns");
	free(out);
	free(text);
	cw_snapshot_unref(s);
}

/* A closed or full output is an error, never a partial success. */
static void test_error(void)
{
	struct cw_snapshot *s = cw_snapshot_new();
	FILE *f = fopen("/dev/full", "w");

	if (!f) {
		ok(1, "# SKIP no /dev/full");
		cw_snapshot_unref(s);
		return;
	}
	ok(cw_batch_write(f, s) < 0, "a full device is an error");
	fclose(f);
	cw_snapshot_unref(s);
}

int main(void)
{
	test_fixture();
	test_error();
	return tap_done();
}
