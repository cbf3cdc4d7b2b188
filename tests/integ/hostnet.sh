#!/bin/bash
# hostnet.sh: hostNetwork pods get rows of their own. Two kubepods-style
# cgroup v2 pods (systemd and cgroupfs drivers, under a top cgroup of this
# test's own) run sockgen in the host's network namespace, each on ports of
# its own over loopback; one is named by /var/log/pods, the other by
# containerd bundles under a temporary --rootfs (which sees the host's
# cgroup tree through a bind mount). connwatch must show each as a
# hostnet-pod row whose counts equal `ss -tan cgroup PATH`, and the host row
# must keep the rest. A third pod started while connwatch runs must appear
# (a socket cgroup it has not seen makes it walk the tree again). In the live
# view (tmux), a hostnet-pod row drills down to its peers and sockets.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ss jq mount nsenter tmux
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"
[ -d /sys/fs/cgroup/unified ] && CG2=/sys/fs/cgroup/unified || CG2=/sys/fs/cgroup
[ -f "$CG2/cgroup.procs" ] && [ -f "$CG2/cgroup.controllers" ] || skip_all "no cgroup2 hierarchy"
ss -tanH cgroup / >/dev/null 2>&1 || skip_all "this ss has no cgroup filter"

TMPD=$(mktemp -d /tmp/cwt-hostnet.XXXXXX)
# --one-file-system: never into the cgroup tree bound below, even if its
# unmount failed.
on_exit "rm -rf --one-file-system '$TMPD'"
R=$TMPD/root
TASKS=$R/run/containerd/io.containerd.runtime.v2.task/k8s.io
mkdir -p "$R/sys/fs/cgroup" "$R/var/log/pods" "$TASKS" "$TMPD/bin"
mount --rbind /sys/fs/cgroup "$R/sys/fs/cgroup" || bail "bind /sys/fs/cgroup"
on_exit "umount -R '$R/sys/fs/cgroup'"
mount --make-rslave "$R/sys/fs/cgroup"
cp /bin/sleep "$TMPD/bin/pause"
CGTOP=/cwt-hostnet-$$

uuid() { cat /proc/sys/kernel/random/uuid; }
hex64() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
sysd() { echo "${1//-/_}"; }

# The host row is pid 1's namespace, or connwatch's own where pid 1's is
# hidden: run everything in that one.
if [ -r /proc/1/ns/net ] && [ "$(stat -L -c %i /proc/1/ns/net)" != "$(stat -L -c %i /proc/self/ns/net)" ]; then
	HOSTNS=(nsenter --net=/proc/1/ns/net)
else
	HOSTNS=()
fi

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

# spawn NAME CGROUP CMD...: starts CMD in CGROUP (relative to the cgroup2
# tree, under $CGTOP) in the host namespace, before it makes any socket: a
# socket keeps the cgroup it was created in. Output in $TMPD/NAME.{out,err};
# sets PID.
spawn() {
	local name=$1 cg=$CG2$CGTOP$2
	shift 2
	mkcg "$cg"
	# shellcheck disable=SC2016
	"${HOSTNS[@]}" sh -c 'echo $$ >"$1" || exit 1; shift; exec "$@"' sh "$cg/cgroup.procs" "$@" \
		>"$TMPD/$name.out" 2>"$TMPD/$name.err" &
	PID=$!
	on_exit "kill_wait $PID"
}

# oci FILE JSON-ANNOTATIONS: a config.json with no network namespace of its
# own, as a hostNetwork sandbox and its containers have.
oci() {
	mkdir -p "$(dirname "$1")"
	jq -n --argjson ann "$2" '{ociVersion: "1.1.0", process: {args: ["/pause"]}, annotations: $ann,
		linux: {namespaces: [{type: "pid"}, {type: "ipc"}, {type: "mount"}]}}' >"$1"
}

# Ports of this run's own, clear of the well-known ones.
PA=$((20000 + ($$ % 2000) * 20)) PB=$((PA + 8)) PC=$((PA + 16))

# --- pod A: systemd driver, named by /var/log/pods; a pause and a sockgen. --
UA=$(uuid) SA=$(hex64) CA=$(hex64)
PODA=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$(sysd "$UA").slice
spawn pausea "$PODA/cri-containerd-$SA.scope" "$TMPD/bin/pause" infinity
PAUSEA=$PID
spawn a "$PODA/cri-containerd-$CA.scope" "$SOCKGEN" --port "$PA" --estab 4 --closewait 2 \
	--timewait 2 --synrecv 1 --finwait1 1
SGA=$PID
wait_ready a "$SGA"
mkdir -p "$R/var/log/pods/monitoring_node-agent-7xk2p_$UA/agent" \
	"$R/var/log/pods/monitoring_node-agent-7xk2p_$UA/log-shipper"

# --- pod B: cgroupfs driver, burstable, named by containerd bundles. -------
UB=$(uuid) SB=$(hex64) CB=$(hex64)
PODB=/kubepods/burstable/pod$UB
spawn b "$PODB/$CB" "$SOCKGEN" --port "$PB" --estab 3 --lastack 1
SGB=$PID
wait_ready b "$SGB"
oci "$TASKS/$SB/config.json" "$(jq -n --arg id "$SB" --arg uid "$UB" '{
	"io.kubernetes.cri.container-type": "sandbox", "io.kubernetes.cri.sandbox-id": $id,
	"io.kubernetes.cri.sandbox-name": "ingress-nginx-controller-5c8d7b9f4-q2w7r",
	"io.kubernetes.cri.sandbox-namespace": "ingress", "io.kubernetes.cri.sandbox-uid": $uid}')"
oci "$TASKS/$CB/config.json" "$(jq -n --arg sid "$SB" '{
	"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": $sid,
	"io.kubernetes.cri.container-name": "controller"}')"

IA=$(stat -c %i "$CG2$CGTOP$PODA") IB=$(stat -c %i "$CG2$CGTOP$PODB")
HOSTINO=$(stat -L -c %i "/proc/$SGA/ns/net")

# hn_row JSON UID FILTER: a filter over the hostnet-pod row of a pod uid.
hn_row() { jq -c --arg uid "$2" ".netns[] | select(.kind == \"hostnet-pod\" and .pod.uid == \$uid) | $3" "$1"; }
# row_counts JSON SELECT: "STATE=N" for every state of the rows selected.
row_counts() {
	local st
	for st in $CW_STATES; do
		jq -r --arg st "$st" "[.netns[] | select($2) | .tcp[\$st] // 0] | add // 0 | \"\\(\$st)=\\(.)\"" "$1"
	done
}
ss_host() { "${HOSTNS[@]}" ss -tanH "$@" | ss_count_states; }
# minus A B...: per-state A - B - ...
minus() {
	local st x y f
	while IFS="=" read -r st x; do
		for f in "${@:2}"; do
			y=$(echo "$f" | sed -n "s/^$st=//p")
			x=$((x - ${y:-0}))
		done
		echo "$st=$x"
	done <<<"$1"
}
table() { paste -d' ' <(echo "$1") <(echo "$2") | awk -F'[ =]' '{ printf "# %-12s %6s %6s\n", $1, $2, $4 }'; }

# --- per pod and host against ss, while the host may be moving -------------
S=$TMPD/s.json
# ss matches one cgroup exactly, not the ones below it: name every cgroup
# of the pod.
FA="cgroup $CGTOP$PODA or cgroup $CGTOP$PODA/cri-containerd-$SA.scope or cgroup $CGTOP$PODA/cri-containerd-$CA.scope"
FB="cgroup $CGTOP$PODB or cgroup $CGTOP$PODB/$CB"
for try in 1 2 3 4 5; do
	a1=$(ss_host "$FA") b1=$(ss_host "$FB") t1=$(ss_host)
	snapshot "$S" --rootfs "$R"
	a2=$(ss_host "$FA") b2=$(ss_host "$FB") t2=$(ss_host)
	# the host's other sockets moved while connwatch ran: again
	[ "$a1" = "$a2" ] && [ "$b1" = "$b2" ] && [ "$t1" = "$t2" ] && break
	diag "host moved during try $try"
done
ca=$(row_counts "$S" ".kind == \"hostnet-pod\" and .pod.uid == \"$UA\"")
cb=$(row_counts "$S" ".kind == \"hostnet-pod\" and .pod.uid == \"$UB\"")
ch=$(row_counts "$S" '.kind == "host"')
cothers=$(row_counts "$S" ".kind == \"hostnet-pod\" and .pod.uid != \"$UA\" and .pod.uid != \"$UB\"")

is "$(hn_row "$S" "$UA" '"\(.kind)|\(.label)|\(.pod.namespace)|\(.pod.name)|\(.pod.workload)|\(.pod.containers | sort | join(","))|\(.source)|\(.status)"')" \
	'"hostnet-pod|monitoring/node-agent-7xk2p|monitoring|node-agent-7xk2p|node-agent|agent,log-shipper|cgroup|ok"' \
	"A: a hostnet-pod row named by /var/log/pods"
is "$(hn_row "$S" "$UB" '"\(.kind)|\(.label)|\(.pod.workload)|\(.pod.containers | join(","))|\(.runtime)|\(.source)|\(.status)"')" \
	'"hostnet-pod|ingress/ingress-nginx-controller-5c8d7b9f4-q2w7r|ingress-nginx-controller|controller|containerd|containerd|ok"' \
	"B: a hostnet-pod row named by containerd bundles (cgroupfs driver)"
is "$(hn_row "$S" "$UA" '"\(.inode)|\(.cgroup_id)"')" "\"$HOSTINO|$IA\"" \
	"A: the host's inode, and its pod cgroup directory's id"
is "$(hn_row "$S" "$UB" '.cgroup_id')" "\"$IB\"" "B: cgroup_id is its pod directory's inode"
is "$(hn_row "$S" "$UA" '"\(.pids | sort | join(","))|\(.procs)"')" \
	"\"$(printf '%s\n' "$PAUSEA" "$SGA" | sort -n | paste -sd,)|2\"" \
	"A: its pids, from both its containers' cgroups"
is "$(hn_row "$S" "$UB" '.pids | join(",")')" "\"$SGB\"" "B: its pid"
is "$(jq '[.netns[] | select(.kind == "host")] | length' "$S")" 1 "one host row"
# A hostNetwork pod lives in the host's namespace: its settings are the
# host's, as sysctl -n reads them there.
is "$(hn_row "$S" "$UA" '.sysctl.tcp_fin_timeout')" "$("${HOSTNS[@]}" sysctl -n net.ipv4.tcp_fin_timeout)" \
	"A: its sysctls are the host namespace's (tcp_fin_timeout)"
is "$(hn_row "$S" "$UB" '.sysctl')" "$(jq -c '.netns[] | select(.kind == "host") | .sysctl' "$S")" \
	"B: its sysctl object is the host row's"

counts_match "$a2" "$ca" 0
ok $? "A: counts = ss -tan filtered by its cgroups" || table "$a2" "$ca"
counts_match "$b2" "$cb" 0
ok $? "B: counts = ss -tan filtered by its cgroups" || table "$b2" "$cb"
# What sockgen made and the kernel tags with a cgroup: TIME_WAIT and
# SYN_RECV (request sockets) carry none, so they stay the host's.
for want in ESTABLISHED=10 FIN_WAIT1=1 FIN_WAIT2=2 CLOSE_WAIT=2 LISTEN=3 TIME_WAIT=0 SYN_RECV=0; do
	is "$(count_of "$ca" "${want%=*}")" "${want#*=}" "A: ${want%=*}"
done
for want in ESTABLISHED=6 LAST_ACK=1 FIN_WAIT2=1 LISTEN=2; do
	is "$(count_of "$cb" "${want%=*}")" "${want#*=}" "B: ${want%=*}"
done
want_host=$(minus "$t2" "$a2" "$b2" "$cothers")
counts_match "$want_host" "$ch" 0
ok $? "host row = ss -tan on the host minus the hostNetwork pods" || table "$want_host" "$ch"
ok $((!($(count_of "$ch" TIME_WAIT) >= 2 && $(count_of "$ch" SYN_RECV) >= 1))) \
	"host keeps A's TIME_WAIT and SYN_RECV (no cgroup id for them)"

# --- --sockets takes a hostnet-pod's label ----------------------------------
snapshot "$TMPD/socks.json" --rootfs "$R" --sockets monitoring/node-agent-7xk2p
is "$(hn_row "$TMPD/socks.json" "$UA" '(.sockets | length) == .tcp_total')" true \
	"--sockets LABEL: the pod's sockets, as many as its count"
is "$(hn_row "$TMPD/socks.json" "$UA" "(.sockets | length) as \$n | [.sockets[] | select((.lport >= $PA and .lport < $PA + 6) or (.rport >= $PA and .rport < $PA + 6))] | length == \$n")" \
	true "--sockets LABEL: every one on A's own ports"
is "$(jq '[.netns[] | select(.sockets) | .kind] | join(",")' "$TMPD/socks.json")" '"hostnet-pod"' \
	"--sockets LABEL: no other row lists sockets"

# --- the live view: drill into a hostnet-pod row ----------------------------
SOCK=$TMPD/tmux.sock
T() { tmux -S "$SOCK" "$@"; }
on_exit "tmux -S '$SOCK' kill-server"
shows() { wait_for "${2:-10}" sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qF -- \"\$1\"" _ "$1"; }
T new-session -d -s cw -x 80 -y 24 -e TERM=tmux-256color \
	"$CONNWATCH -d 0.5 --no-mouse --rootfs $R -F node-agent-7xk2p; sleep 60"
shows "7xk2p" 15
ok $? "live view: the hostnet-pod row is listed"
T send-keys -t cw Home Enter
shows "node › monitoring/node-agent-7xk2p" 10
ok $? "live view: Enter on it opens its peers screen" || T capture-pane -p -t cw | sed "s/^/# /"
shows "127.0.0.1:$PA" 10
ok $? "live view: its peers include its own listener 127.0.0.1:$PA"
T send-keys -t cw Home Enter
shows "sockgen[$SGA]" 10
ok $? "live view: its sockets screen names the owning process sockgen[$SGA]" ||
	T capture-pane -p -t cw | sed 's/^/# /'
T kill-session -t cw

# --- a pod that appears while connwatch runs --------------------------------
"$CONNWATCH" --json --count 8 -d 0.5 --rootfs "$R" >"$TMPD/live.ndjson" 2>"$TMPD/live.err" &
CW=$!
on_exit "kill_wait $CW"
wait_for 10 test -s "$TMPD/live.ndjson" || bail "connwatch --count printed nothing"
UC=$(uuid) CC=$(hex64)
PODC=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$(sysd "$UC").slice
spawn c "$PODC/cri-containerd-$CC.scope" "$SOCKGEN" --port "$PC" --estab 2
wait_ready c "$PID"
wait "$CW"
ok $? "connwatch --count 8 exits 0"
is "$(head -n 1 "$TMPD/live.ndjson" | jq --arg uid "$UC" '[.netns[] | select(.pod.uid == $uid)] | length')" 0 \
	"C: not there before it started"
is "$(tail -n 1 "$TMPD/live.ndjson" | jq -c --arg uid "$UC" '.netns[] | select(.pod.uid == $uid) | "\(.kind)|\(.label)|\(.tcp.ESTABLISHED)|\(.tcp.LISTEN)"')" \
	"\"hostnet-pod|?/$UC|4|1\"" "C: found within 4 s (its unseen cgroup id), labelled by its uid"

done_testing
