#!/bin/sh
# make-seeds.sh SRCDIR OUTDIR: writes the seed corpus of every fuzz target
# into OUTDIR/<target>/, one input per file, from the fixtures the unit tests
# use (tests/fixtures) plus a few hand-written inputs for the parsers that
# have no fixture files. Nothing here is committed: the seeds follow the
# fixtures. POSIX sh, od, head and tail only.
set -eu
src=${1:?usage: make-seeds.sh SRCDIR OUTDIR}
out=${2:?usage: make-seeds.sh SRCDIR OUTDIR}
fx=$src/tests/fixtures
for t in diag nscount cgroup podmeta workload json_in opts podfiles; do
	rm -rf "${out:?}/$t"
	mkdir -p "$out/$t"
done

# diag: the .bin captures are records of <u32 length (host order)><one
# recv() buffer>; each buffer is one seed. The big captures give only their
# first few, which already hold every message type.
for bin in "$fx"/diag/*.bin; do
	name=$(basename "$bin" .bin)
	size=$(wc -c <"$bin")
	off=0 n=0
	while [ $((off + 4)) -le "$size" ] && [ "$n" -lt 6 ]; do
		len=$(od -An -tu4 -j "$off" -N4 "$bin" | tr -d ' ')
		off=$((off + 4))
		[ $((off + len)) -le "$size" ] || break
		tail -c +"$((off + 1))" "$bin" | head -c "$len" >"$out/diag/$name-$n"
		off=$((off + len)) n=$((n + 1))
	done
done

# nscount: every /proc/net file, host and pod namespace, and the node's files.
for f in "$fx"/proc/host/* "$fx"/proc/netns/* "$fx"/proc/node/*; do
	case $f in */README) continue ;; esac
	cp "$f" "$out/nscount/$(basename "$(dirname "$f")")-$(basename "$f")"
done

# podmeta: every runtime sample.
for f in "$fx"/podmeta/*.json; do
	cp "$f" "$out/podmeta/"
done

# json_in: the snapshots small enough to mutate quickly, and each line of the
# series (one document per line).
cp "$fx"/snapshots/small.json "$fx"/snapshots/hostile.json "$fx"/snapshots/node.json "$out/json_in/"
i=0
while IFS= read -r line; do
	printf '%s\n' "$line" >"$out/json_in/series-$i.json"
	i=$((i + 1))
done <"$fx"/snapshots/series.json

# cgroup: /proc/<pid>/cgroup in the forms test_cgroup checks.
uid=8f2c1d9e-4b7a-4c3e-9f1d-2a6b5c8e7d01
uus=$(echo "$uid" | tr - _)
cid=4d9a7e3f1c2b8a6d5e0f9c8b7a6d5e4f3c2b1a0d9e8f7c6b5a4d3e2f1c0b9a8d
c=$out/cgroup
printf '0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/cri-containerd-%s.scope\n' "$uus" "$cid" >"$c/v2-systemd-containerd"
printf '0::/kubepods.slice/kubepods-pod%s.slice/crio-%s.scope\n' "$uus" "$cid" >"$c/v2-systemd-crio"
printf '0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%s.slice/crio-conmon-%s.scope\n' "$uus" "$cid" >"$c/v2-crio-conmon"
printf '0::/kubepods/besteffort/pod%s/%s\n' "$uid" "$cid" >"$c/v2-cgroupfs"
printf '0::/system.slice/docker-%s.scope\n' "$cid" >"$c/v2-docker"
printf '0::/machine.slice/libpod-%s.scope/container\n' "$cid" >"$c/v2-podman"
printf '0::/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod%s.slice/cri-containerd-%s.scope\n' "$uus" "$cid" >"$c/v2-kind-nested"
printf '12:pids:/kubepods/burstable/pod%s/%s\n11:memory:/kubepods/burstable/pod%s/%s\n1:name=systemd:/kubepods/burstable/pod%s/%s\n0::/\n' \
	"$uid" "$cid" "$uid" "$cid" "$uid" "$cid" >"$c/v1-cgroupfs"
printf '0::/user.slice/user-0.slice/session-1.scope\n' >"$c/v2-host"

# workload: <output buffer size byte><pod name>.
w=$out/workload
printf '\100web-5d8f7c9b6-x2k4q' >"$w/replicaset"
printf '\100db-0' >"$w/statefulset"
printf '\100agent-x2k4q' >"$w/daemonset"
printf '\004coredns-7db6d8ff4d-bv2lz' >"$w/short-buffer"
printf '\100plain' >"$w/plain"

# opts: arguments separated by NUL bytes.
o=$out/opts
printf -- '--json\000--count\0003\000-d\0000.5' >"$o/json-count"
printf -- '--procfs\000/host/proc\000--rootfs=/host\000--peers\00050' >"$o/roots"
printf -- '--json\000--sockets\000default/web-0\000--tcp-info' >"$o/sockets"
printf -- '-s\000CLOSE_WAIT\000-F\000!kube-system\000--no-color\000--no-mouse' >"$o/view"
printf -- '--budget\00012.5\000--diag-mode\000family\000--warn-close-wait\00010' >"$o/collect"
printf -- '-hV' >"$o/group"

# podfiles: a pod's resolv.conf forms, an environ block (NUL-separated) and
# a limits table.
p=$out/podfiles
printf 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n' >"$p/resolv-k8s"
printf '# c\ndomain corp.example\nnameserver fe80::1%%eth0\nnameserver 2001:db8::53\noptions timeout:2 attempts:3 rotate single-request-reopen use-vc\nsortlist 10.0.0.0\n' >"$p/resolv-options"
printf 'PATH=/bin\000GODEBUG=http2client=0,netdns=go+1\000RES_OPTIONS=ndots:1\000LOCALDOMAIN=a.example b.example\000' >"$p/environ"
printf 'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 524288               files     \nMax processes             unlimited            unlimited            processes \n' >"$p/limits"
