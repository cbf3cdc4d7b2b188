#!/bin/bash
# tests/bench/first.sh: how soon the first screen comes on a populated node,
# against the all-exact first snapshot measured in the same run (root).
#
# It fills N namespaces (default 50) with S sockets in all (default 100k,
# ESTABLISHED pairs; the shared TCP hash, so each dump walks them all), then
# for R rounds (default 5), interleaved:
#   exact  `connwatch --json -n 1`: the first snapshot, exact everywhere
#          (what --json promises); its wall time, and collector.wall_ms.
#   view   the live view in tmux: the time from start until the first
#          screen shows the pods (its header and a row of ours), polled
#          every 20 ms.
# Columns: medians over rounds, and the view's ratio to the exact snapshot;
# with the view, the CPU it had used by its first screen (all threads).
# -c CHURN: the namespaces open and close CHURN connections a second in all
# (the suite's node churns 1000), so the view starts on a busy machine.
# -B OTHER: each round also starts the live view of OTHER (another build of
# connwatch), for a comparison in the same run.
# Usage: tests/bench/first.sh [-n NS] [-s SOCKETS] [-r ROUNDS] [-c CHURN] [-B OTHER]
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
. "$top_srcdir/tests/bench/bench-lib.sh"

NNS=50 SOCKS=100000 ROUNDS=5 CHURN=0 OTHER=
while getopts n:s:r:c:B: o; do
	case $o in
	n) NNS=$OPTARG ;;
	s) SOCKS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	c) CHURN=$OPTARG ;;
	B) OTHER=$OPTARG ;;
	*) echo "usage: $0 [-n NS] [-s SOCKETS] [-r ROUNDS] [-c CHURN] [-B OTHER]" >&2; exit 2 ;;
	esac
done
need_root
need_cmd ip jq tmux
[ -z "$OTHER" ] || [ -x "$OTHER" ] || { echo "$0: -B $OTHER: not an executable" >&2; exit 2; }
PAIRS=$((SOCKS / NNS / 2))
TMPD=$(mktemp -d /tmp/cwb-first.XXXXXX)
on_exit "rm -rf '$TMPD'"
SOCK=$TMPD/tmux.sock
on_exit "tmux -S '$SOCK' kill-server 2>/dev/null"
populate "cwbf$$"
start_churn_load "$CHURN"

ex=() exw=() vw=() vc=() ow=() oc=()
for ((r = 1; r <= ROUNDS; r++)); do
	t0=$(now_ms)
	"$CONNWATCH" --json -n 1 >"$TMPD/one.json" 2>/dev/null
	ex+=($(($(now_ms) - t0)))
	exw+=("$(jq -r .collector.wall_ms "$TMPD/one.json")")
	vw+=("$(first_screen_ms "$SOCK" "cwbf$$")")
	vc+=("$(cat "$TMPD/first.cpu")")
	sleep 0.5
	if [ -n "$OTHER" ]; then
		ow+=("$(first_screen_ms "$SOCK" "cwbf$$" "$OTHER")")
		oc+=("$(cat "$TMPD/first.cpu")")
		sleep 0.5
	fi
done
m() { printf '%s\n' "$@" | median; }
e=$(m "${ex[@]}") v=$(m "${vw[@]}")
echo "# $NNS namespaces, $((PAIRS * 2 * NNS)) sockets (shared hash), churn $CHURN/s in all, $ROUNDS rounds"
printf '%-34s %10s %8s\n' what ms ratio
printf '%-34s %10s %8s\n' "--json -n 1 (exact), wall" "$e" 1.00
printf '%-34s %10s %8s\n' "... its collector.wall_ms" "$(m "${exw[@]}")" -
printf '%-34s %10s %8.2f\n' "live view: first screen with pods" "$v" "$(awk -v a="$v" -v b="$e" 'BEGIN { print a / b }')"
printf '%-34s %10s %8s\n' "... its CPU by then" "$(m "${vc[@]}")" -
if [ -n "$OTHER" ]; then
	o=$(m "${ow[@]}")
	printf '%-34s %10s %8.2f\n' "live view of -B: first screen" "$o" "$(awk -v a="$o" -v b="$e" 'BEGIN { print a / b }')"
	printf '%-34s %10s %8s\n' "... its CPU by then" "$(m "${oc[@]}")" -
fi
teardown
