#!/bin/bash
# events.sh: TCP state events through BPF on real namespaces. Two
# namespaces churn (connect+close: TIME_WAIT) and leak (connections never
# closed: ESTABLISHED grows); a third is quiet. With a budget so small that
# they are rarely dumped, every tick's per-state counts of each must equal
# `ss -tan` in it, within what concurrency allows: ss is sampled all the
# time beside connwatch, and a tick's count must lie between the samples
# just before and just after it. Then: the transitions view names the
# churning process with TIME_WAIT at its rate, in JSON and in the live view
# (where events load after the first screen); --no-bpf says why events are
# off and changes nothing else; no drift in a quiet namespace; and the
# capabilities kept.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss jq awk setpriv capsh tmux
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

TMPD=$(mktemp -d /tmp/cwt-events.XXXXXX)
on_exit "rm -rf '$TMPD'"
"$CONNWATCH" --json -d 0.2 >"$TMPD/probe.json" 2>"$TMPD/probe.err" || bail "connwatch --json failed: $(head -c 300 "$TMPD/probe.err")"
src=$(jq -r '.collector.events' "$TMPD/probe.json")
if [ "$src" != bpf ]; then
	# Built without BPF: say so and skip. Built with it, events must work
	# here (root, a kernel with BTF): that is a failure, not a skip.
	case $src in
	*"built without BPF"*) skip_all "$src" ;;
	esac
	ok 1 "collector.events is \"bpf\" (got: $src)"
	done_testing
	exit 1
fi

t=cwte$$
CHURN=40
add_netns "$t-churn"
add_netns "$t-leak"
add_netns "$t-quiet"
spawn_sockgen "$t-churn" churn --estab 3 --churn "$CHURN"
P1=$SG_PID
spawn_sockgen "$t-leak" leak --estab 2 --leak 4 --churn 10
P2=$SG_PID
spawn_sockgen "$t-quiet" quiet --estab 5 --closewait 2 --timewait 3
P3=$SG_PID
wait_ready churn "$P1"
wait_ready leak "$P2"
wait_ready quiet "$P3"
declare -A INO
for n in churn leak quiet; do INO[$n]=$(netns_inode "$t-$n"); done

# sampler NAME...: ss in each test namespace $t-NAME, over and over, each
# sample between two timestamps (ms): "before after name STATE=N ...".
sampler() {
	local n b a
	while :; do
		for n in "$@"; do
			b=$(date +%s%3N)
			c=$(ss_counts "$t-$n" | grep -v UNKNOWN | tr '\n' ' ')
			a=$(date +%s%3N)
			echo "$b $a $n $c"
		done
	done
}
sampler churn leak quiet >"$TMPD/ss.txt" 2>/dev/null &
SAMPLER=$!
on_exit "kill_wait $SAMPLER"
sleep 0.5
TICKS=16
"$CONNWATCH" --json -n $TICKS -d 0.5 --budget 0.001 >"$TMPD/run.json" 2>"$TMPD/run.err"
is "$?" 0 "$TICKS ticks with events and a 0.001% budget $(head -c 200 "$TMPD/run.err")"
sleep 0.3
kill_wait $SAMPLER

is "$(jq -r '.collector.events' "$TMPD/run.json" | sort -u | tr '\n' ' ')" "bpf " "collector.events is \"bpf\" in every snapshot"

# cw_lines JSON NAME...: one line per (tick, namespace $t-NAME) of a run:
# "time_ms wall_ms name source STATE=N ...".
cw_lines() {
	local json=$1 n
	shift
	for n in "$@"; do
		jq -r --argjson ino "${INO[$n]}" --arg n "$n" --arg states "$CW_STATES" '
			(.time | (.[0:19] + "Z" | fromdate) * 1000 + (.[20:23] | tonumber)) as $t
			| .collector.wall_ms as $w
			| .netns[] | select(.inode == $ino) | select(.tcp)
			| . as $r
			| "\($t) \($w | ceil) \($n) \(.source_counts // "dump") "
			  + ([$states | split(" ")[] as $s | "\($s)=\($r.tcp[$s])"] | join(" "))' "$json"
	done
}

# compare_ticks SS CW SLACK: for each line of CW, the ss samples of SS that
# ended before the tick began and began after it ended: each state must lie
# between them, within SLACK (a connection of the churn passes through a
# state in less time than a sample takes: its two ends). TIME_WAIT only
# grows in a run this short. Prints the mismatches as "# ..." lines, then
# "checked=N bad=N unbracketed=N events=N dump=N".
compare_ticks() {
	awk -v slack="$3" '
		function parse(s, arr,   i, n, kv, p) {
			n = split(s, kv, " ")
			for (i = 1; i <= n; i++) { split(kv[i], p, "="); arr[p[1]] = p[2] }
		}
		FNR == NR { nss++; sb[nss] = $1; sa[nss] = $2; sn[nss] = $3
			line = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", line); sc[nss] = line; next }
		{
			t = $1; w = $2; name = $3; src = $4
			line = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ [^ ]+ /, "", line)
			bi = 0; ai = 0
			for (i = 1; i <= nss; i++) {
				if (sn[i] != name) continue
				if (sa[i] <= t) bi = i
				if (!ai && sb[i] >= t + w) ai = i
			}
			if (!bi || !ai) { nobr++; next }
			delete c; delete x; delete y
			parse(line, c); parse(sc[bi], x); parse(sc[ai], y)
			checked++; src_n[src]++
			for (s in c) {
				lo = x[s] < y[s] ? x[s] : y[s]; hi = x[s] < y[s] ? y[s] : x[s]
				if (s != "TIME_WAIT") { lo -= slack; hi += slack }
				if (c[s] < lo || c[s] > hi) {
					bad++
					printf "# %s tick %s (%s): %s=%d, ss %d before and %d after\n", name, t, src, s, c[s], x[s], y[s]
				}
			}
		}
		END { printf "checked=%d bad=%d unbracketed=%d events=%d dump=%d\n", checked, bad + 0, nobr + 0, src_n["events"] + 0, src_n["dump"] + 0 }
	' "$1" "$2"
}

cw_lines "$TMPD/run.json" churn leak quiet >"$TMPD/cw.txt"
SLACK=2
compare_ticks "$TMPD/ss.txt" "$TMPD/cw.txt" $SLACK >"$TMPD/cmp.txt"
grep '^#' "$TMPD/cmp.txt" | head -20
res=$(tail -1 "$TMPD/cmp.txt")
diag "$res"
eval "$res"
ok "$([ "$checked" -ge $((3 * TICKS - 6)) ]; echo $?)" "ticks compared with ss: $checked of $((3 * TICKS))"
is "$bad" 0 "every compared tick's per-state counts equal ss -tan, within the samples around it"
ok "$([ "$events" -ge $((3 * TICKS / 2)) ]; echo $?)" "most of them came from events, not dumps ($events events, $dump dump)"
is "$(jq -r --argjson i "${INO[churn]}" '.netns[] | select(.inode == $i) | .source_counts // "dump"' "$TMPD/run.json" | sed -n '2,$p' | sort -u | tr '\n' ' ')" \
	"events " "the churning namespace: counts from events after the first tick"
is "$(jq -r --argjson i "${INO[churn]}" '.netns[] | select(.inode == $i) | select(.source_counts == "events") | .exact_age_ms' "$TMPD/run.json" | sort -u | tr '\n' ' ')" \
	"0 " "event counts are exact to the tick (exact_age_ms 0)"

# Transitions: sockgen in the churning namespace, TIME_WAIT at its rate.
rates=$(jq -r --argjson i "${INO[churn]}" '.netns[] | select(.inode == $i) | .transitions // [] | .[]
	| select(.comm == "sockgen" and .state == "TIME_WAIT") | .per_s' "$TMPD/run.json" | tail -n +3)
med=$(echo "$rates" | sort -g | awk 'NF { v[++n] = $1 } END { print n ? v[int((n + 1) / 2)] : 0 }')
ok "$(awk -v m="$med" -v r=$CHURN 'BEGIN { exit !(m >= 0.8 * r && m <= 1.2 * r) }'; echo $?)" \
	"transitions: sockgen enters TIME_WAIT at ${med}/s (median; it churns $CHURN/s)"
top=$(jq -r --argjson i "${INO[churn]}" '.netns[] | select(.inode == $i) | .transitions // [] | .[0] | "\(.comm) \(.state)"' "$TMPD/run.json" | tail -1)
diag "busiest transition in the churning namespace: $top"

# Drift: the counter is there, and a quiet namespace never drifts.
is "$(jq -r '.collector | has("events_drift") and has("events_reconciled") and has("events_drift_share")' "$TMPD/run.json" | sort -u)" \
	true "collector: events_drift, events_reconciled and events_drift_share in every snapshot"
"$CONNWATCH" --json -n 6 -d 0.3 >"$TMPD/quiet.json" 2>"$TMPD/quiet.err"
is "$?" 0 "a run with the default budget (dumps reconcile)"
is "$(jq -r --argjson i "${INO[quiet]}" '.netns[] | select(.inode == $i) | .events_drift // 0' "$TMPD/quiet.json" | sort -u)" \
	0 "the quiet namespace: no drift"
diag "collector: $(jq -c '.collector | {events_drift, events_reconciled, events_drift_share, events_lost, events_read_ms}' "$TMPD/quiet.json" | tail -1)"

# Drift, provoked: events lost. While connwatch runs, the leaking
# namespace's entry is deleted from the program's state map (its totals
# start again from 0, as if every event so far had been lost). Its live
# counts are then wrong until a dump reconciles them: that dump must find
# drift, count it, and re-seed, so the last tick agrees with ss again.
# Reconciling dumps get a sixth of the budget: beside other tests'
# namespaces a round takes several seconds, so 30 ticks (15 s), not 12.
"$CONNWATCH" --json -n 30 -d 0.5 >"$TMPD/drift.json" 2>"$TMPD/drift.err" &
DP=$!
on_exit "kill_wait $DP"
mapid=
for _ in $(seq 1 50); do
	for f in /proc/$DP/fdinfo/*; do
		# the namespace map: a per-CPU hash (type 5) keyed by a 4-byte inode
		if grep -q '^map_type:[[:space:]]*5$' "$f" 2>/dev/null && grep -q '^key_size:[[:space:]]*4$' "$f"; then
			mapid=$(awk '/^map_id:/ { print $2 }' "$f")
		fi
	done
	[ -n "$mapid" ] && [ "$(cat "$TMPD/drift.json" 2>/dev/null | wc -l)" -ge 3 ] && break
	sleep 0.1
done
# From Linux 6.1 the maps allocate an entry when its key first comes
# (BPF_F_NO_PREALLOC, flag 1): the namespace map holds the node's namespaces,
# not 8192 entries per possible CPU. Before 6.1 they stay preallocated.
minfo=$(bpftool map show id "$mapid" -j 2>/dev/null)
want=0
[ "$(uname -r | awk -F. '{ print $1 * 1000 + $2 }')" -ge 6001 ] && want=1
is "$(echo "$minfo" | jq -r '.flags')" "$want" \
	"the namespace map is allocated on insert from Linux 6.1 (this kernel $(uname -r); memlock $(echo "$minfo" | jq -r '.bytes_memlock') bytes)"
ino=${INO[leak]}
key=$(printf '%02x %02x %02x %02x' $((ino & 255)) $(((ino >> 8) & 255)) $(((ino >> 16) & 255)) $(((ino >> 24) & 255)))
# shellcheck disable=SC2086
bpftool map delete id "$mapid" key hex $key 2>"$TMPD/del.err"
is "$?" 0 "the leaking namespace's entry deleted from map $mapid (events lost) $(head -c 200 "$TMPD/del.err")"
wait "$DP"
is "$?" 0 "connwatch ran on $(head -c 200 "$TMPD/drift.err")"
after=$(ss_counts "$t-leak" | sed -n 's/^ESTABLISHED=//p')
ok "$([ "$(jq -r --argjson i "$ino" '.netns[] | select(.inode == $i) | .events_drift // 0' "$TMPD/drift.json" | tail -1)" -ge 1 ]; echo $?)" \
	"the leaking namespace's drift is counted (events_drift)"
ok "$([ "$(jq -r '.collector.events_drift' "$TMPD/drift.json" | tail -1)" -ge 1 ]; echo $?)" \
	"... and in collector.events_drift ($(jq -c '.collector | [.events_drift, .events_reconciled, .events_drift_share]' "$TMPD/drift.json" | tail -1))" ||
	# Each tick of the leaking row, to tell a dump that failed (it
	# re-seeds without reconciling) from one that never came.
	jq -r --argjson i "$ino" '(.netns[] | select(.inode == $i) | "# \(.source_counts // "dump") ESTABLISHED \(.tcp.ESTABLISHED) exact_age_ms \(.exact_age_ms) drift \(.events_drift // 0)")
		+ " | dumped \(.collector.netns_dumped) failed \(.collector.dumps_failed // 0) retried \(.collector.dumps_retried // 0)"' "$TMPD/drift.json"
last=$(jq -r --argjson i "$ino" '.netns[] | select(.inode == $i) | .tcp.ESTABLISHED' "$TMPD/drift.json" | tail -1)
# It leaks 4 connections a second (8 ESTABLISHED ends), and ss runs just
# after the last tick: within that, not off by what was lost.
ok "$(awk -v a="$after" -v b="$last" 'BEGIN { d = a - b; exit !(d >= -2 && d <= 10) }'; echo $?)" \
	"corrected: the last tick's ESTABLISHED ($last) agrees with ss just after ($after)"

# Under churn of 1,000 connections a second across the node, while
# namespaces come and go: four namespaces each hold 20 ESTABLISHED pairs and
# open and close 250 connections a second; meanwhile a loop creates a
# namespace with a few sockets, keeps it half a second and deletes it, over
# and over. Every tick's counts of the four must lie between the ss samples
# around it (a wider slack: at 250 a second more connections are between
# states while a sample runs), most of them from events.
for n in h0 h1 h2 h3; do
	add_netns "$t-$n"
	spawn_sockgen "$t-$n" "$n" --estab 20 --churn 250
	eval "HP_$n=\$SG_PID"
done
for n in h0 h1 h2 h3; do
	eval "wait_ready $n \$HP_$n"
	INO[$n]=$(netns_inode "$t-$n")
done
# comings_goings: namespaces $t-gN, each with a sockgen, for as long as it runs.
comings_goings() {
	local i=0 pid=
	trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid"; ip netns del "$t-g$i" 2>/dev/null; exit 0' TERM
	while :; do
		ip netns add "$t-g$i" || exit 1
		ip -n "$t-g$i" link set lo up
		ip netns exec "$t-g$i" "$SOCKGEN" --estab 3 >/dev/null 2>&1 &
		pid=$!
		sleep 0.5
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
		ip netns del "$t-g$i"
		i=$((i + 1))
	done
}
comings_goings &
GOINGS=$!
on_exit "kill_wait $GOINGS"
sampler h0 h1 h2 h3 >"$TMPD/ss-h.txt" 2>/dev/null &
SAMPLER=$!
on_exit "kill_wait $SAMPLER"
sleep 0.5
"$CONNWATCH" --json -n $TICKS -d 0.5 --budget 0.001 >"$TMPD/hot.json" 2>"$TMPD/hot.err"
is "$?" 0 "$TICKS ticks under churn of 1000 connections a second, namespaces coming and going $(head -c 200 "$TMPD/hot.err")"
sleep 0.3
kill_wait $SAMPLER
kill_wait $GOINGS
is "$(jq -r '.collector.events' "$TMPD/hot.json" | sort -u | tr '\n' ' ')" "bpf " "... collector.events is \"bpf\" in every snapshot"
gone=$(jq -r --arg p "$t-g" '.netns[] | select(.label | startswith($p)) | .inode' "$TMPD/hot.json" | sort -u | wc -l)
ok "$([ "$gone" -ge 3 ]; echo $?)" "... the namespaces that came and went were seen ($gone of them)"
is "$(jq -r '.collector.events_lost // 0' "$TMPD/hot.json" | sort -u | tr '\n' ' ')" "0 " "... no namespace's events lost to a full map"
cw_lines "$TMPD/hot.json" h0 h1 h2 h3 >"$TMPD/cw-h.txt"
compare_ticks "$TMPD/ss-h.txt" "$TMPD/cw-h.txt" 6 >"$TMPD/cmp-h.txt"
grep '^#' "$TMPD/cmp-h.txt" | head -20
res=$(tail -1 "$TMPD/cmp-h.txt")
diag "under churn: $res"
eval "$res"
ok "$([ "$checked" -ge $((4 * TICKS - 8)) ]; echo $?)" "under churn: ticks compared with ss: $checked of $((4 * TICKS))"
is "$bad" 0 "under churn: every compared tick's per-state counts equal ss -tan, within the samples around it"
ok "$([ "$events" -ge $((4 * TICKS / 2)) ]; echo $?)" "under churn: most of them from events ($events events, $dump dump)"
rates=$(jq -r --argjson i "${INO[h0]}" '.netns[] | select(.inode == $i) | .transitions // [] | .[]
	| select(.comm == "sockgen" and .state == "TIME_WAIT") | .per_s' "$TMPD/hot.json" | tail -n +3)
med=$(echo "$rates" | sort -g | awk 'NF { v[++n] = $1 } END { print n ? v[int((n + 1) / 2)] : 0 }')
ok "$(awk -v m="$med" 'BEGIN { exit !(m >= 200 && m <= 300) }'; echo $?)" \
	"under churn: sockgen enters TIME_WAIT at ${med}/s in one of them (median; it churns 250/s)"
for n in h0 h1 h2 h3; do eval "kill_wait \$HP_$n"; done

# The live view: events load after its first screen (loading costs about
# 100 ms of CPU, which the first screen does not wait for) and come on a
# tick later; its transitions screen then shows the churn.
SOCK=$TMPD/tmux.sock
on_exit "tmux -S '$SOCK' kill-server 2>/dev/null"
tmux -S "$SOCK" new-session -d -s cw -x 120 -y 40 "exec '$CONNWATCH' -d 0.5 -F $t --no-mouse"
wait_for 15 sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qE '^[^ ]* +$t-churn '"
ok $? "the live view shows the churning namespace"
tmux -S "$SOCK" send-keys -t cw X
wait_for 15 sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qE '^$t-churn +sockgen +TIME_WAIT +[0-9]'"
ok $? "... and events load after its first screen: the transitions screen shows sockgen entering TIME_WAIT" ||
	tmux -S "$SOCK" capture-pane -p -t cw | sed 's/^/# /'
tmux -S "$SOCK" kill-server 2>/dev/null

# --no-bpf: off, with the reason; the counts still match ss.
"$CONNWATCH" --json --no-bpf >"$TMPD/nobpf.json" 2>"$TMPD/nobpf.err"
is "$?" 0 "--no-bpf runs"
is "$(jq -r '.collector.events' "$TMPD/nobpf.json")" "events off: --no-bpf" "--no-bpf: collector.events says why"
is "$(jq '[.netns[] | select(.source_counts == "events")] | length' "$TMPD/nobpf.json")" 0 "--no-bpf: no row from events"
compare_counts "$t-quiet" "${INO[quiet]}" "--no-bpf" 0

# Capabilities: without CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN, which
# stands in for both), off with the reason; with them, on, and both kept
# after every other capability is dropped.
as_caps() {
	local spec=-all c
	for c in ${1//,/ }; do spec=$spec,+$c; done
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps="$spec" --ambient-caps="$spec" --bounding-set="$spec" \
		"$CONNWATCH" --json -n "$3" -d 0.5 >"$2" 2>"$2.err"
}
as_caps sys_ptrace,dac_read_search "$TMPD/nocap.json" 1
is "$(jq -r '.collector.events' "$TMPD/nocap.json" | tail -1)" \
	"events off: needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)" \
	"without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN: off, and says so"
spec=-all,+sys_admin,+sys_ptrace,+dac_read_search,+bpf,+perfmon,+net_admin
setpriv --reuid=nobody --regid=nogroup --clear-groups \
	--inh-caps="$spec" --ambient-caps="$spec" --bounding-set="$spec" \
	"$CONNWATCH" --json -n 6 -d 0.5 --budget 0.001 >"$TMPD/cap.json" 2>"$TMPD/cap.err" &
CP=$!
on_exit "kill_wait $CP"
for _ in $(seq 1 30); do
	[ -s "$TMPD/cap.json" ] && break
	sleep 0.1
done
eff=$(awk '/^CapEff/ { print $2 }' "/proc/$CP/status" 2>/dev/null)
wait "$CP"
is "$?" 0 "nobody with the three, CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN runs"
is "$(capsh --decode="$eff" | sed 's/.*=//')" "cap_dac_read_search,cap_sys_ptrace,cap_sys_admin,cap_perfmon,cap_bpf" \
	"events on: the effective set is the three plus CAP_BPF and CAP_PERFMON (CAP_NET_ADMIN dropped)"
is "$(jq -r '.collector.events' "$TMPD/cap.json" | tail -1)" bpf "... and events are on"
is "$(jq -r --argjson i "${INO[churn]}" '.netns[] | select(.inode == $i) | .source_counts // "dump"' "$TMPD/cap.json" | tail -1)" \
	events "... and read after the drop: the last tick counts from events"
done_testing
