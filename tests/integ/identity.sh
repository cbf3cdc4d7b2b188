#!/bin/bash
# identity.sh: connwatch names each network namespace by its pod, container,
# pin or process. Real processes in real network namespaces and real
# kubepods cgroups (v2 systemd and cgroupfs drivers, v1 cgroupfs, a nested
# kind path); runtime metadata under a temporary --rootfs: containerd and
# CRI-O bundles, /var/log/pods only, the CNI cache only, docker, a named
# netns, a bare process, a malformed config.json and a hostile pod name.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss jq unshare nsenter mount
[ -d /sys/fs/cgroup/unified ] && CG2=/sys/fs/cgroup/unified || CG2=/sys/fs/cgroup
[ -f "$CG2/cgroup.procs" ] && [ -f "$CG2/cgroup.controllers" ] || skip_all "no cgroup2 hierarchy"
CG1=/sys/fs/cgroup/pids
CGTOP=/cwt-identity-$$
[ -f "$CG1/tasks" ] || CG1= # v1 pids hierarchy, where the node has one

TMPD=$(mktemp -d /tmp/cwt-identity.XXXXXX)
on_exit "rm -rf '$TMPD'"
R=$TMPD/root
mkdir -p "$R/run/netns" "$R/run/docker/netns" "$R/var/log/pods" "$R/var/lib/cni/results" \
	"$R/var/lib/docker/containers" "$R/run/containers/storage/overlay-containers" \
	"$R/run/containerd/io.containerd.runtime.v2.task/k8s.io" "$TMPD/bin"
ln -s /run "$R/var/run" # absolute: connwatch must resolve it inside --rootfs
TASKS=$R/run/containerd/io.containerd.runtime.v2.task/k8s.io
for c in pause app lonely dockerd-app; do cp /bin/sleep "$TMPD/bin/$c"; done

uuid() { cat /proc/sys/kernel/random/uuid; }
hex64() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# mkcg DIR: mkdir -p, removing (at exit, leaf first) only what it created.
mkcg() {
	local d=$1 p=
	local IFS=/
	for c in ${d#/}; do
		p=$p/$c
		[ -d "$p" ] && continue
		mkdir "$p" || bail "mkdir $p"
		on_exit "rmdir '$p'"
	done
}

# exe_is PID PATH: PID runs PATH (it has exec'd past sh, unshare, nsenter).
exe_is() { [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$2" ]; }

# spawn COMM NETNS CGROUP2 [CGROUP1]: starts $TMPD/bin/COMM in the cgroups
# given (paths relative to the hierarchies; "-" for none), in a new network
# namespace (NETNS "new") or in PID's (NETNS a pid). Sets PID.
spawn() {
	local comm=$1 net=$2 cg2=$3 cg1=${4:--} files=() f
	# Under a top cgroup of this test's own, as a nested (kind) node has
	# /kubelet/ in front: the real /kubepods may be in use by another test
	# or a node's kubelet, and sharing its parents would leave them behind.
	[ "$cg2" != - ] && cg2=$CGTOP$cg2
	[ "$cg1" != - ] && cg1=$CGTOP$cg1
	if [ "$cg2" != - ]; then mkcg "$CG2$cg2"; files+=("$CG2$cg2/cgroup.procs"); fi
	if [ "$cg1" != - ] && [ -n "$CG1" ]; then mkcg "$CG1$cg1"; files+=("$CG1$cg1/cgroup.procs"); fi
	if [ "$net" = new ]; then
		set -- unshare -n "$TMPD/bin/$comm" infinity
	else
		set -- nsenter "--net=/proc/$net/ns/net" "$TMPD/bin/$comm" infinity
	fi
	# shellcheck disable=SC2016
	sh -c 'while [ "$1" != -- ]; do echo $$ >"$1" || exit 1; shift; done; shift; exec "$@"' \
		sh "${files[@]}" -- "$@" &
	PID=$!
	on_exit "kill_wait $PID"
	wait_for 5 exe_is "$PID" "$TMPD/bin/$comm" || bail "spawn $comm failed"
}

# pin PID PATH: bind-mounts PID's network namespace at $R/PATH.
pin() {
	touch "$R$2"
	mount --bind "/proc/$1/ns/net" "$R$2" || bail "pin $2"
	on_exit "umount '$R$2'"
}

# oci FILE JSON-ANNOTATIONS NETNS-PATH: writes an OCI config.json.
oci() {
	mkdir -p "$(dirname "$1")"
	jq -n --argjson ann "$2" --arg net "$3" '{
		ociVersion: "1.1.0", process: {args: ["/pause"]}, annotations: $ann,
		linux: {namespaces: ([{type: "pid"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}] +
			(if $net == "" then [] else [{type: "network", path: $net}] end))}}' >"$1"
}

# cri_sandbox ID NS NAME UID NETNS-PATH / cri_container ID SANDBOX NAME NETNS-PATH
cri_sandbox() {
	oci "$TASKS/$1/config.json" "$(jq -n --arg id "$1" --arg ns "$2" --arg name "$3" --arg uid "$4" '{
		"io.kubernetes.cri.container-type": "sandbox", "io.kubernetes.cri.sandbox-id": $id,
		"io.kubernetes.cri.sandbox-name": $name, "io.kubernetes.cri.sandbox-namespace": $ns,
		"io.kubernetes.cri.sandbox-uid": $uid,
		"io.kubernetes.cri.sandbox-log-directory": "/var/log/pods/\($ns)_\($name)_\($uid)"}')" "$5"
}
cri_container() {
	oci "$TASKS/$1/config.json" "$(jq -n --arg sid "$2" --arg name "$3" '{
		"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $sid,
		"io.kubernetes.cri.container-name": $name,
		"io.kubernetes.cri.image-name": "registry.local/\($name):1.0"}')" "$4"
}
podlog() { # podlog NS NAME UID CONTAINER...
	local d=$R/var/log/pods/$1_$2_$3 c
	shift 3
	for c in "$@"; do mkdir -p "$d/$c" && : >"$d/$c/0.log"; done
}
ino() { stat -L -c %i "/proc/$1/ns/net"; }
sysd() { echo "${1//-/_}"; } # pod uid as the systemd driver writes it

# --- 1. containerd sandbox found by its netns pin; systemd driver, cgroup v2
#        (+ v1 pids); an app container process shares the netns. ----------------
U1=$(uuid) S1=$(hex64) C1=$(hex64) C1b=$(hex64) N1=cni-$(uuid)
SL1=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$(sysd "$U1").slice
spawn pause new "$SL1/cri-containerd-$S1.scope" "$SL1/cri-containerd-$S1.scope"
P1=$PID
pin "$P1" "/run/netns/$N1"
spawn app "$P1" "$SL1/cri-containerd-$C1.scope" "$SL1/cri-containerd-$C1.scope"
P1b=$PID
cri_sandbox "$S1" team-a web-5d8f7c9b6-x2k4q "$U1" "/var/run/netns/$N1"
cri_container "$C1" "$S1" app "/proc/$P1/ns/net"
cri_container "$C1b" "$S1" envoy "/proc/$P1/ns/net"
podlog team-a web-5d8f7c9b6-x2k4q "$U1" app envoy

# --- 2. containerd, found through the cgroup's container id (the sandbox's pin
#        is missing); cgroupfs driver, guaranteed QoS, cgroup v2 + v1. ------------
U2=$(uuid) S2=$(hex64) C2=$(hex64)
spawn app new "/kubepods/pod$U2/$C2" "/kubepods/pod$U2/$C2"
P2=$PID
cri_sandbox "$S2" team-b db-0 "$U2" "/var/run/netns/cni-$(uuid)"
cri_container "$C2" "$S2" postgres "/proc/$P2/ns/net"

# --- 3. /var/log/pods only: v1 cgroupfs (cgroup v2 left at the root), no
#        runtime metadata at all. -------------------------------------------------
U3=$(uuid) K3=$(hex64)
spawn pause new - "/kubepods/besteffort/pod$U3/$K3"
P3=$PID
podlog kube-system node-agent-8kx2p "$U3" agent log-shipper

# --- 4. nested (kind) systemd path, cgroup v2; named by /var/log/pods. ----------
U4=$(uuid) K4=$(hex64)
spawn pause new "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod$(sysd "$U4").slice/cri-containerd-$K4.scope"
P4=$PID
podlog team-b kindly-7c9d8b6f5-z8x7w "$U4" main

# --- 5. CRI-O: crio-<id>.scope, overlay-containers/<id>/userdata/config.json
#        with io.kubernetes.pod.* annotations, pinned as /var/run/netns/<uuid>. --
U5=$(uuid) S5=$(hex64) C5=$(hex64) N5=$(uuid)
SL5=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$(sysd "$U5").slice
spawn pause new "$SL5/crio-$S5.scope"
P5=$PID
pin "$P5" "/run/netns/$N5"
OC=$R/run/containers/storage/overlay-containers
oci "$OC/$S5/userdata/config.json" "$(jq -n --arg id "$S5" --arg uid "$U5" '{
	"io.kubernetes.cri-o.ContainerType": "sandbox", "io.kubernetes.cri-o.ContainerID": $id,
	"io.kubernetes.cri-o.SandboxID": $id, "io.kubernetes.pod.name": "api-6b7c8d9f4-k2m8r",
	"io.kubernetes.pod.namespace": "team-a", "io.kubernetes.pod.uid": $uid,
	"io.kubernetes.container.name": "POD",
	"io.kubernetes.cri-o.Labels": ({"io.kubernetes.pod.name": "api-6b7c8d9f4-k2m8r"} | tojson)}')" \
	"/var/run/netns/$N5"
oci "$OC/$C5/userdata/config.json" "$(jq -n --arg id "$C5" --arg sid "$S5" --arg uid "$U5" '{
	"io.kubernetes.cri-o.ContainerType": "container", "io.kubernetes.cri-o.ContainerID": $id,
	"io.kubernetes.cri-o.SandboxID": $sid, "io.kubernetes.pod.name": "api-6b7c8d9f4-k2m8r",
	"io.kubernetes.pod.namespace": "team-a", "io.kubernetes.pod.uid": $uid,
	"io.kubernetes.container.name": "api"}')" "/proc/$P5/ns/net"

# --- 6. the CNI result cache only (no kubepods cgroup, no bundle). ----------------
U6=$(uuid) S6=$(hex64) N6=cni-$(uuid)
spawn pause new -
P6=$PID
pin "$P6" "/run/netns/$N6"
jq -n --arg id "$S6" --arg uid "$U6" --arg net "/var/run/netns/$N6" '{
	kind: "cniCacheV1", containerId: $id, ifName: "eth0", networkName: "cbr0", netns: $net,
	config: "e30=", cniArgs: [["IgnoreUnknown", "1"], ["K8S_POD_NAMESPACE", "team-b"],
		["K8S_POD_NAME", "cache-5f6d7c8b9-q2w4x"], ["K8S_POD_INFRA_CONTAINER_ID", $id],
		["K8S_POD_UID", $uid]],
	result: {cniVersion: "1.0.0", ips: [{address: "10.88.0.9/16"}]}}' \
	>"$R/var/lib/cni/results/cbr0-$S6-eth0"

# --- 7. docker: config.v2.json whose SandboxKey is a pin under /run/docker/netns.
D7=$(hex64) K7=$(hex64 | head -c 12)
spawn dockerd-app new "/system.slice/docker-$D7.scope"
P7=$PID
pin "$P7" "/run/docker/netns/$K7"
mkdir -p "$R/var/lib/docker/containers/$D7"
jq -n --arg id "$D7" --arg key "/var/run/docker/netns/$K7" --argjson pid "$P7" '{
	ID: $id, Name: "/redis-cache", State: {Running: true, Pid: $pid},
	Config: {Hostname: "redis", Labels: {}}, NetworkSettings: {SandboxKey: $key}}' \
	>"$R/var/lib/docker/containers/$D7/config.v2.json"

# --- 8. a named netns with nothing in it. ------------------------------------------
N8=cwti$$-named
add_netns "$N8"
touch "$R/run/netns/$N8"
mount --bind "/run/netns/$N8" "$R/run/netns/$N8" || bail "pin $N8"
on_exit "umount '$R/run/netns/$N8'"

# --- 9. a plain process in a namespace of its own. ----------------------------------
spawn lonely new -
P9=$PID

# --- 10. a malformed config.json, named by the process's cgroup. --------------------
U10=$(uuid) S10=$(hex64)
SL10=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$(sysd "$U10").slice
spawn pause new "$SL10/cri-containerd-$S10.scope"
P10=$PID
mkdir -p "$TASKS/$S10"
printf '{"ociVersion": "1.1.0", "annotations": {"io.kubernetes.cri.container-type": "sand' \
	>"$TASKS/$S10/config.json"

# --- 11. a hostile pod name: escape sequences, BEL, newline, C1 CSI. -----------------
U11=$(uuid) S11=$(hex64) N11=cni-$(uuid)
SL11=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$(sysd "$U11").slice
spawn pause new "$SL11/cri-containerd-$S11.scope"
P11=$PID
pin "$P11" "/run/netns/$N11"
cri_sandbox "$S11" $'team-\e]0;owned\a' $'evil\e[2J\a\nname\xc2\x9b31m-0' "$U11" "/var/run/netns/$N11"

# ==================================================================================
snapshot "$TMPD/s.json" --rootfs "$R"
S=$TMPD/s.json
row() { cw_row "$S" "$(ino "$1")" "$2"; }
rowi() { cw_row "$S" "$1" "$2"; }
IDENT='"\(.kind)|\(.label)|\(.pod.namespace)|\(.pod.name)|\(.pod.uid)|\(.pod.workload)|\(.pod.containers // [] | sort | join(","))|\(.runtime)|\(.source)"'

is "$(row "$P1" "$IDENT")" "\"pod|team-a/web-5d8f7c9b6-x2k4q|team-a|web-5d8f7c9b6-x2k4q|$U1|web|app,envoy|containerd|containerd\"" \
	"1 containerd sandbox by netns pin (systemd driver, v2+v1): kind|label|ns|name|uid|workload|containers|runtime|source"
is "$(row "$P1" '"\(.pids | join(","))|\(.procs)|\(.comm)"')" "\"$P1,$P1b|2|pause\"" \
	"1 the pause and app processes share one row, pause first"
is "$(row "$P1" .status)" '"ok"' "1 status ok"
is "$(row "$P2" "$IDENT")" "\"pod|team-b/db-0|team-b|db-0|$U2|db|postgres|containerd|containerd\"" \
	"2 containerd via the cgroup's container id (cgroupfs driver, guaranteed)"
is "$(row "$P3" "$IDENT")" "\"pod|kube-system/node-agent-8kx2p|kube-system|node-agent-8kx2p|$U3|node-agent|agent,log-shipper|null|cgroup\"" \
	"3 v1 cgroupfs + /var/log/pods only"
is "$(row "$P4" "$IDENT")" "\"pod|team-b/kindly-7c9d8b6f5-z8x7w|team-b|kindly-7c9d8b6f5-z8x7w|$U4|kindly|main|containerd|cgroup\"" \
	"4 nested kind path (kubelet.slice/kubelet-kubepods...) + /var/log/pods"
is "$(row "$P5" "$IDENT")" "\"pod|team-a/api-6b7c8d9f4-k2m8r|team-a|api-6b7c8d9f4-k2m8r|$U5|api|api|cri-o|cri-o\"" \
	"5 CRI-O sandbox (overlay-containers userdata/config.json)"
is "$(row "$P6" "$IDENT")" "\"pod|team-b/cache-5f6d7c8b9-q2w4x|team-b|cache-5f6d7c8b9-q2w4x|$U6|cache||null|cni-cache\"" \
	"6 CNI result cache only"
is "$(row "$P7" '"\(.kind)|\(.label)|\(.runtime)|\(.source)|\(.pod)"')" '"container|redis-cache|docker|docker|null"' \
	"7 docker container by SandboxKey"
is "$(rowi "$(netns_inode "$N8")" '"\(.kind)|\(.label)|\(.netns_name)|\(.source)|\(.pids)|\(.status)"')" \
	"\"named|$N8|$N8|netns|null|ok\"" "8 named netns without processes"
is "$(row "$P9" '"\(.kind)|\(.label)|\(.comm)|\(.source)|\(.pod)"')" "\"process|lonely[$P9]|lonely|process|null\"" \
	"9 a bare process"
is "$(row "$P10" '"\(.kind == "pod")|\(.status != "ok")"')" '"false|true"' \
	"10 malformed config.json: not a pod, and a non-ok status"
diag "10 status: $(row "$P10" .status)"
is "$(row "$P10" '.status | test("config.json")')" true "10 the status names the bad file"

# 11: nothing from outside may reach a terminal.
is "$(row "$P11" '.kind')" '"pod"' "11 hostile names still make a pod"
is "$(row "$P11" '[.label, .pod.namespace, .pod.name, .pod.workload] | map(test("\\p{Cc}")) | any')" false \
	"11 label, namespace, name and workload carry no control characters"
is "$(row "$P11" '.label')" '"team-?]0;owned?/evil?[2J??name??31m-0"' "11 each control byte became '?'"
grep -q "$(printf '\033')" "$S"
ok $((!$?)) "11 no raw ESC anywhere in the JSON output"
jq -e . "$S" >/dev/null
ok $? "the snapshot is valid JSON"

# The whole run under --rootfs: rows named by runtime files are pods; nothing crashed.
is "$(jq '[.netns[] | select(.kind == "pod")] | length' "$S")" 7 "7 pods in the snapshot (1-6 and 11)" ||
	jq -c '.netns[] | select(.kind == "pod") | .label' "$S" | sed 's/^/# /'

done_testing
