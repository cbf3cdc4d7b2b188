/* test_podmeta: runtime metadata parsers over sample files in the shapes
 * containerd, CRI-O, libcni, docker and podman write
 * (tests/fixtures/podmeta), and over malformed and mistyped JSON. */
#include "config.h"
#include "podmeta.h"
#include "tap.h"
#include "util.h"

#include <errno.h>

#define SID "3f1c0e9b2a7d4c8e9f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e"
#define CTR "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"
#define UID "8f2c1d9e-4b7a-4c3e-9f1d-2a6b5c8e7d01"

static char *sample(const char *name)
{
	const char *src = getenv("top_srcdir");
	char *path = cw_xasprintf("%s/tests/fixtures/podmeta/%s", src && *src ? src : ".", name);
	char *text = NULL;

	if (cw_read_file(path, 1 << 20, &text, NULL) < 0) {
		printf("# cannot read %s\n", path);
		text = cw_xstrdup("");
	}
	free(path);
	return text;
}

static void test_containerd(void)
{
	struct cw_meta m;
	char *t, *cause = NULL;

	t = sample("containerd-sandbox.json");
	is_int(cw_podmeta_parse_oci(t, &m, &cause), 0, "containerd sandbox parses");
	is_int(m.runtime, CW_RT_CONTAINERD, "containerd sandbox: runtime");
	is_int(m.type, CW_META_SANDBOX, "containerd sandbox: type");
	is_str(m.pod_ns, "default", "containerd sandbox: namespace");
	is_str(m.pod_name, "web-5d8f7c9b6-x2k4q", "containerd sandbox: pod name");
	is_str(m.pod_uid, UID, "containerd sandbox: pod uid");
	is_str(m.sandbox_id, SID, "containerd sandbox: sandbox id");
	ok(m.id == NULL, "containerd sandbox: no own id (the bundle directory names it)");
	ok(m.container_name == NULL, "containerd sandbox: no container name");
	is_str(m.netns_path, "/var/run/netns/cni-77b87475-ffb8-0893-bc0c-e51fe0e6b4cb",
	       "containerd sandbox: netns path");
	cw_meta_done(&m);
	ok(m.pod_name == NULL && m.type == CW_META_UNKNOWN, "cw_meta_done clears");
	free(t);

	t = sample("containerd-container.json");
	is_int(cw_podmeta_parse_oci(t, &m, &cause), 0, "containerd container parses");
	is_int(m.runtime, CW_RT_CONTAINERD, "containerd container: runtime");
	is_int(m.type, CW_META_CONTAINER, "containerd container: type");
	is_str(m.container_name, "nginx", "containerd container: name");
	is_str(m.sandbox_id, SID, "containerd container: its sandbox");
	is_str(m.pod_name, "web-5d8f7c9b6-x2k4q", "containerd container: pod name");
	is_str(m.pod_ns, "default", "containerd container: namespace");
	is_str(m.netns_path, "/proc/4242/ns/net", "containerd container: joins the sandbox's netns");
	cw_meta_done(&m);
	free(t);
	ok(cause == NULL, "no cause on success");
}

static void test_crio(void)
{
	struct cw_meta m;
	char *t, *cause = NULL;

	t = sample("crio-sandbox.json");
	is_int(cw_podmeta_parse_oci(t, &m, &cause), 0, "CRI-O sandbox parses");
	is_int(m.runtime, CW_RT_CRIO, "CRI-O sandbox: runtime");
	is_int(m.type, CW_META_SANDBOX, "CRI-O sandbox: type");
	is_str(m.id, SID, "CRI-O sandbox: id");
	is_str(m.sandbox_id, SID, "CRI-O sandbox: sandbox id");
	is_str(m.pod_ns, "prod", "CRI-O sandbox: namespace");
	is_str(m.pod_name, "db-0", "CRI-O sandbox: pod name");
	is_str(m.pod_uid, UID, "CRI-O sandbox: uid");
	ok(m.container_name == NULL, "CRI-O sandbox: its 'POD' container name is not taken");
	is_str(m.netns_path, "/var/run/netns/7c1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8", "CRI-O sandbox: netns");
	cw_meta_done(&m);
	free(t);

	t = sample("crio-container.json");
	is_int(cw_podmeta_parse_oci(t, &m, &cause), 0, "CRI-O container parses");
	is_int(m.runtime, CW_RT_CRIO, "CRI-O container: runtime");
	is_int(m.type, CW_META_CONTAINER, "CRI-O container: type");
	is_str(m.id, CTR, "CRI-O container: id");
	is_str(m.sandbox_id, SID, "CRI-O container: sandbox id");
	is_str(m.container_name, "postgres", "CRI-O container: name");
	is_str(m.pod_name, "db-0", "CRI-O container: pod name");
	cw_meta_done(&m);
	free(t);
}

static void test_cni(void)
{
	struct cw_meta m;
	char *t, *cause = NULL;

	t = sample("cni-cache.json");
	is_int(cw_podmeta_parse_cni(t, &m, &cause), 0, "CNI cache parses");
	is_int(m.type, CW_META_SANDBOX, "CNI: a sandbox");
	is_int(m.runtime, CW_RT_UNKNOWN, "CNI: runtime unknown");
	is_str(m.id, SID, "CNI: containerId");
	is_str(m.sandbox_id, SID, "CNI: sandbox id");
	is_str(m.netns_path, "/var/run/netns/cni-77b87475-ffb8-0893-bc0c-e51fe0e6b4cb", "CNI: netns");
	is_str(m.pod_ns, "default", "CNI: K8S_POD_NAMESPACE");
	is_str(m.pod_name, "web-5d8f7c9b6-x2k4q", "CNI: K8S_POD_NAME");
	is_str(m.pod_uid, UID, "CNI: K8S_POD_UID");
	cw_meta_done(&m);
	free(t);

	/* Malformed cniArgs entries are skipped; the first good value wins. */
	is_int(cw_podmeta_parse_cni("{\"containerId\":\"abc\",\"cniArgs\":["
				    "[\"K8S_POD_NAME\"],"
				    "[\"K8S_POD_NAME\",5],"
				    "[5,\"x\"],"
				    "\"K8S_POD_NAME\","
				    "[\"K8S_POD_NAME\",\"\"],"
				    "{\"K8S_POD_NAME\":\"obj\"},"
				    "[\"K8S_POD_NAME\",\"good\",\"extra\"],"
				    "[\"K8S_POD_NAME\",\"second\"]]}",
				    &m, &cause),
	       0, "CNI with malformed cniArgs parses");
	is_str(m.pod_name, "good", "CNI: malformed pairs skipped, first good one kept");
	ok(m.pod_ns == NULL && m.netns_path == NULL, "CNI: missing fields are NULL");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_cni("{\"containerId\":7,\"cniArgs\":\"K8S_POD_NAME=x\",\"netns\":[]}", &m, &cause),
	       0, "CNI with wrong types parses");
	ok(m.id == NULL && m.pod_name == NULL && m.netns_path == NULL, "CNI: wrong types are absent");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_cni("[1,2]", &m, &cause), -EBADMSG, "CNI list: -EBADMSG");
	ok(cause && strstr(cause, "CNI cache: not a JSON object"), "cause: %s", cause ? cause : "");
	is_int(cw_podmeta_parse_cni("{\"containerId\":", &m, &cause), -EBADMSG, "CNI truncated: -EBADMSG");
	ok(cause && strstr(cause, "not valid JSON"), "cause: %s", cause ? cause : "");
	free(cause);
}

static void test_docker(void)
{
	struct cw_meta m;
	char *t, *cause = NULL;

	t = sample("docker-config.v2.json");
	is_int(cw_podmeta_parse_docker(t, &m, &cause), 0, "docker config.v2.json parses");
	is_int(m.runtime, CW_RT_DOCKER, "docker: runtime");
	is_int(m.type, CW_META_CONTAINER, "docker: type");
	is_str(m.id, CTR, "docker: ID");
	is_str(m.container_name, "frontend", "docker: Name without its '/'");
	is_str(m.netns_path, "/var/run/docker/netns/ab12cd34ef56", "docker: SandboxKey");
	is_int(m.pid, 31337, "docker: State.Pid");
	ok(m.pod_name == NULL && m.pod_ns == NULL && m.pod_uid == NULL, "docker: not a pod");
	cw_meta_done(&m);
	free(t);

	t = sample("docker-k8s-config.v2.json");
	is_int(cw_podmeta_parse_docker(t, &m, &cause), 0, "dockershim sandbox parses");
	is_str(m.pod_name, "web-5d8f7c9b6-x2k4q", "dockershim: pod name label");
	is_str(m.pod_ns, "default", "dockershim: namespace label");
	is_str(m.pod_uid, UID, "dockershim: uid label");
	is_int(m.pid, 2718, "dockershim: pid");
	cw_meta_done(&m);
	free(t);

	is_int(cw_podmeta_parse_docker("{\"Name\":\"plain\",\"State\":{\"Pid\":\"12\"},\"Config\":{\"Labels\":null}}", &m, &cause),
	       0, "docker with a string Pid parses");
	is_str(m.container_name, "plain", "docker: Name without '/' kept");
	is_int(m.pid, 0, "docker: string Pid ignored");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_docker("{\"State\":{\"Pid\":-5}}", &m, &cause), 0, "negative Pid");
	is_int(m.pid, 0, "docker: negative Pid ignored");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_docker("{\"State\":{\"Pid\":0}}", &m, &cause), 0, "Pid 0 (stopped)");
	is_int(m.pid, 0, "docker: Pid 0");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_docker("{\"State\":{\"Pid\":1e300}}", &m, &cause), 0, "huge Pid");
	is_int(m.pid, 0, "docker: Pid out of range ignored");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_docker("{\"ID\":[],\"Name\":{},\"NetworkSettings\":\"x\",\"State\":[]}", &m, &cause),
	       0, "docker with wrong types parses");
	ok(m.id == NULL && m.container_name == NULL && m.netns_path == NULL && m.pid == 0,
	   "docker: wrong types are absent");
	is_int(m.runtime, CW_RT_DOCKER, "docker: still docker");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_docker("\"a string\"", &m, &cause), -EBADMSG, "docker string: -EBADMSG");
	ok(cause && strstr(cause, "config.v2.json"), "cause names the file kind: %s", cause ? cause : "");
	is_int(m.runtime, CW_RT_UNKNOWN, "nothing filled in on error");
	free(cause);
}

static void test_podman(void)
{
	struct cw_meta m;
	char *t = sample("podman-containers.json"), *cause = NULL;

	is_int(cw_podmeta_parse_podman(t, CTR, &m, &cause), 0, "podman: entry found");
	is_int(m.runtime, CW_RT_PODMAN, "podman: runtime");
	is_int(m.type, CW_META_CONTAINER, "podman: type");
	is_str(m.id, CTR, "podman: id");
	is_str(m.container_name, "cache", "podman: first name");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_podman(t, "2222222222222222222222222222222222222222222222222222222222222222", &m, &cause),
	       0, "podman: entry without names found");
	ok(m.container_name == NULL, "podman: no name");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_podman(t, "3333", &m, &cause), -ENOENT, "podman: missing id: -ENOENT");
	is_int(cw_podmeta_parse_podman(t, "", &m, &cause), -ENOENT, "podman: empty id: -ENOENT");
	free(t);
	is_int(cw_podmeta_parse_podman("{\"id\":\"x\"}", "x", &m, &cause), -EBADMSG, "podman object: -EBADMSG");
	ok(cause && strstr(cause, "not a JSON list"), "cause: %s", cause ? cause : "");
	is_int(cw_podmeta_parse_podman("[{\"id\":5},\"x\",null,{\"id\":\"x\",\"names\":\"notalist\"}]", "x",
				       &m, &cause),
	       0, "podman with wrong types: the good entry found");
	ok(m.container_name == NULL, "podman: names not a list: no name");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_podman("[{\"id\":\"x\",\"names\":[7]}]", "x", &m, &cause), 0, "podman names [7]");
	ok(m.container_name == NULL, "podman: non-string name ignored");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_podman("[", "x", &m, &cause), -EBADMSG, "podman truncated: -EBADMSG");
	free(cause);
}

static void test_oci_malformed(void)
{
	struct cw_meta m;
	char *cause = NULL, *deep;
	size_t i;

	is_int(cw_podmeta_parse_oci("", &m, &cause), -EBADMSG, "empty text: -EBADMSG");
	ok(cause && strcmp(cause, "config.json: not valid JSON") == 0, "cause: %s", cause ? cause : "");
	is_int(cw_podmeta_parse_oci("{\"annotations\":{", &m, &cause), -EBADMSG, "truncated: -EBADMSG");
	is_int(cw_podmeta_parse_oci("[]", &m, &cause), -EBADMSG, "a list: -EBADMSG");
	ok(cause && strcmp(cause, "config.json: not a JSON object") == 0, "cause: %s", cause ? cause : "");
	is_int(cw_podmeta_parse_oci("null", &m, &cause), -EBADMSG, "null: -EBADMSG");

	deep = cw_xmalloc(20001);
	for (i = 0; i < 10000; i++) {
		deep[i] = '[';
		deep[10000 + i] = ']';
	}
	deep[20000] = '\0';
	is_int(cw_podmeta_parse_oci(deep, &m, &cause), -EBADMSG, "10000 nested lists: -EBADMSG, no crash");
	free(deep);

	/* Well-formed without the fields: not an error, nothing known. */
	is_int(cw_podmeta_parse_oci("{}", &m, &cause), 0, "{}: parses");
	ok(m.type == CW_META_UNKNOWN && m.runtime == CW_RT_UNKNOWN && !m.pod_name && !m.netns_path,
	   "{}: nothing known");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_oci("{\"annotations\":\"x\",\"linux\":5}", &m, &cause), 0,
	       "annotations a string, linux a number");
	ok(m.type == CW_META_UNKNOWN && !m.netns_path, "wrong types ignored");
	cw_meta_done(&m);

	/* Wrong types inside annotations. */
	is_int(cw_podmeta_parse_oci("{\"annotations\":{\"io.kubernetes.cri.container-type\":1,"
				    "\"io.kubernetes.cri.sandbox-name\":\"n\"}}",
				    &m, &cause),
	       0, "numeric container-type");
	ok(m.runtime == CW_RT_UNKNOWN && m.type == CW_META_UNKNOWN, "numeric container-type: not containerd");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_oci("{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
				    "\"io.kubernetes.cri.sandbox-name\":[\"x\"],"
				    "\"io.kubernetes.cri.sandbox-namespace\":\"\","
				    "\"io.kubernetes.pod.name\":\"fallback\"}}",
				    &m, &cause),
	       0, "containerd sandbox with a list name");
	is_int(m.runtime, CW_RT_CONTAINERD, "still containerd");
	is_str(m.pod_name, "fallback", "falls back to io.kubernetes.pod.name");
	ok(m.pod_ns == NULL, "empty namespace string is absent");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_oci("{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\"}}",
				    &m, &cause),
	       0, "containerd container without any other annotation");
	ok(m.type == CW_META_CONTAINER && !m.sandbox_id && !m.pod_name && !m.container_name,
	   "missing fields are NULL");
	cw_meta_done(&m);

	/* Namespaces: odd entries skipped, the first network one wins. */
	is_int(cw_podmeta_parse_oci("{\"linux\":{\"namespaces\":[5,\"network\",null,{\"type\":7},"
				    "{\"type\":\"network\"},{\"type\":\"network\",\"path\":3},"
				    "{\"type\":\"network\",\"path\":\"/run/netns/a\"},"
				    "{\"type\":\"network\",\"path\":\"/run/netns/b\"}]}}",
				    &m, &cause),
	       0, "odd namespace entries");
	is_str(m.netns_path, "/run/netns/a", "first network path wins");
	cw_meta_done(&m);
	is_int(cw_podmeta_parse_oci("{\"linux\":{\"namespaces\":{\"type\":\"network\",\"path\":\"/x\"}}}",
				    &m, &cause),
	       0, "namespaces an object");
	ok(m.netns_path == NULL, "namespaces an object: no path");
	cw_meta_done(&m);

	/* Strings are copied as they are: sanitising is the caller's job. */
	is_int(cw_podmeta_parse_oci("{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
				    "\"io.kubernetes.cri.sandbox-name\":\"evil\\u001b[2J\\u202e\"}}",
				    &m, &cause),
	       0, "escape sequences in a name");
	is_str(m.pod_name, "evil\x1b[2J\xe2\x80\xae", "raw bytes kept (sanitised by podid)");
	cw_meta_done(&m);
	free(cause);
}

/* Reads a fuzzer reproducer kept under tests/fuzz/crashes/podmeta. */
static char *reproducer(const char *name)
{
	const char *src = getenv("top_srcdir");
	char *path = cw_xasprintf("%s/tests/fuzz/crashes/podmeta/%s", src && *src ? src : ".", name);
	char *text = NULL;

	if (cw_read_file(path, 1 << 20, &text, NULL) < 0) {
		printf("# cannot read %s\n", path);
		text = cw_xstrdup("");
	}
	free(path);
	return text;
}

/* Found by fuzzing: a config.json with both containerd's and CRI-O's
 * container-type annotations had its sandbox id read twice, leaking the
 * first copy (every tick, for as long as the file stays). containerd's
 * annotations win; LeakSanitizer checks the rest. */
static void test_oci_both_runtimes(void)
{
	struct cw_meta m;
	char *t = reproducer("oci-both-runtimes.json"), *cause = NULL;

	is_int(cw_podmeta_parse_oci(t, &m, &cause), 0, "both runtimes: parses");
	is_int(m.runtime, CW_RT_CONTAINERD, "both runtimes: containerd's annotations win");
	is_str(m.sandbox_id, "0", "both runtimes: containerd's sandbox id");
	is_str(m.id, NULL, "both runtimes: CRI-O's container id not read");
	cw_meta_done(&m);
	free(cause);
	free(t);
}

int main(void)
{
	test_containerd();
	test_crio();
	test_cni();
	test_docker();
	test_podman();
	test_oci_malformed();
	test_oci_both_runtimes();
	return tap_done();
}
