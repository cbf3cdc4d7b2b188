/* exporter: the Prometheus sink. Owns the listening socket, the
 * libmicrohttpd daemon (which runs its own thread) and a reference to the
 * latest published snapshot. publish() swaps that reference under a mutex
 * on the app's loop thread; a scrape takes its own reference under the same
 * mutex and renders outside it, on the daemon's thread. So a scrape never
 * waits for a tick, and a tick waits at most for a pointer swap. */
#include "config.h"
#include "exporter.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- --listen ------------------------------------------------------------ */

int cw_exporter_parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len,
			     char **cause)
{
	char host[64];
	const char *colon, *port_s;
	uint64_t port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (!end || end[1] != ':')
			return cw_cause(cause, -EINVAL,
					"--listen: an IPv6 address is written [ADDR]:PORT (got '%s')", spec);
		hl = (size_t)(end - spec - 1);
		if (hl == 0 || hl >= sizeof(host))
			return cw_cause(cause, -EINVAL, "--listen: bad IPv6 address (got '%s')", spec);
		memcpy(host, spec + 1, hl);
		host[hl] = '\0';
		port_s = end + 2;
	} else {
		colon = strrchr(spec, ':');
		if (!colon)
			return cw_cause(cause, -EINVAL,
					"--listen: expected ADDR:PORT or :PORT (got '%s')", spec);
		hl = (size_t)(colon - spec);
		if (hl >= sizeof(host))
			return cw_cause(cause, -EINVAL, "--listen: bad address (got '%s')", spec);
		memcpy(host, spec, hl);
		host[hl] = '\0';
		if (hl == 0)
			strcpy(host, "127.0.0.1"); /* ":PORT": loopback, never every address */
		port_s = colon + 1;
	}
	if (!cw_parse_u64(port_s, &port) || port == 0 || port > 65535)
		return cw_cause(cause, -EINVAL, "--listen: the port must be 1 to 65535 (got '%s')", spec);
	if (spec[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return cw_cause(cause, -EINVAL, "--listen: bad IPv6 address (got '%s')", spec);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return cw_cause(cause, -EINVAL,
					"--listen: a numeric IPv4 address, or [IPv6] (got '%s')", spec);
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
	}
	return 0;
}

/* ---- rendering ----------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
};

static void bput(struct buf *b, const char *s, size_t n)
{
	cw_xgrow((void **)&b->p, &b->cap, b->len + n + 1, 1);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void bstr(struct buf *b, const char *s)
{
	bput(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			cw_fatal("exporter: formatting failed");
		if (b->p && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		cw_xgrow((void **)&b->p, &b->cap, b->len + (size_t)n + 1, 1);
	}
}

/* A label value as the text format wants it: backslash, double quote and
 * newline escaped. The snapshot's strings are sanitised already, but a pod
 * or a named namespace may still carry quotes and backslashes. */
static void besc(struct buf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;

		if (!rep)
			continue;
		bput(b, run, (size_t)(s - run));
		bstr(b, rep);
		run = s + 1;
	}
	bput(b, run, (size_t)(s - run));
}

static void blabel(struct buf *b, bool *first, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	if (!*first)
		bput(b, ",", 1);
	*first = false;
	bstr(b, name);
	bput(b, "=\"", 2);
	besc(b, value);
	bput(b, "\"", 1);
}

static void family(struct buf *b, const char *name, const char *type, const char *help)
{
	bprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The labels that name a row, as cAdvisor and kube-state-metrics name a pod
 * (namespace, pod, container), plus workload and kind; a row that is no pod
 * is named by netns (its label). inode is added only to tell apart rows
 * that would otherwise carry the same labels. */
static char *row_labels(const struct cw_ns_row *r, bool with_inode)
{
	struct buf b = {0};
	bool first = true;
	char ino[24];

	if (r->is_pod) {
		blabel(&b, &first, "namespace", r->pod_ns);
		blabel(&b, &first, "pod", r->pod_name);
	} else {
		blabel(&b, &first, "netns", r->label);
	}
	if (r->kind == CW_KIND_CONTAINER && r->ncontainers > 0)
		blabel(&b, &first, "container", r->containers[0]);
	blabel(&b, &first, "workload", r->workload);
	blabel(&b, &first, "kind", cw_kind_name(r->kind));
	if (with_inode) {
		snprintf(ino, sizeof(ino), "%" PRIu64, r->inode);
		blabel(&b, &first, "netns_inode", ino);
	}
	if (!b.p)
		bput(&b, "", 0);
	return b.p;
}

struct rowlab {
	const struct cw_ns_row *row;
	char *labels;
};

static int cmp_rowlab(const void *x, const void *y)
{
	return strcmp(((const struct rowlab *)x)->labels, ((const struct rowlab *)y)->labels);
}

/* Label sets of the rows exported (the live ones), in snapshot order. Two
 * rows that would share a label set (a pod's old and new sandbox for a
 * moment) both get their inode, so no series is written twice. */
static struct rowlab *label_rows(const struct cw_snapshot *s, size_t *n_out)
{
	struct rowlab *v = cw_xcalloc(s->nrows + 1, sizeof(*v));
	struct rowlab *sorted;
	size_t n = 0, i, j;

	for (i = 0; i < s->nrows; i++) {
		if (s->rows[i].vanished)
			continue;
		v[n].row = &s->rows[i];
		v[n].labels = row_labels(&s->rows[i], false);
		n++;
	}
	sorted = cw_xcalloc(n + 1, sizeof(*sorted));
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), cmp_rowlab);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(sorted[i].labels, sorted[j].labels) == 0; j++)
			;
		if (j - i == 1)
			continue;
		for (size_t k = i; k < j; k++) {
			for (size_t m = 0; m < n; m++) {
				if (v[m].row != sorted[k].row)
					continue;
				free(v[m].labels);
				v[m].labels = row_labels(v[m].row, true);
			}
		}
	}
	free(sorted);
	*n_out = n;
	return v;
}

/* A sample: name{labels[,extra]} value. */
static void sample_start(struct buf *b, const char *name, const char *labels)
{
	bstr(b, name);
	bput(b, "{", 1);
	bstr(b, labels);
}

static void sample_u64(struct buf *b, const char *name, const char *labels, uint64_t v)
{
	sample_start(b, name, labels);
	bprintf(b, "} %" PRIu64 "\n", v);
}

static void sample_double(struct buf *b, const char *name, const char *labels, double v)
{
	sample_start(b, name, labels);
	bprintf(b, "} %.9g\n", v);
}

static const struct {
	const char *name, *help;
	size_t off;
} counter_metrics[] = {
	{"connwatch_tcp_active_opens_total",
	 "Connections this namespace opened (Tcp ActiveOpens).",
	 offsetof(struct cw_counters, active_opens)},
	{"connwatch_tcp_passive_opens_total",
	 "Connections this namespace accepted (Tcp PassiveOpens).",
	 offsetof(struct cw_counters, passive_opens)},
	{"connwatch_tcp_attempt_fails_total",
	 "Connection attempts that failed (Tcp AttemptFails).",
	 offsetof(struct cw_counters, attempt_fails)},
	{"connwatch_tcp_estab_resets_total",
	 "Established connections reset (Tcp EstabResets).",
	 offsetof(struct cw_counters, estab_resets)},
	{"connwatch_tcp_out_rsts_total",
	 "Segments sent with RST (Tcp OutRsts).",
	 offsetof(struct cw_counters, out_rsts)},
	{"connwatch_tcp_listen_overflows_total",
	 "Connections dropped because an accept queue was full (TcpExt ListenOverflows).",
	 offsetof(struct cw_counters, listen_overflows)},
	{"connwatch_tcp_listen_drops_total",
	 "SYNs dropped by listeners (TcpExt ListenDrops).",
	 offsetof(struct cw_counters, listen_drops)},
};

static void render_rows(struct buf *b, const struct rowlab *v, size_t n, size_t peers)
{
	size_t i, k;
	unsigned slot;
	char addr[64];

	family(b, "connwatch_tcp_sockets", "gauge",
	       "TCP sockets in a network namespace by state, from its latest exact count.");
	for (i = 0; i < n; i++) {
		if (!v[i].row->has_exact)
			continue;
		for (slot = 1; slot < CW_TCP_NSTATES; slot++) {
			sample_start(b, "connwatch_tcp_sockets", v[i].labels);
			bprintf(b, "%sstate=\"%s\"} %" PRIu32 "\n", v[i].labels[0] ? "," : "",
				cw_tcp_state_name(slot), v[i].row->tcp.tcp[slot]);
		}
	}
	for (k = 0; k < CW_ARRAY_LEN(counter_metrics); k++) {
		family(b, counter_metrics[k].name, "counter", counter_metrics[k].help);
		for (i = 0; i < n; i++) {
			const struct cw_counters *c = &v[i].row->counters;

			if (!c->valid)
				continue;
			sample_u64(b, counter_metrics[k].name, v[i].labels,
				   *(const uint64_t *)(const void *)((const char *)c + counter_metrics[k].off));
		}
	}
	family(b, "connwatch_row_exact_age_seconds", "gauge",
	       "Age of a namespace's exact counts (they are refreshed within the dump budget).");
	for (i = 0; i < n; i++)
		if (v[i].row->has_exact)
			sample_double(b, "connwatch_row_exact_age_seconds", v[i].labels,
				      (double)v[i].row->exact_age_ms / 1000.0);
	if (!peers)
		return;
	family(b, "connwatch_peer_tcp_sockets", "gauge",
	       "TCP sockets to one peer of a namespace by state, for its busiest peers.");
	for (i = 0; i < n; i++) {
		const struct cw_ns_row *r = v[i].row;

		if (!r->has_exact)
			continue;
		for (k = 0; k < r->npeers && k < peers; k++) {
			const struct cw_peer *p = &r->peers[k];

			cw_addr_str(&p->addr, addr, sizeof(addr));
			for (slot = 1; slot < CW_TCP_NSTATES; slot++) {
				if (!p->tcp[slot])
					continue;
				sample_start(b, "connwatch_peer_tcp_sockets", v[i].labels);
				bprintf(b, "%speer_addr=\"", v[i].labels[0] ? "," : "");
				besc(b, addr);
				bprintf(b, "\",peer_port=\"%u\",direction=\"%s\",state=\"%s\"} %" PRIu32 "\n",
					(unsigned)p->port, cw_peer_dir_name(p->dir),
					cw_tcp_state_name(slot), p->tcp[slot]);
			}
		}
	}
}

/* connwatch_finding: 1 per (row, rule) while a finding holds. Findings are
 * worst first, so when a rule holds twice for a row (about two peers) the
 * worst severity is the one written. */
static void render_findings(struct buf *b, const struct cw_snapshot *s, const struct rowlab *v,
			    size_t n)
{
	bool *seen = cw_xcalloc((n + 1) * CW_RULE_COUNT, sizeof(*seen));
	size_t i, j;

	family(b, "connwatch_finding", "gauge",
	       "1 while a finding (an incident pattern) holds for a namespace or the node.");
	for (i = 0; i < s->nfindings; i++) {
		const struct cw_finding *f = &s->findings[i];
		const char *labels = NULL;
		size_t slot = n; /* the node */

		if ((unsigned)f->rule >= CW_RULE_COUNT)
			continue;
		if (f->id != 0) {
			for (j = 0; j < n && v[j].row->id != f->id; j++)
				;
			if (j == n)
				continue; /* about a row that is not exported (vanished) */
			slot = j;
			labels = v[j].labels;
		}
		if (seen[slot * CW_RULE_COUNT + f->rule])
			continue;
		seen[slot * CW_RULE_COUNT + f->rule] = true;
		bstr(b, "connwatch_finding{");
		if (labels) {
			bstr(b, labels);
			if (labels[0])
				bput(b, ",", 1);
		} else {
			bstr(b, "kind=\"node\",");
		}
		bprintf(b, "rule=\"%s\",severity=\"%s\"} 1\n", cw_rule_name(f->rule),
			cw_severity_name(f->severity));
	}
	free(seen);
}

static void node_gauge(struct buf *b, const char *name, const char *help, int64_t v)
{
	family(b, name, "gauge", help);
	if (v >= 0)
		bprintf(b, "%s %" PRId64 "\n", name, v);
}

char *cw_exporter_render(const struct cw_snapshot *s, size_t peers, size_t *len)
{
	struct buf b = {0};
	size_t n, i;
	struct rowlab *v = label_rows(s, &n);
	const struct cw_node *node = &s->node;
	bool nv = node->valid;

	family(&b, "connwatch_build_info", "gauge", "Always 1; the version of connwatch.");
	bprintf(&b, "connwatch_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	family(&b, "connwatch_snapshot_timestamp_seconds", "gauge",
	       "When the exported snapshot was taken, in seconds since the epoch.");
	bprintf(&b, "connwatch_snapshot_timestamp_seconds %.3f\n", (double)s->time_ms / 1000.0);
	family(&b, "connwatch_collector_cpu_seconds", "gauge",
	       "CPU time the collector spent on its latest tick.");
	bprintf(&b, "connwatch_collector_cpu_seconds %.9g\n", s->collector.cpu_ms / 1000.0);
	family(&b, "connwatch_collector_dump_seconds", "gauge",
	       "CPU time spent in sock_diag dumps on the latest tick.");
	bprintf(&b, "connwatch_collector_dump_seconds %.9g\n", s->collector.dump_ms / 1000.0);
	family(&b, "connwatch_collector_budget_seconds", "gauge",
	       "CPU time the collector may spend on dumps per tick (--budget).");
	bprintf(&b, "connwatch_collector_budget_seconds %.9g\n", s->collector.budget_ms / 1000.0);
	family(&b, "connwatch_collector_oldest_exact_age_seconds", "gauge",
	       "Age of the oldest exact count among the rows (the refresh period the budget allows).");
	bprintf(&b, "connwatch_collector_oldest_exact_age_seconds %.3f\n",
		(double)s->collector.oldest_exact_ms / 1000.0);
	family(&b, "connwatch_collector_age_bound_seconds", "gauge",
	       "No exact count gets older than this: the scheduler's bound, 5/4 of its round.");
	bprintf(&b, "connwatch_collector_age_bound_seconds %.3f\n",
		(double)s->collector.age_bound_ms / 1000.0);
	family(&b, "connwatch_collector_round_seconds", "gauge",
	       "How long a full round of dumps takes at the budget.");
	bprintf(&b, "connwatch_collector_round_seconds %.3f\n", (double)s->collector.round_ms / 1000.0);
	family(&b, "connwatch_collector_dumps_failed_total", "counter",
	       "Dumps that failed (ENOBUFS, interrupted twice); each row kept its last exact counts.");
	bprintf(&b, "connwatch_collector_dumps_failed_total %" PRIu64 "\n", s->collector.dumps_failed);
	family(&b, "connwatch_collector_dumps_retried_total", "counter",
	       "Dumps interrupted by socket churn (NLM_F_DUMP_INTR) and asked again.");
	bprintf(&b, "connwatch_collector_dumps_retried_total %" PRIu64 "\n", s->collector.dumps_retried);
	family(&b, "connwatch_collector_events_drift_total", "counter",
	       "Dumps that found the live state-event counts wrong (then corrected).");
	bprintf(&b, "connwatch_collector_events_drift_total %" PRIu64 "\n", s->collector.events_drift);
	family(&b, "connwatch_netns", "gauge", "Network namespaces found on the latest tick.");
	bprintf(&b, "connwatch_netns %zu\n", s->collector.netns_total);
	family(&b, "connwatch_netns_dumped", "gauge",
	       "Network namespaces whose exact counts were dumped on the latest tick.");
	bprintf(&b, "connwatch_netns_dumped %zu\n", s->collector.netns_dumped);

	node_gauge(&b, "connwatch_node_conntrack_entries",
		   "Connection tracking entries in the host namespace (nf_conntrack_count).",
		   nv ? node->sysctl.conntrack_count : -1);
	node_gauge(&b, "connwatch_node_conntrack_max", "The node's nf_conntrack_max.",
		   nv ? node->conntrack_max : -1);
	node_gauge(&b, "connwatch_node_file_handles",
		   "File handles allocated on the node (the first field of fs/file-nr).",
		   nv ? node->file_nr : -1);
	node_gauge(&b, "connwatch_node_file_max", "The node's fs/file-max.",
		   nv ? node->file_max : -1);

	render_rows(&b, v, n, peers);
	render_findings(&b, s, v, n);

	for (i = 0; i < n; i++)
		free(v[i].labels);
	free(v);
	*len = b.len;
	return b.p;
}

/* ---- the HTTP side ------------------------------------------------------- */

struct exporter {
	struct cw_sink sink;
	const char *listen;
	size_t peers;
	int lfd;
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	struct cw_snapshot *latest;   /* under lock */
	char mhd_err[200];            /* libmicrohttpd's last complaint, for a cause */
};

/* Keeps libmicrohttpd's own messages (library code never prints): the last
 * one explains a failed start. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct exporter *e = cls;
	char *nl;

	vsnprintf(e->mhd_err, sizeof(e->mhd_err), fmt, ap);
	nl = strchr(e->mhd_err, '\n');
	if (nl)
		*nl = '\0';
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *text,
			     bool allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result metrics(struct exporter *e, struct MHD_Connection *conn)
{
	struct cw_snapshot *s;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *text;
	size_t len;

	pthread_mutex_lock(&e->lock);
	s = e->latest ? cw_snapshot_ref(e->latest) : NULL;
	pthread_mutex_unlock(&e->lock);
	if (!s)
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "no snapshot yet\n", false);
	text = cw_exporter_render(s, e->peers, &len);
	cw_snapshot_unref(s);
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* Every request is answered on its first call, once the headers are in: a
 * body is never read (libmicrohttpd then closes the connection after the
 * reply), so a large upload costs nothing. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct exporter *e = cls;
	bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		   strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;

	if (strcmp(url, "/metrics") == 0) {
		if (!get)
			return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /metrics\n", true);
		return metrics(e, conn);
	}
	if (strcmp(url, "/") == 0) {
		if (!get)
			return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /\n", true);
		return reply(conn, MHD_HTTP_OK, "connwatch: metrics are at /metrics\n", false);
	}
	return reply(conn, MHD_HTTP_NOT_FOUND, "not found; metrics are at /metrics\n", false);
}

static int open_listener(struct exporter *e, char **cause)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, r;

	r = cw_exporter_parse_listen(e->listen, &ss, &len, cause);
	if (r < 0)
		return r;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return cw_cause(cause, -errno, "--listen %s: %s", e->listen, strerror(errno));
	/* A restarted exporter rebinds at once, past its old TIME_WAITs. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::]:PORT means IPv6 only; 0.0.0.0:PORT is the IPv4 side. */
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 64) < 0) {
		r = -errno;
		close(fd);
		return cw_cause(cause, r, "--listen %s: %s", e->listen, strerror(-r));
	}
	e->lfd = fd;
	return 0;
}

static int start(void *self, const struct cw_sink_host *host, char **cause)
{
	struct exporter *e = self;
	int r;

	r = open_listener(e, cause);
	if (r < 0)
		return r;
	/* Its own thread, with epoll: the connections' descriptors may be
	 * numbered past FD_SETSIZE when the collector holds many namespaces,
	 * which select() could not watch. The limits bound what clients can
	 * take: CW_EXPORTER_FDS descriptors, CW_EXPORTER_PER_IP connections
	 * per client address (more are closed as they come), and
	 * CW_EXPORTER_CONN_MEMORY bytes per connection (a longer request gets
	 * an error status and is closed). A client silent for
	 * CW_EXPORTER_TIMEOUT_S is dropped; one that trickles bytes keeps its
	 * slot, but only one of its address's. */
	e->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
				0, NULL, NULL, handle, e,
				MHD_OPTION_LISTEN_SOCKET, (MHD_socket)e->lfd,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, e,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)CW_EXPORTER_MAX_CONNS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)CW_EXPORTER_PER_IP,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CW_EXPORTER_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CW_EXPORTER_CONN_MEMORY,
				MHD_OPTION_END);
	if (!e->d) {
		close(e->lfd);
		e->lfd = -1;
		return cw_cause(cause, -EIO, "--listen %s: the HTTP server did not start%s%s",
				e->listen, e->mhd_err[0] ? ": " : "", e->mhd_err);
	}
	return 0;
}

static void publish(void *self, struct cw_snapshot *s)
{
	struct exporter *e = self;
	struct cw_snapshot *old;

	cw_snapshot_ref(s);
	pthread_mutex_lock(&e->lock);
	old = e->latest;
	e->latest = s;
	pthread_mutex_unlock(&e->lock);
	/* Freed here, outside the lock; a scrape may still hold its own ref. */
	cw_snapshot_unref(old);
}

static void stop(void *self)
{
	struct exporter *e = self;

	if (e->d) {
		/* Joins its thread, and closes the listening socket too. */
		MHD_stop_daemon(e->d);
		e->d = NULL;
		e->lfd = -1;
	}
	if (e->lfd >= 0) {
		close(e->lfd);
		e->lfd = -1;
	}
}

static void sink_free(void *self)
{
	struct exporter *e = self;

	stop(e);
	cw_snapshot_unref(e->latest);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

static const struct cw_sink_ops ops = {
	.name = "exporter",
	.start = start,
	.publish = publish,
	.stop = stop,
	.free = sink_free,
};

struct cw_sink *cw_exporter_sink_new(const struct cw_opts *o)
{
	struct exporter *e = cw_xcalloc(1, sizeof(*e));

	e->sink.ops = &ops;
	e->sink.self = e;
	e->sink.max_peers = o->metrics_peers;
	e->sink.fds = CW_EXPORTER_FDS;
	e->listen = o->listen;
	e->peers = o->metrics_peers;
	e->lfd = -1;
	pthread_mutex_init(&e->lock, NULL);
	return &e->sink;
}
