#!/bin/bash
# counts.sh: connwatch's per-state TCP counts, peers and listeners against
# `ss -tan` run inside each namespace, with real sockets in every state the
# kernel holds still (sockgen), IPv4, IPv6 and v4-mapped, across a veth pair.
# Also: a namespace with no process, and the --procfs/--rootfs error path.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss jq
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

TMPD=$(mktemp -d /tmp/cwt-counts.XXXXXX)
on_exit "rm -rf '$TMPD'"
t=cwtc$$
A=$t-a B=$t-b C=$t-c D=$t-empty

# A: every stable state over loopback, both families.
add_netns "$A"
# B and C: a veth pair (IPv4 + IPv6) for cross-namespace peers.
add_netns "$B"
add_netns "$C"
ip -n "$B" link add eth0 type veth peer name eth0 netns "$C" || bail "veth"
ip -n "$B" addr add 10.214.7.1/24 dev eth0
ip -n "$C" addr add 10.214.7.2/24 dev eth0
ip -n "$B" addr add fd00:cc::1/64 dev eth0 nodad
ip -n "$C" addr add fd00:cc::2/64 dev eth0 nodad
ip -n "$B" link set eth0 up
ip -n "$C" link set eth0 up
# C's blackhole swallows 10.215.0.0/16.
add_blackhole "$C" 10.215.0.1/16
# D: pinned, with nothing in it.
add_netns "$D"

start_sockgen "$A" a --estab 5 --estab6 6 --timewait 3 --closewait 4 --synsent 3 \
	--synrecv 2 --finwait1 2 --lastack 2 --closing 2 --listen-backlog-overflow 5
start_sockgen "$B" b --port 9000 --estab6 1 --estab 2
start_sockgen "$C" c --port 7000 --remote 10.214.7.1:9000 --remote '[fd00:cc::1]:9001' \
	--out 4 --synsent 3 --blackhole 10.215.0.9

IA=$(netns_inode "$A") IB=$(netns_inode "$B") IC=$(netns_inode "$C") ID=$(netns_inode "$D")

# --- per-state counts against ss ---------------------------------------------
compare_counts "$A" "$IA" "A (all states, v4/v6/v4-mapped)"
compare_counts "$B" "$IB" "B (listener side of cross-namespace peers)"
compare_counts "$C" "$IC" "C (outbound peers, SYN_SENT into a blackhole link)"

snapshot "$TMPD/s.json"
S=$TMPD/s.json
counts=$(cw_counts "$S" "$IA")
# Every state sockgen was asked for is really there (not just "equal to ss").
for want in ESTABLISHED=32 SYN_SENT=6 SYN_RECV=2 FIN_WAIT1=2 FIN_WAIT2=8 TIME_WAIT=3 \
	CLOSE_WAIT=4 LAST_ACK=2 LISTEN=6 CLOSING=2; do
	is "$(count_of "$counts" "${want%=*}")" "${want#*=}" "A: ${want%=*}"
done
is "$(cw_row "$S" "$IA" '.tcp_total')" 67 "A: tcp_total"
is "$(cw_row "$S" "$IA" '.kind + " " + .label + " " + .netns_name')" "\"named $A $A\"" \
	"A: a pinned namespace with processes is named by its pin"
is "$(cw_row "$S" "$IA" '.status')" '"ok"' "A: status ok"

# The cheap counters agree with the dump: CurrEstab is ESTABLISHED + CLOSE_WAIT
# of full sockets (SYN_RECV request sockets are not full sockets), tw is TIME_WAIT.
is "$(cw_row "$S" "$IA" '.counters.curr_estab')" $((32 + 4)) "A: counters.curr_estab"
is "$(cw_row "$S" "$IA" '.counters.tw')" 3 "A: counters.tw"
# Each SYN a full accept queue dropped (3 --synsent, 3 overflow clients, at
# least once each) counts in TcpExt ListenOverflows and ListenDrops.
is "$(cw_row "$S" "$IA" '.counters.listen_overflows >= 6 and .counters.listen_drops >= 6')" true \
	"A: counters.listen_overflows/listen_drops count the dropped SYNs"

# v4-mapped: the dual-stack listener's children from 127.0.0.1 are AF_INET6
# sockets; ss shows them as ::ffff:127.0.0.1 and they must be counted.
mapped=$(ip netns exec "$A" ss -tanH | grep -c '::ffff:127.0.0.1')
is "$mapped" 3 "A: ss sees 3 v4-mapped sockets (so both families were dumped)"
is "$(cw_row "$S" "$IA" '[.peers[] | select(.direction=="in" and .port==8081 and .addr=="127.0.0.1")] | .[0].total')" 3 \
	"A: v4-mapped peers are shown as IPv4 (in 127.0.0.1 -> :8081)"
is "$(cw_row "$S" "$IA" '[.peers[] | select(.direction=="in" and .port==8081 and .addr=="::1")] | .[0].total')" 3 \
	"A: IPv6 peers (in ::1 -> :8081)"

# --- listeners -----------------------------------------------------------------
is "$(cw_row "$S" "$IA" '[.listeners[] | "\(.addr):\(.port)/\(.queue)/\(.backlog)"] | join(" ")')" \
	'"0.0.0.0:8080/0/4096 :::8081/0/4096 127.0.0.1:8082/1/0 127.0.0.1:8083/2/1 127.0.0.1:8084/0/4096 127.0.0.1:8085/0/4096"' \
	"A: listeners (addr:port/queue/backlog), overflowing one has queue > backlog"
# The same, from ss -tln (Recv-Q is the accept queue, Send-Q the backlog;
# ss writes a dual-stack [::] listener as *).
ssl=$(ip netns exec "$A" ss -tlnH | awk '{
	a = $4; p = a; sub(/.*:/, "", p); sub(/:[0-9]+$/, "", a); gsub(/[][]/, "", a)
	if (a == "*") a = "::"
	print a ":" p "/" $2 "/" $3 }' | sort)
cwl=$(cw_row "$S" "$IA" '.listeners[] | "\(.addr):\(.port)/\(.queue)/\(.backlog)"' | tr -d '"' | sort)
is "$(echo "$cwl" | tr "\n" " ")" "$(echo "$ssl" | tr "\n" " ")" "A: listeners match ss -tln"
is "$(cw_row "$S" "$IB" '[.listeners[] | "\(.addr):\(.port)/\(.backlog)"] | join(" ")')" \
	'"0.0.0.0:9000/4096 :::9001/4096"' "B: listeners"

# --- peers across the veth -------------------------------------------------------
is "$(cw_row "$S" "$IC" '[.peers[] | select(.direction=="out") | "\(.addr):\(.port) \(.tcp.ESTABLISHED // 0)/\(.tcp.SYN_SENT // 0) \(.total)"] | sort | join(", ")')" \
	'"10.214.7.1:9000 4/0 4, 10.215.0.9:7000 0/3 3, fd00:cc::1:9001 4/0 4"' \
	"C: outbound peers (addr:port ESTABLISHED/SYN_SENT total)"
is "$(cw_row "$S" "$IB" '[.peers[] | select(.addr=="10.214.7.2" or .addr=="fd00:cc::2") | "\(.direction) \(.addr):\(.port) \(.tcp.ESTABLISHED) \(.total)"] | sort | join(", ")')" \
	'"in 10.214.7.2:9000 4 4, in fd00:cc::2:9001 4 4"' \
	"B: inbound peers grouped by (remote addr, local port)"
is "$(cw_row "$S" "$IC" '.peers_total')" 3 "C: peers_total"
snapshot "$TMPD/p1.json" --peers 1
is "$(cw_row "$TMPD/p1.json" "$IA" '"\(.peers | length) \(.peers_total) \(.peers[0].total)"')" \
	"\"1 $(cw_row "$S" "$IA" '.peers_total') $(cw_row "$S" "$IA" '[.peers[].total] | max')\"" \
	"--peers 1 keeps the busiest peer and still reports peers_total"

# --- a namespace with no process --------------------------------------------------
is "$(cw_row "$S" "$ID" '"\(.kind) \(.label) \(.netns_name) \(.pids // "none") \(.tcp_total)"')" \
	"\"named $D $D none 0\"" "D: an empty pinned namespace appears as named, with exact (zero) counts"

# --- error paths --------------------------------------------------------------------
for bad in "--procfs $TMPD/no-such-dir" "--rootfs $TMPD/no-such-dir"; do
	# shellcheck disable=SC2086
	"$CONNWATCH" --json $bad >"$TMPD/bad.out" 2>"$TMPD/bad.err"
	rc=$?
	is "$rc" 1 "connwatch --json $bad: exit 1"
	is "$(wc -l <"$TMPD/bad.err") $(wc -c <"$TMPD/bad.out")" "1 0" "$bad: one line on stderr, nothing on stdout"
	grep -q -e "${bad%% *}" "$TMPD/bad.err"
	ok $? "$bad: the message names the problem ($(head -c 120 "$TMPD/bad.err"))"
done
printf 'not a procfs' >"$TMPD/file"
"$CONNWATCH" --json --procfs "$TMPD/file" >/dev/null 2>"$TMPD/bad.err"
is "$?" 1 "connwatch --json --procfs FILE (not a directory): exit 1"

done_testing
