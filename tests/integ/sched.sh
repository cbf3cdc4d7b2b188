#!/bin/bash
# sched.sh: the dump scheduler on real namespaces under churn. 24
# namespaces each open and close connections all the time, so every
# namespace's counters move every tick: 12 share the node's TCP hash (one
# of them holds 10k sockets, so their dumps walk at least that many), 12
# have their own (created from a namespace whose tcp_child_ehash_entries is
# set: that sysctl is the creator's, so nothing outside changes). With a
# budget far below what a round of dumps costs, connwatch must keep the
# median tick's dump CPU within 10% of its budget, keep every exact count
# younger than the age bound it reports, refresh every row (the host's
# too) within 5/4 of the round it reports, and dump a namespace with its
# own hash at its own sockets' cost.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip jq unshare
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

TMPD=$(mktemp -d /tmp/cwt-sched.XXXXXX)
on_exit "rm -rf '$TMPD'"
PIDS=()
for i in $(seq 1 12); do
	add_netns "cwts$$-$i"
	if [ "$i" = 1 ]; then
		spawn_sockgen "cwts$$-$i" "sg$i" --estab 5000 --churn 20
	else
		spawn_sockgen "cwts$$-$i" "sg$i" --estab 5 --churn 20
	fi
	PIDS+=("$SG_PID")
done
# The parent of the namespaces with their own hash: its setting applies
# to the namespaces created from inside it.
add_netns "cwtp$$"
ip netns exec "cwtp$$" sysctl -qw net.ipv4.tcp_child_ehash_entries=1024 ||
	bail "cannot set tcp_child_ehash_entries (kernel before 6.1?)"
OWN=()
for i in $(seq 13 24); do
	ip netns exec "cwtp$$" unshare -n sh -c 'ip link set lo up && exec "$0" "$@"' \
		"$SOCKGEN" --estab 5 --churn 20 >"$TMPD/sg$i.out" 2>"$TMPD/sg$i.err" &
	PIDS+=("$!")
	OWN+=("$!")
	on_exit "kill_wait $!"
done
for i in $(seq 1 24); do wait_ready "sg$i" "${PIDS[$((i - 1))]}" 60; done
is "$(nsenter -t "${OWN[0]}" -n cat /proc/sys/net/ipv4/tcp_ehash_entries)" 1024 \
	"a namespace created there has its own hash of 1024 buckets"
own=$(printf '%s\n' "${OWN[@]}" | jq -sc .)
OUT=$TMPD/run.json
# A budget for a round of about 3 s, whatever the machine and the other
# namespaces on it cost: one pass over every namespace (the first
# snapshot dumps them all) over 3 s, in percent of one core.
"$CONNWATCH" --json --no-bpf >"$TMPD/pass.json" 2>"$TMPD/err" || bail "connwatch --json failed: $(head -c 300 "$TMPD/err")"
pass=$(jq '[.netns[].dump_ms // 0] | add' "$TMPD/pass.json")
pct=$(awk -v p="$pass" 'BEGIN { b = p / 30; if (b < 0.5) b = 0.5; if (b > 50) b = 50; printf "%.2f", b }')
diag "a pass over every namespace: $pass ms of CPU; budget $pct%"
# The dump scheduler alone: with TCP state events, namespaces with live
# counts are dumped only to reconcile (tests/integ/events.sh).
"$CONNWATCH" --json --no-bpf -n 150 -d 0.2 --budget "$pct" >"$OUT" 2>"$TMPD/err"
is "$?" 0 "150 ticks at 0.2 s with a $pct% budget $(head -c 300 "$TMPD/err")"
shared_rows='[.netns[] | select(.label | startswith("cwts'$$'-"))]'
own_rows='[.netns[] | select(.pids as $p | $own | any(. as $x | $p | index($x)))]'
mine="($shared_rows + $own_rows)"
is "$(jq -c --argjson own "$own" "$mine | length" "$OUT" | sort -u | tr '\n' ' ')" "24 " \
	"all 24 namespaces in every snapshot"
is "$(jq -c --argjson own "$own" "[$own_rows[].shared_ehash] | unique" "$OUT" | sort -u | tr '\n' ' ')" \
	"[false] " "the 12 created with tcp_child_ehash_entries: their own hash"
is "$(jq -c "[$shared_rows[].shared_ehash] | unique" "$OUT" | sort -u | tr '\n' ' ')" "[true] " \
	"the 12 others: the shared hash"

# After the first tick (which dumps everything): the budget, the bound and
# the round.
jq -c '.collector | [.dump_ms, .budget_ms, .age_bound_ms, (.round_ms // 0), (.oldest_exact_ms // 0), .cpu_ms]' \
	"$OUT" | tail -n +2 | tr -d '[]' >"$TMPD/c"
medcol() { awk -F, -v k="$1" '{ print $k }' "$TMPD/c" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
med=$(medcol 1)
budget=$(head -1 "$TMPD/c" | awk -F, '{ print $2 }')
ok "$(awk -v m="$med" -v b="$budget" 'BEGIN { exit !(m <= b * 1.1) }'; echo $?)" \
	"median dump CPU per tick ($med ms) within 10% of the budget ($budget ms)"
# The budget is a rate: a tick may pass it on what earlier ones left, so
# the median alone can be 0 (held ticks saving up for a dear dump). The
# mean must hold it too.
mean=$(awk -F, '{ s += $1 } END { printf "%.3f", s / NR }' "$TMPD/c")
ok "$(awk -v m="$mean" -v b="$budget" 'BEGIN { exit !(m <= b * 1.1 && m >= b * 0.5) }'; echo $?)" \
	"mean dump CPU per tick ($mean ms) within 10% of the budget ($budget ms), and spent (over half of it)"
# (A row that lingers after its namespace went, marked vanished, cannot be
# dumped: its age grows until it goes. Other tests' namespaces come and go.)
bad=$(jq -c "[.collector.age_bound_ms as \$b | .netns[] | select((.vanished | not) and .exact_age_ms > \$b)] | length" "$OUT" |
	tail -n +2 | awk '$1 > 0' | wc -l)
is "$bad" 0 "no exact count older than the reported age bound, in any snapshot" ||
	jq -c "[.collector.age_bound_ms as \$b | .netns[] | select((.vanished | not) and .exact_age_ms > \$b) |
		{label, kind, status, exact_age_ms, bound: \$b}]" "$OUT" | awk 'length > 2' | head -5 | sed 's/^/# /'
# Once every row has been dumped (the first tick, then the rows fill in
# by the round-robin): the oldest exact count on the node against the
# round, medians over the ticks, as the issue's target says (dump costs
# vary on a busy machine). Namespaces that other tests create meanwhile
# are dumped first, as new ones, out of the same budget: the round the
# rows present can have is what those first dumps leave of it (their
# share, measured: dumps of rows with no exact count the tick before).
tail -n +20 "$TMPD/c" >"$TMPD/steady"
medst() { awk -F, -v k="$1" '{ print $k }' "$TMPD/steady" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }'; }
newms=$(jq -s '[range(20; length) as $k | (.[$k - 1].netns | map(select(.exact_age_ms != null) | .inode)) as $had |
	[.[$k].netns[] | select(.dump_ms and ((.inode as $i | $had | index($i)) | not)) | .dump_ms] | add // 0] |
	add / length' "$OUT")
round=$(awk -v r="$(medst 4)" -v b="$budget" -v n="$newms" 'BEGIN { printf "%d", n < b / 2 ? r * b / (b - n) : 0 }')
oldest=$(medst 5)
worst=$(awk -F, '{ if ($5 > m) m = $5 } END { print m + 0 }' "$TMPD/steady")
bound=$(tail -1 "$TMPD/c" | awk -F, '{ print $3 }')
diag "median round $(medst 4) ms; $newms ms a tick on new namespaces of other tests: round $round ms; bound $bound ms; oldest exact count: median $oldest ms, at most $worst ms; median tick: dumps $med ms, collector CPU $(medcol 6) ms"
if [ "$round" -gt 0 ]; then
	ok "$(awk -v o="$oldest" -v r="$round" 'BEGIN { exit !(o <= r * 1.25) }'; echo $?)" \
		"every row refreshed within 1.25x the round (medians: oldest $oldest ms, round $round ms)"
else
	# Another test's namespaces took half the budget or more, as new
	# ones: the rows present had no round to keep, only the bound.
	ok 0 "the refresh period against the round # SKIP new namespaces of other tests took $newms of $budget ms a tick"
fi
# Each namespace, and the host, is dumped again and again.
span=$(jq -s '(.[-1].time | sub("\\.[0-9]+Z$"; "Z") | fromdate) - (.[0].time | sub("\\.[0-9]+Z$"; "Z") | fromdate)' "$OUT")
need=$(awk -v s="$span" -v b="$bound" 'BEGIN { printf "%d", int(s * 1000 / b) }')
dumped=$(jq -r --argjson own "$own" "$mine[] | select(.dump_ms) | .inode" "$OUT" | sort | uniq -c |
	awk -v n="$need" '$1 >= n' | wc -l)
is "$dumped" 24 "every namespace was dumped at least $need times over the ${span}s run (once per bound)"
host=$(jq -c '[.netns[] | select(.kind == "host" and .dump_ms)] | length' "$OUT" | awk '{ s += $1 } END { print s }')
ok "$([ "$host" -ge "$need" ]; echo $?)" "the host's row too ($host dumps)"
# The cost model's premise: a dump in an own hash walks only its sockets.
medof() { jq -r --argjson own "$own" "$1[] | .dump_ms // empty" "$OUT" | sort -g |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }'; }
mo=$(medof "$own_rows")
ms=$(medof "[$shared_rows[] | select(.label != \"cwts$$-1\")]")
diag "median dump: own hash $mo ms, shared hash $ms ms"
ok "$(awk -v o="$mo" -v s="$ms" 'BEGIN { exit !(o * 2 < s) }'; echo $?)" \
	"a dump in an own hash ($mo ms) costs under half of one in the shared hash ($ms ms)"
done_testing
