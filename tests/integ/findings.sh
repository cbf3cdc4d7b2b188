#!/bin/bash
# findings.sh: every incident pattern on a lab node, through --json. The
# lab's "incidents" layout runs one pod per pattern beside four steady pods
# (contrib/lab/README.md); connwatch watches it for 170 one-second ticks.
# For each rule, a finding with that id must name the right pod (the inode
# and label of its row) within the time the rule promises (two minutes;
# pool-leak 150 s, since it needs two minutes of trend; avalanche and
# off-baseline within 75 s of the jump, and not before it), the right
# peer where the rule names one, and the right process where it names one; the
# steady pods must have no finding at all, at any tick. Before the rules,
# the lab itself is checked through connwatch's rows and ss, so a failure
# says which side is wrong. Nothing leaves the machine: the lab's bridge
# has no route off the node, and the service range is dropped in each pod.
. "$top_srcdir/tests/lib.sh"
need_root
need_cmd ip ss nstat jq nsenter setsid unshare flock
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"
[ -x "$CONNWATCH" ] || bail "no $CONNWATCH: run make"

TICKS=170
TMPD=$(mktemp -d /tmp/cwt-find.XXXXXX)
on_exit "rm -rf '$TMPD'"
# A lab of our own, beside any other: state, bridge, veths, /16 and rootfs.
export CWLAB_STATE=/run/cwlab-find$$ CWLAB_BRIDGE=cwfb$$ CWLAB_VETH=cwfv$$
export CWLAB_NET=10.$((214 + $$ % 20)) CWLAB_SOCKGEN=$SOCKGEN
# avalanche and surge jump this long after the apps start: connwatch has
# about 75 s of steady history before, more than the minute a baseline
# needs under --history 3 (a third of it), and the minute before the jump
# that avalanche compares with.
export CWLAB_JUMP_AFTER=80
ROOT=$TMPD/root
on_exit "'$LAB' down"
"$LAB" up --scenario incidents --rootfs "$ROOT" >"$TMPD/up.out" 2>&1 ||
	bail "lab up failed: $(tail -c 400 "$TMPD/up.out")"
"$LAB" status --json >"$TMPD/pods.json" || bail "lab status failed"

pod() { jq -r --argjson i "$1" ".[] | select(.index == \$i) | $2" "$TMPD/pods.json"; }
ino() { stat -L -c %i "/run/netns/$(pod "$1" .netns)"; }
label() { pod "$1" .pod; }
apppid() { pod "$1" .app_pid; }
ip_of() { pod "$1" .ip; }
nsx() { ip netns exec "$(pod "$1" .netns)" "${@:2}"; }

# The layout (contrib/lab/lab, effective()).
AVAL=(0 1 5) BACKEND=2 DNS=4 SURGE=6 TW=8 LEAK=10 FAIL=11 OVF=12 PORTS=13 CW=15
STEADY=(3 7 9 14)
is "$(jq length "$TMPD/pods.json")" 16 "the incidents layout has 16 pods"
for i in "${AVAL[@]}" $DNS $SURGE $TW $LEAK $FAIL $OVF $PORTS $CW "${STEADY[@]}"; do
	eff=$(pod "$i" .effective)
	case $i in
	0 | 1 | 5) want=avalanche ;; 4) want=dns ;; 6) want=surge ;; 8) want=timewait ;;
	10) want=leak ;; 11) want=connfail ;; 12) want=overflow ;; 13) want=ports ;;
	15) want=closewait ;; *) want=steady ;;
	esac
	[ "$eff" = "$want" ] || bail "pod $i runs $eff, not $want: the lab's layout changed"
done
BACK=$(ip_of $BACKEND):8080
JUMP=$(tr '\0' '\n' <"/proc/$(apppid 0)/cmdline" | sed -n '/^--hold-at$/{n;p}')
[ -n "$JUMP" ] || bail "no --hold-at in the avalanche pod's command line"

OUT=$TMPD/run.ndjson
# --history 3: baselines from the first minute on (the default 15 minutes
# would need 5), and trends long enough for pool-leak's 2 minutes.
# --budget 50: exact counts for every lab pod at every tick, even beside
# other tests' namespaces (a starved budget spaces a pod's dumps out, and
# the rules' 30-s holds with them: that is the budget's test, not this one).
"$CONNWATCH" --json --count "$TICKS" --delay 1 --history 3 --budget 50 --rootfs "$ROOT" \
	>"$OUT" 2>"$TMPD/cw.err" &
CWPID=$!
on_exit "kill $CWPID 2>/dev/null; wait $CWPID 2>/dev/null"

# The lab side, by ss and /proc, while connwatch runs (after a few seconds
# of load).
sleep 8
n=$(nsx $DNS ss -tanH state syn-sent dst 10.96.0.10 dport = :53 | wc -l)
ok "$([ "$n" -ge 60 ]; echo $?)" "dns: $n TCP SYN_SENT to 10.96.0.10:53 (ss)"
n=$(nsx $DNS ss -uanH dst 10.96.0.10 dport = :53 | wc -l)
ok "$([ "$n" -ge 40 ]; echo $?)" "dns: $n UDP sockets connected to 10.96.0.10:53 (ss)"
rc=$(cat "/proc/$(apppid $DNS)/root/etc/resolv.conf")
ok "$([[ $rc == *"options ndots:5"* && $rc == *"nameserver 10.96.0.10"* ]]; echo $?)" \
	"dns: the app's /etc/resolv.conf has ndots:5 and the cluster resolver"
ok "$([ "$(grep -c '^search .* .* .* ' <<<"$rc")" = 1 ]; echo $?)" "dns: ... and 4 search domains"
ok "$(! grep -q 'ndots:5' /etc/resolv.conf; echo $?)" "dns: the host's /etc/resolv.conf is untouched"
ok "$(tr '\0' '\n' <"/proc/$(apppid $DNS)/environ" | grep -qx GODEBUG=netdns=go; echo $?)" \
	"dns: GODEBUG=netdns=go in the app's environment"
is "$(nsx $PORTS cat /proc/sys/net/ipv4/ip_local_port_range | tr -s '\t ' ' ')" "40000 40199" \
	"ports: the pod's ip_local_port_range is narrowed"
n=$(nsx $PORTS ss -tanH state established dst "$(ip_of $BACKEND)" | wc -l)
ok "$([ "$n" -ge 160 ]; echo $?)" "ports: $n of its 200 ports held toward $BACK (ss)"
a=$(nsx $FAIL nstat -az TcpAttemptFails | awk '/AttemptFails/ { print $2 }')
sleep 2
b=$(nsx $FAIL nstat -az TcpAttemptFails | awk '/AttemptFails/ { print $2 }')
ok "$([ $((b - a)) -ge 10 ]; echo $?)" "connfail: AttemptFails rose by $((b - a)) in 2 s"
n=$(nsx $OVF ss -ltnH sport = :8086 | awk '{ print $2 " " $3 }')
is "$n" "5 4" "overflow: the :8086 listener's queue (5) is past its backlog (4)"
# One process holds the leak and the CLOSE_WAIT sockets: the owner is known.
owners() { # owners INDEX STATE REMOTE RPORT: "pid count" per owner of those sockets
	"$CONNWATCH" --json --rootfs "$ROOT" --sockets "$(label "$1")" --tcp-info 2>/dev/null |
		jq -r --arg st "$2" --arg r "$3" --argjson p "$4" '[.netns[] | .sockets? // [] | .[]
			| select(.state == $st and .remote == $r and .rport == $p) | .pid] | group_by(.)
			| map("\(.[0]) \(length)") | .[]'
}
n=$(owners $LEAK ESTABLISHED "$(ip_of $BACKEND)" 8080)
ok "$([ "$(wc -l <<<"$n")" = 1 ] && [ "${n% *}" = "$(apppid $LEAK)" ] && [ "${n#* }" -ge 20 ]; echo $?)" \
	"leak: the app (pid $(apppid $LEAK)) holds every connection to $BACK (pid count: $n)"
n=$(owners $CW CLOSE_WAIT "$(ip_of $BACKEND)" 8087)
ok "$([ "$(wc -l <<<"$n")" = 1 ] && [ "${n% *}" = "$(apppid $CW)" ] && [ "${n#* }" -ge 10 ]; echo $?)" \
	"closewait: the app (pid $(apppid $CW)) holds every CLOSE_WAIT (pid count: $n)"

wait "$CWPID"
is "$?" 0 "connwatch ran $TICKS ticks"
is "$(wc -l <"$OUT")" "$TICKS" "$TICKS snapshots"
# jq helpers: ts (a snapshot's time, epoch seconds); names_peer (a finding
# names ADDR:PORT in its peer, text or evidence); says (its text, evidence
# keys or values contain S).
JQDEFS='def ts: .time | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601;
def names_peer($a; $p): ((.peer // {}) | .addr == $a and .port == $p)
	or ([(.text // ""), (.evidence // {} | .. | scalars | tostring)] | any(contains("\($a):\($p)")));
def says($s): [(.text // ""), (.evidence // {} | paths(scalars) | map(tostring) | join(".")),
	(.evidence // {} | .. | scalars | tostring)] | any(contains($s));'
T0=$(head -1 "$OUT" | jq "$JQDEFS ts")
diag "jump at +$((JUMP - T0)) s"

# Each pod's row is named for it: its label, and the inode of its pin.
wrong=''
for i in $(jq -r '.[].index' "$TMPD/pods.json"); do
	got=$(jq -r --arg l "$(label "$i")" '[.netns[] | select(.label == $l) | .inode] | unique | map(tostring) | join(",")' "$OUT" | sort -u | tr '\n' ' ')
	[ "$got" = "$(ino "$i") " ] || wrong="$wrong $(label "$i")=[$got]"
done
is "$wrong" "" "every pod's row, at every tick, has its label and its netns inode"

# series INDEX FILTER: the row's FILTER value at each tick.
series() { jq -r --argjson ino "$(ino "$1")" "[.netns[] | select(.inode == \$ino)][0] | $2 // 0" "$OUT"; }
first() { series "$1" "$2" | sed -n 3p; } # (tick 3: exact counts are in)
last() { series "$1" "$2" | tail -1; }
max() { series "$1" "$2" | sort -g | tail -1; }
min() { series "$1" "$2" | sort -g | head -1; }
# at INDEX FILTER T: the value at the first tick at or after epoch second T.
at() {
	jq -r --argjson ino "$(ino "$1")" --argjson t "$3" \
		"$JQDEFS select(ts >= \$t) | [.netns[] | select(.inode == \$ino)][0] | $2 // 0" "$OUT" | head -1
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# The lab side, through connwatch's rows.
a=$(first $LEAK .tcp.ESTABLISHED) b=$(last $LEAK .tcp.ESTABLISHED)
ok "$(ge $((b - a)) 500; echo $?)" "leak: ESTABLISHED $a -> $b over the run"
ok "$(ge "$(max $DNS .tcp.SYN_SENT)" 60; echo $?)" "dns: up to $(max $DNS .tcp.SYN_SENT) SYN_SENT"
ok "$(ge "$(max $FAIL .rates.attempt_fails)" 5; echo $?)" "connfail: attempt_fails up to $(max $FAIL .rates.attempt_fails)/s"
ok "$(ge "$(max $OVF .rates.listen_overflows)" 5; echo $?)" "overflow: listen_overflows up to $(max $OVF .rates.listen_overflows)/s"
a=$(first $CW .tcp.CLOSE_WAIT) b=$(last $CW .tcp.CLOSE_WAIT)
ok "$(ge $((b - a)) 100; echo $?)" "closewait: CLOSE_WAIT $a -> $b"
ok "$(ge "$(max $TW .tcp.TIME_WAIT)" 2000; echo $?)" "timewait: up to $(max $TW .tcp.TIME_WAIT) TIME_WAIT"
ok "$(ge "$(max $PORTS .tcp.ESTABLISHED)" 180; echo $?)" "ports: $(max $PORTS .tcp.ESTABLISHED) ESTABLISHED"
for i in "${AVAL[@]}" $SURGE; do
	a=$(at "$i" .tcp.ESTABLISHED $((JUMP - 5))) b=$(at "$i" .tcp.ESTABLISHED $((JUMP + 5)))
	ok "$([ "$a" -gt 0 ] && ge "$b" $((a * 4)); echo $?)" "$(pod "$i" .effective) $(label "$i"): ESTABLISHED $a -> $b at the jump"
done
for i in "${STEADY[@]}"; do
	n=$(series "$i" .tcp_total | sed 1,2d | sort -u | wc -l)
	is "$n" 1 "steady $(label "$i"): tcp_total never moves ($(max "$i" .tcp_total))"
done

# The findings. Every one keeps the contract.
bad=$(jq -c '.findings[]? | select((.rule | IN("pool-leak","dns-storm","avalanche","close-wait","time-wait","connect-fail","listen-overflow","node-limit","off-baseline") | not)
	or (.severity | IN("info","warn","crit") | not) or (.inode | type) != "number" or (.label | type) != "string"
	or (.since | type) != "string" or (.text | type) != "string" or (.text == "") or (.next | type) != "string"
	or (.evidence | type) != "object")' "$OUT" | head -3)
is "$bad" "" "every finding has a known rule, a severity, inode, label, since, text, evidence and next"
ok "$(jq -e 'has("findings")' "$OUT" >/dev/null; echo $?)" "--json has a findings list"

# find RULE INDEXES... -- JQ-CONDITION: the seconds (from the first tick) to
# the first tick with a RULE finding about one of the pods (inode and label
# of its row) that meets the condition; nothing if none.
find() {
	local rule=$1 pods='' i
	shift
	while [ "$1" != -- ]; do
		pods="$pods${pods:+,}{\"inode\":$(ino "$1"),\"label\":\"$(label "$1")\"}"
		shift
	done
	jq -r --arg rule "$rule" --argjson pods "[$pods]" --argjson t0 "$T0" "$JQDEFS
		ts as \$t
		| select([.findings[]? | select(.rule == \$rule) | select(. as \$f | \$pods | any(.inode == \$f.inode and .label == \$f.label)) | select($2)] | length > 0)
		| \$t - \$t0" "$OUT" | head -1
}
# expect RULE INDEX DEADLINE-FROM-T0 [peer ADDR PORT] [pid PID] [says TEXT]...
expect() {
	local rule=$1 i=$2 by=$3 t
	shift 3
	t=$(find "$rule" "$i" -- true)
	ok "$([ -n "$t" ] && [ "$t" -le "$by" ]; echo $?)" \
		"$rule: a finding for $(label "$i") by +$by s (first at ${t:-never})"
	while [ $# -gt 0 ]; do
		case $1 in
		peer) t=$(find "$rule" "$i" -- "names_peer(\"$2\"; $3)")
			ok "$([ -n "$t" ]; echo $?)" "$rule: ... names the peer $2:$3"
			shift 3 ;;
		pid) t=$(find "$rule" "$i" -- ".pid == $2")
			ok "$([ -n "$t" ]; echo $?)" "$rule: ... names the process, pid $2"
			shift 2 ;;
		says) t=$(find "$rule" "$i" -- "says(\"$2\")")
			ok "$([ -n "$t" ]; echo $?)" "$rule: ... mentions $2"
			shift 2 ;;
		esac
	done
}
# The jump-bound rules: first seen no earlier than the jump, and within 75 s.
J=$((JUMP - T0))
expect pool-leak $LEAK 150 peer "$(ip_of $BACKEND)" 8080 pid "$(apppid $LEAK)"
expect dns-storm $DNS 120 peer 10.96.0.10 53 says ndots says netdns
expect close-wait $CW 120 peer "$(ip_of $BACKEND)" 8087 pid "$(apppid $CW)"
expect time-wait $TW 120 peer "$(ip_of $BACKEND)" 8080
expect connect-fail $FAIL 120 peer 10.100.32.7 5432
expect listen-overflow $OVF 120 says 8086 says somaxconn
expect node-limit $PORTS 120
expect off-baseline $SURGE $((J + 75))
t=$(find off-baseline $SURGE -- true)
ok "$([ -n "$t" ] && [ "$t" -ge $((J - 1)) ]; echo $?)" "off-baseline: not before the jump (+$J s; first at ${t:-never})"
t=$(find avalanche "${AVAL[@]}" -- true)
ok "$([ -n "$t" ] && [ "$t" -ge $((J - 1)) ] && [ "$t" -le $((J + 75)) ]; echo $?)" \
	"avalanche: a finding for the web pods within 75 s of the jump at +$J s (first at ${t:-never})"
t=$(find avalanche "${AVAL[@]}" -- "names_peer(\"$(ip_of $BACKEND)\"; 8080)")
ok "$([ -n "$t" ]; echo $?)" "avalanche: ... names the common peer $BACK"
for i in "${AVAL[@]}"; do
	n=$(jq -r --argjson ino "$(ino "$i")" --arg name "$(pod "$i" .name)" "$JQDEFS"'
		[.findings[]? | select(.rule == "avalanche") | select(.inode == $ino or says($name))] | length' "$OUT" |
		sort -g | tail -1)
	ok "$([ "${n:-0}" -gt 0 ]; echo $?)" "avalanche: ... involves $(label "$i")"
done

# What each pod got over the run, for the log.
for i in $(jq -r '.[].index' "$TMPD/pods.json"); do
	diag "$(printf '%-9s %-38s' "$(pod "$i" .effective)" "$(label "$i")")" \
		"$(jq -r --argjson ino "$(ino "$i")" '.findings[]? | select(.inode == $ino) | .rule' "$OUT" |
			sort | uniq -c | awk '{ printf "%s%s (%d ticks)", (NR > 1 ? ", " : ""), $2, $1 }')"
done

# The control group: no finding about a steady pod, ever.
for i in "${STEADY[@]}"; do
	n=$(jq -r --argjson ino "$(ino "$i")" --arg l "$(label "$i")" \
		'[.findings[]? | select(.inode == $ino or .label == $l) | .rule] | unique | join(",")' "$OUT" |
		sort -u | grep -v '^$' | tr '\n' ' ')
	is "$n" "" "steady $(label "$i"): no finding in $TICKS ticks"
done

done_testing
