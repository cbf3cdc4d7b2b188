/* test_podid: naming namespaces from a fake procfs and rootfs built under a
 * temporary directory. A namespace's inode is the inode of a file made in
 * the fake tree, at the path runtime metadata gives as its netns path. */
#include "config.h"
#include "podid.h"
#include "root.h"
#include "fstree.h"
#include "tap.h"
#include "utf8_valid.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define UID1 "11111111-2222-4333-8444-555555555555"
#define UID2 "22222222-3333-4444-8555-666666666666"
#define UID3 "33333333-4444-4555-8666-777777777777"
#define UID4 "44444444-5555-4666-8777-888888888888"
#define UID6 "66666666-7777-4888-8999-aaaaaaaaaaaa"
#define UID9 "99999999-aaaa-4bbb-8ccc-dddddddddddd"
#define H64(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define SID1 H64("a")
#define CTR1 H64("b")
#define CTR1B H64("c")
#define SID2 H64("d")
#define CTR2 H64("e")
#define CTR2B H64("f")
#define SID4 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SID4B "123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"
#define DCTR "23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01"
#define DK8S "3456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef012"
#define PCTR "456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123"
#define BAD "56789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234"
#define CSID "6789abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345"
#define CCTR "789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456"
#define EVIL "89abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567"
#define BARE "9abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678"

#define CTRD "/run/containerd/io.containerd.runtime.v2.task/k8s.io"

static char tmp[] = "/tmp/cw-test-podid-XXXXXX";
static char *procfs, *rootfs;

/* Writes text to <base><path>, making parent directories. */
static void put(const char *base, const char *path, const char *text)
{
	char *full = cw_xasprintf("%s%s", base, path), *dir = cw_xstrdup(full);

	*strrchr(dir, '/') = '\0';
	fstree_mkdirs(dir);
	fstree_write(full, text);
	free(dir);
	free(full);
}

static uint64_t inode_of(const char *base, const char *path)
{
	char *full = cw_xasprintf("%s%s", base, path);
	struct stat st;
	uint64_t ino = 0;

	if (stat(full, &st) == 0)
		ino = st.st_ino;
	else
		printf("# cannot stat %s\n", full);
	free(full);
	return ino;
}

static void proc(int pid, const char *comm, const char *cgroup)
{
	char path[64];

	snprintf(path, sizeof(path), "/%d/comm", pid);
	put(procfs, path, comm);
	snprintf(path, sizeof(path), "/%d/cgroup", pid);
	put(procfs, path, cgroup);
}

static char *cri_sandbox(const char *sid, const char *ns, const char *name, const char *uid,
			 const char *netns)
{
	return cw_xasprintf(
		"{\"ociVersion\":\"1.1.0\",\"annotations\":{"
		"\"io.kubernetes.cri.container-type\":\"sandbox\","
		"\"io.kubernetes.cri.sandbox-id\":\"%s\","
		"\"io.kubernetes.cri.sandbox-name\":\"%s\","
		"\"io.kubernetes.cri.sandbox-namespace\":\"%s\","
		"\"io.kubernetes.cri.sandbox-uid\":\"%s\"},"
		"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"%s\"}]}}",
		sid, name, ns, uid, netns);
}

static char *cri_container(const char *sid, const char *cname, const char *podname,
			   const char *netns)
{
	if (podname)
		return cw_xasprintf(
			"{\"annotations\":{"
			"\"io.kubernetes.cri.container-type\":\"container\","
			"\"io.kubernetes.cri.container-name\":\"%s\","
			"\"io.kubernetes.cri.sandbox-id\":\"%s\","
			"\"io.kubernetes.cri.sandbox-name\":\"%s\","
			"\"io.kubernetes.cri.sandbox-namespace\":\"solo\"},"
			"\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"%s\"}]}}",
			cname, sid, podname, netns);
	return cw_xasprintf(
		"{\"annotations\":{"
		"\"io.kubernetes.cri.container-type\":\"container\","
		"\"io.kubernetes.cri.container-name\":\"%s\","
		"\"io.kubernetes.cri.sandbox-id\":\"%s\"},"
		"\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"%s\"}]}}",
		cname, sid, netns);
}

static void put_free(const char *base, const char *path, char *text)
{
	put(base, path, text);
	free(text);
}

#define CG_CTRD(uid_us, id)                                                                  \
	"0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" uid_us          \
	".slice/cri-containerd-" id ".scope\n"

static void build_tree(void)
{
	/* /var/run -> /run, as on hosts: resolved inside the root. */
	fstree_mkdirs(rootfs);
	{
		char *p = cw_xasprintf("%s/var", rootfs), *l = cw_xasprintf("%s/var/run", rootfs);

		mkdir(p, 0755);
		if (symlink("/run", l) != 0)
			printf("# symlink failed\n");
		free(p);
		free(l);
	}

	/* 1. containerd sandbox named by its netns path, two app containers. */
	put(rootfs, "/run/netns/cni-aaaa", "");
	put_free(rootfs, CTRD "/" SID1 "/config.json",
		 cri_sandbox(SID1, "default", "web-5d8f7c9b6-x2k4q", UID1, "/var/run/netns/cni-aaaa"));
	put_free(rootfs, CTRD "/" CTR1 "/config.json",
		 cri_container(SID1, "nginx", NULL, "/proc/101/ns/net"));
	put_free(rootfs, CTRD "/" CTR1B "/config.json",
		 cri_container(SID1, "sidecar", NULL, "/proc/101/ns/net"));
	proc(100, "pause\n", CG_CTRD("11111111_2222_4333_8444_555555555555", SID1));

	/* 2. cgroup names an app container; its bundle names the sandbox,
	 * whose netns path is gone. */
	put(procfs, "/201/ns/net", "");
	put_free(rootfs, CTRD "/" SID2 "/config.json",
		 cri_sandbox(SID2, "shop", "cart-0", UID2, "/var/run/netns/cni-gone"));
	put_free(rootfs, CTRD "/" CTR2 "/config.json",
		 cri_container(SID2, "cart", NULL, "/proc/201/ns/net"));
	proc(201, "cart\n", CG_CTRD("22222222_3333_4444_8555_666666666666", CTR2));
	/* 2b. an app container whose sandbox bundle is missing, but whose own
	 * annotations name the pod. */
	put(procfs, "/211/ns/net", "");
	put_free(rootfs, CTRD "/" CTR2B "/config.json",
		 cri_container(H64("9"), "worker", "jobs-x2k4q", "/proc/211/ns/net"));
	proc(211, "worker\n", "0::/kubepods/besteffort/pod" UID2 "/" CTR2B "\n");

	/* 3. cgroup pod uid + /var/log/pods (cgroupfs driver, id unknown). */
	put(procfs, "/300/ns/net", "");
	proc(300, "api\n", "0::/kubepods/burstable/pod" UID3 "/" BARE "\n");
	put(rootfs, "/var/log/pods/team-a_api-7d9f8b6c5-k2m4n_" UID3 "/app/0.log", "");
	put(rootfs, "/var/log/pods/team-a_api-7d9f8b6c5-k2m4n_" UID3 "/istio-proxy/0.log", "");
	put(rootfs, "/var/log/pods/not_a_pod_log", "");
	put(rootfs, "/var/log/pods/_x_" UID1 "/c/0.log", "");

	/* 4. CNI result cache, by netns path and by sandbox id. */
	put(rootfs, "/run/netns/cni-dddd", "");
	put(rootfs, "/var/lib/cni/results/containerd-net-" SID4 "-eth0",
	    "{\"kind\":\"cniCacheV1\",\"containerId\":\"" SID4 "\",\"ifName\":\"eth0\","
	    "\"netns\":\"/var/run/netns/cni-dddd\",\"cniArgs\":[[\"K8S_POD_NAMESPACE\",\"cni-ns\"],"
	    "[\"K8S_POD_NAME\",\"dns-6f8d9c7b5d-q7w2r\"],[\"K8S_POD_UID\",\"" UID4 "\"]]}");
	proc(400, "coredns\n", "0::/system.slice/whatever.service\n");
	put(procfs, "/410/ns/net", "");
	put(rootfs, "/var/lib/cni/results/containerd-net-" SID4B "-eth0",
	    "{\"kind\":\"cniCacheV1\",\"containerId\":\"" SID4B "\",\"ifName\":\"eth0\","
	    "\"netns\":\"/var/run/netns/cni-missing\",\"cniArgs\":[[\"K8S_POD_NAMESPACE\",\"cni-ns\"],"
	    "[\"K8S_POD_NAME\",\"other-0\"]]}");
	proc(410, "pause\n", "0::/system.slice/cri-containerd-" SID4B ".scope\n");

	/* 5. docker: by SandboxKey, and a dockershim pod by cgroup id. */
	put(rootfs, "/run/docker/netns/ab12cd34ef56", "");
	put(rootfs, "/var/lib/docker/containers/" DCTR "/config.v2.json",
	    "{\"ID\":\"" DCTR "\",\"Name\":\"/frontend\",\"State\":{\"Pid\":500},"
	    "\"NetworkSettings\":{\"SandboxKey\":\"/var/run/docker/netns/ab12cd34ef56\"}}");
	put(procfs, "/510/ns/net", "");
	put(rootfs, "/var/lib/docker/containers/" DK8S "/config.v2.json",
	    "{\"ID\":\"" DK8S "\",\"Name\":\"/k8s_POD_legacy-0_old_" UID6 "_0\",\"State\":{\"Pid\":510},"
	    "\"Config\":{\"Labels\":{\"io.kubernetes.pod.name\":\"legacy-0\","
	    "\"io.kubernetes.pod.namespace\":\"old\",\"io.kubernetes.pod.uid\":\"" UID6 "\"}},"
	    "\"NetworkSettings\":{\"SandboxKey\":\"/var/run/docker/netns/gone\"}}");
	proc(510, "pause\n", "0::/system.slice/docker-" DK8S ".scope\n");

	/* 6. podman. */
	put(procfs, "/600/ns/net", "");
	put(rootfs, "/var/lib/containers/storage/overlay-containers/containers.json",
	    "[{\"id\":\"" PCTR "\",\"names\":[\"cache\"]}]");
	proc(600, "redis-server\n", "0::/machine.slice/libpod-" PCTR ".scope/container\n");

	/* 9. a broken bundle for a kube container. */
	put(procfs, "/900/ns/net", "");
	put(rootfs, CTRD "/" BAD "/config.json", "{\"annotations\": {");
	proc(900, "app\n", CG_CTRD("99999999_aaaa_4bbb_8ccc_dddddddddddd", BAD));

	/* 10. CRI-O sandbox and container. */
	put(rootfs, "/run/netns/7c1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8", "");
	put(rootfs, "/run/containers/storage/overlay-containers/" CSID "/userdata/config.json",
	    "{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"sandbox\","
	    "\"io.kubernetes.cri-o.ContainerID\":\"" CSID "\",\"io.kubernetes.cri-o.SandboxID\":\"" CSID "\","
	    "\"io.kubernetes.pod.name\":\"db-0\",\"io.kubernetes.pod.namespace\":\"prod\","
	    "\"io.kubernetes.pod.uid\":\"" UID1 "\"},"
	    "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/var/run/netns/7c1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8\"}]}}");
	put(rootfs, "/run/containers/storage/overlay-containers/" CCTR "/userdata/config.json",
	    "{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"container\","
	    "\"io.kubernetes.cri-o.ContainerID\":\"" CCTR "\",\"io.kubernetes.cri-o.SandboxID\":\"" CSID "\","
	    "\"io.kubernetes.container.name\":\"postgres\",\"io.kubernetes.pod.name\":\"db-0\","
	    "\"io.kubernetes.pod.namespace\":\"prod\"}}");

	/* 11. hostile names. */
	put(rootfs, "/run/netns/cni-evil", "");
	put(rootfs, CTRD "/" EVIL "/config.json",
	    "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
	    "\"io.kubernetes.cri.sandbox-name\":\"evil\\u001b[2J\\u202e-x2k4q\","
	    "\"io.kubernetes.cri.sandbox-namespace\":\"ns\\u0007\","
	    "\"io.kubernetes.cri.sandbox-uid\":\"u\\u009bid\"},"
	    "\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"/var/run/netns/cni-evil\"}]}}");
	put(rootfs, CTRD "/" H64("7") "/config.json",
	    "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
	    "\"io.kubernetes.cri.container-name\":\"c\\u001b]0;pwn\\u0007\","
	    "\"io.kubernetes.cri.sandbox-id\":\"" EVIL "\"}}");
	proc(1100, "bad\x1b]0;x\x07\n", "0::/\n");
	/* A bare containerd bundle (nerdctl/ctr), by cgroup id. */
	put(procfs, "/1200/ns/net", "");
	put(rootfs, "/run/containerd/io.containerd.runtime.v2.task/default/" H64("8") "/config.json",
	    "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\"}}");
	proc(1200, "sleep\n", "0::/default/" H64("8") "\n");
	/* A plain process. */
	proc(1300, "nginx\n", "0::/user.slice/user-0.slice/session-1.scope\n");
}

static struct cw_nsinfo ns_at(uint64_t inode, int pid)
{
	struct cw_nsinfo ns;

	memset(&ns, 0, sizeof(ns));
	ns.inode = inode;
	if (pid) {
		ns.pids[0] = pid;
		ns.npids = 1;
		ns.nprocs = 1;
	}
	return ns;
}

static bool has_container(const struct cw_ident *id, const char *name)
{
	size_t i;

	for (i = 0; i < id->ncontainers; i++)
		if (strcmp(id->containers[i], name) == 0)
			return true;
	return false;
}

static void fifo_at(const char *base, const char *path)
{
	char *full = cw_xasprintf("%s%s", base, path), *dir = cw_xstrdup(full);

	*strrchr(dir, '/') = '\0';
	fstree_mkdirs(dir);
	if (mkfifo(full, 0600) != 0)
		printf("# cannot make FIFO %s\n", full);
	free(dir);
	free(full);
}

static long maxrss_kb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/* A pod name of "ab" + 150 x U+00E9 (302 bytes): its workload is cut to
 * fit 256 bytes, between characters, never inside one. */
static void test_long_utf8(struct cw_podid *p, uint64_t host)
{
	char name[512], want[256];
	struct cw_nsinfo ns;
	struct cw_ident id;
	size_t i;

	snprintf(name, sizeof(name), "ab");
	for (i = 0; i < 150; i++)
		strcat(name, "\xc3\xa9");
	memcpy(want, name, 254);
	want[254] = '\0';
	put(rootfs, "/run/netns/cni-utf8", "");
	put_free(rootfs, CTRD "/" H64("3") "/config.json",
		 cri_sandbox(H64("3"), "intl", name, UID9, "/var/run/netns/cni-utf8"));
	cw_podid_invalidate(p);
	ns = ns_at(inode_of(rootfs, "/run/netns/cni-utf8"), 0);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_POD, "long UTF-8 name: a pod");
	is_str(id.pod_name, name, "long UTF-8 name: the whole name");
	ok(id.workload && utf8_valid(id.workload), "long UTF-8 name: the workload is valid UTF-8");
	is_str(id.workload, want, "long UTF-8 name: workload cut to the 127 characters that fit");
	ok(id.label && utf8_valid(id.label), "long UTF-8 name: the label is valid UTF-8");
	cw_ident_done(&id);
}

#define FIFOID H64("1")
#define BIGID H64("2")

/* Where runtime and process files should be, a FIFO or a huge file: each
 * becomes a note or an unnamed process, quickly and cheaply. */
static void test_not_regular(struct cw_podid *p, uint64_t host)
{
	struct cw_nsinfo ns;
	struct cw_ident id;
	long rss0, rss1;

	fstree_guard(tmp, "naming a namespace");
	fifo_at(rootfs, CTRD "/" FIFOID "/config.json");
	put(procfs, "/1400/ns/net", "");
	proc(1400, "app\n", CG_CTRD("44444444_5555_4666_8777_888888888888", FIFOID));
	put(rootfs, CTRD "/" BIGID "/config.json", "");
	{
		char *big = cw_xasprintf("%s" CTRD "/" BIGID "/config.json", rootfs);

		ok(truncate(big, 1L << 30) == 0, "a 1 GB sparse config.json");
		free(big);
	}
	put(procfs, "/1500/ns/net", "");
	proc(1500, "app\n", CG_CTRD("44444444_5555_4666_8777_888888888888", BIGID));
	put(procfs, "/1600/ns/net", "");
	fifo_at(procfs, "/1600/comm");
	fifo_at(procfs, "/1600/cgroup");
	/* A FIFO in the CNI cache too, named by nothing: skipped all the same. */
	fifo_at(rootfs, "/var/lib/cni/results/containerd-net-fifo-eth0");

	cw_podid_invalidate(p);
	alarm(10);
	rss0 = maxrss_kb();
	ns = ns_at(inode_of(procfs, "/1400/ns/net"), 1400);
	cw_podid_identify(p, &ns, host, &id);
	ok(id.kind != CW_KIND_POD, "FIFO config.json: not a pod (kind %s)", cw_kind_name(id.kind));
	ok(id.note && strstr(id.note, FIFOID "/config.json: not a regular file"),
	   "FIFO config.json: the note says so (%s)", id.note ? id.note : "(null)");
	cw_ident_done(&id);

	ns = ns_at(inode_of(procfs, "/1500/ns/net"), 1500);
	cw_podid_identify(p, &ns, host, &id);
	rss1 = maxrss_kb();
	ok(id.note && strstr(id.note, BIGID "/config.json: File too large"),
	   "1 GB config.json: the note says it is too large (%s)", id.note ? id.note : "(null)");
	ok(rss1 - rss0 < 1024, "1 GB config.json: peak memory grew %ld kB (< 1 MiB)", rss1 - rss0);
	cw_ident_done(&id);

	ns = ns_at(inode_of(procfs, "/1600/ns/net"), 1600);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_PROCESS, "FIFO comm and cgroup: a process");
	is_str(id.label, "?[1600]", "FIFO comm and cgroup: no comm in its label");
	is_str(id.comm, "", "FIFO comm: empty");
	cw_ident_done(&id);
	alarm(0);
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path);
}

int main(void)
{
	struct cw_root root = {.fd = -1};
	struct cw_podid *p;
	struct cw_ident id;
	struct cw_nsinfo ns;
	char *cause = NULL;
	uint64_t host = 4026531840ull;

	if (!mkdtemp(tmp))
		tap_skip_all("mkdtemp failed");
	procfs = cw_xasprintf("%s/proc", tmp);
	rootfs = cw_xasprintf("%s/root", tmp);
	build_tree();
	if (cw_root_open(&root, rootfs, &cause) != 0)
		tap_skip_all("cannot open the fake rootfs");
	{
		const char *knob = getenv("CW_ROOT_NO_OPENAT2");
		bool want = knob && strcmp(knob, "1") == 0;

		ok(root.no_openat2 == want, "rootfs resolved %s", want ? "by hand (CW_ROOT_NO_OPENAT2=1)"
									  : "with openat2 where it exists");
	}
	p = cw_podid_new(procfs, &root);

	/* Host. */
	ns = ns_at(host, 1300);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_HOST, "host: kind");
	is_str(id.label, "host", "host: label");
	is_str(id.source, "host", "host: source");
	is_str(id.comm, "nginx", "host: comm of its lowest pid");
	cw_ident_done(&id);

	/* 1. containerd sandbox by netns path (through /var/run -> /run). */
	ns = ns_at(inode_of(rootfs, "/run/netns/cni-aaaa"), 100);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_POD, "containerd by netns path: pod");
	is_str(id.label, "default/web-5d8f7c9b6-x2k4q", "containerd by netns path: label");
	is_str(id.pod_ns, "default", "containerd: namespace");
	is_str(id.pod_name, "web-5d8f7c9b6-x2k4q", "containerd: name");
	is_str(id.pod_uid, UID1, "containerd: uid");
	is_str(id.workload, "web", "containerd: workload");
	is_str(id.runtime, "containerd", "containerd: runtime");
	is_str(id.source, "containerd", "containerd: source");
	is_int(id.ncontainers, 2, "containerd: two app containers");
	ok(has_container(&id, "nginx") && has_container(&id, "sidecar"), "containerd: nginx and sidecar");
	is_str(id.comm, "pause", "containerd: comm");
	ok(id.note == NULL, "containerd: no note");
	cw_ident_done(&id);

	/* 2. by the cgroup's container id: app container -> its sandbox. */
	ns = ns_at(inode_of(procfs, "/201/ns/net"), 201);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_POD, "by cgroup container id: pod");
	is_str(id.label, "shop/cart-0", "by cgroup container id: the sandbox's pod");
	is_str(id.workload, "cart", "statefulset workload");
	ok(id.ncontainers == 1 && has_container(&id, "cart"), "its container");
	cw_ident_done(&id);

	/* 2b. the container's own annotations name the pod. */
	ns = ns_at(inode_of(procfs, "/211/ns/net"), 211);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_POD, "container annotations: pod");
	is_str(id.label, "solo/jobs-x2k4q", "container annotations: label");
	is_str(id.workload, "jobs", "container annotations: workload");
	cw_ident_done(&id);

	/* 3. cgroup pod uid + /var/log/pods. */
	ns = ns_at(inode_of(procfs, "/300/ns/net"), 300);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_POD, "pod log: pod");
	is_str(id.label, "team-a/api-7d9f8b6c5-k2m4n", "pod log: label");
	is_str(id.pod_uid, UID3, "pod log: uid");
	is_str(id.workload, "api", "pod log: workload");
	is_str(id.source, "cgroup", "pod log: source");
	ok(id.runtime == NULL, "pod log: runtime unknown (cgroupfs, bare id)");
	ok(id.ncontainers == 2 && has_container(&id, "app") && has_container(&id, "istio-proxy"),
	   "pod log: containers from its directories");
	cw_ident_done(&id);

	/* 4. CNI cache, by netns path. */
	ns = ns_at(inode_of(rootfs, "/run/netns/cni-dddd"), 400);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_POD, "CNI by netns: pod");
	is_str(id.label, "cni-ns/dns-6f8d9c7b5d-q7w2r", "CNI by netns: label");
	is_str(id.pod_uid, UID4, "CNI by netns: uid");
	is_str(id.source, "cni-cache", "CNI by netns: source");
	cw_ident_done(&id);
	/* ... and by the sandbox id the pause process's cgroup names. */
	ns = ns_at(inode_of(procfs, "/410/ns/net"), 410);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_POD, "CNI by sandbox id: pod");
	is_str(id.label, "cni-ns/other-0", "CNI by sandbox id: label");
	ok(id.pod_uid == NULL, "CNI by sandbox id: no uid given");
	is_str(id.runtime, "containerd", "CNI by sandbox id: runtime from the cgroup");
	cw_ident_done(&id);

	/* 5. docker. */
	ns = ns_at(inode_of(rootfs, "/run/docker/netns/ab12cd34ef56"), 500);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_CONTAINER, "docker by SandboxKey: container");
	is_str(id.label, "frontend", "docker: label");
	is_str(id.runtime, "docker", "docker: runtime");
	is_str(id.source, "docker", "docker: source");
	cw_ident_done(&id);
	ns = ns_at(inode_of(procfs, "/510/ns/net"), 510);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_POD, "dockershim by cgroup id: pod");
	is_str(id.label, "old/legacy-0", "dockershim: label");
	is_str(id.source, "docker", "dockershim: source");
	cw_ident_done(&id);

	/* 6. podman. */
	ns = ns_at(inode_of(procfs, "/600/ns/net"), 600);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_CONTAINER, "podman: container");
	is_str(id.label, "cache", "podman: label");
	is_str(id.runtime, "podman", "podman: runtime");
	cw_ident_done(&id);

	/* 7. named netns. */
	ns = ns_at(inode_of(rootfs, "/run/netns/cni-aaaa") + 1000000, 0);
	ns.pin_path = "/run/netns/blue";
	ns.pin_kind = CW_PIN_NETNS;
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_NAMED, "named: kind");
	is_str(id.netns_name, "blue", "named: netns name");
	is_str(id.label, "blue", "named: label");
	is_str(id.source, "netns", "named: source");
	is_str(id.comm, "", "named: no process, no comm");
	cw_ident_done(&id);
	ns.pin_path = "/run/docker/netns/0f1e2d3c4b5a";
	ns.pin_kind = CW_PIN_DOCKER;
	cw_podid_identify(p, &ns, host, &id);
	ok(id.kind == CW_KIND_NAMED && strcmp(id.label, "0f1e2d3c4b5a") == 0,
	   "docker pin: named by its file");
	is_str(id.source, "docker-netns", "docker pin: source");
	cw_ident_done(&id);

	/* 8. process. */
	ns = ns_at(inode_of(rootfs, "/run/netns/cni-aaaa") + 2000000, 1300);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_PROCESS, "process: kind");
	is_str(id.label, "nginx[1300]", "process: label comm[pid]");
	is_str(id.source, "process", "process: source");
	ok(id.note == NULL, "process: no note");
	cw_ident_done(&id);
	ns = ns_at(inode_of(rootfs, "/run/netns/cni-aaaa") + 2000001, 0);
	cw_podid_identify(p, &ns, host, &id);
	is_str(id.label, "?[0]", "no process and no pin: ?[0]");
	cw_ident_done(&id);
	ns = ns_at(inode_of(rootfs, "/run/netns/cni-aaaa") + 2000002, 4444);
	cw_podid_identify(p, &ns, host, &id);
	is_str(id.label, "?[4444]", "vanished process: ?[pid]");
	cw_ident_done(&id);

	/* A bare containerd bundle outside Kubernetes. */
	ns = ns_at(inode_of(procfs, "/1200/ns/net"), 1200);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_CONTAINER, "bare containerd bundle: container");
	is_str(id.label, "888888888888", "bare containerd bundle: short id");
	is_str(id.runtime, "containerd", "bare containerd bundle: runtime");
	cw_ident_done(&id);

	/* 9. a malformed config.json: not a pod, a note says why. */
	ns = ns_at(inode_of(procfs, "/900/ns/net"), 900);
	cw_podid_identify(p, &ns, host, &id);
	ok(id.kind != CW_KIND_POD, "malformed bundle: not a pod (kind %s)", cw_kind_name(id.kind));
	is_str(id.label, "app[900]", "malformed bundle: named as a process");
	ok(id.note && strstr(id.note, "runtime metadata") && strstr(id.note, BAD "/config.json") &&
	   strstr(id.note, "not valid JSON"),
	   "malformed bundle: note names the file and the error (%s)", id.note ? id.note : "(null)");
	cw_ident_done(&id);

	/* 10. CRI-O. */
	ns = ns_at(inode_of(rootfs, "/run/netns/7c1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8"), 0);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_POD, "CRI-O: pod");
	is_str(id.label, "prod/db-0", "CRI-O: label");
	is_str(id.runtime, "cri-o", "CRI-O: runtime");
	ok(id.ncontainers == 1 && has_container(&id, "postgres"), "CRI-O: container postgres");
	cw_ident_done(&id);

	/* 11. hostile names are sanitised. */
	ns = ns_at(inode_of(rootfs, "/run/netns/cni-evil"), 1100);
	cw_podid_identify(p, &ns, host, &id);
	is_int(id.kind, CW_KIND_POD, "hostile: pod");
	is_str(id.pod_name, "evil?[2J??\?-x2k4q", "hostile: pod name sanitised");
	is_str(id.pod_ns, "ns?", "hostile: namespace sanitised");
	is_str(id.pod_uid, "u??id", "hostile: uid sanitised");
	is_str(id.label, "ns?/evil?[2J??\?-x2k4q", "hostile: label sanitised");
	is_str(id.workload, "evil?[2J???", "hostile: workload from the sanitised name");
	ok(id.ncontainers == 1 && has_container(&id, "c?]0;pwn?"), "hostile: container name sanitised");
	is_str(id.comm, "bad?]0;x?", "hostile: comm sanitised");
	cw_ident_done(&id);
	ns = ns_at(999999999, 0);
	ns.pin_path = "/run/netns/evil\x1b[31m";
	ns.pin_kind = CW_PIN_NETNS;
	cw_podid_identify(p, &ns, host, &id);
	is_str(id.netns_name, "evil?[31m", "hostile: netns name sanitised");
	is_str(id.label, "evil?[31m", "hostile: netns label sanitised");
	cw_ident_done(&id);

	/* The index is kept until invalidated, then rebuilt from changed files. */
	put_free(rootfs, CTRD "/" SID1 "/config.json",
		 cri_sandbox(SID1, "default", "renamed-0", UID1, "/var/run/netns/cni-aaaa"));
	{
		char *path = cw_xasprintf("%s" CTRD "/" SID1 "/config.json", rootfs);
		struct timespec ts[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};

		utimensat(AT_FDCWD, path, ts, 0); /* a different mtime for sure */
		free(path);
	}
	ns = ns_at(inode_of(rootfs, "/run/netns/cni-aaaa"), 100);
	cw_podid_identify(p, &ns, host, &id);
	is_str(id.label, "default/web-5d8f7c9b6-x2k4q", "cached until invalidated");
	cw_ident_done(&id);
	cw_podid_invalidate(p);
	cw_podid_identify(p, &ns, host, &id);
	is_str(id.label, "default/renamed-0", "re-read after invalidate (mtime changed)");
	cw_ident_done(&id);
	/* A removed bundle drops out. */
	{
		char *path = cw_xasprintf("%s" CTRD "/" SID1 "/config.json", rootfs);

		unlink(path);
		free(path);
	}
	cw_podid_invalidate(p);
	cw_podid_identify(p, &ns, host, &id);
	ok(id.kind != CW_KIND_POD || strcmp(id.source, "containerd") != 0,
	   "removed sandbox bundle is forgotten (kind %s, source %s)", cw_kind_name(id.kind),
	   id.source ? id.source : "");
	ok(id.note && strstr(id.note, UID1), "then a note names the pod uid (%s)", id.note ? id.note : "");
	cw_ident_done(&id);

	/* hostNetwork pods: named from their cgroups, not a namespace. */
	{
		char *cids2[] = {(char *)CTR2}, *cids3[] = {(char *)BARE};

		cw_podid_identify_cgroup(p, UID2, cids2, 1, CW_RT_CONTAINERD, 201, &id);
		is_str(cw_kind_name(id.kind), "hostnet-pod", "hostnet: kind");
		is_str(id.label, "shop/cart-0", "hostnet: container id -> bundle -> sandbox names it");
		is_str(id.source, "containerd", "hostnet: source");
		ok(has_container(&id, "cart"), "hostnet: the sandbox's containers");
		is_str(id.comm, "cart", "hostnet: comm of its first pid");
		ok(id.note == NULL, "hostnet: no note");
		cw_ident_done(&id);

		cw_podid_identify_cgroup(p, UID3, cids3, 1, CW_RT_UNKNOWN, 0, &id);
		is_str(id.label, "team-a/api-7d9f8b6c5-k2m4n", "hostnet: pod uid -> /var/log/pods");
		is_str(id.source, "cgroup", "hostnet: source cgroup");
		ok(has_container(&id, "app") && has_container(&id, "istio-proxy"),
		   "hostnet: containers from the pod log directory");
		is_str(id.workload, "api", "hostnet: workload");
		cw_ident_done(&id);

		cw_podid_identify_cgroup(p, UID9, NULL, 0, CW_RT_CRIO, 0, &id);
		is_str(cw_kind_name(id.kind), "hostnet-pod", "hostnet unnamed: still a pod row");
		is_str(id.label, "?/" UID9, "hostnet unnamed: labelled by its uid");
		is_str(id.runtime, "cri-o", "hostnet unnamed: runtime from its cgroup");
		ok(id.note && strstr(id.note, UID9), "hostnet unnamed: a note names the uid (%s)",
		   id.note ? id.note : "");
		cw_ident_done(&id);
	}

	is_str(cw_kind_name(CW_KIND_POD), "pod", "kind name pod");
	is_str(cw_kind_name(CW_KIND_HOSTNET_POD), "hostnet-pod", "kind name hostnet-pod");
	is_str(cw_kind_name(CW_KIND_NAMED), "named", "kind name named");
	is_str(cw_kind_name((enum cw_ns_kind)42), "process", "out-of-range kind name");

	test_long_utf8(p, host);
	test_not_regular(p, host);

	cw_podid_free(p);
	cw_root_close(&root);
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(procfs);
	free(rootfs);
	free(cause);
	return tap_done();
}
