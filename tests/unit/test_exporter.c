/* test_exporter: the exposition text rendered from snapshots read from
 * JSON: each family once with HELP and TYPE before its samples, which are
 * contiguous; the rows' labels (pods by namespace/pod/workload, others by
 * netns), escaped label values, no series twice; per-state gauges and
 * counters equal to the snapshot's numbers; rows without exact counts,
 * vanished rows, unknown node figures; findings once per (row, rule);
 * peers only when asked, at most N per row; and the --listen syntax. */
#include "config.h"
#include "exporter.h"
#include "json_in.h"
#include "tap.h"
#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

static const char *doc =
	"{\"schema\":2,\"time\":\"2026-11-30T10:00:00.000Z\",\"hostname\":\"n1\","
	"\"collector\":{\"cpu_ms\":12.5,\"budget_ms\":100,\"dump_ms\":3,\"netns_total\":4,"
	"\"netns_dumped\":2,\"dump_mode\":\"legacy\",\"host_netns_from\":\"pid1\","
	"\"procs_denied\":0,\"diag_rejected\":0,\"oldest_exact_ms\":61500,\"age_bound_ms\":85000,"
	"\"round_ms\":68000,\"dumps_failed\":3,\"dumps_retried\":7,\"events\":\"bpf\",\"events_drift\":2},"
	"\"findings\":["
	"{\"rule\":\"close-wait\",\"severity\":\"crit\",\"inode\":4026532001,\"label\":\"shop/web-7d4b9c-hg76\","
	"\"since\":\"2026-11-30T09:59:00.000Z\",\"text\":\"t\"},"
	"{\"rule\":\"close-wait\",\"severity\":\"warn\",\"inode\":4026532001,\"label\":\"shop/web-7d4b9c-hg76\","
	"\"since\":\"2026-11-30T09:59:00.000Z\",\"text\":\"t\"},"
	"{\"rule\":\"node-limit\",\"severity\":\"warn\",\"inode\":0,\"label\":\"node\","
	"\"since\":\"2026-11-30T09:59:00.000Z\",\"text\":\"t\"}],"
	"\"netns\":["
	"{\"inode\":4026531840,\"kind\":\"host\",\"label\":\"host\",\"status\":\"ok\",\"exact_age_ms\":1500,"
	"\"tcp\":{\"ESTABLISHED\":3,\"LISTEN\":2},\"tcp_total\":5,"
	"\"counters\":{\"curr_estab\":3,\"tw\":0,\"inuse\":5,\"active_opens\":100,\"passive_opens\":7,"
	"\"attempt_fails\":1,\"estab_resets\":2,\"in_errs\":0,\"out_rsts\":9,\"listen_overflows\":4,"
	"\"listen_drops\":5},"
	"\"peers\":[{\"direction\":\"out\",\"addr\":\"10.0.0.1\",\"port\":443,\"tcp\":{\"ESTABLISHED\":2},\"total\":2},"
	"{\"direction\":\"in\",\"addr\":\"fd00::9\",\"port\":22,\"tcp\":{\"ESTABLISHED\":1,\"TIME_WAIT\":4},\"total\":5}],"
	"\"peers_total\":2},"
	"{\"inode\":4026532001,\"kind\":\"pod\",\"label\":\"shop/web-7d4b9c-hg76\","
	"\"pod\":{\"namespace\":\"shop\",\"name\":\"web-7d4b9c-hg76\",\"uid\":\"u1\",\"workload\":\"web\","
	"\"containers\":[\"web\"]},\"status\":\"ok\",\"exact_age_ms\":0,"
	"\"tcp\":{\"ESTABLISHED\":140,\"CLOSE_WAIT\":91,\"LISTEN\":1},\"tcp_total\":232},"
	"{\"inode\":4026532002,\"kind\":\"named\",\"label\":\"lab\",\"netns_name\":\"lab\",\"status\":\"ok\","
	"\"counters\":{\"curr_estab\":0,\"tw\":0,\"inuse\":0,\"active_opens\":11,\"passive_opens\":0,"
	"\"attempt_fails\":0,\"estab_resets\":0,\"in_errs\":0,\"out_rsts\":0,\"listen_overflows\":0,"
	"\"listen_drops\":0}},"
	"{\"inode\":4026532003,\"kind\":\"named\",\"label\":\"gone\",\"netns_name\":\"gone\",\"status\":\"vanished\","
	"\"vanished\":true,\"exact_age_ms\":0,\"tcp\":{\"ESTABLISHED\":1},\"tcp_total\":1}"
	"]}";

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p += n;
	}
	return false;
}

static size_t count_prefix(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	const char *p = text;

	while (*p) {
		if (strncmp(p, prefix, len) == 0)
			n++;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return n;
}

/* Checks the exposition's structure: every sample's family was announced
 * by HELP then TYPE just before its first sample, no family is announced
 * twice or resumed after another one, and no sample line repeats its
 * name and labels. Returns the number of problems (with diagnostics). */
static int check_structure(const char *text)
{
	char *copy = cw_xstrdup(text), *save = NULL, *line;
	char *families[256], *series[4096];
	size_t nfam = 0, nser = 0, i;
	const char *cur = NULL;
	int bad = 0;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];
		size_t nl;

		if (strncmp(line, "# HELP ", 7) == 0) {
			nl = strcspn(line + 7, " ");
			for (i = 0; i < nfam; i++)
				if (strlen(families[i]) == nl && strncmp(families[i], line + 7, nl) == 0) {
					diag("family announced twice: %s", families[i]);
					bad++;
				}
			if (nfam < 256)
				families[nfam++] = line + 7;
			families[nfam - 1][nl] = '\0';
			cur = families[nfam - 1];
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			if (!cur || strncmp(line + 7, cur, strlen(cur)) != 0) {
				diag("TYPE not after its HELP: %s", line);
				bad++;
			}
			continue;
		}
		nl = strcspn(line, "{ ");
		snprintf(name, sizeof(name), "%.*s", (int)nl, line);
		if (!cur || strcmp(name, cur) != 0) {
			diag("sample outside its family (%s): %s", cur ? cur : "none", line);
			bad++;
		}
		nl = (size_t)(strrchr(line, ' ') - line);
		line[nl] = '\0';
		for (i = 0; i < nser; i++)
			if (strcmp(series[i], line) == 0) {
				diag("series twice: %s", line);
				bad++;
			}
		if (nser < 4096)
			series[nser++] = line;
	}
	free(copy);
	return bad;
}

static char *render(struct cw_snapshot *s, size_t peers)
{
	size_t len;
	char *t = cw_exporter_render(s, peers, &len);

	is_int(strlen(t), len, "length as returned");
	return t;
}

static void test_render(void)
{
	char *cause = NULL, *t;
	struct cw_snapshot *s = cw_json_in_snapshot(doc, &cause);

	ok(s != NULL, "snapshot read (%s)", cause ? cause : "ok");
	if (!s)
		return;
	cw_node_unknown(&s->node);
	t = render(s, 0);
	is_int(check_structure(t), 0, "structure: HELP/TYPE once per family, samples contiguous, no repeats");

	ok(has_line(t, "connwatch_tcp_sockets{namespace=\"shop\",pod=\"web-7d4b9c-hg76\",workload=\"web\","
		       "kind=\"pod\",state=\"CLOSE_WAIT\"} 91"), "a pod's CLOSE_WAIT, labelled as kube-state-metrics does");
	ok(has_line(t, "connwatch_tcp_sockets{netns=\"host\",kind=\"host\",state=\"ESTABLISHED\"} 3"),
	   "the host row is named by netns");
	ok(has_line(t, "connwatch_tcp_sockets{netns=\"host\",kind=\"host\",state=\"SYN_SENT\"} 0"),
	   "states at zero are exported too");
	is_int(count_prefix(t, "connwatch_tcp_sockets{"), 2 * 11,
		"11 states for each of the 2 live rows with exact counts");
	ok(!strstr(t, "netns=\"lab\",kind=\"named\",state="), "no socket gauge for a row without exact counts");
	ok(!strstr(t, "\"gone\""), "a vanished row is not exported");
	ok(has_line(t, "connwatch_tcp_active_opens_total{netns=\"lab\",kind=\"named\"} 11"),
	   "... but its counters are");
	ok(has_line(t, "connwatch_tcp_listen_drops_total{netns=\"host\",kind=\"host\"} 5"), "listen drops");
	ok(has_line(t, "connwatch_tcp_out_rsts_total{netns=\"host\",kind=\"host\"} 9"), "out rsts");
	ok(!strstr(t, "connwatch_tcp_active_opens_total{namespace=\"shop\""),
	   "no counters for a row whose counters are not valid");
	ok(has_line(t, "connwatch_row_exact_age_seconds{netns=\"host\",kind=\"host\"} 1.5"), "exact age in seconds");
	ok(has_line(t, "connwatch_collector_cpu_seconds 0.0125"), "collector cpu");
	ok(has_line(t, "connwatch_collector_budget_seconds 0.1"), "collector budget");
	ok(has_line(t, "connwatch_collector_oldest_exact_age_seconds 61.500"), "the oldest exact count");
	ok(has_line(t, "connwatch_collector_age_bound_seconds 85.000"), "the age bound");
	ok(has_line(t, "connwatch_collector_round_seconds 68.000"), "the round");
	ok(has_line(t, "connwatch_collector_dumps_failed_total 3") &&
	   strstr(t, "# TYPE connwatch_collector_dumps_failed_total counter\n"), "failed dumps, a counter");
	ok(has_line(t, "connwatch_collector_dumps_retried_total 7"), "retried dumps");
	ok(has_line(t, "connwatch_collector_events_drift_total 2"), "drift found by the reconciling dumps");
	ok(has_line(t, "connwatch_finding{namespace=\"shop\",pod=\"web-7d4b9c-hg76\",workload=\"web\",kind=\"pod\","
		       "rule=\"close-wait\",severity=\"crit\"} 1"), "a finding with its row's labels, worst severity");
	is_int(count_prefix(t, "connwatch_finding{"), 2, "one finding per (row, rule), and the node's");
	ok(has_line(t, "connwatch_finding{kind=\"node\",rule=\"node-limit\",severity=\"warn\"} 1"), "a node finding");
	is_int(count_prefix(t, "connwatch_node_"), 0, "unknown node figures: no samples");
	ok(strstr(t, "# TYPE connwatch_node_file_max gauge\n") != NULL, "... but the family is announced");
	ok(!strstr(t, "connwatch_peer_tcp_sockets"), "peers are off by default");
	ok(strstr(t, "# TYPE connwatch_tcp_active_opens_total counter\n") != NULL, "counters are typed counter");
	free(t);

	/* Node figures, peers, and hostile labels. */
	s->node.valid = true;
	s->node.file_nr = 1234;
	s->node.file_max = 99999;
	s->node.conntrack_max = 262144;
	s->node.sysctl.conntrack_count = 17;
	s->rows[2].label = "we\"ird\\na\nme";
	t = render(s, 1);
	is_int(check_structure(t), 0, "structure with peers and node figures");
	ok(has_line(t, "connwatch_node_file_handles 1234"), "file-nr");
	ok(has_line(t, "connwatch_node_file_max 99999"), "file-max");
	ok(has_line(t, "connwatch_node_conntrack_max 262144"), "conntrack max");
	ok(has_line(t, "connwatch_node_conntrack_entries 17"), "conntrack entries");
	ok(has_line(t, "connwatch_tcp_active_opens_total{netns=\"we\\\"ird\\\\na\\nme\",kind=\"named\"} 11"),
	   "quote, backslash and newline escaped in a label value");
	ok(has_line(t, "connwatch_peer_tcp_sockets{netns=\"host\",kind=\"host\",peer_addr=\"10.0.0.1\","
		       "peer_port=\"443\",direction=\"out\",state=\"ESTABLISHED\"} 2"), "the busiest peer");
	is_int(count_prefix(t, "connwatch_peer_tcp_sockets{"), 1, "--metrics-peers 1: one peer, its one state");
	free(t);
	t = render(s, 5);
	ok(has_line(t, "connwatch_peer_tcp_sockets{netns=\"host\",kind=\"host\",peer_addr=\"fd00::9\","
		       "peer_port=\"22\",direction=\"in\",state=\"TIME_WAIT\"} 4"), "an IPv6 inbound peer");
	is_int(count_prefix(t, "connwatch_peer_tcp_sockets{"), 3, "all peers' non-zero states");
	free(t);

	/* Two live rows with the same labels: both get their inode. */
	s->rows[3].vanished = false;
	s->rows[3].label = "lab";
	s->rows[2].label = "lab";
	s->rows[3].counters = s->rows[2].counters;
	t = render(s, 0);
	is_int(check_structure(t), 0, "structure with two rows of one name");
	ok(has_line(t, "connwatch_tcp_active_opens_total{netns=\"lab\",kind=\"named\",netns_inode=\"4026532002\"} 11"),
	   "a duplicate label set is told apart by inode (1)");
	ok(has_line(t, "connwatch_tcp_active_opens_total{netns=\"lab\",kind=\"named\",netns_inode=\"4026532003\"} 11"),
	   "a duplicate label set is told apart by inode (2)");
	free(t);
	cw_snapshot_unref(s);
}

/* Every fixture renders to a well-formed exposition. */
static void test_fixtures(void)
{
	static const char *names[] = {"small.json", "incident.json", "hostile.json", "hostnet.json", "big.json"};
	const char *top = getenv("top_srcdir");
	size_t i;

	for (i = 0; i < CW_ARRAY_LEN(names); i++) {
		char *path = cw_xasprintf("%s/tests/fixtures/snapshots/%s", top ? top : ".", names[i]);
		char *text = NULL, *cause = NULL, *t, *nl;
		size_t len;
		struct cw_snapshot *s = NULL;

		if (cw_read_file(path, 64 << 20, &text, &len) == 0) {
			nl = strchr(text, '\n');
			if (nl)
				*nl = '\0';
			s = cw_json_in_snapshot(text, &cause);
		}
		ok(s != NULL, "%s read (%s)", names[i], cause ? cause : "ok");
		if (s) {
			t = render(s, 3);
			is_int(check_structure(t), 0, "%s: well-formed", names[i]);
			ok(!strchr(t, '\033'), "%s: no escape byte in the text", names[i]);
			free(t);
			cw_snapshot_unref(s);
		}
		free(cause);
		free(text);
		free(path);
	}
}

static void test_listen(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char *cause = NULL;
	char buf[64];
	static const char *bad[] = {"9101", "", ":", ":0", ":65536", "localhost:9101", "1.2.3:80",
				    "[::1]", "[::1]9101", "[zz]:80", ":80x", "[]:80"};
	size_t i;

	is_int(cw_exporter_parse_listen(":9101", &ss, &len, NULL), 0, ":PORT");
	inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf, sizeof(buf));
	is_str(buf, "127.0.0.1", ":PORT binds loopback");
	is_int(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9101, "port");
	is_int(cw_exporter_parse_listen("0.0.0.0:80", &ss, &len, NULL), 0, "0.0.0.0:80");
	is_int(cw_exporter_parse_listen("[::1]:9101", &ss, &len, NULL), 0, "[::1]:PORT");
	is_int(ss.ss_family, AF_INET6, "IPv6");
	is_int(len, sizeof(struct sockaddr_in6), "IPv6 length");
	for (i = 0; i < CW_ARRAY_LEN(bad); i++) {
		is_int(cw_exporter_parse_listen(bad[i], &ss, &len, &cause), -EINVAL, "'%s' refused", bad[i]);
		ok(cause && strncmp(cause, "--listen: ", 10) == 0 && !strchr(cause, '\n'),
		   "... with one line naming --listen");
		free(cause);
		cause = NULL;
	}
}

int main(void)
{
	test_render();
	test_fixtures();
	test_listen();
	return tap_done();
}
