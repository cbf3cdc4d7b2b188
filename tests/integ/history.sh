#!/bin/bash
# history.sh: the history stage on real namespaces, through --json. A
# namespace that gains 40 ESTABLISHED sockets shows a positive change per
# second and positive open rates; its first_seen stays put; a namespace
# that is deleted lingers for a few seconds with "vanished": true and its
# last counts, then goes; netns_total never counts the lingering row.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss jq
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

TMPD=$(mktemp -d /tmp/cwt-hist.XXXXXX)
on_exit "rm -rf '$TMPD'"
t=cwth$$
A=$t-a B=$t-b
add_netns "$A"
add_netns "$B"
start_sockgen "$A" a --estab 3
start_sockgen "$B" b --estab 2
SGB=$SG_PID
IA=$(netns_inode "$A") IB=$(netns_inode "$B")
want_b=$(ss_counts "$B" | sed -n 's/^ESTABLISHED=//p')

OUT=$TMPD/run.json
"$CONNWATCH" --json --count 24 --delay 0.5 >"$OUT" 2>"$TMPD/err" &
CW=$!
on_exit "kill $CW 2>/dev/null"
wait_for 10 sh -c "[ \$(wc -l <'$OUT') -ge 3 ]" || bail "no snapshots: $(head -c 300 "$TMPD/err")"

# Now: 20 more pairs in A (40 ESTABLISHED, 20 active and 20 passive opens),
# and B deleted with its process.
start_sockgen "$A" a2 --estab 20 --port 9090
kill_wait "$SGB"
ip netns del "$B"
wait "$CW"
is "$?" 0 "connwatch --json --count 24 ran to the end"
is "$(wc -l <"$OUT")" 24 "24 snapshots"

row() { jq -c --argjson ino "$1" "[.netns[] | select(.inode == \$ino and (.vanished | not))][0] | $2" "$OUT"; }

# Change per second: some tick sees A's ESTABLISHED grow (40 sockets over
# at most a few ticks), and none sees it fall.
maxchg=$(row "$IA" '.change.ESTABLISHED // 0' | sort -g | tail -1)
minchg=$(row "$IA" '.change.ESTABLISHED // 0' | sort -g | head -1)
ok "$(awk -v m="$maxchg" 'BEGIN { exit !(m >= 10) }'; echo $?)" "A's change.ESTABLISHED peaks at $maxchg/s (>= 10)"
ok "$(awk -v m="$minchg" 'BEGIN { exit !(m >= 0) }'; echo $?)" "A's change.ESTABLISHED never falls ($minchg)"
sum=$(row "$IA" '.change.ESTABLISHED // 0' | awk '{ s += $1 * 0.5 } END { printf "%d", s + 0.5 }')
ok "$([ "$sum" -ge 30 ] && [ "$sum" -le 50 ]; echo $?)" "A's changes add up to about the 40 new sockets ($sum)"
final=$(jq -c --argjson ino "$IA" '.netns[] | select(.inode == $ino) | .tcp.ESTABLISHED' "$OUT" | tail -1)
is "$final" "$(ss_counts "$A" | sed -n 's/^ESTABLISHED=//p')" "A's last ESTABLISHED equals ss ($final)"

# Counter rates.
ao=$(row "$IA" '.rates.active_opens // 0' | sort -g | tail -1)
po=$(row "$IA" '.rates.passive_opens // 0' | sort -g | tail -1)
ok "$(awk -v a="$ao" -v p="$po" 'BEGIN { exit !(a > 0 && p > 0) }'; echo $?)" \
	"A's rates show the opens (active up to $ao/s, passive up to $po/s)"
is "$(row "$IA" '.rates != null' | sort -u | tr '\n' ' ')" "false true " \
	"rates appear from the second tick on (the first has nothing to compare)"

# first_seen: one value, no later than A's first snapshot.
is "$(row "$IA" '.first_seen' | sort -u | wc -l)" 1 "A's first_seen never changes"
first=$(jq -r -s '.[0].time' "$OUT")
is "$(row "$IA" '.first_seen' | head -1 | tr -d '"')" "$first" "A's first_seen is the first snapshot's time"

# B vanishes: it lingers with vanished=true and its last counts, then goes.
# B is found by its name: the kernel reuses netns inodes, and other tests'
# namespaces come and go meanwhile (one may get B's inode).
lingering=$(jq -c --arg l "$B" '[.netns[] | select(.label == $l and .vanished == true)] | length' "$OUT" | tr '\n' ' ')
run=$(echo "$lingering" | awk '{ for (i = 1; i <= NF; i++) { if ($i == 1 && !s) s = i; if ($i == 0 && s && !e) e = i } } END { print s + 0, e + 0 }')
start=${run% *} end=${run#* }
n_ling=$((end > start ? end - start : 0))
# The linger ends early only when a new namespace takes B's inode (its
# history must not be B's): then that tick has a live row with B's inode.
reused=0
if [ "$end" -gt 0 ] && [ "$n_ling" -lt 6 ]; then
	reused=$(jq -s --argjson ino "$IB" --argjson t "$((end - 1))" \
		'[.[$t].netns[] | select(.inode == $ino and (.vanished | not))] | length' "$OUT")
	diag "B's inode was taken by a new namespace at tick $end: $reused live row(s) with it"
fi
ok "$([ "$start" -gt 1 ] && { [ "$n_ling" -ge 6 ] || [ "$reused" -gt 0 ]; } && [ "$n_ling" -ge 1 ] && [ "$n_ling" -le 12 ]; echo $?)" \
	"B lingers for about 5 s once deleted, or until its inode is reused ($n_ling ticks of 0.5 s: $lingering)"
ok "$([ "$end" -gt 0 ]; echo $?)" "... and then is gone (from tick $end)"
lastb=$(jq -s -c --arg l "$B" --argjson a "$((start - 1))" --argjson b "$((end - 1))" \
	'[.[$a:$b][] | .netns[] | select(.label == $l and .vanished == true) | .tcp.ESTABLISHED] | unique' "$OUT")
is "$lastb" "[$want_b]" "the lingering row keeps B's last ESTABLISHED count ($want_b, as ss said)"
bad=$(jq -c '[.netns[] | select(.vanished | not)] | length as $live | select(.collector.netns_total != $live) | .time' "$OUT" | wc -l)
is "$bad" 0 "netns_total counts live rows only, never the lingering one"

done_testing
