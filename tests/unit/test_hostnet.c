/* test_hostnet: the cgroup id -> pod map, walked from a fake cgroup2 tree
 * (real directories under a temporary --rootfs, whose inodes stand in for
 * cgroup ids), and the split of a socket list into per-pod aggregates plus
 * the host's remainder. */
#include "config.h"
#include "hostnet.h"
#include "root.h"
#include "fstree.h"
#include "tap.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/resource.h>

#define UID1 "11111111-2222-4333-8444-555555555555"
#define UID1_US "11111111_2222_4333_8444_555555555555"
#define UID2 "22222222-3333-4444-8555-666666666666"
#define UID3 "33333333-4444-4555-8666-777777777777"
#define UID3_US "33333333_4444_4555_8666_777777777777"
#define H64(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define SB1 H64("a")
#define CT1 H64("b")
#define CT2 H64("c")
#define CT3 H64("d")

#define POD1 "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID1_US ".slice"
#define POD2 "/kubepods/burstable/pod" UID2
#define POD3 "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" UID3_US ".slice"

/* The RLIMIT_NOFILE under which exactly nfree descriptor numbers are free
 * (the limit bounds numbers, not a count). */
static rlim_t limit_for_free(int nfree)
{
	int fd, n = 0;

	for (fd = 0;; fd++)
		if (fcntl(fd, F_GETFD) < 0 && ++n > nfree)
			return (rlim_t)fd;
}

/* Whether the lowered limit is in force: at most 3 more opens succeed. */
static bool limit_holds(void)
{
	int fds[8], n = 0, i;

	while (n < 8 && (fds[n] = open("/dev/null", O_RDONLY)) >= 0)
		n++;
	for (i = 0; i < n; i++)
		close(fds[i]);
	return n <= 3;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n - 3; /* ., .. and the one opendir holds */
}

static char tmp[] = "/tmp/cw-test-hostnet-XXXXXX";

/* Makes <cg><path> and returns its inode: the cgroup id it stands for. */
static uint64_t cg(const char *base, const char *path)
{
	char *full = cw_xasprintf("%s%s", base, path);
	struct stat st;
	uint64_t ino = 0;

	fstree_mkdirs(full);
	if (stat(full, &st) == 0)
		ino = st.st_ino;
	else
		printf("# cannot stat %s\n", full);
	free(full);
	return ino;
}

static void procs(const char *base, const char *path, const char *text)
{
	char *full = cw_xasprintf("%s%s/cgroup.procs", base, path);

	fstree_write(full, text);
	free(full);
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(path);
}

static bool has_cid(const struct cw_cgpod *p, const char *cid)
{
	size_t i;

	for (i = 0; i < p->ncids; i++)
		if (strcmp(p->cids[i], cid) == 0)
			return true;
	return false;
}

static const struct cw_cgpod *pod_of(const struct cw_cgmap *m, uint64_t id)
{
	const struct cw_cgent *e = cw_cgmap_find(m, id);

	return e && e->pod != CW_CGMAP_NONE ? &m->pods[e->pod] : NULL;
}

static void test_scan(const char *rootfs)
{
	char *base = cw_xasprintf("%s/sys/fs/cgroup", rootfs), *cause = NULL;
	struct cw_root root = {.fd = -1};
	struct cw_cgmap m = {0};
	uint64_t id_root, id_kube, id_pod1, id_sb1, id_ct1, id_pod2, id_ct2, id_pod3, id_ct3, id_sshd,
		id_deep;
	const struct cw_cgpod *p;
	pid_t pids[2];
	size_t n, nprocs;
	char *ctl;

	if (cw_root_open(&root, rootfs, &cause) != 0) {
		ok(false, "open rootfs: %s", cause);
		free(cause);
		free(base);
		return;
	}
	/* No cgroup2 tree at all (cgroup v1 only). */
	fstree_mkdirs(base);
	is_int(cw_cgmap_scan(&m, &root), -ENOENT, "no cgroup.controllers: no cgroup2 tree");
	ok(!m.v2 && m.npods == 0, "no cgroup2 tree: empty map");

	/* A unified tree. */
	ctl = cw_xasprintf("%s/cgroup.controllers", base);
	fstree_write(ctl, "cpu memory pids\n");
	free(ctl);
	id_root = cg(base, "");
	id_kube = cg(base, "/kubepods.slice");
	id_pod1 = cg(base, POD1);
	id_sb1 = cg(base, POD1 "/cri-containerd-" SB1 ".scope");
	id_ct1 = cg(base, POD1 "/cri-containerd-" CT1 ".scope");
	id_pod2 = cg(base, POD2);
	id_ct2 = cg(base, POD2 "/" CT2);
	id_pod3 = cg(base, POD3);
	id_ct3 = cg(base, POD3 "/crio-" CT3 ".scope");
	id_sshd = cg(base, "/system.slice/ssh.service");
	id_deep = cg(base, "/user.slice/user-0.slice/session-1.scope/deeper");
	procs(base, POD1 "/cri-containerd-" SB1 ".scope", "4242\n");
	procs(base, POD1 "/cri-containerd-" CT1 ".scope", "4300\n4250\n");
	procs(base, POD1, "");

	is_int(cw_cgmap_scan(&m, &root), 0, "unified tree: scanned");
	ok(m.v2, "unified tree: v2");
	is_str(m.base, "/sys/fs/cgroup", "unified tree: base");
	is_int(m.npods, 3, "three pods");

	p = pod_of(&m, id_pod1);
	ok(p && strcmp(p->uid, UID1) == 0, "systemd pod directory -> pod 1");
	ok(p && p->id == id_pod1, "pod 1's id is its directory's inode");
	ok(pod_of(&m, id_sb1) == p && pod_of(&m, id_ct1) == p,
	   "its sandbox and container scopes map to the same pod");
	ok(p && p->ncids == 2 && has_cid(p, SB1) && has_cid(p, CT1), "pod 1: both container ids");
	ok(p && p->runtime == CW_RT_CONTAINERD, "pod 1: containerd from its scopes");
	ok(p && p->npaths == 3 && strcmp(p->paths[0], POD1) == 0, "pod 1: three cgroups, its own first");

	p = pod_of(&m, id_ct2);
	ok(p && strcmp(p->uid, UID2) == 0 && p->id == id_pod2 && pod_of(&m, id_pod2) == p,
	   "cgroupfs driver: /kubepods/burstable/pod<uid>/<id>");
	ok(p && p->ncids == 1 && has_cid(p, CT2), "cgroupfs pod: its container id");

	p = pod_of(&m, id_ct3);
	ok(p && strcmp(p->uid, UID3) == 0 && p->id == id_pod3 && p->runtime == CW_RT_CRIO,
	   "nested kind path, guaranteed QoS, CRI-O scope");

	ok(cw_cgmap_find(&m, id_root) && cw_cgmap_find(&m, id_root)->pod == CW_CGMAP_NONE,
	   "the root cgroup is known, and no pod's");
	ok(cw_cgmap_find(&m, id_kube) && cw_cgmap_find(&m, id_kube)->pod == CW_CGMAP_NONE,
	   "kubepods.slice is no pod's");
	ok(cw_cgmap_find(&m, id_sshd) && cw_cgmap_find(&m, id_sshd)->pod == CW_CGMAP_NONE,
	   "a system service is no pod's");
	ok(cw_cgmap_find(&m, id_deep) == NULL, "below the walk's depth outside kubepods: not seen");
	ok(cw_cgmap_find(&m, 0) == NULL && cw_cgmap_find(&m, UINT64_MAX) == NULL,
	   "ids 0 and unknown: not found");
	cw_cgmap_add(&m, id_deep, NULL);
	cw_cgmap_finish(&m);
	ok(cw_cgmap_find(&m, id_deep) && cw_cgmap_find(&m, id_deep)->pod == CW_CGMAP_NONE,
	   "an id learnt as no pod's");

	n = cw_cgmap_pids(&m, &root, (size_t)(pod_of(&m, id_pod1) - m.pods), pids, 2, &nprocs);
	is_int(n, 2, "pids: the lowest two");
	ok(n == 2 && pids[0] == 4242 && pids[1] == 4250, "pids: ascending over the pod's cgroups");
	is_int(nprocs, 3, "pids: every process counted");
	n = cw_cgmap_pids(&m, &root, (size_t)(pod_of(&m, id_pod2) - m.pods), pids, 2, &nprocs);
	ok(n == 0 && nprocs == 0, "pids: none in a pod without cgroup.procs");

	/* A hybrid host: cgroup2 under unified/, beside v1 controllers. */
	{
		char *r2 = cw_xasprintf("%s/hybrid", tmp), *b2 = cw_xasprintf("%s/sys/fs/cgroup", r2);
		struct cw_root root2 = {.fd = -1};
		uint64_t id_h;

		cg(b2, "/pids/kubepods/pod" UID2);
		ctl = cw_xasprintf("%s/unified/cgroup.controllers", b2);
		cg(b2, "/unified");
		fstree_write(ctl, "");
		free(ctl);
		id_h = cg(b2, "/unified" POD1 "/cri-containerd-" CT1 ".scope");
		if (cw_root_open(&root2, r2, &cause) == 0) {
			is_int(cw_cgmap_scan(&m, &root2), 0, "hybrid: scanned");
			is_str(m.base, "/sys/fs/cgroup/unified", "hybrid: the unified tree");
			ok(pod_of(&m, id_h) && strcmp(pod_of(&m, id_h)->uid, UID1) == 0,
			   "hybrid: a container scope maps to its pod");
			is_int(m.npods, 1, "hybrid: v1 controllers are not walked");
			cw_root_close(&root2);
		}
		free(r2);
		free(b2);
	}
	/* Out of descriptors: the walk holds one per level, stops where it
	 * cannot open, says so, and leaks none. */
	{
		struct rlimit old, low;
		int before = open_fds(), after, rc;

		getrlimit(RLIMIT_NOFILE, &old);
		low = old;
		/* Room for the base and two levels: not the five of the tree. */
		low.rlim_cur = limit_for_free(3);
		setrlimit(RLIMIT_NOFILE, &low);
		ok(limit_holds(), "the lowered limit is in force (at most 3 more opens)");
		rc = cw_cgmap_scan(&m, &root);
		setrlimit(RLIMIT_NOFILE, &old);
		after = open_fds();
		is_int(rc, -EMFILE, "out of descriptors: the scan says so");
		ok(!pod_of(&m, id_ct1), "... keeping what it walked (%zu cgroups, not all)", m.nents);
		is_int(after, before, "... with no descriptor left open");
		is_int(cw_cgmap_scan(&m, &root), 0, "with descriptors again: scanned");
		ok(pod_of(&m, id_ct1) != NULL, "... whole");
	}
	cw_cgmap_done(&m);
	cw_root_close(&root);
	free(base);
	free(cause);
}

static struct cw_sock sock(uint8_t state, uint64_t cgid, const char *src, uint16_t sport,
			   const char *dst, uint16_t dport)
{
	struct cw_sock s;

	memset(&s, 0, sizeof(s));
	s.state = state;
	s.cgroup_id = cgid;
	s.family = AF_INET;
	cw_addr_parse(src, &s.src);
	cw_addr_parse(dst, &s.dst);
	s.sport = sport;
	s.dport = dport;
	return s;
}

static void test_split(void)
{
	struct cw_cgmap m = {0};
	struct cw_hostnet_split sp;
	const struct cw_hostnet_part *a, *b;
	struct cw_sock v[16];
	size_t n = 0;

	/* pod A: its directory 100 with containers 101 and 102 (added before
	 * the directory, which the walk never does but the map allows); pod B:
	 * 200/201; 300 is a system service; 400 a pod with no sockets. */
	cw_cgmap_add(&m, 101, POD1 "/cri-containerd-" SB1 ".scope");
	cw_cgmap_add(&m, 100, POD1);
	cw_cgmap_add(&m, 102, POD1 "/cri-containerd-" CT1 ".scope");
	cw_cgmap_add(&m, 200, POD2);
	cw_cgmap_add(&m, 201, POD2 "/" CT2);
	cw_cgmap_add(&m, 300, "/system.slice/ssh.service");
	cw_cgmap_add(&m, 400, POD3);
	cw_cgmap_finish(&m);
	is_int(m.npods, 3, "split map: three pods");
	ok(pod_of(&m, 101) && pod_of(&m, 101)->id == 100, "a child added first still finds its pod's id");

	v[n++] = sock(CW_TCP_LISTEN, 101, "0.0.0.0", 9100, "0.0.0.0", 0);
	v[n++] = sock(CW_TCP_ESTABLISHED, 101, "10.0.0.5", 9100, "10.0.0.9", 40001);
	v[n++] = sock(CW_TCP_ESTABLISHED, 102, "10.0.0.5", 40002, "10.0.0.7", 443);
	v[n++] = sock(CW_TCP_CLOSE_WAIT, 100, "10.0.0.5", 40003, "10.0.0.7", 443);
	v[n++] = sock(CW_TCP_SYN_SENT, 201, "10.0.0.5", 40004, "10.0.0.8", 5432);
	v[n++] = sock(CW_TCP_ESTABLISHED, 300, "10.0.0.5", 22, "10.0.0.1", 50000);
	v[n++] = sock(CW_TCP_TIME_WAIT, 0, "10.0.0.5", 40005, "10.0.0.7", 443);
	v[n++] = sock(CW_TCP_NEW_SYN_RECV, 0, "10.0.0.5", 9100, "10.0.0.9", 40006);
	v[n++] = sock(CW_TCP_ESTABLISHED, 0, "10.0.0.5", 40007, "10.0.0.7", 80);
	v[n++] = sock(CW_TCP_ESTABLISHED, 999, "10.0.0.5", 40008, "10.0.0.7", 80);

	cw_hostnet_split(v, n, &m, 16, &sp);
	is_int(sp.nparts, 2, "two pods have sockets (the third has none)");
	a = cw_hostnet_part_of(&sp, (size_t)(pod_of(&m, 100) - m.pods));
	b = cw_hostnet_part_of(&sp, (size_t)(pod_of(&m, 200) - m.pods));
	ok(cw_hostnet_part_of(&sp, (size_t)(pod_of(&m, 400) - m.pods)) == NULL, "no part for pod 3");
	ok(a && b, "parts for pods 1 and 2");
	if (a && b) {
		is_int(a->socks.n, 4, "pod 1: the sockets of its directory and both containers");
		is_int(a->agg.count.total, 4, "pod 1: total");
		is_int(a->agg.count.tcp[CW_TCP_ESTABLISHED], 2, "pod 1: ESTABLISHED");
		is_int(a->agg.count.tcp[CW_TCP_CLOSE_WAIT], 1, "pod 1: CLOSE_WAIT");
		is_int(a->agg.count.tcp[CW_TCP_LISTEN], 1, "pod 1: LISTEN");
		ok(a->agg.nlisteners == 1 && a->agg.listeners[0].port == 9100, "pod 1: its listener");
		is_int(a->agg.peers_all, 2, "pod 1: peers (10.0.0.9 in on 9100, 10.0.0.7:443 out)");
		is_int(b->agg.count.total, 1, "pod 2: total");
		is_int(b->agg.count.tcp[CW_TCP_SYN_SENT], 1, "pod 2: SYN_SENT");
		ok(a->pod < b->pod, "parts in pod order");
	}
	is_int(sp.host.n, 5, "host keeps: a service's, TIME_WAIT, SYN_RECV, id 0, unknown id");
	is_int(sp.host_agg.count.total, 5, "host: total");
	is_int(sp.host_agg.count.tcp[CW_TCP_ESTABLISHED], 3, "host: ESTABLISHED (service, id 0, unknown)");
	is_int(sp.host_agg.count.tcp[CW_TCP_TIME_WAIT], 1, "host: TIME_WAIT (never has an id)");
	is_int(sp.host_agg.count.tcp[CW_TCP_SYN_RECV], 1, "host: SYN_RECV (request socket, no id)");
	is_int(sp.tagged, 7, "tagged sockets");
	is_int(sp.untagged_full, 1, "one full socket without an id");
	is_int(sp.unknown, 1, "one unknown id");
	cw_hostnet_split_done(&sp);

	/* UDP sockets to port 53 go by their cgroup too: a hostNetwork pod's
	 * resolver storm is its own, not the host's. */
	{
		struct cw_sock u[4];

		u[0] = sock(CW_TCP_ESTABLISHED, 201, "10.0.0.5", 41000, "10.96.0.10", 53);
		u[1] = sock(CW_TCP_ESTABLISHED, 201, "10.0.0.5", 41001, "10.96.0.10", 53);
		u[2] = sock(CW_TCP_ESTABLISHED, 300, "10.0.0.5", 41002, "10.96.0.10", 53);
		u[3] = sock(CW_TCP_SYN_SENT, 201, "10.0.0.5", 41003, "10.96.0.10", 53);
		u[0].udp = u[1].udp = u[2].udp = true;
		cw_hostnet_split(u, 4, &m, 16, &sp);
		b = cw_hostnet_part_of(&sp, (size_t)(pod_of(&m, 200) - m.pods));
		ok(b && b->agg.udp_dns == 2 && b->agg.count.total == 1 && b->agg.npeers == 1 &&
		   b->agg.peers[0].udp == 2 && b->agg.peers[0].total == 1,
		   "udp: pod 2 gets its two UDP sockets and its SYN, to one peer");
		ok(sp.host_agg.udp_dns == 1 && sp.host_agg.count.total == 0,
		   "udp: the service's UDP socket stays the host's, in no TCP count");
		cw_hostnet_split_done(&sp);
	}

	/* A kernel that sends no id: everything stays the host's. */
	for (size_t i = 0; i < n; i++)
		v[i].cgroup_id = 0;
	cw_hostnet_split(v, n, &m, 16, &sp);
	ok(sp.nparts == 0 && sp.host.n == n && sp.tagged == 0 && sp.untagged_full == 8,
	   "no ids at all: no parts, the host keeps all (%zu full sockets untagged)", sp.untagged_full);
	cw_hostnet_split_done(&sp);

	/* Empty input, empty map. */
	cw_cgmap_done(&m);
	cw_hostnet_split(NULL, 0, &m, 16, &sp);
	ok(sp.nparts == 0 && sp.host.n == 0 && sp.host_agg.count.total == 0, "nothing in, nothing out");
	cw_hostnet_split_done(&sp);
}

int main(void)
{
	char *rootfs;

	if (!mkdtemp(tmp)) {
		ok(false, "mkdtemp");
		return tap_done();
	}
	rootfs = cw_xasprintf("%s/root", tmp);
	fstree_mkdirs(rootfs);
	test_scan(rootfs);
	test_split();
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(rootfs);
	return tap_done();
}
