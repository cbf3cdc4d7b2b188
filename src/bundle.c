/* bundle: one row's snapshot, history and findings as JSON and Markdown. */
#include "config.h"
#include "bundle.h"
#include "json_schema.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A label as part of a file name: letters, digits, '-' and '_' kept, the
 * rest (slashes, dots, anything from outside) '_', at most 80 bytes. */
static void file_part(const char *label, char *out, size_t n)
{
	size_t i, o = 0;

	for (i = 0; label[i] && o + 1 < n && o < 80; i++) {
		char c = label[i];
		bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    c == '-' || c == '_';

		out[o] = keep ? c : '_';
		o++;
	}
	out[o] = '\0';
}

static cJSON *series_json(const struct cw_series *se)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;
	unsigned st;

	for (i = 0; se && i < se->n; i++) {
		cJSON *o = cJSON_CreateObject(), *tcp = cJSON_CreateObject();
		char when[40];

		cw_json_time(se->t[i], when, sizeof(when));
		cJSON_AddStringToObject(o, "time", when);
		for (st = CW_TCP_ESTABLISHED; st <= CW_TCP_CLOSING; st++)
			if (se->v[i][st])
				cJSON_AddNumberToObject(tcp, cw_tcp_state_name(st), se->v[i][st]);
		cJSON_AddItemToObject(o, "tcp", tcp);
		cJSON_AddNumberToObject(o, "total", se->v[i][0]);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static char *bundle_json(const struct cw_snapshot *s, const struct cw_ns_row *r)
{
	cJSON *doc = cJSON_CreateObject(), *hist, *fl;
	struct cw_json_ref ref = {{(void *)r, NULL}};
	char when[40], *text;
	size_t i;

	cJSON_AddNumberToObject(doc, "schema", CW_SNAPSHOT_SCHEMA);
	cw_json_time(s->time_ms, when, sizeof(when));
	cJSON_AddStringToObject(doc, "time", when);
	if (s->hostname)
		cJSON_AddStringToObject(doc, "hostname", s->hostname);
	cJSON_AddItemToObject(doc, "row", cw_json_schema_write(cw_json_row_object, &ref));
	hist = cJSON_CreateObject();
	cJSON_AddItemToObject(hist, "last_minute", series_json(r->series));
	cJSON_AddItemToObject(hist, "trend", series_json(r->trend));
	cJSON_AddItemToObject(doc, "history", hist);
	fl = cJSON_CreateArray();
	for (i = 0; i < s->nfindings; i++) {
		struct cw_json_ref f = {{&s->findings[i], NULL}};

		if (s->findings[i].id == r->id)
			cJSON_AddItemToArray(fl, cw_json_schema_write(cw_json_finding_object, &f));
	}
	cJSON_AddItemToObject(doc, "findings", fl);
	text = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!text)
		cw_fatal("out of memory writing a bundle");
	return text;
}

/* Markdown-safe: characters that would format or break a table are
 * escaped. */
static void md(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("\\`*_{}[]()#+-.!|<>~", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void md_summary(FILE *f, const struct cw_snapshot *s, const struct cw_ns_row *r)
{
	static const unsigned order[] = {CW_TCP_ESTABLISHED, CW_TCP_SYN_SENT, CW_TCP_TIME_WAIT,
					 CW_TCP_CLOSE_WAIT, CW_TCP_SYN_RECV, CW_TCP_FIN_WAIT1,
					 CW_TCP_FIN_WAIT2, CW_TCP_LAST_ACK, CW_TCP_LISTEN,
					 CW_TCP_CLOSING, CW_TCP_CLOSE};
	char when[40], a[46];
	size_t i, k, nf = 0;

	cw_json_time(s->time_ms, when, sizeof(when));
	fputs("# connwatch: ", f);
	md(f, r->label);
	fputs(" on ", f);
	md(f, s->hostname ? s->hostname : "?");
	fprintf(f, " at %s\n\n", when);
	fprintf(f, "- kind: %s, netns inode %" PRIu64, cw_kind_name(r->kind), r->inode);
	if (r->workload) {
		fputs(", workload ", f);
		md(f, r->workload);
	}
	fputs("\n", f);
	if (r->has_exact)
		fprintf(f, "- exact counts %" PRId64 " ms old; %" PRIu32 " TCP sockets\n\n",
			r->exact_age_ms, r->tcp.total);
	else
		fputs("- no exact count yet\n\n", f);
	fputs("## Findings\n\n", f);
	for (i = 0; i < s->nfindings; i++) {
		const struct cw_finding *fd = &s->findings[i];

		if (fd->id != r->id)
			continue;
		nf++;
		cw_json_time(fd->since_ms, when, sizeof(when));
		fprintf(f, "- **%s %s** since %s: ", cw_severity_name(fd->severity), cw_rule_name(fd->rule),
			when);
		md(f, fd->text);
		if (fd->next) {
			fputs(" Next: ", f);
			md(f, fd->next);
		}
		fputs("\n", f);
	}
	if (!nf)
		fputs("- none\n", f);
	if (r->has_exact) {
		fputs("\n## TCP states\n\n| state | now | change/s | baseline |\n| --- | ---: | ---: | ---: |\n", f);
		for (k = 0; k < CW_ARRAY_LEN(order); k++) {
			unsigned st = order[k];

			if (!r->tcp.tcp[st] && !(r->has_baseline && r->baseline[st] >= 0.5))
				continue;
			fprintf(f, "| %s | %" PRIu32 " | ", cw_tcp_state_name(st), r->tcp.tcp[st]);
			if (r->has_change)
				fprintf(f, "%+.1f", r->change[st]);
			else
				fputs("-", f);
			if (r->has_baseline)
				fprintf(f, " | %.0f |\n", r->baseline[st]);
			else
				fputs(" | - |\n", f);
		}
		fputs("\n## Top peers\n\n| peer | dir | ESTAB | SYN_SENT | TIME_WAIT | CLOSE_WAIT | total |\n"
		      "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n", f);
		for (i = 0; i < r->npeers && i < 10; i++) {
			const struct cw_peer *p = &r->peers[i];

			fprintf(f, "| %s:%u | %s | %" PRIu32 " | %" PRIu32 " | %" PRIu32 " | %" PRIu32 " | %" PRIu32 " |\n",
				cw_addr_str(&p->addr, a, sizeof(a)), p->port, cw_peer_dir_name(p->dir),
				p->tcp[CW_TCP_ESTABLISHED], p->tcp[CW_TCP_SYN_SENT], p->tcp[CW_TCP_TIME_WAIT],
				p->tcp[CW_TCP_CLOSE_WAIT], p->total);
		}
		if (!r->npeers)
			fputs("| none | | | | | | |\n", f);
	}
	fputs("\nMade by connwatch; the JSON file beside this one holds the row, its history and "
	      "its findings.\n", f);
}

/* Creates path new and writes text; on an error nothing is left. */
static int write_new(const char *path, const char *text, size_t len, char **cause)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	size_t done = 0;

	if (fd < 0)
		return cw_cause(cause, -errno, "%s: %s", path, strerror(errno));
	while (done < len) {
		ssize_t k = write(fd, text + done, len - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			int e = k < 0 ? errno : EIO;

			close(fd);
			unlink(path);
			return cw_cause(cause, -e, "%s: %s", path, strerror(e));
		}
		done += (size_t)k;
	}
	if (close(fd) < 0) {
		int e = errno;

		unlink(path);
		return cw_cause(cause, -e, "%s: %s", path, strerror(e));
	}
	return 0;
}

int cw_bundle_write(const struct cw_snapshot *s, uint64_t row_id, const char *dir,
		    struct cw_bundle_paths *out, char **cause)
{
	const struct cw_ns_row *r = cw_snapshot_find(s, row_id);
	char name[96], when[40], stamp[24], *text, *mdtext = NULL;
	size_t mdlen = 0, i, o = 0;
	FILE *f;
	int rc;

	if (!r)
		return cw_cause(cause, -ENOENT, "bundle: that row is gone");
	file_part(r->label, name, sizeof(name));
	cw_json_time(s->time_ms, when, sizeof(when));
	/* 2026-11-30T22:43:15.288Z -> 20261130T224315Z */
	for (i = 0; when[i] && o + 1 < sizeof(stamp); i++)
		if (when[i] != '-' && when[i] != ':' && when[i] != '.' &&
		    !(i >= 19 && when[i] >= '0' && when[i] <= '9'))
			stamp[o++] = when[i];
	stamp[o] = '\0';
	snprintf(out->json, sizeof(out->json), "%s/connwatch-%s-%s.json", dir, name, stamp);
	snprintf(out->md, sizeof(out->md), "%s/connwatch-%s-%s.md", dir, name, stamp);
	text = bundle_json(s, r);
	rc = write_new(out->json, text, strlen(text), cause);
	free(text);
	if (rc < 0)
		return rc;
	f = open_memstream(&mdtext, &mdlen);
	if (!f)
		cw_fatal("out of memory writing a bundle");
	md_summary(f, s, r);
	fclose(f);
	rc = write_new(out->md, mdtext, mdlen, cause);
	free(mdtext);
	if (rc < 0)
		unlink(out->json);
	return rc;
}
