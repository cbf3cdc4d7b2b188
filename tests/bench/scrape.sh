#!/bin/bash
# tests/bench/scrape.sh: what a Prometheus scrape of connwatch's exporter
# costs on a populated node, as a ratio to the tick itself, measured in the
# same run (root).
#
# It fills N network namespaces (default 100) with S TCP sockets in all
# (default 20k, as ESTABLISHED pairs made by sockgen), then runs
# `connwatch --json -d 1 --budget 100 --listen 127.0.0.1:PORT` (every
# namespace dumped on every tick) and, once it has ticked a few times,
# scrapes /metrics 50 times (curl, one connection each, 0.2 s apart). Rows:
#   tick          the collector's CPU per tick (collector.cpu_ms, median of
#                 the ticks during the scrapes): the baseline (1.00);
#   scrape        curl's time_total per scrape (connect, render, transfer),
#                 median of 50, and the worst.
# Each is done with peers off and with --metrics-peers 5; the size of the
# text and its series are printed too.
#
# Usage: tests/bench/scrape.sh [-n NS] [-s SOCKETS]
# Needs: root, ip, curl, jq, and built binaries: make connwatch tests/tools/sockgen
# Everything it creates (namespaces, sockgen processes, temp files) is
# removed at exit, and only the processes it started are stopped.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
. "$top_srcdir/tests/bench/bench-lib.sh"

NNS=100
SOCKS=20000
SCRAPES=50
while getopts "n:s:h" o; do
	case $o in
	n) NNS=$OPTARG ;;
	s) SOCKS=$OPTARG ;;
	h) sed -n '2,/^# removed at exit/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
[[ $NNS =~ ^[1-9][0-9]*$ && $SOCKS =~ ^[0-9]+$ ]] || bail "usage: scrape.sh [-n NS] [-s SOCKETS]"
[ "$(id -u)" -eq 0 ] || bail "needs root (network namespaces)"
for c in ip curl jq python3; do command -v "$c" >/dev/null || bail "needs $c"; done
for b in "$CONNWATCH" "$SOCKGEN"; do
	[ -x "$b" ] || bail "no $b: make connwatch tests/tools/sockgen"
done
PAIRS=$((SOCKS / (2 * NNS)))
[ "$PAIRS" -ge 1 ] || PAIRS=1

TMPD=$(mktemp -d /tmp/cwbench-scrape.XXXXXX)
on_exit "rm -rf '$TMPD'"
populate "cwbs$$"
start_load

# run PEERS: one connwatch, 50 scrapes; prints "tick_ms scrape_med scrape_max bytes series ticks"
run() {
	local peers=$1 port cw i n0 n1
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	local args=(--json --count 100000 -d 1 --budget 100 --listen "127.0.0.1:$port")
	[ "$peers" -gt 0 ] && args+=(--metrics-peers "$peers")
	"$CONNWATCH" "${args[@]}" >"$TMPD/ticks-$peers.json" 2>"$TMPD/cw.err" &
	cw=$!
	on_exit "kill_wait $cw"
	for ((i = 0; i < 300; i++)); do
		[ "$(wc -l <"$TMPD/ticks-$peers.json" 2>/dev/null || echo 0)" -ge 4 ] && break
		kill -0 $cw 2>/dev/null || bail "connwatch ended: $(head -c 300 "$TMPD/cw.err")"
		sleep 0.1
	done
	curl -sf -o "$TMPD/m-$peers.txt" "http://127.0.0.1:$port/metrics" || bail "no /metrics"
	n0=$(wc -l <"$TMPD/ticks-$peers.json")
	: >"$TMPD/lat-$peers"
	for ((i = 0; i < SCRAPES; i++)); do
		curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/metrics" >>"$TMPD/lat-$peers"
		sleep 0.2
	done
	n1=$(wc -l <"$TMPD/ticks-$peers.json")
	kill_wait $cw
	# The ticks that completed during the scrapes (the last line may be cut).
	sed -n "$((n0 + 1)),$((n1 - 1))p" "$TMPD/ticks-$peers.json" | jq -r '.collector.cpu_ms' >"$TMPD/tick-$peers"
	printf '%s %s %s %s %s %s\n' \
		"$(median <"$TMPD/tick-$peers")" \
		"$(awk '{ print $1 * 1000 }' "$TMPD/lat-$peers" | median)" \
		"$(awk '{ print $1 * 1000 }' "$TMPD/lat-$peers" | sort -g | tail -1)" \
		"$(wc -c <"$TMPD/m-$peers.txt")" \
		"$(grep -vc '^#' "$TMPD/m-$peers.txt")" \
		"$(wc -l <"$TMPD/tick-$peers")"
}

echo "# connwatch exporter: $NNS namespaces x $PAIRS ESTABLISHED pairs ($(node_tcp) TCP sockets on the node)"
printf '%-34s %10s %8s\n' "row" "ms" "ratio"
for peers in 0 5; do
	read -r tick med max bytes series nt < <(run "$peers")
	label=$([ "$peers" -gt 0 ] && echo "--metrics-peers $peers" || echo "peers off")
	echo "## $label: $series series, $bytes bytes; $nt ticks during $SCRAPES scrapes"
	printf '%-34s %10.2f %8.2f\n' "tick: collector CPU (baseline)" "$tick" 1
	printf '%-34s %10.2f %8.3f\n' "scrape: latency, median of $SCRAPES" "$med" "$(awk -v a="$med" -v b="$tick" 'BEGIN { print a / b }')"
	printf '%-34s %10.2f %8.3f\n' "scrape: latency, worst" "$max" "$(awk -v a="$max" -v b="$tick" 'BEGIN { print a / b }')"
done
