#!/bin/bash
# tests/bench/firsttick.sh: connwatch's dump path on its first tick (where
# every namespace is dumped) against a bare dump loop, each connwatch run
# bracketed by two bare passes (root).
#
# The suite measures its "dump path" column against one bare pass taken at
# the start of a round, minutes before connwatch's first tick; under churn
# the machine's speed drifts by more than the 10% the target allows. Here
# each round runs, back to back:
#   bare     tests/tools/dumploop -m legacy over our namespaces and this
#            shell's: the baseline;
#   cw       connwatch --json -n 1 --no-bpf: the sum of dump_ms of the same
#            rows on its (only, exact) tick;
#   cw+bpf   the same with state events loaded;
#   parse    dumploop -m parse-legacy-udp: connwatch's dump code (request,
#            parse, the UDP port-53 dump) without the rest of connwatch;
#   bare     again.
# Each row's ratio is to the mean of the two bare passes around it in that
# round; the table gives the medians over rounds.
# Usage: tests/bench/firsttick.sh [-n NS] [-s SOCKETS] [-r ROUNDS] [-c CHURN]
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
. "$top_srcdir/tests/bench/bench-lib.sh"

NNS=50 SOCKS=100000 ROUNDS=5 CHURN=0
while getopts n:s:r:c: o; do
	case $o in
	n) NNS=$OPTARG ;;
	s) SOCKS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	c) CHURN=$OPTARG ;;
	*) echo "usage: $0 [-n NS] [-s SOCKETS] [-r ROUNDS] [-c CHURN]" >&2; exit 2 ;;
	esac
done
[[ $NNS =~ ^[1-9][0-9]*$ && $SOCKS =~ ^[0-9]+$ && $ROUNDS =~ ^[1-9][0-9]*$ && $CHURN =~ ^[0-9]+$ ]] ||
	{ echo "usage: $0 [-n NS] [-s SOCKETS] [-r ROUNDS] [-c CHURN]" >&2; exit 2; }
need_root
need_cmd ip jq
DUMPLOOP=${DUMPLOOP:-$top_builddir/tests/tools/dumploop}
for b in "$CONNWATCH" "$SOCKGEN" "$DUMPLOOP"; do
	[ -x "$b" ] || bail "no $b: make connwatch tests/tools/sockgen tests/tools/dumploop"
done
PAIRS=$((SOCKS / NNS / 2))
TMPD=$(mktemp -d /tmp/cwb-firsttick.XXXXXX)
on_exit "rm -rf '$TMPD'"
P=cwbt$$
populate "$P"
start_churn_load "$CHURN"
PATHS=(.)
for n in "${NSLIST[@]}"; do PATHS+=("/run/netns/$n"); done

bare() { "$DUMPLOOP" -r 1 -m "${1:-legacy}" "${PATHS[@]}" | awk '$1 == "round" { print $4 }'; }
# cw ARGS...: the first tick's dump CPU of our rows and the host's.
cw() {
	"$CONNWATCH" --json -n 1 "$@" >"$TMPD/one.json" 2>"$TMPD/one.err" ||
		bail "connwatch --json -n 1 $* failed: $(head -c 300 "$TMPD/one.err")"
	jq -r --arg p "$P-" '[.netns[] | select(.kind == "host" or (.label | startswith($p))) | .dump_ms // 0] | add' "$TMPD/one.json"
}
x() { awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN { printf "%.4f\n", a / ((b + c) / 2) }'; }

declare -a B CW CWB PA XCW XCWB XPA
for ((r = 1; r <= ROUNDS; r++)); do
	b0=$(bare)
	c=$(cw --no-bpf)
	b1=$(bare)
	e=$(cw)
	b2=$(bare)
	p=$(bare parse-legacy-udp)
	b3=$(bare)
	B+=("$b0" "$b1" "$b2" "$b3") CW+=("$c") CWB+=("$e") PA+=("$p")
	XCW+=("$(x "$c" "$b0" "$b1")") XCWB+=("$(x "$e" "$b1" "$b2")") XPA+=("$(x "$p" "$b2" "$b3")")
	echo "# round $r: bare $b0 | cw $c | bare $b1 | cw+bpf $e | bare $b2 | parse $p | bare $b3 (ms)" >&2
done
m() { printf '%s\n' "$@" | median; }
echo "# $NNS namespaces, $((PAIRS * 2 * NNS)) sockets (shared hash), churn $CHURN/s in all, $ROUNDS rounds; medians"
printf '%-44s %10s %8s\n' what "CPU ms" "× bare"
printf '%-44s %10.0f %8s\n' "bare dump loop (dumploop -m legacy)" "$(m "${B[@]}")" 1.00
printf '%-44s %10.0f %8.2f\n' "connwatch first tick, --no-bpf (dump_ms)" "$(m "${CW[@]}")" "$(m "${XCW[@]}")"
printf '%-44s %10.0f %8.2f\n' "connwatch first tick, state events" "$(m "${CWB[@]}")" "$(m "${XCWB[@]}")"
printf '%-44s %10.0f %8.2f\n' "its dump code alone (parse-legacy-udp)" "$(m "${PA[@]}")" "$(m "${XPA[@]}")"
echo "# ratios: each to the mean of the two bare passes around it; spread of the bare passes: $(printf '%s\n' "${B[@]}" | sort -g | sed -n '1p;$p' | tr '\n' ' ')ms"
teardown
