# shellcheck shell=bash
# tests/bench/bench-lib.sh: helpers shared by the benchmarks (source it
# after tests/lib.sh and tests/integ/netns-lib.sh). Uses NNS, PAIRS and TMPD
# from the caller; everything made here is registered with on_exit too.

# median: of the numbers on stdin, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# mean: the mean of the numbers on stdin ("nan" if none). For rates: a
# budget spent as a rate has ticks far above and below it.
mean() { awk '{ s += $1 } END { if (NR) print s / NR; else print "nan" }'; }

# node_tcp: TCP sockets allocated on the whole node (sockstat "alloc" is
# node-wide; TIME_WAIT and request sockets are not in it).
node_tcp() { awk '$1 == "TCP:" { for (i = 2; i < NF; i += 2) if ($i == "alloc") print $(i + 1) }' /proc/net/sockstat; }

NSLIST=()  # namespace names of the current section
SGPIDS=()  # their sockgen pids

# populate PREFIX: NNS empty namespaces PREFIX-0.. (names in NSLIST).
populate() {
	local i
	NSLIST=() SGPIDS=()
	for ((i = 0; i < NNS; i++)); do
		add_netns "$1-$i"
		NSLIST+=("$1-$i")
	done
}

# start_load [ARGS...]: a sockgen holding PAIRS ESTABLISHED pairs in each of
# NSLIST, with ARGS added (e.g. --churn RATE); sets LOAD_S to the seconds it
# took until every one was ready.
start_load() {
	local i t1=$EPOCHREALTIME
	for ((i = 0; i < NNS; i++)); do
		spawn_sockgen "${NSLIST[$i]}" "sg-${NSLIST[$i]}" --estab "$PAIRS" "$@"
		SGPIDS+=("$SG_PID")
	done
	for ((i = 0; i < NNS; i++)); do
		wait_ready "sg-${NSLIST[$i]}" "${SGPIDS[$i]}" 900
	done
	LOAD_S=$(awk -v a="$t1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	echo "# setup: $NNS namespaces x $PAIRS ESTABLISHED pairs${*:+ ($*)} in $LOAD_S s" >&2
}

# start_churn_load CHURN: start_load, the namespaces also opening and closing
# CHURN connections a second in all (0: none), then 10 s for the churn's
# TIME_WAIT to build up.
start_churn_load() {
	if [ "$1" != 0 ]; then
		start_load --churn "$(awk -v c="$1" -v n="$NNS" 'BEGIN { print c / n }')"
		sleep 10
	else
		start_load
	fi
}

# teardown: stops this section's sockgens and deletes its namespaces now
# (on_exit would also do it, at exit).
teardown() {
	local p n
	for p in "${SGPIDS[@]}"; do kill_wait "$p"; done
	for n in "${NSLIST[@]}"; do ip netns del "$n" 2>/dev/null; done
	NSLIST=() SGPIDS=()
}


# pct P: nearest-rank percentile (P in 0..1) of the numbers on stdin.
pct() { sort -g | awk -v p="$1" '{ v[NR] = $1 } END { i = int(p * NR + 0.999999); if (i < 1) i = 1; print v[i] }'; }

# now_ms: the wall clock in milliseconds.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# cpu_of SCRIPT: runs it; prints "CPU_MS WALL_MS", CPU being every child's
# (perf stat's task-clock counts inherited children exactly; /usr/bin/time's
# user+sys has a 10 ms grain, so it is only the fallback).
cpu_of() {
	local w0 w1
	w0=$EPOCHREALTIME
	if command -v perf >/dev/null; then
		perf stat -x, -e task-clock -o "$TMPD/perf.out" bash "$1" || return 1
		w1=$EPOCHREALTIME
		awk -F, -v w0="$w0" -v w1="$w1" '$3 == "task-clock" { print $1, 1000 * (w1 - w0) }' "$TMPD/perf.out"
	else
		/usr/bin/time -f '%U %S' -o "$TMPD/time.out" bash "$1" || return 1
		w1=$EPOCHREALTIME
		awk -v w0="$w0" -v w1="$w1" '{ print 1000 * ($1 + $2), 1000 * (w1 - w0) }' "$TMPD/time.out"
	fi
}

# run_keylat NAME: keylat -n PRESSES -- connwatch CW_ARGS; its latencies (us,
# one a line) into $TMPD/NAME.lat, and "CPU_MS WALL_MS" of keylat + connwatch
# into $TMPD/NAME.cpu ("- -" without perf). Uses KEYLAT, PRESSES, CW_ARGS.
run_keylat() {
	local w0=$EPOCHREALTIME
	if command -v perf >/dev/null; then
		perf stat -x, -e task-clock -o "$TMPD/$1.perf" \
			"$KEYLAT" -n "$PRESSES" -- "$CONNWATCH" "${CW_ARGS[@]}" >"$TMPD/$1.lat" 2>"$TMPD/$1.err" ||
			bail "keylat failed: $(head -c 300 "$TMPD/$1.err")"
		awk -F, -v w0="$w0" -v w1="$EPOCHREALTIME" '$3 == "task-clock" { print $1, 1000 * (w1 - w0) }' \
			"$TMPD/$1.perf" >"$TMPD/$1.cpu"
	else
		"$KEYLAT" -n "$PRESSES" -- "$CONNWATCH" "${CW_ARGS[@]}" >"$TMPD/$1.lat" 2>"$TMPD/$1.err" ||
			bail "keylat failed: $(head -c 300 "$TMPD/$1.err")"
		echo "- -" >"$TMPD/$1.cpu"
	fi
	[ -s "$TMPD/$1.lat" ] || bail "keylat printed nothing: $(head -c 300 "$TMPD/$1.err")"
}

# first_screen_ms SOCK PREFIX [BIN]: starts the live view (`BIN -F PREFIX`,
# connwatch of this build by default) in a tmux session on socket SOCK and
# prints the ms from start until the first screen shows a row of ours (a
# label starting PREFIX-), polled every 20 ms (60 s at most); the session is
# then killed. The CPU the view had used by then (ms, all its threads) goes
# to $TMPD/first.cpu: a wall time far above it waited for a core.
first_screen_ms() {
	local t0 pid
	t0=$(now_ms)
	tmux -S "$1" new-session -d -s v -x 120 -y 40 "exec ${3:-$CONNWATCH} -F $2 --no-mouse"
	while ! tmux -S "$1" capture-pane -p -t v 2>/dev/null | grep -qE "^[^ ]* +$2-"; do
		sleep 0.02
		[ $(($(now_ms) - t0)) -gt 60000 ] && break
	done
	echo $(($(now_ms) - t0))
	pid=$(tmux -S "$1" display -p -t v '#{pane_pid}' 2>/dev/null)
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' "/proc/$pid/stat" \
		>"$TMPD/first.cpu" 2>/dev/null || echo - >"$TMPD/first.cpu"
	tmux -S "$1" kill-session -t v
}

# bpf_prog_stats: "RUN_TIME_NS RUN_CNT" of connwatch's state-event program
# while it is loaded (kernel.bpf_stats_enabled must be on), "0 0" if none.
bpf_prog_stats() {
	bpftool prog show -j 2>/dev/null | jq -r '[.[] | select(.name == "cw_set_state" or .name == "cw_set_state_ra")
		| {run_time_ns: (.run_time_ns // 0), run_cnt: (.run_cnt // 0)}] | first // {} | "\(.run_time_ns // 0) \(.run_cnt // 0)"'
}
