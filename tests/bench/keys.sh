#!/bin/bash
# tests/bench/keys.sh: key-to-redraw latency of the interactive view, on an
# idle node and while a large node is being walked, in the same run (root).
# The issue's target: "a key press is answered within 50 ms even while a
# large node is being walked".
#
# keylat runs `connwatch --budget 100 -d 0.5` on a pseudo-terminal, presses
# E and T (sort by ESTAB / TOTAL) alternately K times (default 40) and times
# each press until the new sort arrow is drawn. Cases:
#   idle    no namespaces made here (the baseline, 1.00);
#   loaded  N namespaces (default 50) holding S sockets in all (default
#           100k: 2000 each, as ESTABLISHED pairs), all in the node's shared
#           TCP hash: every tick dumps every namespace, and each dump walks
#           all S, so the collector thread is busy all the time;
#   loaded+json
#           the same, with a second `connwatch --json` (same flags) running
#           alongside: two busy collectors on this machine's cores.
# Each case runs a `connwatch --json` with the same flags in parallel for the
# collector's own numbers (cpu_ms per tick, namespaces dumped, ticks/s);
# in "loaded" it is started only after keylat is done, so that the
# latencies there see one collector. CPU of keylat + its connwatch is taken
# with perf stat (task-clock over wall: cores used). Latencies are printed
# as median, p90 (nearest rank) and max, in ms, with ratios to idle.
#
# Usage: tests/bench/keys.sh [-n NS] [-s SOCKETS] [-k PRESSES]
# Needs: root, ip, jq, perf (optional) and built binaries:
#   make connwatch tests/tools/sockgen tests/tools/keylat
# Everything it creates (namespaces, processes, temp files) is removed at
# exit, and only the processes it started are stopped.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
. "$top_srcdir/tests/bench/bench-lib.sh"

NNS=50
SOCKS=100000
PRESSES=40
while getopts "n:s:k:h" o; do
	case $o in
	n) NNS=$OPTARG ;;
	s) SOCKS=$OPTARG ;;
	k) PRESSES=$OPTARG ;;
	h) sed -n '2,/^# exit, and only/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
[[ $NNS =~ ^[1-9][0-9]*$ && $SOCKS =~ ^[0-9]+$ && $PRESSES =~ ^[1-9][0-9]*$ ]] ||
	bail "usage: keys.sh [-n NS] [-s SOCKETS] [-k PRESSES]"
[ "$(id -u)" -eq 0 ] || bail "needs root (network namespaces)"
for c in ip jq; do command -v "$c" >/dev/null || bail "needs $c"; done
KEYLAT=${KEYLAT:-$top_builddir/tests/tools/keylat}
for b in "$CONNWATCH" "$SOCKGEN" "$KEYLAT"; do
	[ -x "$b" ] || bail "no $b: make connwatch tests/tools/sockgen tests/tools/keylat"
done
PAIRS=$((SOCKS / (2 * NNS)))
[ "$PAIRS" -ge 1 ] || PAIRS=1

CW_ARGS=(--budget 100 -d 0.5)
TMPD=$(mktemp -d /tmp/cwbench-keys.XXXXXX)
on_exit "rm -rf '$TMPD'"
T0=$SECONDS

# json_start NAME / json_stop: a parallel `connwatch --json` with CW_ARGS.
json_start() {
	"$CONNWATCH" --json "${CW_ARGS[@]}" --count 1000000 >"$TMPD/$1.json" 2>"$TMPD/$1.json.err" &
	JPID=$!
	JT0=$EPOCHREALTIME
	on_exit "kill_wait $JPID"
}
json_stop() {
	kill_wait "$JPID"
	JWALL=$(awk -v a="$JT0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
}

CASES=()
# summarize NAME LABEL: one table row's numbers, kept for the table.
summarize() {
	local lat=$TMPD/$1.lat js=$TMPD/$1.json ok to med p90 max cpu ticks dumped total rate cores
	to=$(grep -c timeout "$lat")
	grep -v timeout "$lat" | awk '{ print $1 / 1000 }' >"$lat.ms"
	ok=$(wc -l <"$lat.ms")
	med=$(median <"$lat.ms")
	p90=$(pct 0.9 <"$lat.ms")
	max=$(sort -g "$lat.ms" | tail -1)
	# the collector: ticks after the first (which also opens every handle)
	jq -r '.collector | "\(.cpu_ms) \(.netns_dumped) \(.netns_total)"' "$js" 2>/dev/null |
		tail -n +2 >"$js.ticks"
	ticks=$(wc -l <"$js.ticks")
	cpu=$(awk '{ print $1 }' "$js.ticks" | median)
	dumped=$(awk '{ print $2 }' "$js.ticks" | median)
	total=$(awk '{ print $3 }' "$js.ticks" | median)
	rate=$(awk -v n="$((ticks + 1))" -v w="$JWALL" 'BEGIN { printf "%.2f", n / w }')
	cores=$(awk '{ if ($1 == "-") print "-"; else printf "%.2f", $1 / $2 }' "$TMPD/$1.cpu")
	CASES+=("$2|$ok|$to|$med|$p90|$max|$cpu|$dumped/$total|$rate|$cores")
}

# Case 1: idle.
NODE_IDLE=$(node_tcp)
json_start idle
run_keylat idle
json_stop
summarize idle "idle (no namespaces made here)"

# Case 2 and 3: loaded.
populate "cwk$$"
start_load
NODE_LOADED=$(node_tcp)
EHASH_IN=$(ip netns exec "${NSLIST[0]}" cat /proc/sys/net/ipv4/tcp_ehash_entries)
run_keylat loaded
json_start loaded # after keylat: its numbers describe the same node and flags
sleep 6
json_stop
summarize loaded "loaded: $NNS netns x $((2 * PAIRS)) sockets"
json_start loadedjson
run_keylat loadedjson
json_stop
summarize loadedjson "loaded + a parallel connwatch --json"
teardown

echo
echo "== key-to-redraw latency: keylat -n $PRESSES -- connwatch ${CW_ARGS[*]}"
echo "   node: $NODE_IDLE TCP sockets allocated when idle, $NODE_LOADED loaded" \
	"(sockstat alloc; net.ipv4.tcp_child_ehash_entries=$(sysctl -n net.ipv4.tcp_child_ehash_entries)," \
	"tcp_ehash_entries in the namespaces = $EHASH_IN: $([ "$EHASH_IN" -lt 0 ] && echo shared || echo own) hash);" \
	"$(nproc) CPUs"
echo "   collector columns come from a connwatch --json with the same flags (median over its ticks);" \
	"cores = CPU of keylat + its connwatch / wall"
printf '%-40s %5s %4s %8s %8s %8s %8s %8s %14s %8s %7s %6s\n' case keys t/o "med ms" "p90 ms" "max ms" \
	"x med" "x p90" "collector ms" netns "ticks/s" cores
IFS='|' read -r _ _ _ base_med base_p90 _ <<<"${CASES[0]}"
for c in "${CASES[@]}"; do
	IFS='|' read -r label ok to med p90 max cpu ns rate cores <<<"$c"
	printf '%-40s %5s %4s %8.1f %8.1f %8.1f %8.2f %8.2f %14.1f %8s %7s %6s\n' "$label" "$ok" "$to" \
		"$med" "$p90" "$max" "$(awk -v a="$med" -v b="$base_med" 'BEGIN { print a / b }')" \
		"$(awk -v a="$p90" -v b="$base_p90" 'BEGIN { print a / b }')" "$cpu" "$ns" "$rate" "$cores"
done
IFS='|' read -r _ _ to _ _ max _ <<<"${CASES[1]}"
echo "   target (a key answered within 50 ms while a large node is walked), loaded case:" \
	"max $max ms, $to timeouts: $(awk -v m="$max" -v t="$to" 'BEGIN { print (m <= 50 && t == 0) ? "met" : "NOT met" }')"
echo
echo "# run time: $((SECONDS - T0)) s"
