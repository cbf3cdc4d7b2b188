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
# Columns: medians over rounds, and the view's ratio to the exact snapshot.
# Usage: tests/bench/first.sh [-n NS] [-s SOCKETS] [-r ROUNDS]
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
. "$top_srcdir/tests/bench/bench-lib.sh"

NNS=50 SOCKS=100000 ROUNDS=5
while getopts n:s:r: o; do
	case $o in
	n) NNS=$OPTARG ;;
	s) SOCKS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	*) echo "usage: $0 [-n NS] [-s SOCKETS] [-r ROUNDS]" >&2; exit 2 ;;
	esac
done
need_root
need_cmd ip jq tmux
PAIRS=$((SOCKS / NNS / 2))
TMPD=$(mktemp -d /tmp/cwb-first.XXXXXX)
on_exit "rm -rf '$TMPD'"
SOCK=$TMPD/tmux.sock
on_exit "tmux -S '$SOCK' kill-server 2>/dev/null"
populate "cwbf$$"
start_load

ex=() exw=() vw=()
for ((r = 1; r <= ROUNDS; r++)); do
	t0=$(now_ms)
	"$CONNWATCH" --json -n 1 >"$TMPD/one.json" 2>/dev/null
	ex+=($(($(now_ms) - t0)))
	exw+=("$(jq -r .collector.wall_ms "$TMPD/one.json")")
	vw+=("$(first_screen_ms "$SOCK" "cwbf$$")")
	sleep 0.5
done
m() { printf '%s\n' "$@" | median; }
e=$(m "${ex[@]}") v=$(m "${vw[@]}")
echo "# $NNS namespaces, $((PAIRS * 2 * NNS)) sockets (shared hash), $ROUNDS rounds"
printf '%-34s %10s %8s\n' what ms ratio
printf '%-34s %10s %8s\n' "--json -n 1 (exact), wall" "$e" 1.00
printf '%-34s %10s %8s\n' "... its collector.wall_ms" "$(m "${exw[@]}")" -
printf '%-34s %10s %8.2f\n' "live view: first screen with pods" "$v" "$(awk -v a="$v" -v b="$e" 'BEGIN { print a / b }')"
teardown
