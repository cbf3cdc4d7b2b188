#!/bin/bash
# memscale.sh: memory at scale, on real namespaces. One namespace is filled
# with 10k sockets, then with 100k (several sockgen processes: each holds
# fewer descriptors than RLIMIT_NOFILE), while `connwatch --json` dumps it
# (--budget 100 and events off, so dumps parse every socket, as often as the
# node's other namespaces leave room for):
#   - its RSS at 100k sockets stays under a bound, and grows by less than
#     a few MB from 10k to 100k: a dump keeps no socket list (the sockets
#     are aggregated as they are parsed) and no per-socket memory;
#   - its heap allocations per tick, counted by tests/tools/alloccount.so
#     (LD_PRELOAD; sampled between two snapshot counts), are the same at
#     100k sockets as at 10k: parsing and aggregating allocate nothing per
#     socket, and the tables are reused from one tick to the next;
#   - under churn of namespaces that hold sockets (a new one with 2000
#     sockets every half second, the one before destroyed), RSS and
#     allocations per tick stay flat.
# Knobs: CW_MEMSCALE_SOCKETS (100000), CW_MEMSCALE_CHURN (40 namespaces).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip jq od
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"
ALLOCCOUNT=${ALLOCCOUNT:-$top_builddir/tests/tools/alloccount.so}
[ -f "$ALLOCCOUNT" ] || bail "no $ALLOCCOUNT: run make check (or make tests/tools/alloccount.so)"

TMPD=$(mktemp -d /tmp/cwt-memscale.XXXXXX)
on_exit "rm -rf '$TMPD'"
t=cwtm$$
SOCKS=${CW_MEMSCALE_SOCKETS:-100000}
NCHURN=${CW_MEMSCALE_CHURN:-40}

# ASan's allocator cannot be interposed, and its shadow and quarantine make
# RSS meaningless for per-socket costs: the allocation counts need a plain
# build, and the RSS bounds scale.
asan=0
grep -qa __asan_init "$CONNWATCH" && asan=1

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
allocs() { od -An -t u8 -N 8 "$TMPD/count" 2>/dev/null | tr -d ' '; }
lines() { wc -l <"$TMPD/s.json"; }

# Each sockgen holds 2 descriptors per pair and raises its own
# RLIMIT_NOFILE as far as it may (fd_ceiling). Stay well under that.
nofile=$(fd_ceiling)
PER=$(((nofile - 500) / 2))
[ "$PER" -gt 20000 ] && PER=20000
[ "$PER" -ge 1000 ] || bail "RLIMIT_NOFILE hard $(ulimit -Hn) and fs.nr_open $(cat /proc/sys/fs/nr_open) are too small"

add_netns "$t"
# Room for the pairs' ephemeral ports (a port serves one connection per
# destination, and every sockgen listens on its own ports).
ip netns exec "$t" sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
ino=$(netns_inode "$t")
NSG=0
# fill PAIRS: sockgen processes in the namespace, PAIRS pairs more in all.
fill() {
	local left=$1 n
	while [ "$left" -gt 0 ]; do
		n=$((left < PER ? left : PER))
		NSG=$((NSG + 1))
		start_sockgen "$t" "sg$NSG" --port $((2000 + 10 * NSG)) --estab "$n"
		left=$((left - n))
	done
}

# phase NAME: waits for 4 more snapshots (steady), then counts the
# allocations over 8 more. Sets APT (allocations per tick) and RSS.
phase() {
	local l0 a0 l1 a1
	l0=$(($(lines) + 4))
	wait_for 60 eval '[ "$(lines)" -ge $l0 ]' || bail "$1: connwatch stopped printing: $(cat "$TMPD/err")"
	l0=$(lines) a0=$(allocs)
	wait_for 60 eval '[ "$(lines)" -ge $((l0 + 8)) ]' || bail "$1: connwatch stopped printing"
	l1=$(lines) a1=$(allocs)
	RSS=$(rss_kb "$CW")
	NSN=$(tail -n 1 "$TMPD/s.json" | jq .collector.netns_total)
	APT=
	[ "$asan" = 1 ] || APT=$(((a1 - a0) / (l1 - l0)))
	diag "$1: RSS $RSS kB, ${APT:-(not counted under ASan)} allocations per tick (over $((l1 - l0)) ticks; $NSN namespaces on the node)"
}

T0=$SECONDS
fill 5000
diag "10k sockets made in $((SECONDS - T0)) s"
CW_ALLOCCOUNT_FILE=$TMPD/count LD_PRELOAD=$([ "$asan" = 1 ] || echo "$ALLOCCOUNT") \
	"$CONNWATCH" --json --no-bpf --budget 100 -d 0.5 --count 1000000 >"$TMPD/s.json" 2>"$TMPD/err" &
CW=$!
on_exit "kill_wait $CW"
wait_for 20 test -s "$TMPD/s.json" || bail "connwatch printed nothing: $(cat "$TMPD/err")"
phase "10k sockets"
rss10=$RSS apt10=$APT nsn10=$NSN
got=$(tail -n 1 "$TMPD/s.json" | jq --argjson i "$ino" '.netns[] | select(.inode == $i) | .tcp.ESTABLISHED')
is "$got" 10000 "10k sockets: all ESTABLISHED ones counted"

T0=$SECONDS
fill $((SOCKS / 2 - 5000))
diag "$SOCKS sockets made in $((SECONDS - T0)) s, in $NSG sockgen processes"
phase "$SOCKS sockets"
rss100=$RSS apt100=$APT nsn100=$NSN
got=$(tail -n 1 "$TMPD/s.json" | jq --argjson i "$ino" '.netns[] | select(.inode == $i) | .tcp.ESTABLISHED')
# (So it was dumped, at least once, with all of them.)
is "$got" "$SOCKS" "$SOCKS sockets: all ESTABLISHED ones counted"

# A socket list of 100k would be 12 MB by itself; the issue's target is
# 64 MB at 500k sockets.
bound=24000 grow=4000
[ "$asan" = 1 ] && bound=400000 grow=40000
[ "$rss100" -lt "$bound" ]
ok $? "$SOCKS sockets in one namespace: RSS under $((bound / 1000)) MB ($rss100 kB)"
[ $((rss100 - rss10)) -lt "$grow" ]
ok $? "10k -> $SOCKS sockets: RSS grows by under $((grow / 1000)) MB ($rss10 -> $rss100 kB)"
if [ "$asan" = 0 ]; then
	# The same work per tick but the parsing: an allocation per socket
	# would add 90k. Every namespace on the node costs some per tick (its
	# row, its JSON), and other tests may be adding some meanwhile: the
	# expectation scales with their count, with some slack.
	# test_dumpalloc checks that a dump allocates nothing at all.
	want=$((apt10 * nsn100 / nsn10))
	[ "$apt100" -le $((want + want / 4 + 500)) ]
	ok $? "allocations per tick do not grow with sockets ($apt10 at 10k, $apt100 at $SOCKS)"
else
	ok 0 "allocations per tick: not counted under ASan (its allocator cannot be interposed)"
fi

# Churn: namespaces with sockets come and go; nothing of them stays.
churn() {
	local i prev=
	for ((i = 1; i <= NCHURN; i++)); do
		add_netns "$t-c$i"
		start_sockgen "$t-c$i" "c$i" --estab 1000
		if [ -n "$prev" ]; then
			kill_wait "${CHURN_PIDS[$prev]}"
			ip netns del "$t-c$prev"
		fi
		CHURN_PIDS[$i]=$SG_PID
		prev=$i
		sleep 0.5
		[ "$i" = $((NCHURN / 4)) ] && phase "churn, $i namespaces made" && rssA=$RSS aptA=$APT nsnA=$NSN
	done
}
declare -a CHURN_PIDS
churn
phase "churn, $NCHURN namespaces made"
rssB=$RSS aptB=$APT nsnB=$NSN
# The last made is still alive: one namespace of 2000 sockets on both sides.
# ASan's quarantine keeps up to 256 MB of freed memory: there RSS only
# shows that nothing runs away (leaks are LeakSanitizer's).
slack=$((rssA / 10 + 2000))
[ "$asan" = 1 ] && slack=300000
[ "$rssB" -le $((rssA + slack)) ]
ok $? "churn: RSS flat ($rssA -> $rssB kB over $((NCHURN - NCHURN / 4)) namespaces made and destroyed, slack $slack kB)"
if [ "$asan" = 0 ]; then
	want=$((aptA * nsnB / nsnA))
	[ "$aptB" -le $((want + want / 4 + 500)) ]
	ok $? "churn: allocations per tick flat ($aptA -> $aptB)"
else
	ok 0 "churn: allocations per tick not counted under ASan"
fi
done_testing
