/* test_cgroup: pod uid, container id, runtime and QoS from the text of
 * /proc/<pid>/cgroup, in the forms kubelets and runtimes produce. */
#include "config.h"
#include "cgroup.h"
#include "tap.h"

#define UID "8f2c1d9e-4b7a-4c3e-9f1d-2a6b5c8e7d01"
#define UID_US "8f2c1d9e_4b7a_4c3e_9f1d_2a6b5c8e7d01"
#define CID "4d9a7e3f1c2b8a6d5e0f9c8b7a6d5e4f3c2b1a0d9e8f7c6b5a4d3e2f1c0b9a8d"

struct want {
	bool found, kube;
	const char *uid, *cid, *qos;
	enum cw_runtime rt;
};

static void check(const char *name, const char *text, struct want w)
{
	struct cw_cgroup_info ci;
	bool r;

	memset(&ci, 0x55, sizeof(ci)); /* the parser must clear it */
	r = cw_cgroup_parse(text, &ci);
	is_int(r, w.found, "%s: found", name);
	is_int(ci.kube, w.kube, "%s: kube", name);
	is_str(ci.pod_uid, w.uid ? w.uid : "", "%s: pod uid", name);
	is_str(ci.container_id, w.cid ? w.cid : "", "%s: container id", name);
	is_int(ci.runtime, w.rt, "%s: runtime", name);
	is_str(ci.qos, w.qos ? w.qos : "", "%s: qos", name);
}

int main(void)
{
	/* cgroup v2, systemd driver, containerd. */
	check("v2 systemd containerd burstable",
	      "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_US
	      ".slice/cri-containerd-" CID ".scope\n",
	      (struct want){true, true, UID, CID, "burstable", CW_RT_CONTAINERD});
	check("v2 systemd containerd besteffort",
	      "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_US
	      ".slice/cri-containerd-" CID ".scope\n",
	      (struct want){true, true, UID, CID, "besteffort", CW_RT_CONTAINERD});
	check("v2 systemd guaranteed (no QoS slice)",
	      "0::/kubepods.slice/kubepods-pod" UID_US ".slice/cri-containerd-" CID ".scope\n",
	      (struct want){true, true, UID, CID, "guaranteed", CW_RT_CONTAINERD});
	/* The pod's own slice, no container (a process in the pod cgroup). */
	check("v2 systemd pod slice only",
	      "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_US ".slice\n",
	      (struct want){true, true, UID, NULL, "burstable", CW_RT_UNKNOWN});

	/* cgroup v2, cgroupfs driver: bare 64-hex container id. */
	check("v2 cgroupfs besteffort",
	      "0::/kubepods/besteffort/pod" UID "/" CID "\n",
	      (struct want){true, true, UID, CID, "besteffort", CW_RT_UNKNOWN});
	check("v2 cgroupfs burstable", "0::/kubepods/burstable/pod" UID "/" CID,
	      (struct want){true, true, UID, CID, "burstable", CW_RT_UNKNOWN});
	check("v2 cgroupfs guaranteed", "0::/kubepods/pod" UID "/" CID "\n",
	      (struct want){true, true, UID, CID, "guaranteed", CW_RT_UNKNOWN});

	/* CRI-O. */
	check("v2 systemd crio",
	      "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_US
	      ".slice/crio-" CID ".scope\n",
	      (struct want){true, true, UID, CID, "burstable", CW_RT_CRIO});
	/* conmon runs in the pod slice: no container id from it. */
	check("crio-conmon ignored",
	      "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_US
	      ".slice/crio-conmon-" CID ".scope\n",
	      (struct want){true, true, UID, NULL, "burstable", CW_RT_UNKNOWN});
	check("crio-conmon alone (not kube)", "0::/system.slice/crio-conmon-" CID ".scope\n",
	      (struct want){false, false, NULL, NULL, NULL, CW_RT_UNKNOWN});

	/* docker (dockershim-era kube and plain docker). */
	check("kube docker systemd",
	      "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_US
	      ".slice/docker-" CID ".scope\n",
	      (struct want){true, true, UID, CID, "besteffort", CW_RT_DOCKER});
	check("plain docker, systemd driver", "0::/system.slice/docker-" CID ".scope\n",
	      (struct want){true, false, NULL, CID, NULL, CW_RT_DOCKER});
	check("plain docker, cgroupfs driver (/docker/<id>)", "0::/docker/" CID "\n",
	      (struct want){true, false, NULL, CID, NULL, CW_RT_DOCKER});
	check("bare 64-hex id elsewhere: no runtime", "0::/other/" CID "\n",
	      (struct want){true, false, NULL, CID, NULL, CW_RT_UNKNOWN});

	/* podman. */
	check("podman rootful",
	      "0::/machine.slice/libpod-" CID ".scope/container\n",
	      (struct want){true, false, NULL, CID, NULL, CW_RT_PODMAN});
	check("podman rootless",
	      "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" CID ".scope\n",
	      (struct want){true, false, NULL, CID, NULL, CW_RT_PODMAN});

	/* cgroup v1: a line per hierarchy; the most telling one wins. */
	check("v1 multi-line",
	      "12:pids:/kubepods/burstable/pod" UID "/" CID "\n"
	      "11:memory:/kubepods/burstable/pod" UID "/" CID "\n"
	      "10:cpuset:/\n"
	      "9:devices:/kubepods/burstable/pod" UID "\n"
	      "1:name=systemd:/kubepods/burstable/pod" UID "/" CID "\n"
	      "0::/\n",
	      (struct want){true, true, UID, CID, "burstable", CW_RT_UNKNOWN});
	check("v1 lines disagree: the one with the container wins",
	      "4:cpu,cpuacct:/\n"
	      "3:memory:/kubepods.slice/kubepods-pod" UID_US ".slice\n"
	      "2:pids:/kubepods.slice/kubepods-pod" UID_US ".slice/cri-containerd-" CID ".scope\n"
	      "1:name=systemd:/system.slice/containerd.service\n",
	      (struct want){true, true, UID, CID, "guaranteed", CW_RT_CONTAINERD});
	check("v1 with a hierarchy at / only", "5:blkio:/\n4:cpu:/\n",
	      (struct want){false, false, NULL, NULL, NULL, CW_RT_UNKNOWN});

	/* Nested (kind): the node's kubelet runs inside a container. */
	check("kind cgroupfs nested",
	      "0::/kubelet/kubepods/besteffort/pod" UID "/" CID "\n",
	      (struct want){true, true, UID, CID, "besteffort", CW_RT_UNKNOWN});
	check("kind systemd nested",
	      "0::/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
	      "kubelet-kubepods-burstable-pod" UID_US ".slice/cri-containerd-" CID ".scope\n",
	      (struct want){true, true, UID, CID, "burstable", CW_RT_CONTAINERD});
	check("kind systemd nested, guaranteed",
	      "0::/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" UID_US
	      ".slice/cri-containerd-" CID ".scope\n",
	      (struct want){true, true, UID, CID, "guaranteed", CW_RT_CONTAINERD});
	check("kind under a docker container",
	      "0::/docker/" CID "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	      "kubelet-kubepods-besteffort-pod" UID_US ".slice/cri-containerd-"
	      "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789.scope\n",
	      (struct want){true, true, UID,
			    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
			    "besteffort", CW_RT_CONTAINERD});

	/* Pod uid outside kubepods: a coincidence, ignored. */
	check("pod<uid> outside kubepods", "0::/system.slice/pod" UID ".slice\n",
	      (struct want){false, false, NULL, NULL, NULL, CW_RT_UNKNOWN});
	check("pod<uid> outside kubepods, with a container",
	      "0::/machine.slice/pod" UID "/libpod-" CID ".scope\n",
	      (struct want){true, false, NULL, CID, NULL, CW_RT_PODMAN});

	/* Not containers. */
	check("host process", "0::/user.slice/user-0.slice/session-1.scope\n",
	      (struct want){false, false, NULL, NULL, NULL, CW_RT_UNKNOWN});
	check("root cgroup", "0::/\n", (struct want){false, false, NULL, NULL, NULL, CW_RT_UNKNOWN});
	check("empty", "", (struct want){false, false, NULL, NULL, NULL, CW_RT_UNKNOWN});
	check("garbage", "garbage without colons\n\n::::\n",
	      (struct want){false, false, NULL, NULL, NULL, CW_RT_UNKNOWN});
	check("kubepods without a pod", "0::/kubepods.slice/kubepods-burstable.slice\n",
	      (struct want){false, true, NULL, NULL, "burstable", CW_RT_UNKNOWN});

	/* Near misses. */
	check("uid with an uppercase hex digit",
	      "0::/kubepods/pod8F2C1D9E-4b7a-4c3e-9f1d-2a6b5c8e7d01/" CID "\n",
	      (struct want){true, true, NULL, CID, NULL, CW_RT_UNKNOWN});
	check("uid one character short",
	      "0::/kubepods/pod8f2c1d9e-4b7a-4c3e-9f1d-2a6b5c8e7d0/x\n",
	      (struct want){false, true, NULL, NULL, NULL, CW_RT_UNKNOWN});
	check("uid with a dash misplaced",
	      "0::/kubepods/pod8f2c1d9e4-b7a-4c3e-9f1d-2a6b5c8e7d01\n",
	      (struct want){false, true, NULL, NULL, NULL, CW_RT_UNKNOWN});
	check("container id too short (11 hex)", "0::/system.slice/docker-0123456789a.scope\n",
	      (struct want){false, false, NULL, NULL, NULL, CW_RT_UNKNOWN});
	check("container id 12 hex (shortest accepted)", "0::/system.slice/docker-0123456789ab.scope\n",
	      (struct want){true, false, NULL, "0123456789ab", NULL, CW_RT_DOCKER});
	check("container id with non-hex", "0::/system.slice/cri-containerd-" "zz" CID ".scope\n",
	      (struct want){false, false, NULL, NULL, NULL, CW_RT_UNKNOWN});
	check("container id too long (72 hex)",
	      "0::/system.slice/crio-" CID "01234567.scope\n",
	      (struct want){false, false, NULL, NULL, NULL, CW_RT_UNKNOWN});
	check("63-hex bare id is not an id", "0::/docker/" "d9a7e3f1c2b8a6d5e0f9c8b7a6d5e4f3c2b1a0d9e8f7c6b5a4d3e2f1c0b9a8d\n",
	      (struct want){false, false, NULL, NULL, NULL, CW_RT_UNKNOWN});
	check("a QoS word inside another name is not QoS",
	      "0::/kubepods/notburstable/pod" UID "\n",
	      (struct want){true, true, UID, NULL, "guaranteed", CW_RT_UNKNOWN});

	is_str(cw_runtime_name(CW_RT_CONTAINERD), "containerd", "runtime name containerd");
	is_str(cw_runtime_name(CW_RT_CRIO), "cri-o", "runtime name cri-o");
	is_str(cw_runtime_name(CW_RT_DOCKER), "docker", "runtime name docker");
	is_str(cw_runtime_name(CW_RT_PODMAN), "podman", "runtime name podman");
	ok(cw_runtime_name(CW_RT_UNKNOWN) == NULL, "unknown runtime has no name");
	return tap_done();
}
