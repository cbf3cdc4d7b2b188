#!/bin/bash
# tests/bench/suite.sh: the whole benchmark in one Markdown table, one row per
# population (root). For every P namespaces x S sockets (default: P in 10,
# 50, 110, 200 and S in 10k, 100k, 500k) and every hash kind (shared: the
# node's TCP hash, the default; own: namespaces created while
# net.ipv4.tcp_child_ehash_entries=4096, each with a hash of its own; the
# sysctl is restored at once, and again at exit), it builds the population
# once: P namespaces, each with a sockgen holding S/2P ESTABLISHED pairs and
# churning C/P connections a second (C, default 1000, across the node: the
# events target). It waits --settle seconds (default 60, TIME_WAIT's length,
# so that the churn's TIME_WAIT sockets reach their steady number), then runs
# R interleaved rounds (default 3) of:
#   bare    tests/tools/dumploop -m legacy over our namespaces and this
#           shell's (the host's): the bare dump loop, the baseline (1.00);
#   ss      `ip netns exec NS ss -tan` in each (and `ss -tan` here), CPU of
#           all the children (perf stat);
#   counters `connwatch --json --no-bpf --budget 0.001 -d 1`: the smallest
#           budget (0 is refused), so that after the first tick (exact
#           everywhere, as --json promises) no dump fits: the CPU of the
#           ticks that dumped nothing is the cost of the counters alone;
#   budget  `connwatch --json --no-bpf -d 1`, the default budget, run long
#           enough to see a full round of dumps (1.5 times the round-robin
#           period that the bare pass predicts, + 4 ticks; at most -T, 300): CPU
#           per tick, and the oldest exact count (collector.oldest_exact_ms,
#           its maximum over the run: the refresh period);
#   events  `connwatch --json -d 1` with TCP state events: CPU per tick, the
#           oldest exact count, the events handled per second and the BPF
#           program's CPU (kernel.bpf_stats_enabled, on for the run and
#           restored at exit); "-" where events are not available;
#   first   `connwatch --json -n 1` (exact for every pod: its wall time) and
#           the live view in tmux until its first screen shows our pods;
#   keys    keylat (keys.sh's method): -k key presses against the live view
#           `connwatch --budget 100 -d 0.5` (the collector walking the node
#           back to back): p95 of the key-to-redraw latency.
# connwatch's dump path is the sum of the per-row dump_ms of our rows and
# the host's on the first tick of the budget and events runs (where every
# row is dumped), over the bare loop's pass of the same namespaces in the
# same round. RSS is the maximum resident size (GNU time) of the three
# --json runs. Every figure is the median over rounds of the per-round
# figure (ratios: of per-round ratios).
#
# Usage: tests/bench/suite.sh [-P 10,50,...] [-S 10000,...] [--hash shared,own]
#          [-r ROUNDS] [-c CHURN] [-k PRESSES] [-T MAXTICKS] [--settle S]
#          [-o FILE|DIR] [-n]
#   -o   also write the table to FILE (a DIR gets DIR/YYYY-MM-DD.md, or
#        YYYY-MM-DD-2.md and on where that exists: nothing is overwritten)
#   -n   dry run: check that each row is feasible here (descriptors, ports,
#        kernel memory) and estimate its run time and the grid's; no change.
#        A row whose sockgen needs more descriptors than a process may have
#        here (the hard limit, or fs.nr_open where it may be raised) is not
#        run: its table row says so.
# Needs: root, ip, ss, jq, tmux, perf, bpftool (for the events figures),
#   /usr/bin/time, and: make connwatch tests/tools/sockgen
#   tests/tools/dumploop tests/tools/keylat
# Everything it creates (namespaces, sockgen processes, tmux server, temp
# files, the sysctls it changes) is removed or restored at exit, and only the
# processes it started are stopped.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
. "$top_srcdir/tests/bench/bench-lib.sh"

PLIST=10,50,110,200 SLIST=10000,100000,500000 HASHES=shared,own
ROUNDS=3 CHURN=1000 PRESSES=40 MAXT=300 SETTLE=60 OUT='' DRY=0
DELAY=1 TICKS_COUNTERS=8 TICKS_EVENTS=12
usage() { echo "usage: suite.sh [-P LIST] [-S LIST] [--hash shared,own] [-r R] [-c CHURN] [-k PRESSES] [-T MAXTICKS] [--settle S] [-o FILE|DIR] [-n]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	-P) PLIST=$2; shift ;;
	-S) SLIST=$2; shift ;;
	--hash) HASHES=$2; shift ;;
	-r) ROUNDS=$2; shift ;;
	-c) CHURN=$2; shift ;;
	-k) PRESSES=$2; shift ;;
	-T) MAXT=$2; shift ;;
	--settle) SETTLE=$2; shift ;;
	-o) OUT=$2; shift ;;
	-n) DRY=1 ;;
	-h | --help) sed -n '2,/^# processes it started/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) usage ;;
	esac
	shift || usage
done
IFS=, read -r -a PS <<<"$PLIST"
IFS=, read -r -a SS <<<"$SLIST"
IFS=, read -r -a HS <<<"$HASHES"
for v in "${PS[@]}" "${SS[@]}" "$ROUNDS" "$PRESSES" "$MAXT"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || usage
done
[[ $CHURN =~ ^[0-9]+$ && $SETTLE =~ ^[0-9]+$ ]] || usage
for h in "${HS[@]}"; do [[ $h == shared || $h == own ]] || usage; done

# Cost model for -n (measured here, kernel 6.18, 2 cores; DESIGN.md §3 and
# the validation run of this script): a legacy dump walks the whole shared
# hash at 0.15 us a socket, or only its namespace's at 0.93 us; sockgen
# builds about BUILD_RATE sockets a second across the node (100k took 1 s
# in the validation run, so this is cautious); a socket with
# its file costs about SOCK_BYTES of kernel memory (slab objects here: TCP
# 2368, sock_inode_cache 832, filp 192, dentry 192, and the fd table).
BUILD_RATE=${BUILD_RATE:-50000} SOCK_BYTES=${SOCK_BYTES:-4096}

# pass_ms P S HASH: predicted CPU ms of one dump pass over P namespaces + host.
pass_ms() {
	local tw=$((CHURN * 60))
	if [ "$3" = shared ]; then
		awk -v p="$1" -v s="$2" -v tw="$tw" 'BEGIN { printf "%.0f", (p + 1) * (2 + 0.00015 * (s + tw)) }'
	else
		awk -v p="$1" -v s="$2" -v tw="$tw" 'BEGIN {
			twc = tw / p; if (twc > 2048) twc = 2048  # tcp_max_tw_buckets = 4096/2 there
			printf "%.0f", (p + 1) * 0.07 + 0.00093 * (s + p * twc) }'
	fi
}

# long_ticks PASS_MS: ticks of the budget run: 1.5 x the round-robin period
# at the default budget (100 ms a second) + 4, within 10..MAXT.
long_ticks() {
	awk -v c="$1" -v m="$MAXT" 'BEGIN { t = int(1.5 * c / 100 + 0.999) + 4
		if (t < 10) t = 10; if (t > m) t = m; print t }'
}

# estimate P S HASH: "BUILD_S ROUND_S" predicted for one row.
estimate() {
	local pass tl
	pass=$(pass_ms "$@")
	tl=$(long_ticks "$pass")
	awk -v p="$1" -v s="$2" -v c="$pass" -v tl="$tl" -v tc="$TICKS_COUNTERS" -v te="$TICKS_EVENTS" \
		-v k="$PRESSES" -v br="$BUILD_RATE" -v st="$SETTLE" 'BEGIN {
		build = s / br + p * 0.05 + st
		# bare + ss (2.5 x bare, + 15 ms exec a namespace) + three --json runs
		# (each a first tick of one pass, then ticks of 1 s) + --json -n 1 +
		# the first screen + keylat (~0.25 s a press, started after a pass)
		r = c / 1000 * 3.5 + p * 0.015 + 3 * c / 1000 + tc + tl + te + c / 1000 + 1.5 + 0.25 * k + c / 1000 + 2
		printf "%.0f %.0f\n", build, r }'
}

fmt_s() { awk -v s="$1" 'BEGIN { if (s >= 3600) printf "%dh%02dm", s / 3600, (s % 3600) / 60; else printf "%dm%02ds", s / 60, s % 60 }'; }

machine() {
	echo "Machine: $(uname -sr), $(nproc) cores, $(awk '$1 == "MemTotal:" { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo);" \
		"$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg); connwatch $(git -C "$top_srcdir" describe --always --dirty 2>/dev/null || echo '?')"
}

# sockgen_fds P S: the descriptors a row's sockgen needs (its own
# reckoning; TIME_WAIT holds none).
sockgen_fds() { echo $((256 + 2 * ($2 / (2 * $1)) + 1024)); }

# dry_run: the feasibility and run-time table of -n.
dry_run() {
	local lo hi nr_open fdmax file_max avail total h s p pairs fds kmem ok pass b r row
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range
	nr_open=$(cat /proc/sys/fs/nr_open) file_max=$(cat /proc/sys/fs/file-max) fdmax=$(fd_ceiling)
	avail=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo) # KiB
	echo "# dry run: $ROUNDS rounds, churn $CHURN/s, settle $SETTLE s, $PRESSES key presses; fs.nr_open $nr_open," \
		"descriptors a process may have $fdmax," \
		"fs.file-max $file_max, ports $lo-$hi, MemAvailable $((avail >> 10)) MiB"
	printf '| %4s | %7s | %6s | %8s | %11s | %11s | %8s | %7s | %5s | %6s | %12s | %6s |\n' P S hash "pairs/ns" \
		"fds/sockgen" "feasible" "kmem MiB" "pass ms" ticks build rounds row
	total=0
	for h in "${HS[@]}"; do for s in "${SS[@]}"; do for p in "${PS[@]}"; do
		pairs=$((s / (2 * p)))
		fds=$(sockgen_fds "$p" "$s")
		kmem=$(((s * SOCK_BYTES + CHURN * 60 * 256) >> 20)) # a TIME_WAIT socket is 256 bytes

		ok=ok
		[ "$fds" -le "$fdmax" ] || ok="fds>limit"
		[ $((hi - lo)) -gt $((pairs + 1000)) ] || ok="ports"
		[ $((s + 2 * CHURN * 60)) -lt "$file_max" ] || ok="file-max"
		[ $((kmem << 10)) -lt $((avail / 2)) ] || ok="memory"
		pass=$(pass_ms "$p" "$s" "$h")
		read -r b r < <(estimate "$p" "$s" "$h")
		row=$((b + ROUNDS * r))
		[ "$ok" = ok ] && total=$((total + row)) # rows that cannot run here are left out
		printf '| %4s | %7s | %6s | %8s | %11s | %11s | %8s | %7s | %5s | %6s | %12s | %6s |\n' "$p" "$s" "$h" "$pairs" "$fds" \
			"$ok" "$kmem" "$pass" "$(long_ticks "$pass")" "$(fmt_s "$b")" "$ROUNDS x $(fmt_s "$r")" "$(fmt_s "$row")"
	done; done; done
	echo "# estimated run time of the whole grid (the feasible rows): $(fmt_s "$total")"
}
if [ "$DRY" = 1 ]; then
	dry_run
	exit
fi

need_root
need_cmd ip ss jq tmux perf
DUMPLOOP=${DUMPLOOP:-$top_builddir/tests/tools/dumploop}
KEYLAT=${KEYLAT:-$top_builddir/tests/tools/keylat}
for b in "$CONNWATCH" "$SOCKGEN" "$DUMPLOOP" "$KEYLAT" /usr/bin/time; do
	[ -x "$b" ] || bail "no $b: make connwatch tests/tools/sockgen tests/tools/dumploop tests/tools/keylat"
done
TMPD=$(mktemp -d /tmp/cwb-suite.XXXXXX)
on_exit "rm -rf '$TMPD'"
SOCK=$TMPD/tmux.sock
on_exit "tmux -S '$SOCK' kill-server 2>/dev/null"
EHASH_OLD=$(sysctl -n net.ipv4.tcp_child_ehash_entries)
on_exit "sysctl -qw net.ipv4.tcp_child_ehash_entries=$EHASH_OLD"
"$CONNWATCH" --json -d 0.2 >"$TMPD/probe.json" 2>/dev/null
EVENTS=$(jq -r .collector.events "$TMPD/probe.json")
if [ "$EVENTS" = bpf ] && command -v bpftool >/dev/null; then
	stats_was=$(sysctl -n kernel.bpf_stats_enabled)
	on_exit "sysctl -qw kernel.bpf_stats_enabled=$stats_was"
	sysctl -qw kernel.bpf_stats_enabled=1
fi
T0=$SECONDS
ROWS=()
CW_PID= # the --json run in progress, stopped at exit if there is one
# shellcheck disable=SC2016 # expanded at exit, when it is run
on_exit '[ -z "$CW_PID" ] || kill_wait "$CW_PID"'

# cw_json NAME TICKS ARGS...: `connwatch --json -n TICKS -d DELAY ARGS` under
# GNU time: NAME.json, NAME.rss (max RSS, KiB); with events, NAME.prog (the
# BPF program's counters just before the end) and NAME.wall (ms).
cw_json() {
	local name=$1 n=$2 pid t0 rc
	shift 2
	t0=$(now_ms)
	/usr/bin/time -f %M -o "$TMPD/$name.rss" "$CONNWATCH" --json -n "$n" -d "$DELAY" "$@" \
		>"$TMPD/$name.json" 2>"$TMPD/$name.err" &
	pid=$! CW_PID=$!
	while kill -0 "$pid" 2>/dev/null && [ "$(wc -l <"$TMPD/$name.json")" -lt $((n - 1)) ]; do
		sleep 0.1
	done
	bpf_prog_stats >"$TMPD/$name.prog"
	echo $(($(now_ms) - t0)) >"$TMPD/$name.wall"
	wait "$pid"
	# shellcheck disable=SC2034 # CW_PID is read by the exit hook
	rc=$? CW_PID=''
	[ "$rc" = 0 ] || bail "connwatch --json $* failed: $(head -c 300 "$TMPD/$name.err")"
	[ "$(wc -l <"$TMPD/$name.json")" -eq "$n" ] || bail "connwatch --json printed $(wc -l <"$TMPD/$name.json") of $n snapshots"
}

# ticks NAME FILTER: a jq expression of .collector per tick after the first.
ticks() { tail -n +2 "$TMPD/$1.json" | jq -r ".collector | $2"; }

# ours_dump_ms NAME: the first tick's dump CPU of our rows and the host's.
ours_dump_ms() {
	head -1 "$TMPD/$1.json" | jq -r --arg p "$PREFIX-" '[.netns[] | select(.kind == "host" or
		(.label | startswith($p))) | .dump_ms // 0] | add'
}

# put KEY VALUE: one round's figure for the row.
put() { echo "$2" >>"$TMPD/v-$1"; }
# med KEY [FMT]: the median of a figure over rounds ("-" if none).
med() {
	local v
	v=$(grep -v '^-$' "$TMPD/v-$1" 2>/dev/null | median)
	[ "$v" = nan ] && echo - || printf "${2:-%.1f}" "$v"
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-") printf "%.4f", a / b; else print "-" }'; }

# keys_to: " (N timeouts)" when key presses went unanswered in any round.
keys_to() {
	local n
	n=$(awk '{ n += $1 } END { print n + 0 }' "$TMPD/v-keys_to")
	[ "$n" = 0 ] || echo " ($n timeouts)"
}

# round: one round over the current population.
round() {
	local bare ss n nb rd tl ev_ms ev_n w t0 cnt rs
	n=$((${#PATHS[@]}))
	"$DUMPLOOP" -r 1 -m legacy "${PATHS[@]}" >"$TMPD/dl.out" 2>"$TMPD/dl.err" ||
		bail "dumploop failed: $(head -c 300 "$TMPD/dl.err")"
	bare=$(awk '$1 == "round" { print $4 }' "$TMPD/dl.out")
	put bare "$bare"
	{
		echo "ss -tan >/dev/null"
		printf "ip netns exec '%s' ss -tan >/dev/null\n" "${NSLIST[@]}"
	} >"$TMPD/ss.sh"
	ss=$(cpu_of "$TMPD/ss.sh" | cut -d' ' -f1) || bail "ss -tan failed"
	put ss "$ss"
	put ss_x "$(div "$ss" "$bare")"

	cw_json cnt "$TICKS_COUNTERS" --no-bpf --budget 0.001
	cnt=$(ticks cnt 'select(.netns_dumped == 0) | .cpu_ms' | median)
	put cnt "$([ "$cnt" = nan ] && echo - || echo "$cnt")"

	tl=$(long_ticks "$bare")
	cw_json bud "$tl" --no-bpf
	put bud "$(ticks bud .cpu_ms | median)"
	put bud_mean "$(ticks bud .cpu_ms | mean)"
	put bud_dump "$(ticks bud .dump_ms | median)"
	put bud_dump_mean "$(ticks bud .dump_ms | mean)"
	nb=$(ticks bud '.oldest_exact_ms // 0' | sort -g | tail -1)
	put old_nb "$(awk -v a="$nb" 'BEGIN { print a / 1000 }')"
	# the period the budget allows: by the bare pass (100 ms of it a
	# second), and by connwatch's own dump costs (collector.round_ms, its
	# median over the run); the oldest count as a ratio to each
	rd=$(ticks bud '.round_ms // 0' | median)
	put round "$(awk -v a="$rd" 'BEGIN { if (a > 0) print a / 1000; else print "-" }')"
	put old_x_bare "$(div "$nb" "$(awk -v c="$bare" 'BEGIN { print c * 10 }')")"
	put old_x_round "$(div "$nb" "$rd")"
	# the run was shorter than the period it should show: a lower bound
	awk -v c="$bare" -v t="$tl" 'BEGIN { exit !(c / 100 * 1.25 > t - 1) }' && TRUNC=1
	put dump_x "$(div "$(ours_dump_ms bud)" "$bare")"

	if [ "$EVENTS" = bpf ]; then
		cw_json ev "$TICKS_EVENTS"
		put ev "$(ticks ev .cpu_ms | median)"
		put ev_mean "$(ticks ev .cpu_ms | mean)"
		put old_ev "$(ticks ev '.oldest_exact_ms // 0' | sort -g | tail -1 | awk '{ print $1 / 1000 }')"
		put dump_x "$(div "$(ours_dump_ms ev)" "$bare")"
		read -r ev_ms ev_n <"$TMPD/ev.prog"
		w=$(cat "$TMPD/ev.wall")
		put eps "$(awk -v c="$ev_n" -v w="$w" 'BEGIN { print c / (w / 1000) }')"
		put bpf_ms "$(awk -v t="$ev_ms" -v w="$w" 'BEGIN { print t / 1e6 / (w / 1000) }')"
		put ev_read "$(ticks ev '.events_read_ms // 0' | median)"
		rs=$(sort -g "$TMPD/cnt.rss" "$TMPD/bud.rss" "$TMPD/ev.rss" | tail -1)
	else
		rs=$(sort -g "$TMPD/cnt.rss" "$TMPD/bud.rss" | tail -1)
	fi
	put rss "$(awk -v k="$rs" 'BEGIN { print k / 1024 }')"

	t0=$(now_ms)
	"$CONNWATCH" --json -n 1 >"$TMPD/one.json" 2>"$TMPD/one.err" ||
		bail "connwatch --json -n 1 failed: $(head -c 300 "$TMPD/one.err")"
	put exact $(($(now_ms) - t0))
	put first "$(first_screen_ms "$SOCK" "$PREFIX")"

	run_keylat keys
	grep -v timeout "$TMPD/keys.lat" | awk '{ print $1 / 1000 }' | pct 0.95 >"$TMPD/keys.p95"
	put keys "$(cat "$TMPD/keys.p95")"
	put keys_to "$(grep -c timeout "$TMPD/keys.lat")"
}

# cell P S HASH: builds the population, runs the rounds, adds the table row.
cell() {
	local p=$1 s=$2 h=$3 t1 r churn ehash_in mem0 mem1 node
	# shellcheck disable=SC2034 # NNS and PAIRS are bench-lib.sh's inputs
	NNS=$p PAIRS=$((s / (2 * p)))
	PREFIX=cws$$$h$p
	churn=$(awk -v c="$CHURN" -v p="$p" 'BEGIN { print c / p }')
	rm -f "$TMPD"/v-*
	TRUNC=0
	echo "# row: $p namespaces x $s sockets, $h hash, churn $CHURN/s ($((SECONDS - T0)) s)" >&2
	t1=$EPOCHREALTIME
	mem0=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
	[ "$h" = own ] && { sysctl -qw net.ipv4.tcp_child_ehash_entries=4096 || bail "cannot set tcp_child_ehash_entries"; }
	populate "$PREFIX"
	sysctl -qw net.ipv4.tcp_child_ehash_entries="$EHASH_OLD"
	if [ "$CHURN" -gt 0 ]; then start_load --churn "$churn"; else start_load; fi
	BUILD_S=$(awk -v a="$t1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
	mem1=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
	echo "# built in $BUILD_S s (sockgen $LOAD_S s); kernel memory $(((mem0 - mem1) / 1024)) MiB," \
		"$(awk -v a="$mem0" -v b="$mem1" -v s="$s" 'BEGIN { printf "%.0f", (a - b) * 1024 / s }') bytes a socket" >&2
	ehash_in=$(ip netns exec "$PREFIX-0" cat /proc/sys/net/ipv4/tcp_ehash_entries)
	[ "$h" = shared ] && [ "$ehash_in" -gt 0 ] && echo "# note: the namespaces have their own hash ($ehash_in)" >&2
	[ "$h" = own ] && [ "$ehash_in" -lt 0 ] && bail "tcp_child_ehash_entries did not give a hash of their own"
	sleep "$SETTLE"
	node=$(node_tcp)
	PATHS=(.)
	for n in "${NSLIST[@]}"; do PATHS+=("/run/netns/$n"); done
	for ((r = 1; r <= ROUNDS; r++)); do
		round
		echo "# round $r/$ROUNDS ($((SECONDS - T0)) s)" >&2
	done
	teardown
	ROWS+=("| $p | $s | $h | $node | $BUILD_S | $(med cnt) | $(med bud) / $(med bud_mean) | $(med bud_dump) / $(med bud_dump_mean) | $(med ev) / $(med ev_mean) | $([ $TRUNC = 1 ] && echo "≥")$(med old_nb) (×$(med old_x_bare %.2f) / ×$(med old_x_round %.2f)) | $(med round) | $(med old_ev) | $(med bare %.0f) | $(med ss %.0f) (×$(med ss_x %.2f)) | ×$(med dump_x %.2f) | $(med rss) | $(med first %.0f) | $(med exact %.0f) | $(med eps %.0f) | $(med bpf_ms %.2f) | $(med keys)$(keys_to) |")
}

CW_ARGS=(--budget 100 -d 0.5)
FDMAX=$(fd_ceiling)
for h in "${HS[@]}"; do for s in "${SS[@]}"; do for p in "${PS[@]}"; do
	# a row this machine cannot hold is said so, not run
	if [ "$(sockgen_fds "$p" "$s")" -gt "$FDMAX" ]; then
		echo "# row $p x $s $h: not run: a sockgen needs $(sockgen_fds "$p" "$s") descriptors, a process may have $FDMAX here" >&2
		ROWS+=("| $p | $s | $h | not run here: a sockgen needs $(sockgen_fds "$p" "$s") descriptors, a process may have $FDMAX |")
		continue
	fi
	cell "$p" "$s" "$h"
done; done; done

{
	echo "## connwatch benchmark suite ($(date -u +%F))"
	echo
	machine
	echo "Each row: P namespaces × S ESTABLISHED sockets (sockgen pairs), churning $CHURN connections a second" \
		"across the node, measured after $SETTLE s; $ROUNDS interleaved rounds, medians; --delay $DELAY; events: $EVENTS."
	echo
	echo "| P | S | hash | node TCP | build s | cpu/tick counters ms | cpu/tick budget ms | dumps/tick budget ms | cpu/tick events ms" \
		"| oldest exact s (× period: bare / round) | round s | oldest exact s, events | bare pass ms | ss -tan ms (× bare) | dump path × bare" \
		"| RSS MB | first screen ms | all exact ms | events/s | BPF ms/s | key p95 ms |"
	echo "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "- node TCP: TCP sockets allocated on the node (sockstat alloc) after the build; build s: namespaces and sockgens until ready."
	echo "- cpu/tick: collector.cpu_ms per tick after the first: counters = ticks that dumped nothing (--budget 0.001 --no-bpf);" \
		"budget = the default budget (10% of a core), --no-bpf; events = with TCP state events (default budget);" \
		"median / mean (the budget is a rate: a tick may spend what earlier ones left)." \
		"dumps/tick: collector.dump_ms of the budget run, median / mean, against its budget of 100 ms a tick."
	echo "- oldest exact: the maximum of collector.oldest_exact_ms over a run (the refresh period);" \
		"≥: the run was shorter than 1.25× the period the bare pass predicts, so this is a lower bound;" \
		"× period: its ratio to the round-robin period the budget allows, by the bare pass (its CPU over 100 ms a second)" \
		"and by connwatch's own dump costs (round s: collector.round_ms, the sum of every row's last dump cost over the budget, median over the run)."
	echo "- bare pass: CPU of tests/tools/dumploop -m legacy over our namespaces and the host's (the baseline, 1.00);" \
		"ss -tan: CPU of ip netns exec NS ss -tan in each; dump path: connwatch's dump CPU of the same rows on its first tick over the bare pass."
	echo "- RSS: max resident size of the --json runs; first screen: start of the live view (tmux) to a screen with our pods;" \
		"all exact: wall time of connwatch --json -n 1."
	echo "- events/s and BPF ms/s: the state-event program's run count and run time per second of the events run (kernel.bpf_stats_enabled)."
	echo "- key p95: keylat, $PRESSES presses a round against connwatch ${CW_ARGS[*]}, 95th percentile (nearest rank)."
	echo "- run time: $(fmt_s $((SECONDS - T0)))."
} >"$TMPD/table.md"
cat "$TMPD/table.md"
if [ -n "$OUT" ]; then
	if [ -d "$OUT" ]; then
		# A directory: a new dated file, never one written before.
		base=${OUT%/}/$(date -u +%F) n=1
		OUT=$base.md
		while [ -e "$OUT" ]; do n=$((n + 1)); OUT=$base-$n.md; done
	fi
	cp "$TMPD/table.md" "$OUT"
	echo "# written to $OUT" >&2
fi
