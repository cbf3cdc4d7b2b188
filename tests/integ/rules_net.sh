#!/bin/bash
# rules_net.sh: the network rules on real namespaces, all at once in one
# connwatch --json run of about a minute. Each namespace makes one pattern
# with sockgen (or a shell loop), and connwatch must name it, with the
# right inode and peer, within the rule's promise (its 30 s hold plus the
# time to build the pattern), while a steady namespace beside them has no
# finding at all:
#   dns-storm        20 DNS connects/s to a resolver that drops SYNs, and
#                    20 UDP lookups/s, each held 5 s, to one that drops all
#   time-wait        100 connect+close/s to one destination
#   connect-fail     SYNs to one address:port dropped, connects giving up
#   listen-overflow  a listener that never accepts, its queue full
#   node-limit       a 100-port ephemeral range, 80 connections to one place
# Every blackholed address is inside a namespace this test made: nothing
# leaves the machine.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip jq python3
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

TMPD=$(mktemp -d /tmp/cwt-rnet.XXXXXX)
on_exit "rm -rf '$TMPD'"
t=cwrn$$
DNS=$t-dns UDP=$t-udp TW=$t-tw CF=$t-cf LO=$t-lo PR=$t-pr OK=$t-ok
for ns in "$DNS" "$UDP" "$TW" "$CF" "$LO" "$PR" "$OK"; do add_netns "$ns"; done

# dns-storm: the resolver 10.215.0.10 sits behind a link that drops all.
# `ip netns exec` mounts /etc/netns/NAME/resolv.conf over the process's
# /etc/resolv.conf: the pod's own resolver settings, which connwatch reads
# through /proc/PID/root, with GODEBUG from its environment.
add_blackhole "$DNS" 10.215.0.1/16
[ -d /etc/netns ] || on_exit "rmdir /etc/netns 2>/dev/null" # only if we made it (and it is empty)
mkdir -p "/etc/netns/$DNS" || bail "cannot make /etc/netns/$DNS"
on_exit "rm -rf '/etc/netns/$DNS'"
printf 'nameserver 10.215.0.10\nsearch team-a.svc.cluster.local svc.cluster.local cluster.local lab.internal\noptions ndots:5 timeout:2\n' \
	>"/etc/netns/$DNS/resolv.conf"
export GODEBUG=netdns=go
start_sockgen "$DNS" dns --estab 2 --dns 20 --blackhole 10.215.0.10
P_DNS=$SG_PID
unset GODEBUG
# dns-storm over UDP, as a resolver library makes it: each lookup a
# connected UDP socket, kept until its 5-s timeout, 20 a second.
add_blackhole "$UDP" 10.217.0.1/16
cat >"$TMPD/udpstorm.py" <<'EOF'
import collections, socket, time
query = bytes.fromhex("123401000001000000000000") + b"\x03api\x07example\x03com\x00\x00\x01\x00\x01"
held = collections.deque()
print("ready", flush=True)
while True:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("10.217.0.10", 53))
    try:
        s.send(query)
    except OSError:
        pass
    held.append((time.monotonic(), s))
    while held and time.monotonic() - held[0][0] > 5:
        held.popleft()[1].close()
    time.sleep(0.05)
EOF
ip netns exec "$UDP" python3 "$TMPD/udpstorm.py" >"$TMPD/udp.out" 2>"$TMPD/udp.err" &
P_UDP=$!
on_exit "kill_wait $P_UDP"
wait_ready udp "$P_UDP" 30
# time-wait: churn to the namespace's own listener. tcp_tw_reuse=0, as
# loopback connects would otherwise take TIME_WAIT ports back (the
# default, 2, allows that on loopback).
ip netns exec "$TW" sysctl -qw net.ipv4.tcp_tw_reuse=0
start_sockgen "$TW" tw --churn 100
# connect-fail: connects to 10.216.0.9:5432 give up after one SYN
# retransmit (3 s); eight loops keep about eight in SYN_SENT.
add_blackhole "$CF" 10.216.0.1/16
ip netns exec "$CF" sysctl -qw net.ipv4.tcp_syn_retries=1
for i in 1 2 3 4 5 6 7 8; do
	ip netns exec "$CF" bash -c 'while :; do : 3<>/dev/tcp/10.216.0.9/5432; done' 2>/dev/null &
	on_exit "kill_wait $!"
done
# listen-overflow: a backlog-1 listener that never accepts, 6 clients.
start_sockgen "$LO" lo --listen-backlog-overflow 6
# node-limit: a 100-port range, 80 connections to one listener.
ip netns exec "$PR" sysctl -qw net.ipv4.ip_local_port_range="40000 40099"
start_sockgen "$PR" pr --estab 80
# the control: steady pairs and a listener.
start_sockgen "$OK" ok --estab 20

I_DNS=$(netns_inode "$DNS") I_UDP=$(netns_inode "$UDP") I_TW=$(netns_inode "$TW") I_CF=$(netns_inode "$CF")
I_LO=$(netns_inode "$LO") I_PR=$(netns_inode "$PR") I_OK=$(netns_inode "$OK")

OUT=$TMPD/run.json
"$CONNWATCH" --json --history 1 --delay 0.5 --count 130 >"$OUT" 2>"$TMPD/err"
is "$?" 0 "connwatch --json --count 130 ran to the end"
is "$(wc -l <"$OUT")" 130 "130 snapshots"

# first RULE INODE: seconds from the first snapshot to the first one with
# the finding ("none" if never); FINDING: that finding in the last snapshot.
first() {
	jq -s -r --arg r "$1" --argjson ino "$2" '
		(.[0].time | sub("\\.[0-9]+Z$"; "Z") | fromdate) as $t0 |
		[.[] | select(any(.findings[]?; .rule == $r and .inode == $ino)) | .time] |
		if length == 0 then "none" else (.[0] | sub("\\.[0-9]+Z$"; "Z") | fromdate) - $t0 end' "$OUT"
}
last() {
	tail -1 "$OUT" | jq -c --arg r "$1" --argjson ino "$2" \
		'[.findings[]? | select(.rule == $r and .inode == $ino)][0]'
}
within() { # within RULE INODE SECONDS
	local s
	s=$(first "$1" "$2")
	[ "$s" != none ] && [ "$s" -le "$3" ]
	ok $? "$1: named within $3 s (after ${s} s)"
}

within dns-storm "$I_DNS" 45
f=$(last dns-storm "$I_DNS")
is "$(echo "$f" | jq -r '.peer.addr + ":" + (.peer.port | tostring)')" 10.215.0.10:53 "dns-storm: the resolver is its peer"
is "$(echo "$f" | jq -r '.evidence.resolver')" 10.215.0.10:53 "dns-storm: evidence.resolver"
ok "$(echo "$f" | jq '.evidence.syn_sent >= 20 and .evidence.opens_per_s > 5' | grep -qx true; echo $?)" \
	"dns-storm: SYN_SENT and opens: $(echo "$f" | jq -c '.evidence | {syn_sent, opens_per_s}')"
is "$(echo "$f" | jq -c '[.evidence.ndots, .evidence.search, .evidence.names_per_lookup, .evidence.options, .evidence.netdns]')" \
	'[5,4,5,"timeout:2","go"]' "dns-storm: the pod's resolv.conf and GODEBUG, read inside it"
is "$(echo "$f" | jq -r '.pid')" "$P_DNS" "dns-storm: names the process it read ($P_DNS)"
ok "$(echo "$f" | jq -r .text | grep -q 'ndots:5 with 4 search domains: each lookup of an external name tries 5 names; GODEBUG netdns=go'; echo $?)" \
	"dns-storm: the hint in the text: $(echo "$f" | jq -r .text)"
within dns-storm "$I_UDP" 45
f=$(last dns-storm "$I_UDP")
is "$(echo "$f" | jq -r '.evidence.resolver')" 10.217.0.10:53 "dns-storm over UDP: the resolver"
ok "$(echo "$f" | jq '.evidence.udp >= 20 and .evidence.syn_sent == 0' | grep -qx true; echo $?)" \
	"dns-storm over UDP: the lookups in flight: $(echo "$f" | jq -c '.evidence | {udp, syn_sent, opens_per_s}')"
is "$(first connect-fail "$I_DNS")" none "connect-fail leaves the storming resolver to dns-storm"

within time-wait "$I_TW" 55
f=$(last time-wait "$I_TW")
is "$(echo "$f" | jq -r '.peer.addr + ":" + (.peer.port | tostring)')" 127.0.0.1:8080 "time-wait: the destination is its peer"
ok "$(echo "$f" | jq '.evidence.share_pct >= 5 and .evidence.time_wait >= 1400' | grep -qx true; echo $?)" \
	"time-wait: share of the range: $(echo "$f" | jq -c '.evidence | {time_wait, share_pct, port_range_from}')"
is "$(echo "$f" | jq -c '[.evidence.port_range_from, .evidence.port_lo, .evidence.port_hi, .evidence.tcp_tw_reuse, .evidence.tcp_fin_timeout]')" \
	"[\"netns\",$(ip netns exec "$TW" sysctl -n net.ipv4.ip_local_port_range | awk '{ print $1 "," $2 }'),0,$(ip netns exec "$TW" sysctl -n net.ipv4.tcp_fin_timeout)]" \
	"time-wait: the namespace's own range and sysctls (tcp_tw_reuse 0, as set)"

within connect-fail "$I_CF" 45
f=$(last connect-fail "$I_CF")
is "$(echo "$f" | jq -r '.peer.addr + ":" + (.peer.port | tostring)')" 10.216.0.9:5432 "connect-fail: the dropped peer"
ok "$(echo "$f" | jq '.evidence.syn_sent >= 1 and .evidence.fails_per_s > 0' | grep -qx true; echo $?)" \
	"connect-fail: SYN_SENT and failures: $(echo "$f" | jq -c '.evidence | {syn_sent, fails_per_s}')"

within listen-overflow "$I_LO" 45
f=$(last listen-overflow "$I_LO")
is "$(echo "$f" | jq -r '.evidence.listener')" 127.0.0.1:8083 "listen-overflow: the full listener"
ok "$(echo "$f" | jq '.evidence.queue >= .evidence.backlog and .evidence.backlog == 1' | grep -qx true; echo $?)" \
	"listen-overflow: queue at its backlog: $(echo "$f" | jq -c '.evidence | {queue, backlog, somaxconn}')"
is "$(echo "$f" | jq -r '.evidence.somaxconn')" "$(ip netns exec "$LO" sysctl -n net.core.somaxconn)" \
	"listen-overflow: somaxconn as the namespace has it"

within node-limit "$I_PR" 45
f=$(last node-limit "$I_PR")
is "$(echo "$f" | jq -r '.peer.addr + ":" + (.peer.port | tostring)')" 127.0.0.1:8080 "node-limit: the destination is its peer"
is "$(echo "$f" | jq -c '[.evidence.what, .evidence.limit, .evidence.port_range_from]')" \
	'["ephemeral_ports",100,"netns"]' "node-limit: ports against the namespace's 100-port range"

is "$(jq -c --argjson ino "$I_OK" '[.findings[]? | select(.inode == $ino)] | length' "$OUT" | sort -u | tr '\n' ' ')" \
	"0 " "the steady namespace has no finding in any snapshot"
for ino in "$I_DNS" "$I_UDP" "$I_TW" "$I_CF" "$I_LO" "$I_PR"; do
	jq -r --argjson ino "$ino" '.findings[]? | select(.inode == $ino) | .rule' "$OUT"
done | sort | uniq -c | while read -r n r; do diag "$n snapshots with $r"; done
others=$(jq -r --argjson a "$I_DNS" --argjson u "$I_UDP" --argjson b "$I_TW" --argjson c "$I_CF" --argjson d "$I_LO" --argjson e "$I_PR" '
	.findings[]? | select(.inode as $i | [$a,$u,$b,$c,$d,$e] | index($i)) |
	select((.inode == $a and .rule != "dns-storm") or (.inode == $u and .rule != "dns-storm") or (.inode == $b and .rule != "time-wait") or
	       (.inode == $c and .rule != "connect-fail") or (.inode == $d and .rule != "listen-overflow") or
	       (.inode == $e and .rule != "node-limit")) | "\(.rule) on \(.label)"' "$OUT" | sort -u)
is "$others" "" "each pattern is named by its own rule only"
done_testing
