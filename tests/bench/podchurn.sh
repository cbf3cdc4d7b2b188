#!/bin/bash
# tests/bench/podchurn.sh: connwatch's memory and descriptors over a long
# run of pod churn (root). The baseline is connwatch itself after a warm-up,
# in the same run: flat means every later sample's ratio to it stays near 1.
#
# A lab node (contrib/lab/lab, its own state, bridge and rootfs) of P steady
# pods (default 20), and churn: every I seconds (default 2) one new pod of a
# new Job-like workload (`lab up --workload job-N --replicas 1`), the oldest
# churned pod removed (`lab rm`) once more than K (default 10) are alive. Each
# pod has its namespace, kubepods cgroups, containerd metadata and sockets.
# `connwatch --rootfs ROOT --json -d 1` runs throughout, with state events
# when the machine allows them; only its last snapshot is kept.
# Every M seconds (default 60) a sample: pods made so far, rows and churned
# pods named in the last snapshot, connwatch's RSS and descriptors, its CPU
# since the last sample. The baseline is the first sample after the warm-up
# (W seconds, default 300); the table gives RSS and descriptors as ratios to
# it, and the last line the median RSS ratio of the last 10 samples.
# Usage: tests/bench/podchurn.sh [-t SECONDS] [-i INTERVAL] [-p PODS] [-k ALIVE]
#                                [-m SAMPLE_S] [-w WARMUP_S]
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
. "$top_srcdir/tests/bench/bench-lib.sh"

DUR=3600 IVL=2 PODS=20 ALIVE=10 SAMPLE=60 WARM=300
while getopts t:i:p:k:m:w: o; do
	case $o in
	t) DUR=$OPTARG ;;
	i) IVL=$OPTARG ;;
	p) PODS=$OPTARG ;;
	k) ALIVE=$OPTARG ;;
	m) SAMPLE=$OPTARG ;;
	w) WARM=$OPTARG ;;
	*)
		echo "usage: $0 [-t SECONDS] [-i INTERVAL] [-p PODS] [-k ALIVE] [-m SAMPLE_S] [-w WARMUP_S]" >&2
		exit 2
		;;
	esac
done
need_root
need_cmd ip jq awk
[ "$WARM" -lt "$DUR" ] || bail "the warm-up (-w $WARM) must be shorter than the run (-t $DUR)"
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: make tests/tools/sockgen"
LAB=$top_srcdir/contrib/lab/lab
TMPD=$(mktemp -d /tmp/cwb-churn.XXXXXX)
on_exit "rm -rf '$TMPD'"
# A lab of its own, beside any other.
export CWLAB_STATE=$TMPD/lab CWLAB_BRIDGE=cwbc$$ CWLAB_NET=10.215 CWLAB_VETH=cwc CWLAB_SOCKGEN=$SOCKGEN
ROOT=$TMPD/root
on_exit "'$LAB' down >/dev/null"
"$LAB" up "$PODS" --rootfs "$ROOT" >"$TMPD/lab.log" 2>&1 || bail "lab up failed: $(tail -n 3 "$TMPD/lab.log")"

# connwatch; an awk keeps its last snapshot (and counts them).
mkfifo "$TMPD/fifo"
awk -v f="$TMPD/last.json" -v c="$TMPD/count" '{ print > f; close(f); print NR > c; close(c) }' <"$TMPD/fifo" &
AWK=$!
"$CONNWATCH" --rootfs "$ROOT" --json -d 1 --count 100000000 >"$TMPD/fifo" 2>"$TMPD/cw.err" &
CW=$!
on_exit "kill_wait $CW; kill_wait $AWK"
wait_for 20 test -s "$TMPD/last.json" || bail "connwatch printed nothing: $(head -c 300 "$TMPD/cw.err")"
EVENTS=$(jq -r .collector.events "$TMPD/last.json")

# The churner: a pod of a new workload every IVL s; the oldest goes past ALIVE.
churn() {
	local n=0 live=() end=$((SECONDS + DUR))
	while [ "$SECONDS" -lt "$end" ] && [ ! -e "$TMPD/stop" ]; do
		n=$((n + 1))
		"$LAB" up "$PODS" --workload "job-$n" --replicas 1 >/dev/null 2>>"$TMPD/churn.err"
		live+=("workload:job-$n")
		if [ "${#live[@]}" -gt "$ALIVE" ]; then
			"$LAB" rm "${live[0]}" >/dev/null 2>>"$TMPD/churn.err"
			live=("${live[@]:1}")
		fi
		echo "$n" >"$TMPD/made"
		sleep "$IVL"
	done
}
churn &
CH=$!
on_exit "touch '$TMPD/stop'; wait $CH 2>/dev/null"

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
nfds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

echo "# pod churn: $PODS steady pods, a new pod every $IVL s (at most $ALIVE churned alive), ${DUR} s;"
echo "# connwatch --rootfs --json -d 1, events: $EVENTS; baseline: the sample after ${WARM} s"
printf '%7s %6s %5s %6s %9s %6s %4s %6s %7s\n' t_s made rows jobs rss_kB rss_x fds fds_x cpu_pct
T0=$SECONDS c0=$(cpu_ticks "$CW") base_rss='' base_fds='' rsss=()
while [ $((SECONDS - T0)) -lt "$DUR" ]; do
	sleep "$SAMPLE"
	kill -0 "$CW" 2>/dev/null || bail "connwatch died: $(head -c 300 "$TMPD/cw.err")"
	t=$((SECONDS - T0)) r=$(rss_kb "$CW") f=$(nfds "$CW") c1=$(cpu_ticks "$CW")
	cp=$(awk -v a="$c0" -v b="$c1" -v s="$SAMPLE" -v hz="$HZ" 'BEGIN { printf "%.1f", 100 * (b - a) / hz / s }')
	c0=$c1
	read -r rows jobs < <(jq -r '[(.netns | length), ([.netns[] | select((.pod.workload // "") | startswith("job-"))] | length)] | @tsv' "$TMPD/last.json")
	if [ -z "$base_rss" ] && [ "$t" -ge "$WARM" ]; then base_rss=$r base_fds=$f; fi
	if [ -n "$base_rss" ]; then
		rx=$(awk -v a="$r" -v b="$base_rss" 'BEGIN { printf "%.3f", a / b }')
		fx=$(awk -v a="$f" -v b="$base_fds" 'BEGIN { printf "%.3f", a / b }')
		rsss+=("$rx")
	else
		rx=- fx=-
	fi
	printf '%7s %6s %5s %6s %9s %6s %4s %6s %7s\n' "$t" "$(cat "$TMPD/made" 2>/dev/null || echo 0)" \
		"$rows" "$jobs" "$r" "$rx" "$f" "$fx" "$cp"
done
n=${#rsss[@]}
last=$(printf '%s\n' "${rsss[@]:$((n > 10 ? n - 10 : 0))}" | median)
echo "# $(cat "$TMPD/made") pods made; $(cat "$TMPD/count") snapshots; median RSS ratio of the last $((n > 10 ? 10 : n)) samples to the baseline: $last"
# (lab up notes that it keeps the pods there are: not an error.)
grep -v 'keeping all' "$TMPD/churn.err" | sort | uniq -c | sort -rn | head -3 | sed 's/^/# lab said: /'
exit 0
