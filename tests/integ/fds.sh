#!/bin/bash
# fds.sh: connwatch under a tight RLIMIT_NOFILE. 12 namespaces, each with a
# sockgen holding i+1 ESTABLISHED pairs, watched with both limits at 40 (so
# raising the soft limit cannot escape): no tick may lose a row, namespaces
# past the descriptor budget keep correct cheap counters, and the rows and
# the note name the limit. Then a namespace scan that fails (--procfs
# removed mid-run) must keep the last good list and say so.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip jq
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

NNS=12
TMPD=$(mktemp -d /tmp/cwt-fds.XXXXXX)
on_exit "rm -rf '$TMPD'"

t=cwtfd$$
pids=()
inodes=()
for ((i = 0; i < NNS; i++)); do
	add_netns "$t-$i"
	spawn_sockgen "$t-$i" "sg$i" --estab $((i + 1))
	pids+=("$SG_PID")
	inodes+=("$(netns_inode "$t-$i")")
done
for ((i = 0; i < NNS; i++)); do
	wait_ready "sg$i" "${pids[$i]}"
done

# Both limits at 40 in a subshell: the collector's raise stops at 40.
(
	ulimit -n 40 || exit 99
	exec "$CONNWATCH" --json --count 5 -d 0.5
) >"$TMPD/low.json" 2>"$TMPD/low.err"
st=$?
is "$st" 0 "connwatch --json --count 5 runs with RLIMIT_NOFILE 40:40" ||
	diag "$(head -c 400 "$TMPD/low.err")"
is "$(jq -s length "$TMPD/low.json")" 5 "five snapshots"
S=$TMPD/low.json

# Every tick has the host and all 12 of ours; none drops to a partial list.
ino_json=$(printf '%s\n' "${inodes[@]}" | jq -s -c .)
missing=$(jq -c --argjson ours "$ino_json" '[(.netns // [])[].inode] as $have | [$ours[] | select(. as $i | $have | index($i) | not)] | length' "$S" | sort -u | tr '\n' ' ')
is "$missing" "0 " "every tick lists all $NNS test namespaces"
is "$(jq -c '[(.netns // [])[] | select(.kind == "host")] | length' "$S" | sort -u | tr '\n' ' ')" "1 " "every tick lists the host"
totals=$(jq -r '.collector.netns_total' "$S" | tr '\n' ' ')
is "$(jq -s 'map(.collector.netns_total >= 13) | all' "$S")" true "netns_total >= 13 in every tick ($totals)"
# Other sessions on this node may add or remove namespaces meanwhile, so the
# constant is netns_total less the rows that are neither ours nor the host's.
own=$(jq -r --argjson ours "$ino_json" '.collector.netns_total - ([(.netns // [])[] | select(.vanished | not) | select(.kind != "host" and .kind != "hostnet-pod") | select(.inode as $i | $ours | index($i) | not)] | length)' "$S" | sort -u | tr '\n' ' ')
is "$own" "13 " "netns_total less others' namespaces is 13 in every tick ($totals)"
is "$(jq -s '[.[].netns[] | select(.status != null and (.status | test("vanished")))] | length' "$S")" 0 \
	"no row says vanished"

# The budget cut in: some of ours keep no descriptor, and say why. How many
# depends on what else is on the node (other tests' named namespaces rank
# above our plain processes), so the checks are per namespace.
last=$(jq -s -c '.[-1]' "$S")
unkept=$(echo "$last" | jq -c --argjson ours "$ino_json" \
	'[.netns[] | select(.inode as $i | $ours | index($i)) | select((.status // "") | test("no descriptor kept: near the open-file limit \\(RLIMIT_NOFILE 40\\)"))] | length')
ok "$([ "$unkept" -ge 1 ]; echo $?)" \
	"$unkept of $NNS test namespaces keep no descriptor, and their status names RLIMIT_NOFILE 40"
echo "$last" | jq -r '.collector.note // ""' | grep -q 'near the open-file limit (RLIMIT_NOFILE 40)'
ok $? "the collector note names the limit: $(echo "$last" | jq -r '.collector.note // "(none)"')"

# Counters are right in every namespace, kept or not: sockgen holds i+1
# pairs, so CurrEstab (ESTABLISHED + CLOSE_WAIT) is 2(i+1).
bad=0
for ((i = 0; i < NNS; i++)); do
	got=$(echo "$last" | jq -r --argjson ino "${inodes[$i]}" '.netns[] | select(.inode == $ino) | .counters.curr_estab // "none"')
	if [ "$got" != $((2 * (i + 1))) ]; then
		diag "ns $i: curr_estab $got, want $((2 * (i + 1))) (status: $(echo "$last" | jq -r --argjson ino "${inodes[$i]}" '.netns[] | select(.inode == $ino) | .status'))"
		bad=$((bad + 1))
	fi
done
is "$bad" 0 "every test namespace's counters (kept descriptors or not) match its sockets"
is "$(jq -s --argjson ours "$ino_json" '[.[].netns[] | select(.kind == "host" or (.inode as $i | $ours | index($i))) | select(.counters == null)] | length' "$S")" 0 \
	"no row of ours (or the host's) in any tick lacks counters"

# The kept ones still get exact dumps; the unkept ones do not pretend to.
kept_exact=$(echo "$last" | jq -c --argjson ours "$ino_json" \
	'[.netns[] | select(.inode as $i | $ours | index($i)) | select(.tcp_total != null)] | length')
is "$((kept_exact + unkept))" "$NNS" \
	"each test namespace has exact counts ($kept_exact) or says why it has none ($unkept)"

# A scan that fails keeps the last good list. --procfs is a symlink to
# /proc that disappears after the first snapshot.
ln -s /proc "$TMPD/proc"
(
	ulimit -n 40 || exit 99
	exec "$CONNWATCH" --json --procfs "$TMPD/proc" --count 4 -d 0.5
) >"$TMPD/scan.json" 2>"$TMPD/scan.err" &
cw_pid=$!
on_exit "kill_wait $cw_pid"
wait_for 20 sh -c "[ \$(wc -l <'$TMPD/scan.json') -ge 1 ]"
ok $? "first snapshot through the --procfs symlink"
rm -f "$TMPD/proc"
wait_for 20 sh -c "! kill -0 $cw_pid 2>/dev/null"
wait "$cw_pid"
is "$?" 0 "connwatch keeps running when its namespace scan fails" || diag "$(head -c 400 "$TMPD/scan.err")"
S=$TMPD/scan.json
# From the last good scan on, the total must not move.
steady=$(jq -s -c '(map((.collector.note // "") | test("namespace scan failed")) | index(true)) as $k |
	if $k == null or $k == 0 then "no failed scan after a good one"
	else [.[$k - 1:][].collector.netns_total] | unique | length end' "$S")
is "$steady" 1 "netns_total stays put once the scan fails ($(jq -r '.collector.netns_total' "$S" | tr '\n' ' '))"
note=$(jq -s -r '.[-1].collector.note // ""' "$S")
echo "$note" | grep -q 'namespace scan failed: .*No such file or directory.*; showing the last good list'
ok $? "the note says the scan failed and the list is the last good one: $note"
missing=$(jq -s -c --argjson ours "$ino_json" '[(.[-1].netns // [])[].inode] as $have | [$ours[] | select(. as $i | $have | index($i) | not)] | length' "$S")
is "$missing" 0 "the last snapshot still lists all $NNS test namespaces"

done_testing
