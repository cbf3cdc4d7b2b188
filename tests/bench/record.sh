#!/bin/bash
# tests/bench/record.sh: what --record costs per tick, and what a snapshot
# weighs on disk, as ratios to the tick itself measured in the same run
# (root).
#
# It fills N namespaces (default 50) with P ESTABLISHED pairs each (default
# 200), then runs, R rounds interleaved (default 5), each for K ticks
# (default 40) at --delay 0.1 with every namespace dumped (--budget 100):
#   base   connwatch --json -n K            (the baseline: a tick, and JSON out)
#   plain  the same with --record FILE
#   zstd   the same with --record FILE.zst
# For each it takes the process's CPU time (user + system) per tick; the
# recorder's cost is a row's CPU per tick minus base's in the same round.
# The tick is collector.cpu_ms from base's own output (median over its
# ticks). Bytes per snapshot are the recording's size over K.
# Columns: CPU ms per tick (median over rounds), the recorder's ms per tick
# (median of per-round differences), that as a ratio to the tick, and bytes
# per snapshot (and per namespace row).
#
# Usage: tests/bench/record.sh [-n NS] [-p PAIRS] [-r ROUNDS] [-k TICKS]
# Needs: root, ip, jq, and built binaries (make connwatch tests/tools/sockgen).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
. "$top_srcdir/tests/bench/bench-lib.sh"

NNS=50 PAIRS=200 ROUNDS=5 K=40
while getopts n:p:r:k: o; do
	case $o in
	n) NNS=$OPTARG ;;
	p) PAIRS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	k) K=$OPTARG ;;
	*) echo "usage: $0 [-n NS] [-p PAIRS] [-r ROUNDS] [-k TICKS]" >&2; exit 2 ;;
	esac
done
need_root
need_cmd ip jq
TMPD=$(mktemp -d /tmp/cwb-rec.XXXXXX)
on_exit "rm -rf '$TMPD'"
populate "cwbr$$"
start_load

# cpu CMD...: runs it, prints its user+system CPU seconds.
cpu() {
	local TIMEFORMAT='%U %S' t
	t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
	echo "$t" | awk '{ print $1 + $2 }'
}

declare -A per_tick diff bytes
ticks=()
for ((r = 1; r <= ROUNDS; r++)); do
	base=$(cpu sh -c "'$CONNWATCH' --json -n $K -d 0.1 --budget 100 > '$TMPD/base.json'")
	ticks+=("$(jq -r '.collector.cpu_ms' "$TMPD/base.json" | tail -n +2 | median)")
	per_tick[base]+="$(awk -v c="$base" -v k="$K" 'BEGIN { print c * 1000 / k }') "
	for v in plain zstd; do
		f=$TMPD/rec.ndjson
		[ $v = zstd ] && f=$TMPD/rec.ndjson.zst
		rm -f "$f"
		c=$(cpu "$CONNWATCH" --json -n "$K" -d 0.1 --budget 100 --record "$f")
		per_tick[$v]+="$(awk -v c="$c" -v k="$K" 'BEGIN { print c * 1000 / k }') "
		diff[$v]+="$(awk -v c="$c" -v b="$base" -v k="$K" 'BEGIN { print (c - b) * 1000 / k }') "
		bytes[$v]+="$(($(stat -c %s "$f") / K)) "
	done
done
tick=$(printf '%s\n' "${ticks[@]}" | median)
rows=$(jq -r '.netns | length' "$TMPD/base.json" | tail -1)
echo "# $NNS namespaces x $PAIRS pairs ($rows rows), $K ticks x $ROUNDS rounds; tick (collector.cpu_ms, median): $tick ms"
printf '%-6s %12s %14s %14s %12s %10s\n' row cpu_ms/tick recorder_ms ratio_to_tick bytes/snap bytes/row
m() { tr ' ' '\n' | grep . | median; }
printf '%-6s %12.2f %14s %14s %12s %10s\n' base "$(echo "${per_tick[base]}" | m)" - - - -
for v in plain zstd; do
	d=$(echo "${diff[$v]}" | m) b=$(echo "${bytes[$v]}" | m)
	printf '%-6s %12.2f %14.2f %14.2f %12d %10d\n' "$v" "$(echo "${per_tick[$v]}" | m)" "$d" \
		"$(awk -v d="$d" -v t="$tick" 'BEGIN { print d / t }')" "$b" "$((b / rows))"
done
teardown
