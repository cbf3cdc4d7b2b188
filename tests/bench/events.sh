#!/bin/bash
# tests/bench/events.sh: what TCP state events cost and what they buy,
# against the budgeted dumps alone, measured in the same run (root).
#
# It fills N namespaces (default 20) with S sockets in all (default 40k,
# ESTABLISHED pairs, the shared TCP hash), each namespace also opening and
# closing C connections per second (default 10), then for R rounds
# (default 3), interleaved, runs `connwatch --json -n T -d D` (defaults 20
# ticks, 0.5 s; the default budget) with events and with --no-bpf, and
# reports, over the ticks after the first (medians):
#   - collector CPU per tick (collector.cpu_ms), and its ratio;
#   - with events: the map reads per tick (collector.events_read_ms), as a
#     share of the tick; the events the BPF program handled per second and
#     its CPU (kernel.bpf_stats_enabled, turned on for the run and restored);
#   - the age of exact counts: the oldest among our namespaces per tick
#     (the refresh period the budget allows, without events).
# With -B OTHER (another build of connwatch, say the last release), each
# round also runs OTHER with events, and the table compares its collector
# CPU and map reads per tick with this build's, in the same run.
# Usage: tests/bench/events.sh [-n NS] [-s SOCKETS] [-c CHURN] [-r ROUNDS] [-t TICKS] [-d DELAY] [-B OTHER]
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
. "$top_srcdir/tests/bench/bench-lib.sh"

NNS=20 SOCKS=40000 CHURN=10 ROUNDS=3 TICKS=20 DELAY=0.5 OTHER=
while getopts n:s:c:r:t:d:B: o; do
	case $o in
	n) NNS=$OPTARG ;;
	s) SOCKS=$OPTARG ;;
	c) CHURN=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	t) TICKS=$OPTARG ;;
	d) DELAY=$OPTARG ;;
	B) OTHER=$OPTARG ;;
	*) echo "usage: $0 [-n NS] [-s SOCKETS] [-c CHURN] [-r ROUNDS] [-t TICKS] [-d DELAY] [-B OTHER]" >&2; exit 2 ;;
	esac
done
need_root
need_cmd ip jq bpftool
[ -z "$OTHER" ] || [ -x "$OTHER" ] || { echo "$0: -B $OTHER: not an executable" >&2; exit 2; }
PAIRS=$((SOCKS / NNS / 2))
TMPD=$(mktemp -d /tmp/cwb-events.XXXXXX)
on_exit "rm -rf '$TMPD'"
"$CONNWATCH" --json -d 0.2 >"$TMPD/probe.json" 2>/dev/null
src=$(jq -r .collector.events "$TMPD/probe.json")
[ "$src" = bpf ] || { echo "events are not available here: $src" >&2; exit 1; }
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
on_exit "sysctl -qw kernel.bpf_stats_enabled=$stats_was"

prefix=cwbe$$
NSLIST=() SGPIDS=()
for ((i = 0; i < NNS; i++)); do
	add_netns "$prefix-$i"
	NSLIST+=("$prefix-$i")
done
t1=$SECONDS
for ((i = 0; i < NNS; i++)); do
	spawn_sockgen "${NSLIST[$i]}" "sg-$i" --estab "$PAIRS" --churn "$CHURN"
	SGPIDS+=("$SG_PID")
done
for ((i = 0; i < NNS; i++)); do wait_ready "sg-$i" "${SGPIDS[$i]}" 300; done
echo "# setup: $NNS namespaces x $PAIRS pairs, churn $CHURN/s each, in $((SECONDS - t1)) s" >&2

mine='[.netns[] | select(.label | startswith("'$prefix'-"))]'
# run NAME ARGS...: one run; per-tick figures (after the first) into NAME.*
# (BIN: the binary, connwatch of this build unless set)
run() {
	local name=$1 pid n before after t0 t1
	shift
	t0=$(date +%s%N)
	"${BIN:-$CONNWATCH}" --json -n "$TICKS" -d "$DELAY" "$@" >"$TMPD/$name.json" 2>"$TMPD/$name.err" &
	pid=$!
	# The program's counters while it is loaded: just before the end.
	while kill -0 "$pid" 2>/dev/null && [ "$(cat "$TMPD/$name.json" 2>/dev/null | wc -l)" -lt $((TICKS - 1)) ]; do
		sleep 0.1
	done
	bpf_prog_stats >"$TMPD/$name.prog"
	t1=$(date +%s%N)
	wait "$pid"
	echo $(((t1 - t0) / 1000000)) >"$TMPD/$name.wall"
	tail -n +2 "$TMPD/$name.json" | jq -r .collector.cpu_ms >"$TMPD/$name.cpu"
	tail -n +2 "$TMPD/$name.json" | jq -r '.collector.events_read_ms // 0' >"$TMPD/$name.read"
	tail -n +2 "$TMPD/$name.json" | jq -r "$mine | map(.exact_age_ms // 1e9) | max" >"$TMPD/$name.age"
	tail -n +2 "$TMPD/$name.json" | jq -r "$mine | map(select(.source_counts == \"events\")) | length" >"$TMPD/$name.nev"
}

for ((r = 1; r <= ROUNDS; r++)); do
	run "ev$r"
	run "nb$r" --no-bpf
	[ -z "$OTHER" ] || BIN=$OTHER run "ob$r"
	echo "# round $r done" >&2
done
cat_all() { local k; for ((k = 1; k <= ROUNDS; k++)); do cat "$TMPD/$1$k.$2"; done; }
cev=$(cat_all ev cpu | median) cnb=$(cat_all nb cpu | median)
rd=$(cat_all ev read | median)
aev=$(cat_all ev age | median) anb=$(cat_all nb age | median)
amx_ev=$(cat_all ev age | sort -g | tail -1) amx_nb=$(cat_all nb age | sort -g | tail -1)
nev=$(cat_all ev nev | median)
# BPF: events per second and ns per event, per round, from its own counters.
for ((k = 1; k <= ROUNDS; k++)); do
	read -r ns cnt <"$TMPD/ev$k.prog"
	w=$(cat "$TMPD/ev$k.wall")
	awk -v c="$cnt" -v w="$w" 'BEGIN { printf("%.0f\n", (w > 0 ? c / (w / 1000) : 0)) }' >>"$TMPD/eps"
	awk -v c="$cnt" -v n="$ns" 'BEGIN { printf("%.0f\n", (c > 0 ? n / c : 0)) }' >>"$TMPD/nspe"
	awk -v n="$ns" -v w="$w" 'BEGIN { printf("%.3f\n", (w > 0 ? n / 1e6 / (w / 1000) : 0)) }' >>"$TMPD/bpfms"
done
eps=$(median <"$TMPD/eps") nspe=$(median <"$TMPD/nspe") bpfms=$(median <"$TMPD/bpfms")

echo "# $NNS namespaces, $((PAIRS * 2 * NNS)) sockets (shared hash), churn $((CHURN * NNS))/s in all;"
echo "# $ROUNDS rounds of $TICKS ticks at -d $DELAY, default budget; medians over ticks after the first"
printf '%-46s %12s %8s\n' what value ratio
printf '%-46s %12s %8s\n' "collector CPU per tick, --no-bpf (ms)" "$cnb" 1.00
printf '%-46s %12s %8s\n' "collector CPU per tick, events (ms)" "$cev" "$(awk -v a="$cev" -v b="$cnb" 'BEGIN { printf("%.2f", (b > 0 ? a / b : 0)) }')"
printf '%-46s %12s %8s\n' "... of which reading the maps (ms)" "$rd" "$(awk -v a="$rd" -v b="$cev" 'BEGIN { printf("%.3f", (b > 0 ? a / b : 0)) }')"
printf '%-46s %12s %8s\n' "BPF program: events handled per second" "$eps" -
printf '%-46s %12s %8s\n' "BPF program: ns per event" "$nspe" -
printf '%-46s %12s %8s\n' "BPF program: CPU ms per second of run" "$bpfms" -
printf '%-46s %12s %8s\n' "oldest exact count of ours per tick, --no-bpf" "${anb} ms" 1.00
printf '%-46s %12s %8s\n' "oldest exact count of ours per tick, events" "${aev} ms" "$(awk -v a="$aev" -v b="$anb" 'BEGIN { printf("%.2f", (b > 0 ? a / b : 0)) }')"
printf '%-46s %12s %8s\n' "... the worst tick, --no-bpf / events" "$amx_nb / $amx_ev ms" -
printf '%-46s %12s %8s\n' "our rows counted from events per tick" "$nev of $NNS" -
if [ -n "$OTHER" ]; then
	cob=$(cat_all ob cpu | median) rob=$(cat_all ob read | median)
	echo "# against -B $OTHER, with events, the same rounds:"
	printf '%-46s %12s %8s\n' "collector CPU per tick, -B (ms)" "$cob" 1.00
	printf '%-46s %12s %8s\n' "collector CPU per tick, this build (ms)" "$cev" "$(awk -v a="$cev" -v b="$cob" 'BEGIN { printf("%.2f", (b > 0 ? a / b : 0)) }')"
	printf '%-46s %12s %8s\n' "map reads per tick, -B (ms)" "$rob" 1.00
	printf '%-46s %12s %8s\n' "map reads per tick, this build (ms)" "$rd" "$(awk -v a="$rd" -v b="$rob" 'BEGIN { printf("%.2f", (b > 0 ? a / b : 0)) }')"
fi
