#!/bin/bash
# scale.sh: 50 network namespaces holding about 100k TCP sockets in all
# (1000 ESTABLISHED pairs each by default); one connwatch snapshot must
# count every namespace exactly as `ss -tan` inside it does. A few
# namespaces churn TIME_WAIT, which is allowed to differ by the churn.
# Knobs: CW_SCALE_NS (50), CW_SCALE_PAIRS (1000), CW_SCALE_CHURN_NS (5).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss jq
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

NNS=${CW_SCALE_NS:-50}
PAIRS=${CW_SCALE_PAIRS:-1000}
NCHURN=${CW_SCALE_CHURN_NS:-5}
CHURN_RATE=20
T0=$SECONDS

TMPD=$(mktemp -d /tmp/cwt-scale.XXXXXX)
on_exit "rm -rf '$TMPD'"

# Every sockgen holds 2*PAIRS descriptors and one ephemeral port per pair.
read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range
[ $((hi - lo)) -gt $((PAIRS + 1000)) ] || bail "ip_local_port_range $lo-$hi is too small for $PAIRS pairs"
[ "$(fd_ceiling)" -ge $((2 * PAIRS + 512)) ] ||
	bail "RLIMIT_NOFILE hard $(ulimit -Hn) and fs.nr_open (where it may be raised) are below $((2 * PAIRS + 512))"
diag "$NNS namespaces x $PAIRS ESTABLISHED pairs; $NCHURN of them churn $CHURN_RATE conn/s"

t=cwts$$
pids=()
for ((i = 0; i < NNS; i++)); do
	add_netns "$t-$i"
	if [ "$i" -lt "$NCHURN" ]; then
		spawn_sockgen "$t-$i" "sg$i" --estab "$PAIRS" --churn "$CHURN_RATE"
	else
		spawn_sockgen "$t-$i" "sg$i" --estab "$PAIRS"
	fi
	pids+=("$SG_PID")
done
for ((i = 0; i < NNS; i++)); do
	wait_ready "sg$i" "${pids[$i]}" 120
done
diag "setup: $((SECONDS - T0)) s"

# ss in every namespace, one connwatch snapshot, ss again: a static namespace
# must read the same all three times.
declare -A before after
for ((i = 0; i < NNS; i++)); do before[$i]=$(ss_counts "$t-$i"); done
T1=$SECONDS
snapshot "$TMPD/s.json"
T2=$SECONDS
for ((i = 0; i < NNS; i++)); do after[$i]=$(ss_counts "$t-$i"); done
S=$TMPD/s.json

jq -r '.collector | "# connwatch: \(.netns_dumped)/\(.netns_total) namespaces dumped, dump \(.dump_ms) ms CPU, tick \(.cpu_ms) ms CPU, mode \(.dump_mode)"' "$S"
diag "connwatch --json wall time: $((T2 - T1)) s (one snapshot, $NNS namespaces)"

total=0
for ((i = 0; i < NNS; i++)); do
	ino=$(netns_inode "$t-$i")
	cw=$(cw_counts "$S" "$ino")
	if [ "$i" -lt "$NCHURN" ]; then
		# TIME_WAIT only grows here (the run is shorter than its 60 s), so
		# connwatch's count lies between the two ss readings (+-2 for a
		# connection caught mid-close); everything else is exact.
		tw_b=$(count_of "${before[$i]}" TIME_WAIT) tw_a=$(count_of "${after[$i]}" TIME_WAIT)
		tw_c=$(count_of "$cw" TIME_WAIT)
		if counts_match "${after[$i]}" "$cw" 1000000 && [ -n "$tw_c" ] &&
			[ "$tw_c" -gt 0 ] && [ "$tw_c" -ge $((tw_b - 2)) ] && [ "$tw_c" -le $((tw_a + 2)) ]; then
			ok 0 "ns $i (churning): counts = ss, TIME_WAIT $tw_c within [$tw_b, $tw_a]"
		else
			# a churned connection's transient states can be caught by one
			# side only: measure this namespace again, on its own.
			compare_counts "$t-$i" "$ino" "ns $i (churning, measured again)" $((4 * CHURN_RATE))
		fi
	elif [ "${before[$i]}" = "${after[$i]}" ] && counts_match "${after[$i]}" "$cw" 0; then
		ok 0 "ns $i: counts = ss ($(count_of "$cw" ESTABLISHED) ESTABLISHED, $(count_of "$cw" LISTEN) LISTEN)"
	else
		compare_counts "$t-$i" "$ino" "ns $i (measured again)"
	fi
	n=$(cw_row "$S" "$ino" '.tcp_total // 0')
	total=$((total + n))
done
is "$(jq '.collector.netns_dumped >= '"$NNS" "$S")" true "every namespace got an exact dump in the first snapshot"
[ "$total" -ge $((NNS * (2 * PAIRS + 1))) ]
ok $? "sockets counted in the test namespaces: $total (>= $((NNS * (2 * PAIRS + 1))))"
diag "total run time so far: $((SECONDS - T0)) s"

# Ticks that overrun --delay on a node this size: the collector works on
# the thread pool, so the loop still takes SIGTERM between documents, and
# ticks follow each other without waiting a whole delay more.
"$CONNWATCH" --json --budget 100 --delay 0.05 --count 1000 >"$TMPD/overrun.json" 2>"$TMPD/overrun.err" &
cw_pid=$!
wait_for 30 sh -c "[ \$(wc -l <'$TMPD/overrun.json') -ge 3 ]"
ok $? "--json keeps printing while its ticks overrun --delay 0.05"
kill -TERM "$cw_pid"
wait_for 5 sh -c "! kill -0 $cw_pid 2>/dev/null"
ok $? "SIGTERM stops it within 5 s" || kill -KILL "$cw_pid"
wait "$cw_pid"
is "$?" 143 "... with status 128+15"
jq -e . "$TMPD/overrun.json" >/dev/null
ok $? "... and every line it printed is a whole JSON document"

done_testing
