#!/bin/bash
# demo.sh - prove that real containerd CRI pods run here, and show what
# connwatch will see: task bundles, sandbox config.json annotations, netns
# paths, pause cgroups and per-netns TCP sockets.  Then tear down and check
# that nothing is left behind.  Exits non-zero if a check fails.
#
#   tests/e2e/demo.sh           start env, run pods, show, stop, verify cleanup
#   tests/e2e/demo.sh --keep    leave the env and pods running (stop later with
#                               tests/e2e/cri-env.sh stop)
#
# All traffic stays on the private bridge subnet (pod to pod on this node),
# is bounded (3 connections, closed after CONN_SECS) and stops by itself.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KEEP=0
[ "${1:-}" = "--keep" ] && KEEP=1
TASKDIR=/run/containerd/io.containerd.runtime.v2.task/k8s.io
NCONN=3
CONN_SECS=120
FAILS=0

cri() { node "$HERE/cri.js" "$@"; }
hdr() { printf '\n===== %s =====\n' "$*"; }
check() { # check DESCRIPTION COMMAND...
    local d="$1"; shift
    if "$@"; then echo "ok: $d"; else echo "FAIL: $d"; FAILS=$((FAILS + 1)); fi
}

cleanup() {
    if [ "$KEEP" = 0 ]; then "$HERE/cri-env.sh" stop || true; fi
}
trap cleanup EXIT

hdr "start"
t0=$(date +%s.%N)
"$HERE/cri-env.sh" start
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN{printf "cri-env.sh start took %.1fs\n", b-a}'
cri version

hdr "pods"
WEB=$(cri runp team-a web-5d8f7c9b6-x2k4q 3f1c2a9e-7b1d-4c55-9a0e-1a2b3c4d5e6f)
DB=$(cri runp team-a db-0 8d2e4b6a-0c1f-4e3a-b5d7-9f8e7d6c5b4a)
echo "web sandbox: $WEB"
echo "db  sandbox: $DB"
cri run "$WEB" web -- nc -ll -p 8080 -e /bin/cat >/dev/null
cri run "$DB" db -- nc -ll -p 8080 -e /bin/cat >/dev/null

podfield() { cri lsp | jq -r --arg id "$1" --arg f "$2" '.[] | select(.id == $id) | .[$f]'; }
WEB_IP=$(podfield "$WEB" ip); DB_IP=$(podfield "$DB" ip)
WEB_PID=$(podfield "$WEB" pid); DB_PID=$(podfield "$DB" pid)
echo "web ip=$WEB_IP pause pid=$WEB_PID"
echo "db  ip=$DB_IP pause pid=$DB_PID"

# client in the web pod: NCONN long-lived connections to the db pod's IP
cri run "$WEB" client -- sh -c \
    "for i in \$(seq $NCONN); do (sleep $CONN_SECS | nc $DB_IP 8080 >/dev/null) & done; wait" >/dev/null

estab() { nsenter -t "$1" -n ss -Htn state established | wc -l; }
for _ in $(seq 1 50); do
    [ "$(estab "$DB_PID")" -ge "$NCONN" ] && [ "$(estab "$WEB_PID")" -ge "$NCONN" ] && break
    sleep 0.1
done
cri ps | jq -r '.[] | "\(.pod_sandbox_id[0:12])  \(.id[0:12])  \(.name)  \(.state)"'

hdr "ls $TASKDIR"
ls "$TASKDIR"

hdr "sandbox config.json annotations ($WEB)"
jq '.annotations' "$TASKDIR/$WEB/config.json"
hdr "sandbox linux.namespaces"
jq -c '.linux.namespaces[]' "$TASKDIR/$WEB/config.json"
hdr "sandbox linux.cgroupsPath"
jq -r '.linux.cgroupsPath' "$TASKDIR/$WEB/config.json"
hdr "app container config.json annotations (web pod, container 'web')"
WEB_CTR=$(cri ps "$WEB" | jq -r '.[] | select(.name == "web") | .id')
jq '.annotations' "$TASKDIR/$WEB_CTR/config.json"
jq -c '.linux.namespaces[]' "$TASKDIR/$WEB_CTR/config.json"

hdr "pause process"
ps -o pid,ppid,comm,args -p "$WEB_PID","$DB_PID"
hdr "cat /proc/$WEB_PID/cgroup (web pause)"
cat "/proc/$WEB_PID/cgroup"
hdr "readlink /proc/$WEB_PID/ns/net ; stat of netns file"
readlink "/proc/$WEB_PID/ns/net"
WEB_NETNS=$(jq -r '.linux.namespaces[] | select(.type == "network") | .path' "$TASKDIR/$WEB/config.json")
DB_NETNS=$(jq -r '.linux.namespaces[] | select(.type == "network") | .path' "$TASKDIR/$DB/config.json")
stat -L -c '%n inode=%i' "$WEB_NETNS"

hdr "nsenter -t $WEB_PID -n ss -tan (web pod: client side)"
nsenter -t "$WEB_PID" -n ss -tan
hdr "nsenter -t $DB_PID -n ss -tan (db pod: server side)"
nsenter -t "$DB_PID" -n ss -tan
hdr "nsenter -t $DB_PID -n ip -br addr ; ip route"
nsenter -t "$DB_PID" -n ip -br addr
nsenter -t "$DB_PID" -n ip route

hdr "checks"
check "5 task bundles: 2 sandboxes + 3 containers" test "$(ls "$TASKDIR" | wc -l)" -eq 5
check "sandbox annotation sandbox-name" test "$(jq -r '.annotations["io.kubernetes.cri.sandbox-name"]' "$TASKDIR/$WEB/config.json")" = web-5d8f7c9b6-x2k4q
check "sandbox annotation sandbox-namespace" test "$(jq -r '.annotations["io.kubernetes.cri.sandbox-namespace"]' "$TASKDIR/$WEB/config.json")" = team-a
check "sandbox annotation container-type" test "$(jq -r '.annotations["io.kubernetes.cri.container-type"]' "$TASKDIR/$WEB/config.json")" = sandbox
check "netns path inode == pause ns/net inode" test "$(stat -L -c %i "$WEB_NETNS")" = "$(readlink "/proc/$WEB_PID/ns/net" | tr -dc 0-9)"
check "web pod and db pod have different netns" test "$(readlink "/proc/$WEB_PID/ns/net")" != "$(readlink "/proc/$DB_PID/ns/net")"
check "db pod sees $NCONN established" test "$(estab "$DB_PID")" -eq "$NCONN"
check "web pod sees $NCONN established" test "$(estab "$WEB_PID")" -eq "$NCONN"
check "pause cgroup under /kubepods/besteffort/pod<uid>" grep -q ':/kubepods/besteffort/pod3f1c2a9e-7b1d-4c55-9a0e-1a2b3c4d5e6f/' "/proc/$WEB_PID/cgroup"

if [ "$KEEP" = 1 ]; then
    trap - EXIT
    echo "env left running; stop with: $HERE/cri-env.sh stop"
    [ "$FAILS" = 0 ]; exit
fi

hdr "stop"
trap - EXIT
"$HERE/cri-env.sh" stop

hdr "cleanup checks"
check "no task bundles left" test -z "$(ls "$TASKDIR" 2>/dev/null)"
# other tests may share this node (their own netns, mounts, cgroups), so
# look for what this demo made, not for anything of that kind
WEB_NETNS=${WEB_NETNS#/var}; DB_NETNS=${DB_NETNS#/var}
check "both pod netns files gone ($WEB_NETNS, $DB_NETNS)" bash -c "[ ! -e '$WEB_NETNS' ] && [ ! -e '$DB_NETNS' ]"
check "pause pids gone" bash -c "! kill -0 $WEB_PID 2>/dev/null && ! kill -0 $DB_PID 2>/dev/null"
check "no live containerd/shim processes" bash -c "! ps -eo stat=,comm= | grep -vE '^Z' | grep -qE ' containerd(-shim.*)?$'"
check "no containerd or pod netns mounts" bash -c "! awk '\$5 ~ \"^(/run/containerd|/var/lib/containerd)(/|\$)\" || \$5 == \"$WEB_NETNS\" || \$5 == \"$DB_NETNS\"' /proc/self/mountinfo | grep -q ."
check "no bridge cw-e2e0 / CNI veth left" bash -c "! ip -br link | grep -qE '^(cw-e2e0|veth[0-9a-f]{8})[@ ]'"
check "no pod cgroups left" bash -c "! find /sys/fs/cgroup/ -maxdepth 4 -type d -name 'pod*' | grep -qE '3f1c2a9e-7b1d-4c55-9a0e-1a2b3c4d5e6f|8d2e4b6a-0c1f-4e3a-b5d7-9f8e7d6c5b4a'"
check "ip_forward unchanged" test "$(cat /proc/sys/net/ipv4/ip_forward)" = "$(sed -n 's/^ip_forward=//p' "${CW_E2E_STATE:-/run/connwatch-e2e}/preexisting")"

echo
echo "$FAILS check(s) failed"
[ "$FAILS" = 0 ]
