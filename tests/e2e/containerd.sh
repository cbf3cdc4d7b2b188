#!/bin/bash
# tests/e2e/containerd.sh: connwatch against real Kubernetes-style pods run by
# containerd's CRI plugin (tests/e2e/cri-env.sh + cri.js; see README-e2e.md).
#
# Pods (all traffic stays on the private bridge 10.88.77.0/24):
#   team-a/web-5d8f7c9b6-x2k4q  web: echo server :8080
#                               sidecar: 3 ESTABLISHED to db-0:5432,
#                                        2 TIME_WAIT (closed first) to db-0:5432,
#                                        1 half-closed to db-0:5433 (FIN_WAIT2)
#   team-a/web-5d8f7c9b6-p7z2m  web: echo server :8080
#                               sidecar: 2 ESTABLISHED to db-0:5432,
#                                        1 ESTABLISHED to x2k4q:8080
#   team-b/db-0                 db: echo server :5432
#                               stuck: :5433, never reads or closes (CLOSE_WAIT)
#   team-b/node-exporter-q8v5n  hostNetwork; exporter: httpd on 127.0.0.1
#                               rbac-proxy: echo server on a loopback port,
#                                  3 ESTABLISHED to it, 1 to kube-proxy's
#   kube-system/kube-proxy-x7k2d
#                               hostNetwork; proxy: echo server on a
#                                  loopback port, 2 ESTABLISHED to it
#
# For each pod netns, connwatch --json must name the pod (kind, label, uid,
# workload, containers, runtime) and count TCP states exactly as
# `nsenter -t <pause> -n ss -tan` does; peers and listeners must match too.
# Each hostNetwork pod must be a hostnet-pod row of its own whose counts are
# `ss -tan` filtered by the pod's cgroups, and the host row must keep the
# rest of the host's sockets.  `--procfs /proc --rootfs /` must give the
# same rows.  At the end the env is stopped and the cleanup is checked.
#
# Knobs: CW_E2E_KEEP=1 leaves the env and pods running.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"

E2E=$top_srcdir/tests/e2e
TASKDIR=/run/containerd/io.containerd.runtime.v2.task/k8s.io
STATE=${CW_E2E_STATE:-/run/connwatch-e2e}
T0=$(date +%s.%N)

need_root
need_cmd containerd ctr runc node jq ss nsenter ip
[ -x "$CONNWATCH" ] || bail "no connwatch binary at $CONNWATCH (run make first)"

# npm deps of cri.js (node_modules is not in git). CI installs them too; this
# keeps a plain `make check` working.
if [ ! -d "$E2E/node_modules/@grpc/grpc-js" ] || [ ! -d "$E2E/node_modules/@grpc/proto-loader" ]; then
	need_cmd npm
	diag "installing npm deps: npm ci --prefix $E2E"
	if ! npm ci --prefix "$E2E" --no-audit --no-fund >"${TMPDIR:-/tmp}/cw-e2e-npm.$$" 2>&1; then
		sed 's/^/# npm: /' "${TMPDIR:-/tmp}/cw-e2e-npm.$$" | tail -n 20
		rm -f "${TMPDIR:-/tmp}/cw-e2e-npm.$$"
		[ "${CI:-}" = true ] && bail "npm ci failed"
		skip_all "npm ci failed (no registry?)"
	fi
	rm -f "${TMPDIR:-/tmp}/cw-e2e-npm.$$"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cw-e2e.XXXXXX") || bail "mktemp failed"
on_exit "rm -rf '$WORK'"

cri() { node "$E2E/cri.js" "$@"; }
envctl() { "$E2E/cri-env.sh" "$@" >>"$WORK/cri-env.log" 2>&1; }
show_env_log() { sed 's/^/#   /' "$WORK/cri-env.log" | tail -n 25; }
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# --- environment -----------------------------------------------------------

WE_STARTED=0 PURGE=0 ENV_DOWN=0
PODS=()
if "$E2E/cri-env.sh" status >/dev/null 2>&1; then
	diag "using the e2e containerd that is already running (only our pods are removed)"
else
	# purge at the end only if the containerd dirs are ours to delete
	[ -d /var/lib/containerd ] || [ -d /run/containerd ] || PURGE=1
	WE_STARTED=1
fi

cleanup() {
	[ "$ENV_DOWN" = 1 ] && return 0
	[ "${CW_E2E_KEEP:-0}" = 1 ] && return 0
	if [ "$WE_STARTED" = 1 ]; then
		"$E2E/cri-env.sh" stop
		[ "$PURGE" = 1 ] && "$E2E/cri-env.sh" purge
	else
		local p
		for p in "${PODS[@]}"; do cri rmp "$p"; done
	fi
}
on_exit cleanup

if [ "$WE_STARTED" = 1 ]; then
	if ! envctl start; then
		show_env_log
		bail "cri-env.sh start failed"
	fi
	diag "cri-env.sh start: ready after $(elapsed)s"
fi

# --- pods --------------------------------------------------------------------

WEB1_NS=team-a WEB1_NAME=web-5d8f7c9b6-x2k4q WEB1_UID=6f1c2a9e-7b1d-4c55-9a0e-1a2b3c4d5e01
WEB2_NS=team-a WEB2_NAME=web-5d8f7c9b6-p7z2m WEB2_UID=6f1c2a9e-7b1d-4c55-9a0e-1a2b3c4d5e02
DB_NS=team-b DB_NAME=db-0 DB_UID=8d2e4b6a-0c1f-4e3a-b5d7-9f8e7d6c5b03
HN_NS=team-b HN_NAME=node-exporter-q8v5n HN_UID=0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c04
HN2_NS=kube-system HN2_NAME=kube-proxy-x7k2d HN2_UID=0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c05

runp() { # runp VAR NS NAME UID [--host-network]
	local var=$1 id
	shift
	id=$(cri runp "$@" 2>"$WORK/err") || { sed 's/^/# /' "$WORK/err"; bail "RunPodSandbox $1/$2 failed"; }
	PODS+=("$id")
	printf -v "$var" %s "$id"
}
run() { # run POD CONTAINER -- CMD...
	cri run "$@" >/dev/null 2>"$WORK/err" || { sed 's/^/# /' "$WORK/err"; bail "container $2 failed to start"; }
}

runp WEB1 "$WEB1_NS" "$WEB1_NAME" "$WEB1_UID"
runp WEB2 "$WEB2_NS" "$WEB2_NAME" "$WEB2_UID"
runp DB "$DB_NS" "$DB_NAME" "$DB_UID"
runp HN "$HN_NS" "$HN_NAME" "$HN_UID" --host-network
runp HN2 "$HN2_NS" "$HN2_NAME" "$HN2_UID" --host-network

cri lsp >"$WORK/lsp.json" || bail "ListPodSandbox failed"
podf() { jq -r --arg id "$1" --arg f "$2" '.[] | select(.id == $id) | .[$f] // empty' "$WORK/lsp.json"; }
for p in WEB1 WEB2 DB HN HN2; do
	printf -v "${p}_PID" %s "$(podf "${!p}" pid)"
	printf -v "${p}_IP" %s "$(podf "${!p}" ip)"
done
for p in WEB1 WEB2 DB HN HN2; do
	v=${p}_PID
	[ -n "${!v}" ] && [ "${!v}" -gt 0 ] || bail "no pause pid for $p"
done
for p in WEB1 WEB2 DB; do
	v=${p}_IP
	case ${!v} in 10.88.77.*) ;; *) bail "pod $p has IP '${!v}', not on the e2e bridge" ;; esac
done
diag "pods: $WEB1_NAME ip=$WEB1_IP pause=$WEB1_PID; $WEB2_NAME ip=$WEB2_IP pause=$WEB2_PID;" \
	"$DB_NAME ip=$DB_IP pause=$DB_PID; $HN_NAME (hostNetwork) pause=$HN_PID;" \
	"$HN2_NAME (hostNetwork) pause=$HN2_PID"

# free ports on the node for the hostNetwork pods
free_ports=()
for p in $(seq 19100 19199); do
	[ -z "$(ss -Htan "sport = :$p or dport = :$p")" ] && free_ports+=("$p")
	[ "${#free_ports[@]}" = 3 ] && break
done
[ "${#free_ports[@]}" = 3 ] || bail "no 3 free ports in 19100-19199"
HPORT=${free_ports[0]} RPORT=${free_ports[1]} KPORT=${free_ports[2]}

listening() { # listening PID PORT: a LISTEN socket on PORT in PID's netns
	[ -n "$(nsenter -t "$1" -n ss -Htln "sport = :$2")" ]
}

# servers first, and wait until they listen: a client that connects too
# early is refused and never retries
run "$DB" db -- nc -ll -p 5432 -e /bin/cat
run "$DB" stuck -- nc -ll -p 5433 -e sleep 3600
run "$WEB1" web -- nc -ll -p 8080 -e /bin/cat
run "$WEB2" web -- nc -ll -p 8080 -e /bin/cat
run "$HN" exporter -- httpd -f -p "127.0.0.1:$HPORT" -h /tmp
run "$HN" rbac-proxy -- nc -ll -p "$RPORT" -e /bin/cat
run "$HN2" proxy -- nc -ll -p "$KPORT" -e /bin/cat
wait_for 15 listening "$DB_PID" 5432 && wait_for 15 listening "$DB_PID" 5433 &&
	wait_for 15 listening "$WEB1_PID" 8080 && wait_for 15 listening "$WEB2_PID" 8080 &&
	wait_for 15 listening "$HN_PID" "$HPORT" && wait_for 15 listening "$HN_PID" "$RPORT" &&
	wait_for 15 listening "$HN2_PID" "$KPORT" || bail "servers did not start listening"

# clients. `nc IP PORT </dev/null` half-closes at once (shutdown SHUT_WR):
# against the echo server it ends with the client in TIME_WAIT; against
# `sleep` (which never reads or closes) it leaves FIN_WAIT2 here and
# CLOSE_WAIT in db-0, for as long as both processes live.
# The two TIME_WAITs are made until the pod holds two (at most 6 tries, half
# a second apart): one CI run's pod held one, and a retry is the lab's job,
# not a looser check.
run "$WEB1" sidecar -- sh -c "
	for i in 1 2 3; do (sleep 3600 | nc $DB_IP 5432 >/dev/null) & done
	tw() { netstat -tn | grep -c '$DB_IP:5432 *TIME_WAIT'; }
	n=0
	while [ \$n -lt 6 ] && [ \$(tw) -lt 2 ]; do
		nc $DB_IP 5432 </dev/null >/dev/null
		n=\$((n + 1))
		sleep 0.5
	done
	nc $DB_IP 5433 </dev/null >/dev/null &
	wait"
run "$WEB2" sidecar -- sh -c "
	for i in 1 2; do (sleep 3600 | nc $DB_IP 5432 >/dev/null) & done
	(sleep 3600 | nc $WEB1_IP 8080 >/dev/null) &
	wait"
# hostNetwork pods, on loopback: a socket counts for the pod whose cgroup
# made it, and an accepted one for its listener's
run "$HN" scraper -- sh -c "
	for i in 1 2 3; do (sleep 3600 | nc 127.0.0.1 $RPORT >/dev/null) & done
	(sleep 3600 | nc 127.0.0.1 $KPORT >/dev/null) &
	wait"
run "$HN2" client -- sh -c "
	for i in 1 2; do (sleep 3600 | nc 127.0.0.1 $KPORT >/dev/null) & done
	wait"

# --- what the kernel says (ss) ---------------------------------------------

STATES="ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK LISTEN CLOSING"
STATES_JSON=$(printf '%s\n' $STATES | jq -R . | jq -cs .)

# ss -Htan [FILTER] in PID's netns, as "STATE LOCALADDR LPORT PEERADDR PPORT"
# lines with connwatch's state names and v4-mapped addresses unmapped
ss_lines() {
	nsenter -t "$1" -n ss -Htan ${2:+"$2"} | awk '
	function split_ep(ep, out,   i) {
		i = match(ep, /:[^:]*$/)
		out["a"] = substr(ep, 1, i - 1); out["p"] = substr(ep, i + 1)
		gsub(/^\[|\]$/, "", out["a"]); sub(/^::ffff:/, "", out["a"])
	}
	BEGIN {
		m["ESTAB"] = "ESTABLISHED"; m["SYN-SENT"] = "SYN_SENT"; m["SYN-RECV"] = "SYN_RECV"
		m["FIN-WAIT-1"] = "FIN_WAIT1"; m["FIN-WAIT-2"] = "FIN_WAIT2"; m["TIME-WAIT"] = "TIME_WAIT"
		m["UNCONN"] = "CLOSE"; m["CLOSE-WAIT"] = "CLOSE_WAIT"; m["LAST-ACK"] = "LAST_ACK"
		m["LISTEN"] = "LISTEN"; m["CLOSING"] = "CLOSING"
	}
	{
		st = ($1 in m) ? m[$1] : "UNKNOWN:" $1
		split_ep($4, l); split_ep($5, r)
		print st, l["a"], l["p"], r["a"], r["p"]
	}'
}

# "STATE=N ..." (non-zero states, in connwatch order) from "STATE" lines
state_vec() {
	awk -v order="$STATES" '
	{ n[$1]++ }
	END {
		k = split(order, o, " "); s = ""
		for (i = 1; i <= k; i++) if (o[i] in n) { s = s (s ? " " : "") o[i] "=" n[o[i]]; delete n[o[i]] }
		for (x in n) s = s (s ? " " : "") x "=" n[x]   # states connwatch does not know
		print s
	}'
}

ss_vec() { ss_lines "$1" | state_vec; }
ss_total() { ss_lines "$1" | wc -l; }
# ss_peer PID out|in ADDR PORT: the state vector of the sockets of one peer,
# the way connwatch groups them: out = remote ADDR:PORT; in = remote ADDR on
# our listening PORT
ss_peer() {
	ss_lines "$1" | awk -v d="$2" -v a="$3" -v p="$4" '
	$1 != "LISTEN" && $4 == a && ((d == "out" && $5 == p) || (d == "in" && $3 == p)) { print $1 }' | state_vec
}

# wait until the kernel shows exactly the sockets the pods were built to make
WEB1_WANT="ESTABLISHED=4 FIN_WAIT2=1 TIME_WAIT=2 LISTEN=1"
WEB2_WANT="ESTABLISHED=3 LISTEN=1"
DB_WANT="ESTABLISHED=5 CLOSE_WAIT=1 LISTEN=2"
# A hostNetwork pod's sockets, by the cgroups under its pod cgroup (ss
# matches each cgroup exactly, not the ones below it).
CG2=/sys/fs/cgroup
[ -f "$CG2/cgroup.controllers" ] || CG2=/sys/fs/cgroup/unified
cg_filter() { # cg_filter UID: an ss filter naming every cgroup of the pod
	find "$CG2" -type d -name "pod$1" 2>/dev/null | head -n 1 | xargs -r -I{} find {} -type d |
		sed "s#^$CG2##" | awk '{ printf "%scgroup %s", (NR > 1 ? " or " : ""), $0 }'
}
hn_lines() { local f; f=$(cg_filter "$1"); [ -n "$f" ] && ss_lines "$HN_PID" "$f"; }
HN_WANT="ESTABLISHED=7 LISTEN=2"
HN2_WANT="ESTABLISHED=5 LISTEN=1"
settled() {
	[ "$(ss_vec "$WEB1_PID")" = "$WEB1_WANT" ] && [ "$(ss_vec "$WEB2_PID")" = "$WEB2_WANT" ] &&
		[ "$(ss_vec "$DB_PID")" = "$DB_WANT" ] &&
		[ "$(hn_lines "$HN_UID" | state_vec)" = "$HN_WANT" ] &&
		[ "$(hn_lines "$HN2_UID" | state_vec)" = "$HN2_WANT" ]
}
wait_for 20 settled
ok $? "traffic settled: the pods hold the sockets they were built to make"
diag "ss $WEB1_NAME: $(ss_vec "$WEB1_PID")"
diag "ss $WEB2_NAME: $(ss_vec "$WEB2_PID")"
diag "ss $DB_NAME: $(ss_vec "$DB_PID")"
diag "ss $HN_NAME (cgroup): $(hn_lines "$HN_UID" | state_vec)"
diag "ss $HN2_NAME (cgroup): $(hn_lines "$HN2_UID" | state_vec)"

# --- connwatch -----------------------------------------------------------------

# Take ss, connwatch (default and explicit --procfs/--rootfs), ss again; use
# the round in which ss did not change, so both tools saw the same sockets.
# The host's sockets (and so the hostNetwork pods') move with everything
# else on the node: they are part of the round too.
snap_ss() {
	local p
	for p in "$WEB1_PID" "$WEB2_PID" "$DB_PID"; do ss_lines "$p" | sort; echo --; done
	hn_lines "$HN_UID" | sort >"$WORK/hn.ss"
	hn_lines "$HN2_UID" | sort >"$WORK/hn2.ss"
	ss_lines "$HN_PID" | sort >"$WORK/host.ss"
	cat "$WORK/hn.ss" "$WORK/hn2.ss" "$WORK/host.ss"
}
stable=1
for attempt in 1 2 3 4 5 6 7 8; do
	snap_ss >"$WORK/ss.before"
	"$CONNWATCH" --json >"$WORK/cw.json" 2>"$WORK/cw.err"
	rc1=$?
	"$CONNWATCH" --json --procfs /proc --rootfs / >"$WORK/cw-explicit.json" 2>"$WORK/cw-explicit.err"
	rc2=$?
	snap_ss >"$WORK/ss.after"
	if cmp -s "$WORK/ss.before" "$WORK/ss.after"; then stable=0; break; fi
	diag "sockets changed while connwatch ran (attempt $attempt); again"
	diff "$WORK/ss.before" "$WORK/ss.after" | head -n 5 | sed 's/^/#   /'
done
ok "$stable" "sockets stable across the connwatch runs (attempt $attempt)"
is "$rc1" 0 "connwatch --json exits 0"
is "$rc2" 0 "connwatch --json --procfs /proc --rootfs / exits 0"
[ -s "$WORK/cw.err" ] && sed 's/^/# connwatch stderr: /' "$WORK/cw.err"
jq -e '.netns | type == "array"' "$WORK/cw.json" >/dev/null
ok $? "connwatch --json prints a snapshot with netns[]" || bail "no usable JSON from connwatch"
diag "collector: $(jq -c '.collector | {netns_total, netns_dumped, dump_mode, cpu_ms}' "$WORK/cw.json")"

netns_inode() { stat -L -c %i "/proc/$1/ns/net"; }
HOST_INODE=$(netns_inode self)

# row FILE INODE JQ-EXPR: evaluate JQ-EXPR on the row with that inode
row() { jq -r --argjson ino "$2" --argjson st "$STATES_JSON" \
	"def vec(\$t): [\$st[] | select((\$t[.] // 0) > 0) | \"\(.)=\(\$t[.])\"] | join(\" \");
	 .netns[] | select(.inode == \$ino) | $3" "$1"; }

check_pod() { # check_pod VAR WORKLOAD CONTAINERS...
	local v=$1 wl=$2 c
	shift 2
	local ns_v=${v}_NS name_v=${v}_NAME uid_v=${v}_UID pid_v=${v}_PID
	local ns=${!ns_v} name=${!name_v} uid=${!uid_v} pid=${!pid_v}
	local ino tag got want
	ino=$(netns_inode "$pid")
	tag="$ns/$name"

	is "$(row "$WORK/cw.json" "$ino" 'true' | wc -l)" 1 "$tag: one netns row for inode $ino (pause $pid)" || return
	diag "$tag: $(row "$WORK/cw.json" "$ino" '{kind, "label": .label, pod, runtime, source, status} | tostring')"
	is "$(row "$WORK/cw.json" "$ino" .kind)" pod "$tag: kind pod"
	is "$(row "$WORK/cw.json" "$ino" .label)" "$tag" "$tag: label"
	is "$(row "$WORK/cw.json" "$ino" '"\(.pod.namespace)/\(.pod.name)"')" "$tag" "$tag: pod.namespace/pod.name"
	is "$(row "$WORK/cw.json" "$ino" .pod.uid)" "$uid" "$tag: pod.uid"
	is "$(row "$WORK/cw.json" "$ino" .pod.workload)" "$wl" "$tag: pod.workload"
	for c in "$@"; do
		row "$WORK/cw.json" "$ino" '.pod.containers[]?' | grep -qxF "$c"
		ok $? "$tag: pod.containers has '$c' (got: $(row "$WORK/cw.json" "$ino" '.pod.containers // [] | join(",")'))"
	done
	is "$(row "$WORK/cw.json" "$ino" .runtime)" containerd "$tag: runtime containerd"
	is "$(row "$WORK/cw.json" "$ino" .status)" ok "$tag: status ok"
	got=$(row "$WORK/cw.json" "$ino" '[.pids[]?] | map(tostring) | join(" ")')
	want=ok
	for c in $got; do [ "$(netns_inode "$c" 2>/dev/null)" = "$ino" ] || want="pid $c is elsewhere"; done
	[ -n "$got" ] || want="no pids"
	is "$want" ok "$tag: pids [$got] are in this netns"

	# counts per state: connwatch vs ss
	is "$(row "$WORK/cw.json" "$ino" '.tcp | keys | length')" 11 "$tag: tcp has all 11 states"
	got=$(row "$WORK/cw.json" "$ino" 'vec(.tcp)')
	want=$(ss_vec "$pid")
	diag "$tag: tcp connwatch {$got} ss {$want}"
	is "$got" "$want" "$tag: tcp per state equals ss -tan"
	got=$(row "$WORK/cw.json" "$ino" .tcp_total)
	want=$(ss_total "$pid")
	diag "$tag: tcp_total connwatch $got ss $want"
	is "$got" "$want" "$tag: tcp_total equals ss -tan"
}

# check_peer VAR DIR ADDR PORT TOTAL: connwatch's peer vs ss and the design
check_peer() {
	local v=$1 dir=$2 addr=$3 port=$4 total=$5
	local ns_v=${v}_NS name_v=${v}_NAME pid_v=${v}_PID
	local tag="${!ns_v}/${!name_v}" pid=${!pid_v} ino sel got want
	ino=$(netns_inode "$pid")
	sel="[.peers[] | select(.direction == \"$dir\" and .addr == \"$addr\" and .port == $port)]"
	got=$(row "$WORK/cw.json" "$ino" "$sel | if length == 1 then \"\(.[0].total) {\(vec(.[0].tcp))}\" else \"\(length) matches\" end")
	want="$total {$(ss_peer "$pid" "$dir" "$addr" "$port")}"
	diag "$tag: peer $dir $addr:$port connwatch $got ss $want"
	is "$got" "$want" "$tag: peer $dir $addr:$port, total $total, per state as ss"
}

check_listeners() { # check_listeners VAR PORTS
	local v=$1 ports=$2
	local ns_v=${v}_NS name_v=${v}_NAME pid_v=${v}_PID
	is "$(row "$WORK/cw.json" "$(netns_inode "${!pid_v}")" '[.listeners[].port] | map(tostring) | join(" ")')" \
		"$ports" "${!ns_v}/${!name_v}: listeners on $ports"
}

check_pod WEB1 web web sidecar
check_pod WEB2 web web sidecar
check_pod DB db db stuck

# the designed numbers, independent of ss
for v in WEB1 WEB2 DB; do
	pid_v=${v}_PID want_v=${v}_WANT name_v=${v}_NAME
	is "$(row "$WORK/cw.json" "$(netns_inode "${!pid_v}")" 'vec(.tcp)')" "${!want_v}" "${!name_v}: tcp as designed"
done

check_peer WEB1 out "$DB_IP" 5432 5
check_peer WEB1 out "$DB_IP" 5433 1
check_peer WEB1 in "$WEB2_IP" 8080 1
check_peer WEB2 out "$DB_IP" 5432 2
check_peer WEB2 out "$WEB1_IP" 8080 1
check_peer DB in "$WEB1_IP" 5432 3
check_peer DB in "$WEB2_IP" 5432 2
check_peer DB in "$WEB1_IP" 5433 1
check_listeners WEB1 8080
check_listeners WEB2 8080
check_listeners DB "5432 5433"

# --- hostNetwork pods: rows of their own, by cgroup -------------------------------

# hn_row FILE UID JQ-EXPR: evaluate JQ-EXPR on the hostnet-pod row of a pod uid
hn_row() { jq -r --arg uid "$2" --argjson st "$STATES_JSON" \
	"def vec(\$t): [\$st[] | select((\$t[.] // 0) > 0) | \"\(.)=\(\$t[.])\"] | join(\" \");
	 .netns[] | select(.kind == \"hostnet-pod\" and .pod.uid == \$uid) | $3" "$1"; }
pod_cgroup_id() { find "$CG2" -type d -name "pod$1" 2>/dev/null | head -n 1 | xargs -r stat -c %i; }

check_hostnet() { # check_hostnet VAR WORKLOAD LISTEN-PORTS CONTAINERS...
	local v=$1 wl=$2 ports=$3 c
	shift 3
	local ns_v=${v}_NS name_v=${v}_NAME uid_v=${v}_UID pid_v=${v}_PID want_v=${v}_WANT
	local uid=${!uid_v} tag="${!ns_v}/${!name_v}" lower got want ssf
	lower=$(echo "$v" | tr A-Z a-z)
	ssf=$WORK/$lower.ss

	is "$(netns_inode "${!pid_v}")" "$HOST_INODE" "$tag: the pause process is in the host netns"
	is "$(hn_row "$WORK/cw.json" "$uid" 'true' | wc -l)" 1 "$tag: one hostnet-pod row" || return
	diag "$tag: $(hn_row "$WORK/cw.json" "$uid" '{kind, "label": .label, cgroup_id, pod, runtime, source, status, pids} | tostring')"
	is "$(hn_row "$WORK/cw.json" "$uid" '"\(.label)|\(.pod.namespace)/\(.pod.name)|\(.pod.workload)|\(.runtime)|\(.source)|\(.status)"')" \
		"$tag|$tag|$wl|containerd|containerd|ok" "$tag: label, pod, workload, runtime, source, status"
	for c in "$@"; do
		hn_row "$WORK/cw.json" "$uid" '.pod.containers[]?' | grep -qxF "$c"
		ok $? "$tag: pod.containers has '$c' (got: $(hn_row "$WORK/cw.json" "$uid" '.pod.containers // [] | join(",")'))"
	done
	is "$(hn_row "$WORK/cw.json" "$uid" '"\(.inode)|\(.cgroup_id)"')" "$HOST_INODE|$(pod_cgroup_id "$uid")" \
		"$tag: the host's inode; cgroup_id is its pod cgroup directory's inode"
	got=$(hn_row "$WORK/cw.json" "$uid" '[.pids[]?] | map(tostring) | join(" ")')
	want=ok
	for c in $got; do
		grep -q "pod$uid" "/proc/$c/cgroup" 2>/dev/null || want="pid $c is not in the pod's cgroup"
	done
	[ -n "$got" ] || want="no pids"
	is "$want" ok "$tag: pids [$got] are the pod's processes"
	got=$(hn_row "$WORK/cw.json" "$uid" 'vec(.tcp)')
	want=$(state_vec <"$ssf")
	diag "$tag: tcp connwatch {$got} ss by cgroup {$want}"
	is "$got" "$want" "$tag: tcp per state equals ss -tan filtered by its cgroups"
	is "$got" "${!want_v}" "$tag: tcp as designed"
	is "$(hn_row "$WORK/cw.json" "$uid" .tcp_total)" "$(wc -l <"$ssf")" "$tag: tcp_total equals ss"
	is "$(hn_row "$WORK/cw.json" "$uid" '[.listeners[].port] | sort | map(tostring) | join(" ")')" \
		"$ports" "$tag: listeners on $ports"
}
check_hostnet HN node-exporter "$(printf '%s\n' "$HPORT" "$RPORT" | sort -n | paste -sd' ')" \
	exporter rbac-proxy scraper
check_hostnet HN2 kube-proxy "$KPORT" proxy client
got=$(hn_row "$WORK/cw.json" "$HN_UID" ".peers[] | select(.direction == \"out\" and .port == $KPORT) | .total")
is "$got" 1 "$HN_NAME: its connection to kube-proxy is its own outbound peer"

# the host row: what no pod owns
is "$(jq '[.netns[] | select(.kind == "host")] | length' "$WORK/cw.json")" 1 "one host row"
is "$(jq -r '.netns[] | select(.kind == "host") | .inode' "$WORK/cw.json")" "$HOST_INODE" \
	"host row: inode $HOST_INODE"
got=$(jq -r --argjson st "$STATES_JSON" 'def vec($t): [$st[] | select(($t[.] // 0) > 0) | "\(.)=\($t[.])"] | join(" ");
	.netns[] | select(.kind == "host") | vec(.tcp)' "$WORK/cw.json")
want=$(sort "$WORK/host.ss" | comm -23 - <(sort "$WORK/hn.ss" "$WORK/hn2.ss") | state_vec)
diag "host: tcp connwatch {$got} ss minus the hostNetwork pods {$want}"
others=$(jq --arg a "$HN_UID" --arg b "$HN2_UID" \
	'[.netns[] | select(.kind == "hostnet-pod" and .pod.uid != $a and .pod.uid != $b)] | length' "$WORK/cw.json")
if [ "$others" = 0 ]; then
	is "$got" "$want" "host row: tcp per state equals the host's ss -tan minus the hostNetwork pods'"
else
	ok 0 "# SKIP host row vs ss: $others other hostNetwork pods on this node"
fi
jq -r '.netns[] | select(.kind == "host") | .listeners[]? | "\(.addr):\(.port)"' "$WORK/cw.json" |
	grep -qE ":($HPORT|$RPORT|$KPORT)\$"
ok $((!$?)) "host row no longer lists the hostNetwork pods' listeners"

# --- explicit --procfs / --rootfs ------------------------------------------------

# everything but timings and the CPU-dependent fields
proj='{inode, kind, "label": .label, pod, netns_name, runtime, source, pids, status, tcp, tcp_total, peers, peers_total, listeners}'
for v in WEB1 WEB2 DB; do
	pid_v=${v}_PID name_v=${v}_NAME
	ino=$(netns_inode "${!pid_v}")
	a=$(row "$WORK/cw.json" "$ino" "$proj | tostring")
	b=$(row "$WORK/cw-explicit.json" "$ino" "$proj | tostring")
	[ -n "$a" ] && [ "$a" = "$b" ]
	ok $? "${!name_v}: --procfs /proc --rootfs / gives the same row" || { diag "default:  $a"; diag "explicit: $b"; }
done
for v in HN HN2; do
	uid_v=${v}_UID name_v=${v}_NAME
	a=$(hn_row "$WORK/cw.json" "${!uid_v}" "$proj + {cgroup_id} | tostring")
	b=$(hn_row "$WORK/cw-explicit.json" "${!uid_v}" "$proj + {cgroup_id} | tostring")
	[ -n "$a" ] && [ "$a" = "$b" ]
	ok $? "${!name_v}: --procfs /proc --rootfs / gives the same hostnet-pod row" || { diag "default:  $a"; diag "explicit: $b"; }
done

# --- teardown --------------------------------------------------------------------

if [ "$WE_STARTED" = 1 ] && [ "${CW_E2E_KEEP:-0}" != 1 ]; then
	mapfile -t NETNS_FILES < <(sort -u "$STATE/netns-paths" 2>/dev/null | sed 's#^/var/run/#/run/#')
	CTRD_PID=$(cat "$STATE/containerd.pid" 2>/dev/null)
	envctl stop
	ok $? "cri-env.sh stop" || show_env_log
	if [ "$PURGE" = 1 ]; then envctl purge; ok $? "cri-env.sh purge (we created the containerd dirs)" || show_env_log; fi
	ENV_DOWN=1
	live() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
	left=
	for p in "$CTRD_PID" "$WEB1_PID" "$WEB2_PID" "$DB_PID" "$HN_PID" "$HN2_PID"; do [ -n "$p" ] && live "$p" && left="$left $p"; done
	is "$left" "" "no containerd or pause process left"
	is "$(ls "$TASKDIR" 2>/dev/null | wc -l)" 0 "no task bundles left"
	left=
	for n in "${NETNS_FILES[@]}"; do
		{ [ -e "$n" ] || grep -qF " $n " /proc/self/mountinfo; } && left="$left $n"
	done
	is "$left" "" "the ${#NETNS_FILES[@]} pod netns files are gone and unmounted"
	is "$(awk '$5 ~ "^(/run/containerd|/var/lib/containerd)(/|$)"' /proc/self/mountinfo | wc -l)" 0 \
		"no mounts under /run/containerd or /var/lib/containerd left"
	ip link show cw-e2e0 >/dev/null 2>&1
	is $? 1 "bridge cw-e2e0 is gone"
	is "$(find /sys/fs/cgroup/ -maxdepth 4 -type d -name "pod*" 2>/dev/null |
		grep -cE "$WEB1_UID|$WEB2_UID|$DB_UID|$HN_UID|$HN2_UID")" 0 "no pod cgroups left"
fi

diag "run time $(elapsed)s"
done_testing
