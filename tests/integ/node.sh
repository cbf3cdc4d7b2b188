#!/bin/bash
# node.sh: the node's limits and each namespace's kernel settings, against
# what the kernel says. Two namespaces: one with its own tcp_fin_timeout,
# ip_local_port_range and somaxconn, and connections tracked by conntrack;
# one left as the kernel made it. connwatch's row for each must hold the
# values `sysctl -n` prints inside it, the untouched one its defaults, and
# the node object the host namespace's values and the node's limits. A
# change made while connwatch runs shows within 30 s (this takes 31 s).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip jq sysctl iptables
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"
[ -r /proc/sys/net/netfilter/nf_conntrack_max ] || modprobe nf_conntrack 2>/dev/null || true

TMPD=$(mktemp -d /tmp/cwt-node.XXXXXX)
on_exit "rm -rf '$TMPD'"
A=cwnode$$a B=cwnode$$b
add_netns "$A"
add_netns "$B"
IA=$(netns_inode "$A") IB=$(netns_inode "$B")

# The host row is pid 1's namespace, or connwatch's own where pid 1's is
# hidden.
if [ -r /proc/1/ns/net ] && [ "$(stat -L -c %i /proc/1/ns/net)" != "$(stat -L -c %i /proc/self/ns/net)" ]; then
	HOSTNS=(nsenter --net=/proc/1/ns/net)
else
	HOSTNS=()
fi

ip netns exec "$A" sysctl -qw net.ipv4.tcp_fin_timeout=23 net.ipv4.ip_local_port_range="20000 30000" \
	net.core.somaxconn=1000 || bail "sysctl -w in $A"
# Connections that conntrack follows: a rule that asks for it makes the
# namespace track; sockgen's pairs over loopback are then entries.
ip netns exec "$A" iptables -A INPUT -m conntrack --ctstate NEW -j ACCEPT || bail "iptables in $A"
start_sockgen "$A" a --estab 4 --timewait 2

# sysctl_json NS...: the namespace's values as connwatch names them, from
# sysctl -n run in it (unknown ones left out, as connwatch does).
sysctl_json() {
	local k v out="{"
	for k in net.ipv4.tcp_tw_reuse net.ipv4.tcp_fin_timeout net.ipv4.tcp_max_tw_buckets \
		net.ipv4.ip_local_port_range net.core.somaxconn net.ipv4.tcp_child_ehash_entries; do
		v=$("$@" sysctl -n "$k" 2>/dev/null) || continue
		case $k in
		*ip_local_port_range) v="[$(echo "$v" | awk '{ print $1 "," $2 }')]" ;;
		esac
		out="$out\"${k##*.}\":$v,"
	done
	echo "${out%,}}" | jq -cS .
}

snapshot "$TMPD/s.json"
J=$TMPD/s.json

for ns in A B; do
	name=${!ns}
	ino=$(netns_inode "$name")
	got=$(cw_row "$J" "$ino" '.sysctl | del(.nf_conntrack_count)' | jq -cS .)
	want=$(sysctl_json ip netns exec "$name")
	is "$got" "$want" "$name: connwatch's sysctls = sysctl -n inside it"
done
is "$(cw_row "$J" "$IA" '.sysctl.tcp_fin_timeout')" 23 "$A: its own tcp_fin_timeout (23)"
is "$(cw_row "$J" "$IA" '.sysctl.ip_local_port_range')" "[20000,30000]" "$A: its own ip_local_port_range"
is "$(cw_row "$J" "$IA" '.sysctl.somaxconn')" 1000 "$A: its own somaxconn"

# B was left alone: the kernel's defaults for a new namespace, which are
# not all the host's (tcp_max_tw_buckets, somaxconn may differ).
fresh=$(ip netns exec "$B" sysctl -n net.ipv4.tcp_fin_timeout)
is "$(cw_row "$J" "$IB" '.sysctl.tcp_fin_timeout')" "$fresh" "$B: the default tcp_fin_timeout ($fresh)"
is "$(cw_row "$J" "$IB" '.sysctl.ip_local_port_range')" \
	"[$(ip netns exec "$B" sysctl -n net.ipv4.ip_local_port_range | awk '{ print $1 "," $2 }')]" \
	"$B: the default ip_local_port_range"

# The host's own row and the node object: the host namespace's values.
want=$(sysctl_json "${HOSTNS[@]}")
got=$(jq -c '.node | {tcp_tw_reuse, tcp_fin_timeout, tcp_max_tw_buckets, ip_local_port_range,
	somaxconn, tcp_child_ehash_entries} | with_entries(select(.value != null))' "$J" | jq -cS .)
is "$got" "$want" "node: the host namespace's sysctls"
got=$(jq -c '.netns[] | select(.kind == "host") | .sysctl | del(.nf_conntrack_count)' "$J" | jq -cS .)
is "$got" "$want" "host row: the host namespace's sysctls"
is "$(jq '.node["file-max"]' "$J")" "$(cat /proc/sys/fs/file-max)" "node: file-max"
if [ -r /proc/sys/net/netfilter/nf_conntrack_max ]; then
	is "$(jq '.node.nf_conntrack_max' "$J")" "$(cat /proc/sys/net/netfilter/nf_conntrack_max)" \
		"node: nf_conntrack_max"
else
	is "$(jq '.node.nf_conntrack_max' "$J")" null "node: no conntrack module, no nf_conntrack_max"
fi
# file-nr moves with every open file on the machine: within what it was
# just before and just after, give or take.
lo=$(cut -f1 /proc/sys/fs/file-nr)
snapshot "$TMPD/n.json"
hi=$(cut -f1 /proc/sys/fs/file-nr)
nr=$(jq '.node["file-nr"]' "$TMPD/n.json")
[ "$nr" -ge $((lo < hi ? lo - 500 : hi - 500)) ] && [ "$nr" -le $((lo > hi ? lo + 500 : hi + 500)) ]
ok $? "node: file-nr $nr is the kernel's (between $lo and $hi, give or take 500)"

# Conntrack entries per namespace: A tracks its connections, B nothing.
# Compared with the kernel's count inside A before and after (unchanged in
# between: the entries of established pairs last days).
if [ -r /proc/sys/net/netfilter/nf_conntrack_count ]; then
	for _ in 1 2 3 4 5; do
		before=$(ip netns exec "$A" cat /proc/sys/net/netfilter/nf_conntrack_count)
		snapshot "$TMPD/c.json"
		after=$(ip netns exec "$A" cat /proc/sys/net/netfilter/nf_conntrack_count)
		[ "$before" = "$after" ] && break
	done
	got=$(cw_row "$TMPD/c.json" "$IA" '.sysctl.nf_conntrack_count')
	is "$got" "$after" "$A: nf_conntrack_count = the kernel's inside it"
	[ "$got" -ge 4 ] 2>/dev/null
	ok $? "$A: its 4 tracked connections are counted ($got)"
	is "$(cw_row "$TMPD/c.json" "$IB" '.sysctl.nf_conntrack_count')" 0 "$B: no conntrack entries"
	# The host's moves with the machine's own traffic: give or take.
	got=$(jq '.node.nf_conntrack_count' "$TMPD/c.json")
	want=$("${HOSTNS[@]}" cat /proc/sys/net/netfilter/nf_conntrack_count)
	[ $((got > want ? got - want : want - got)) -le 50 ]
	ok $? "node: nf_conntrack_count $got is the host namespace's ($want, give or take 50)"
fi

# A setting changed while connwatch runs is read again within 30 s (the
# namespace is entered again for it): the first tick has the old value,
# one 31 s later the new one.
"$CONNWATCH" --json --count 2 --delay 31 >"$TMPD/r.json" 2>"$TMPD/r.err" &
CW=$!
on_exit "kill_wait $CW"
wait_for 10 test -s "$TMPD/r.json" || bail "no first snapshot: $(head -c 300 "$TMPD/r.err")"
ip netns exec "$B" sysctl -qw net.ipv4.tcp_fin_timeout=41
wait "$CW"
is "$(head -1 "$TMPD/r.json" | jq --argjson i "$IB" '.netns[] | select(.inode == $i) | .sysctl.tcp_fin_timeout')" \
	"$fresh" "$B: the first tick has the value it had"
is "$(tail -1 "$TMPD/r.json" | jq --argjson i "$IB" '.netns[] | select(.inode == $i) | .sysctl.tcp_fin_timeout')" \
	41 "$B: a change is read again within 30 s (41)"
done_testing
