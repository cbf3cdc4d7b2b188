#!/bin/bash
# sched.sh: the dump scheduler on real namespaces under churn. 24
# namespaces each open and close connections all the time, so every
# namespace's counters move every tick; with a budget far below what a round
# of dumps costs, connwatch must still keep every exact count younger than
# the age bound it reports, keep the CPU it spends on dumps per tick within
# 10% of its budget (median), and dump every namespace again and again.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip jq
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

TMPD=$(mktemp -d /tmp/cwt-sched.XXXXXX)
on_exit "rm -rf '$TMPD'"
PIDS=()
for i in $(seq 1 24); do
	add_netns "cwts$$-$i"
	spawn_sockgen "cwts$$-$i" "sg$i" --estab 5 --churn 20
	PIDS+=("$SG_PID")
done
for i in $(seq 1 24); do wait_ready "sg$i" "${PIDS[$((i - 1))]}" 60; done
OUT=$TMPD/run.json
# The dump scheduler alone: with TCP state events, namespaces with live
# counts are dumped only to reconcile (tests/integ/events.sh).
"$CONNWATCH" --json --no-bpf -n 150 -d 0.2 --budget 1 >"$OUT" 2>"$TMPD/err"
is "$?" 0 "150 ticks at 0.2 s with a 1% budget $(head -c 300 "$TMPD/err")"
mine='[.netns[] | select(.label | startswith("cwts'$$'-"))]'
is "$(jq -c "$mine | length" "$OUT" | sort -u | tr '\n' ' ')" "24 " "all 24 namespaces in every snapshot"
# After the first tick (which dumps everything): the budget and the bound.
jq -c '.collector | [.dump_ms, .budget_ms, .age_bound_ms]' "$OUT" | tail -n +2 >"$TMPD/c"
med=$(awk -F'[][,]' '{ print $2 }' "$TMPD/c" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
budget=$(head -1 "$TMPD/c" | awk -F'[][,]' '{ print $3 }')
ok "$(awk -v m="$med" -v b="$budget" 'BEGIN { exit !(m <= b * 1.1) }'; echo $?)" \
	"median dump CPU per tick ($med ms) within 10% of the budget ($budget ms)"
bad=$(jq -c "[.collector.age_bound_ms as \$b | $mine[] | select(.exact_age_ms > \$b)] | length" "$OUT" | tail -n +2 | awk '$1 > 0' | wc -l)
is "$bad" 0 "no exact count older than the reported age bound, in any snapshot"
bound=$(tail -1 "$TMPD/c" | awk -F'[][,]' '{ print $4 }')
oldest=$(jq -c "$mine | map(.exact_age_ms) | max" "$OUT" | tail -n +2 | sort -g | tail -1)
diag "age bound $bound ms; the oldest exact count seen: $oldest ms"
# Over the run, each namespace is dumped on the first tick and then at
# least once per age bound (however slow the build: ASan raises the costs
# and with them the bound).
span=$(jq -s '(.[-1].time | sub("\\.[0-9]+Z$"; "Z") | fromdate) - (.[0].time | sub("\\.[0-9]+Z$"; "Z") | fromdate)' "$OUT")
need=$(awk -v s="$span" -v b="$bound" 'BEGIN { printf "%d", 1 + int(s * 1000 / b) }')
dumped=$(jq -r "$mine[] | select(.dump_ms) | .label" "$OUT" | sort | uniq -c | awk -v n="$need" '$1 >= n' | wc -l)
is "$dumped" 24 "every namespace was dumped at least $need times over the ${span}s run (1 + one per bound)"
done_testing
