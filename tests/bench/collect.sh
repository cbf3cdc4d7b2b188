#!/bin/bash
# tests/bench/collect.sh: what one collection pass costs on a large node,
# as ratios to a bare dump loop measured in the same run (root).
#
# It fills N network namespaces (default 50) with S TCP sockets in all
# (default 100k: S/2N ESTABLISHED pairs per namespace, made by sockgen), then
# measures the cost of one pass over every namespace (the N made here, plus
# this shell's own, which connwatch also dumps), for each row:
#   (c) dumploop -m legacy: one TCPDIAG_GETSOCK (AF_UNSPEC) dump per
#       namespace, counting messages only. The baseline (1.00).
#   (d) dumploop -m family: SOCK_DIAG_BY_FAMILY, AF_INET then AF_INET6.
#       dumploop -m parse-legacy: connwatch's cw_diag_dump (request, receive,
#       cw_diag_parse into records), to show what parsing adds.
#       dumploop -m parse-legacy-udp: the same plus the UDP port-53 dump
#       (cw_diag_dump_udp_dns: AF_INET and AF_INET6 requests, each a walk
#       of the UDP hash): connwatch's whole dump. Its ratio to parse-legacy
#       (printed under the table) is what counting DNS sockets costs.
#       dumploop -m udp: the UDP port-53 dump alone.
#   (a) connwatch --json --delay 1 --budget 100: collector.cpu_ms of a tick
#       with every namespace dumped, split into dump_ms and the rest.
#   (b) the same with the default budget (10% of a core).
#   (e) `ip netns exec NS ss -tan` in every namespace (wall, and the CPU of
#       all the children), and `ip netns exec NS true` (its exec overhead).
#       dumploop -m counters: the cheap per-namespace counters alone.
# The machine is noisy (its speed drifts by 30% over seconds), so the rows
# are interleaved: each of R rounds (default 5) runs every row once, and a
# row's ratios are the medians of its per-round ratios to that round's
# baseline; the ms columns are medians over the rounds. A connwatch row is a
# fresh `connwatch --json --count 2`, of which the second tick is used (the
# first also opens every handle, and dumps every namespace whatever the
# budget). Columns: namespaces dumped per pass (connwatch: dumped/seen),
# CPU ms and wall ms per pass, CPU ms per namespace dumped, and the two
# ratios: per pass, and per namespace dumped (they differ when a row dumps
# fewer namespaces, or when connwatch also sees namespaces that others made
# on this node).
#
# A second section does it all again in namespaces created while
# net.ipv4.tcp_child_ehash_entries=4096 (each gets its own TCP hash, so its
# dumps walk only its own sockets); the sysctl is restored right after the
# namespaces exist (it only matters at creation), and again at exit.
#
# Usage: tests/bench/collect.sh [-n NS] [-s SOCKETS] [-r ROUNDS] [-1]
#   -1  only the first (shared hash) section.
# Needs: root, ip, ss, jq, perf (or /usr/bin/time), and built binaries:
#   make connwatch tests/tools/sockgen tests/tools/dumploop
# Everything it creates (namespaces, sockgen processes, temp files) is
# removed at exit, and only the processes it started are stopped.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
. "$top_srcdir/tests/bench/bench-lib.sh"

NNS=50
SOCKS=100000
ROUNDS=5
SECOND=1
while getopts "n:s:r:1h" o; do
	case $o in
	n) NNS=$OPTARG ;;
	s) SOCKS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	1) SECOND=0 ;;
	h) sed -n '2,/^# removed at exit/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
[[ $NNS =~ ^[1-9][0-9]*$ && $SOCKS =~ ^[0-9]+$ && $ROUNDS =~ ^[1-9][0-9]*$ ]] ||
	bail "usage: collect.sh [-n NS] [-s SOCKETS] [-r ROUNDS] [-1]"

[ "$(id -u)" -eq 0 ] || bail "needs root (network namespaces)"
for c in ip ss jq; do command -v "$c" >/dev/null || bail "needs $c"; done
DUMPLOOP=${DUMPLOOP:-$top_builddir/tests/tools/dumploop}
for b in "$CONNWATCH" "$SOCKGEN" "$DUMPLOOP"; do
	[ -x "$b" ] || bail "no $b: make connwatch tests/tools/sockgen tests/tools/dumploop"
done

PAIRS=$((SOCKS / (2 * NNS)))
[ "$PAIRS" -ge 1 ] || PAIRS=1
read -r lo hi </proc/sys/net/ipv4/ip_local_port_range
[ $((hi - lo)) -gt $((PAIRS + 1000)) ] || bail "ip_local_port_range $lo-$hi is too small for $PAIRS pairs"

TMPD=$(mktemp -d /tmp/cwbench-collect.XXXXXX)
on_exit "rm -rf '$TMPD'"
T0=$SECONDS
EHASH_OLD=$(sysctl -n net.ipv4.tcp_child_ehash_entries)

# Rows, in table order: key|label. Every round runs each row once, in this
# order, so that the machine's drift (it is noisy) hits all rows alike; a
# row's ratios are the medians of its per-round ratios to the same round's
# baseline.
ROWDEFS=(
	"dl-legacy|(c) dumploop legacy: bare walk, count only"
	"dl-family|(d) dumploop family: AF_INET + AF_INET6 dumps"
	"dl-parse-legacy|    dumploop parse-legacy: cw_diag_dump, parsed"
	"dl-parse-udp|    dumploop parse-legacy-udp: + UDP port-53 dump"
	"dl-udp|    dumploop udp: the UDP port-53 dump alone"
	"cw-100|(a) connwatch --budget 100: cpu per tick"
	"cw-100-dump|    of which dumps (collector.dump_ms)"
	"cw-100-rest|    the rest of the tick (cpu_ms - dump_ms)"
	"cw-10|(b) connwatch default budget (10%): cpu per tick"
	"ss|(e) ip netns exec NS ss -tan (+ ss -tan here)"
	"true|    ip netns exec NS true (the exec overhead in (e))"
	"dl-counters|    cheap counters alone (cw_nscount_read)"
)

# sample KEY CPU_MS WALL_MS DUMPED TOTAL: one round's numbers for a row; the
# dl-legacy row must come first in a round (it is the baseline).
sample() {
	if [ "$1" = dl-legacy ]; then
		BASE_CPU=$2 BASE_NS=$4
	fi
	echo "$2 $3 $4 $5" | awk -v bc="$BASE_CPU" -v bn="$BASE_NS" '{
		printf "%s %s %s %s %.4f %.4f\n", $1, $2, $3, $4, $1 / bc, ($3 > 0 ? ($1 / $3) / (bc / bn) : 0) }' \
		>>"$TMPD/s-$1"
}

# dumploop_round KEY MODE: one round of dumploop over every namespace.
dumploop_round() {
	local out=$TMPD/dl.out
	"$DUMPLOOP" -r 1 -m "$2" "${PATHS[@]}" >"$out" 2>"$out.err" ||
		bail "dumploop -m $2 failed: $(head -c 300 "$out.err")"
	sample "$1" $(awk '$1 == "round" { print $4, $6 }' "$out") "${#PATHS[@]}" "${#PATHS[@]}"
	[ "$2" = legacy ] && DL_SOCKETS=$(awk '$1 == "round" { print $8 }' "$out")
	return 0
}

# connwatch_round BUDGET: two ticks of connwatch --json; the second is used
# (the first also opens every handle, and dumps everything).
connwatch_round() {
	local out=$TMPD/cw.json t
	"$CONNWATCH" --json --count 2 --delay 1 --budget "$1" >"$out" 2>"$out.err" ||
		bail "connwatch --json failed: $(head -c 300 "$out.err")"
	t=$(jq -r '.collector | "\(.cpu_ms) \(.dump_ms) \(.netns_dumped) \(.netns_total) \(.dump_mode)"' \
		"$out" | sed -n 2p)
	[ -n "$t" ] || bail "connwatch --json printed no second snapshot"
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- "$1" $t
	sample "cw-$1" "$2" - "$4" "$5"
	if [ "$1" = 100 ]; then
		sample cw-100-dump "$3" - "$4" "$5"
		sample cw-100-rest "$(awk -v a="$2" -v b="$3" 'BEGIN { print a - b }')" - "$4" "$5"
		CW_MODE=$6
	fi
}

# exec_round: `ip netns exec NS ss -tan` (and `true`) in every namespace.
exec_round() {
	{
		echo "ss -tan >/dev/null"
		printf "ip netns exec '%s' ss -tan >/dev/null\n" "${NSLIST[@]}"
	} >"$TMPD/ss.sh"
	printf "ip netns exec '%s' true\n" "${NSLIST[@]}" >"$TMPD/true.sh"
	sample ss $(cpu_of "$TMPD/ss.sh" || bail "ss -tan failed") $((NNS + 1)) $((NNS + 1))
	sample true $(cpu_of "$TMPD/true.sh" || bail "ip netns exec true failed") "$NNS" "$NNS"
}

# col KEY N: the median of column N of a row's samples.
col() { awk -v n="$2" '{ print $n }' "$TMPD/s-$1" | median; }

# measure TITLE: ROUNDS interleaved rounds of every row, then the table.
measure() {
	local ehash_in node_before load r n def key label
	DL_SOCKETS='?' CW_MODE='?'
	rm -f "$TMPD"/s-*
	PATHS=(.)
	for n in "${NSLIST[@]}"; do PATHS+=("/run/netns/$n"); done
	ehash_in=$(ip netns exec "${NSLIST[0]}" cat /proc/sys/net/ipv4/tcp_ehash_entries)
	node_before=$(node_tcp)
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	for ((r = 1; r <= ROUNDS; r++)); do
		dumploop_round dl-legacy legacy
		dumploop_round dl-family family
		dumploop_round dl-parse-legacy parse-legacy
		dumploop_round dl-parse-udp parse-legacy-udp
		dumploop_round dl-udp udp
		connwatch_round 100
		connwatch_round 10
		exec_round
		dumploop_round dl-counters counters
		echo "# round $r/$ROUNDS done ($((SECONDS - T0)) s)" >&2
	done

	echo
	echo "== $1"
	echo "   $NNS namespaces x $PAIRS ESTABLISHED pairs; $DL_SOCKETS TCP sockets in them and this shell's netns;" \
		"node: $node_before TCP sockets allocated (sockstat alloc, every namespace; $(node_tcp) at the end)"
	echo "   net.ipv4.tcp_child_ehash_entries is $(sysctl -n net.ipv4.tcp_child_ehash_entries) now;" \
		"in the namespaces tcp_ehash_entries = $ehash_in" \
		"($([ "$ehash_in" -lt 0 ] && echo "negative: they share the node's hash, every dump walks all of it" ||
			echo "positive: a hash of their own"))"
	echo "   medians of $ROUNDS interleaved rounds; loadavg at start $load; connwatch dump mode $CW_MODE;" \
		"connwatch also dumps namespaces others made on this node (netns column: dumped/seen)"
	printf '%-52s %7s %9s %9s %9s %7s %7s\n' "" netns "cpu ms" "wall ms" "cpu ms/ns" "x pass" "x /ns"
	for def in "${ROWDEFS[@]}"; do
		key=${def%%|*} label=${def#*|}
		local nd tot wall
		nd=$(col "$key" 3) tot=$(col "$key" 4)
		wall=$(awk '$2 != "-" { print $2 }' "$TMPD/s-$key" | median)
		printf '%-52s %7s %9.1f %9s %9.3f %7.2f %7.2f\n' "$label" \
			"$([ "$key" = "${key#cw-}" ] && echo "$nd" || echo "$nd/$tot")" "$(col "$key" 1)" \
			"$([ "$wall" = nan ] && echo - || printf '%.1f' "$wall")" \
			"$(awk -v c="$(col "$key" 1)" -v n="$nd" 'BEGIN { print (n > 0 ? c / n : 0) }')" \
			"$(col "$key" 5)" "$(col "$key" 6)"
	done
	# Per round, parse-legacy-udp over parse-legacy: the UDP dump's share.
	paste "$TMPD/s-dl-parse-udp" "$TMPD/s-dl-parse-legacy" | awk '{ print $1 / $7 }' | median |
		awk '{ printf "   the UDP port-53 dump: x%.3f the TCP-only parsed dump (median of per-round ratios)\n", $1 }'
}

# Section 1: the default, shared hash.
[ "$EHASH_OLD" = 0 ] ||
	echo "# note: net.ipv4.tcp_child_ehash_entries is $EHASH_OLD, not 0: namespaces made here get their own hash" >&2
populate "cwb$$s"
start_load
measure "shared TCP hash (tcp_child_ehash_entries=$EHASH_OLD, the default)"
teardown

# Section 2: a hash per namespace.
if [ "$SECOND" = 1 ]; then
	on_exit "sysctl -qw net.ipv4.tcp_child_ehash_entries=$EHASH_OLD"
	sysctl -qw net.ipv4.tcp_child_ehash_entries=4096 || bail "cannot set tcp_child_ehash_entries"
	populate "cwb$$p"
	sysctl -qw net.ipv4.tcp_child_ehash_entries="$EHASH_OLD"
	start_load
	measure "a TCP hash per namespace (created with tcp_child_ehash_entries=4096, restored to $EHASH_OLD)"
	teardown
fi
echo
echo "# run time: $((SECONDS - T0)) s"
