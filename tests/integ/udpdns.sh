#!/bin/bash
# udpdns.sh: connected UDP sockets to port 53 (what a resolver storm leaves
# behind) counted per namespace (udp_dns) and per peer (udp), against
# `ss -Hun state established dst :53` in each namespace. The resolver
# addresses sit behind a blackhole link in namespaces this test made, with
# no listener: UDP connect() sends nothing, and nothing leaves them.
# Beside them: UDP sockets to another port, unconnected ones, a local
# port-53 server, v4-mapped ones, and a TCP SYN to the same resolver.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss jq python3

TMPD=$(mktemp -d /tmp/cwt-udpdns.XXXXXX)
on_exit "rm -rf '$TMPD'"
t=cwtu$$
A=$t-a B=$t-b C=$t-c
x=$(($$ % 250))
R4=10.253.$x.53 R6=fd00:253:$x::53 RB=10.252.$x.53

# udpgen NS NAME SPEC...: holds sockets made in NS from SPECs
# "KIND ADDR PORT COUNT" (KIND: udp4, udp6, udp-bound, tcp-syn), prints
# "ready", and waits to be killed. Sets UG_PID.
cat >"$TMPD/udpgen.py" <<'EOF'
import socket, sys, time
held = []
a = sys.argv[1:]
for i in range(0, len(a), 4):
    kind, addr, port, n = a[i], a[i + 1], int(a[i + 2]), int(a[i + 3])
    for _ in range(n):
        if kind == "udp-bound":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((addr, port))
        elif kind == "tcp-syn":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((addr, port))
        else:
            fam = socket.AF_INET if kind == "udp4" else socket.AF_INET6
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.connect((addr, port))
        held.append(s)
print("ready", flush=True)
while True:
    time.sleep(3600)
EOF
udpgen() {
	local ns=$1 name=$2
	shift 2
	ip netns exec "$ns" python3 "$TMPD/udpgen.py" "$@" >"$TMPD/$name.out" 2>"$TMPD/$name.err" &
	UG_PID=$!
	on_exit "kill_wait $UG_PID"
	wait_ready "$name" "$UG_PID" 30
}

# ss_udp53 NS: connected UDP sockets to port 53 in NS, as ss counts them.
ss_udp53() { ip netns exec "$1" ss -Hun state established dst :53 | wc -l; }

add_netns "$A"
add_blackhole "$A" "10.253.$x.1/24"
ip -n "$A" addr add "fd00:253:$x::1/64" dev bh0 nodad || bail "IPv6 address on bh0"
add_netns "$B"
add_blackhole "$B" "10.252.$x.1/24"
add_netns "$C"

# A: 7 + 3 + 2 (v4-mapped) connected to port 53; 4 to port 5353; 3 bound
# but not connected; a local DNS server's socket (bound to :53, no peer);
# one TCP SYN_SENT to the same resolver.
udpgen "$A" a udp4 "$R4" 53 7 udp6 "$R6" 53 3 udp6 "::ffff:$R4" 53 2 \
	udp4 "$R4" 5353 4 udp-bound 0.0.0.0 0 3 udp-bound 127.0.0.1 53 1 tcp-syn "$R4" 53 1
# B: two more, to its own resolver.
udpgen "$B" b udp4 "$RB" 53 2

IA=$(netns_inode "$A") IB=$(netns_inode "$B") IC=$(netns_inode "$C")
S=$TMPD/s.json
snapshot "$S"

is "$(ss_udp53 "$A")" 12 "A: ss sees the 12 sockets connected to port 53"
is "$(cw_row "$S" "$IA" '.udp_dns')" "$(ss_udp53 "$A")" "A: udp_dns = ss -Hun state established dst :53"
is "$(cw_row "$S" "$IA" "[.peers[] | select(.direction==\"out\" and .addr==\"$R4\" and .port==53)] | .[0] | \"\(.udp) \(.tcp.SYN_SENT) \(.total)\"")" \
	'"9 1 1"' "A: the v4 resolver's peer: 9 UDP (v4-mapped included), 1 SYN_SENT, TCP total 1"
is "$(cw_row "$S" "$IA" "[.peers[] | select(.addr==\"$R6\" and .port==53)] | .[0] | \"\(.udp) \(.total) \(.tcp | length)\"")" \
	'"3 0 0"' "A: a peer with only UDP sockets: udp 3, TCP counts 0"
ssv6=$(ip netns exec "$A" ss -Hun state established dst "[$R6]:53" | wc -l)
is "$(cw_row "$S" "$IA" "[.peers[] | select(.addr==\"$R6\")] | .[0].udp")" "$ssv6" "A: the v6 peer's udp = ss for that peer"
is "$(cw_row "$S" "$IA" '[.peers[] | select(.port != 53)] | length')" 0 \
	"A: sockets to port 5353 and unconnected ones are no peers"
is "$(cw_row "$S" "$IA" '.tcp_total')" "$(ip netns exec "$A" ss -tanH | wc -l)" \
	"A: the TCP count is TCP's alone (= ss -tan)"
is "$(cw_row "$S" "$IB" '.udp_dns')" "$(ss_udp53 "$B")" "B: udp_dns = ss (per namespace)"
is "$(cw_row "$S" "$IB" '.udp_dns')" 2 "B: two"
is "$(cw_row "$S" "$IC" 'has("udp_dns")')" false "C: no udp_dns key without such sockets"
is "$(cw_row "$S" "$IA" '[.peers[] | select(has("udp") | not) | .addr] | length')" 0 \
	"A: every peer here has UDP sockets, and says so"
# The socket list stays TCP's: asking for A's sockets lists the SYN only.
snapshot "$TMPD/sock.json" --sockets "$A"
is "$(cw_row "$TMPD/sock.json" "$IA" '[.sockets[] | .state] | join(",")')" '"SYN_SENT"' \
	"A: --sockets lists the TCP socket only"

# One closes: the next snapshot follows.
kill_wait "$UG_PID"
snapshot "$S"
is "$(cw_row "$S" "$IB" 'has("udp_dns")')" false "B: its sockets closed: udp_dns gone"
is "$(cw_row "$S" "$IA" '.udp_dns')" 12 "A: unchanged"

done_testing
