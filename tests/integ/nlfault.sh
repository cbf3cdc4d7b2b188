#!/bin/bash
# nlfault.sh: netlink faults in real dumps of real namespaces. The kernel
# cannot be made to overrun a sock_diag receive queue (ENOBUFS) or to
# interrupt a dump (NLM_F_DUMP_INTR) on demand, so tests/tools/nlfault.so,
# preloaded into the real connwatch, injects them into its dumps of one
# namespace (see that file's header for CW_FAULT_NL). Proves:
#  1. ENOBUFS in the middle of some dumps: connwatch keeps running, never
#     publishes a partial dump; the row keeps its last exact counts with
#     their true age and says why; collector.dumps_failed counts them; once
#     the faults stop the counts are fresh and equal to ss -tan again.
#  2. NLM_F_DUMP_INTR on one reply: the dump is asked again at once, the
#     row is fresh, right and "ok", and collector.dumps_retried counts it.
#  3. NLM_F_DUMP_INTR on every reply: a namespace never dumped whole has no
#     exact counts at all; one dumped whole before keeps those counts,
#     ageing, and is never published fresh; both say why.
#  4. ENOBUFS on every dump for 40 ticks: descriptors stay flat (and, in
#     the sanitizer build, LeakSanitizer checks the exit).
#  5. The same as 1 with TCP state events on, where they are available.
#  6. Per-family dumps: the IPv6 half failing or interrupted after the IPv4
#     half worked.
# Runs with --no-bpf but in 5: the counts under test are the dumps'. In a
# sanitizer build the ASan runtime is preloaded first.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss jq
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"
NLFAULT=$top_builddir/tests/tools/nlfault.so
[ -f "$NLFAULT" ] || bail "no $NLFAULT: run make check (or make tests/tools/nlfault.so)"
# A sanitizer build: its runtime must come first in the preload list.
ASAN_RT=$(ldd "$CONNWATCH" 2>/dev/null | awk '$1 ~ /^libasan/ { print $3 }')
PRELOAD=${ASAN_RT:+$ASAN_RT:}$NLFAULT
[ -n "$ASAN_RT" ] && diag "sanitizer build: preloading $ASAN_RT first"

TMPD=$(mktemp -d /tmp/cwt-nlfault.XXXXXX)
on_exit "rm -rf '$TMPD'"
t=cwtn$$
A=$t-a B=$t-b C=$t-c

# A: the faulted namespace; enough sockets that a dump takes several
# datagrams, so a fault on the second one lands in the middle of it.
add_netns "$A"
add_netns "$B"
add_netns "$C"
start_sockgen "$A" a --estab 400 --estab6 20 --closewait 5 --synsent 2
start_sockgen "$B" b --estab 7 --closewait 2
start_sockgen "$C" c --estab 3
IA=$(netns_inode "$A") IB=$(netns_inode "$B") IC=$(netns_inode "$C")
# Every socket is static: ss now is what each exact count must be.
SS_A=$(ss_counts "$A") SS_B=$(ss_counts "$B")
diag "A holds $(ip netns exec "$A" ss -tanH | wc -l) sockets"

# run NAME SPEC ARGS...: connwatch --json with faults SPEC injected; A's
# sockets asked for, so A is dumped every tick whatever the budget.
run() {
	local name=$1 spec=$2
	shift 2
	: >"$TMPD/$name.log"
	CW_FAULT_NL=$spec CW_FAULT_NL_LOG=$TMPD/$name.log LD_PRELOAD=$PRELOAD \
		"$CONNWATCH" --json --no-bpf --budget 100 --sockets "$IA" "$@" \
		>"$TMPD/$name.json" 2>"$TMPD/$name.err"
}

# rows FILE INODE: per snapshot, one line "time_ms status age counts"
# (age and counts "-" without exact counts).
rows() {
	jq -r --argjson ino "$2" --arg states "$CW_STATES" '
		(.time | sub("\\.(?<ms>[0-9]+)Z$"; "Z") | fromdate) as $s
		| (.time | capture("\\.(?<ms>[0-9]+)Z$").ms | tonumber) as $ms
		| .netns[] | select(.inode == $ino)
		| "\($s * 1000 + $ms) \(.status | gsub(" "; "~")) \(.exact_age_ms // "-") \(
			if .tcp then [($states | split(" "))[] as $k | "\($k)=\(.tcp[$k])"] | join(",")
			else "-" end)"' "$1"
}
# flat COUNTS: "STATE=N" lines as one comma-separated line.
flat() { echo "$1" | paste -sd, -; }

# whole_or_kept ROWS WANT: each row (from rows) is either a fresh dump (ok,
# age 0, counts WANT) or, after a failure, the last whole dump's counts with
# their true age (now - the time of the last ok tick); never a partial one.
# Prints the first row that is neither.
whole_or_kept() {
	awk -v want="$2" '
		$2 == "ok" { if ($3 != 0 || $4 != want) { print "fresh but wrong: " $0; exit } last = $1; next }
		{ if (!last) { print "failed before any exact count: " $0; exit }
		  if ($3 != $1 - last) { print "age " $3 " is not " $1 - last ": " $0; exit }
		  if ($4 != want) { print "kept counts differ: " $0; exit } }' "$1"
}

# all_parse FILE N: N lines, each one strict JSON document.
all_parse() { [ "$(jq -c . "$1" 2>/dev/null | wc -l)" -eq "$2" ]; }

# =============================================================================
# 1. ENOBUFS in the middle of A's dumps 3, 5, 7 and 9 of 14.
# =============================================================================
run enobufs "enobufs:netns=$IA,from=3,every=2,count=4,at=2" -d 0.1 --count 14
is "$?" 0 "1: 14 ticks with ENOBUFS injected into 4 of A's dumps: exit 0"
all_parse "$TMPD/enobufs.json" 14
ok $? "1: 14 snapshots, each valid JSON"
is "$(grep -c "^enobufs netns=$IA " "$TMPD/enobufs.log")" 4 "1: the injector failed 4 receives with ENOBUFS"
# A fault on the second datagram lands mid-dump: part of the answer was
# already parsed when the error came.
is "$(awk '{ print $4 }' "$TMPD/enobufs.log" | sort -u | tr '\n' ' ')" "datagram=2 " \
	"1: each one in the middle of a dump (its 2nd datagram)"
rows "$TMPD/enobufs.json" "$IA" >"$TMPD/enobufs.a"
diag "1: A per tick (status, exact_age_ms, total):"
awk '{ n = split($4, c, ","); t = 0; for (i = 1; i <= n; i++) { split(c[i], kv, "="); t += kv[2] }
	printf "#   %s %s %s\n", $2, $3, t }' "$TMPD/enobufs.a"
is "$(grep -c ' sock_diag:~receive~queue~overrun~(ENOBUFS) ' "$TMPD/enobufs.a")" 4 \
	"1: A's status names the overrun in exactly the 4 faulted ticks"
want=$(flat "$SS_A")
bad=$(whole_or_kept "$TMPD/enobufs.a" "$want")
[ -z "$bad" ]
ok $? "1: every A row is a whole dump: fresh and equal to ss, or the last one with its true age${bad:+: $bad}"
is "$(tail -n 3 "$TMPD/enobufs.a" | awk -v want="$want" '$2 == "ok" && $3 == 0 && $4 == want' | wc -l)" 3 \
	"1: once the faults stop, A is fresh (age 0) and equal to ss -tan again"
TOT_A=$(echo "$SS_A" | awk -F= '{ t += $2 } END { print t }')
is "$(jq -s --argjson ino "$IA" --argjson tot "$TOT_A" \
	'[.[] | .netns[] | select(.inode == $ino) | (.sockets // []) | length | select(. != 0 and . != $tot)] | length' \
	"$TMPD/enobufs.json")" 0 "1: A's socket list is never a partial dump either"
fails=$(jq -s '[.[] | .collector.dumps_failed // 0] | "\(.[0]) \(.[-1])"' -r "$TMPD/enobufs.json")
diag "1: collector.dumps_failed first/last snapshot: $fails"
# Node-wide (other namespaces on this machine may fail too), so: it never
# goes back, and it rises in each tick where A's dump failed.
rise=$(jq -r --argjson ino "$IA" '"\(.collector.dumps_failed // 0) \(.netns[] | select(.inode == $ino) | .status | test("ENOBUFS"))"' \
	"$TMPD/enobufs.json" | awk '{ if ($1 < p) bad++; if ($2 == "true") { f++; if ($1 > p) r++ } p = $1 }
		END { print f + 0, r + 0, bad + 0 }')
[ "${fails#* }" -ge 4 ] && [ "$rise" = "4 4 0" ]
ok $? "1: collector.dumps_failed counts them: it rose in each of the 4 faulted ticks, never went back (faulted, rose, went back: $rise)"
# B is never faulted: each of its rows is fresh, ok and right.
want=$(flat "$SS_B")
is "$(rows "$TMPD/enobufs.json" "$IB" | awk -v want="$want" '$2 != "ok" || $4 != want' | wc -l)" 0 \
	"1: B (not faulted) is ok and equal to ss in every tick"
grep -q . "$TMPD/enobufs.err" && diag "1: stderr: $(head -c 300 "$TMPD/enobufs.err")"

# =============================================================================
# 2. NLM_F_DUMP_INTR on one reply of A (dump 2): asked again at once.
# =============================================================================
run intr1 "dumpintr:netns=$IA,from=2,count=1,at=2" -d 0.1 --count 4
is "$?" 0 "2: 4 ticks, one of A's replies marked NLM_F_DUMP_INTR: exit 0"
all_parse "$TMPD/intr1.json" 4
ok $? "2: 4 snapshots, each valid JSON"
is "$(grep -c "^dumpintr netns=$IA dump=2 " "$TMPD/intr1.log")" 1 "2: the injector marked one reply (dump 2)"
rows "$TMPD/intr1.json" "$IA" >"$TMPD/intr1.a"
want=$(flat "$SS_A")
bad=$(awk -v want="$want" '$2 != "ok" || $3 != 0 || $4 != want' "$TMPD/intr1.a" | head -2)
[ -z "$bad" ]
ok $? "2: the dump was asked again in the same tick: every A row ok, fresh and equal to ss${bad:+: $bad}"
# (dumps_failed is node-wide: other namespaces of this machine may fail.)
is "$(jq -s '.[-1].collector.dumps_retried // 0 | . >= 1' "$TMPD/intr1.json")" true \
	"2: collector.dumps_retried counts the retry"

# =============================================================================
# 3. NLM_F_DUMP_INTR on every reply: C from its first dump, A from its second.
# =============================================================================
run intrall "dumpintr:netns=$IC;dumpintr:netns=$IA,from=2" -d 0.1 --count 5
is "$?" 0 "3: 5 ticks with every reply of C, and of A after its first dump, interrupted: exit 0"
all_parse "$TMPD/intrall.json" 5
ok $? "3: 5 snapshots, each valid JSON"
# Each dump asks twice (the request and its one retry), both interrupted.
# C is dumped in the first tick (the first --json snapshot wants every
# count) and in later ones as the budget allows (dump_ms says when).
nc=$(jq -s --argjson ino "$IC" '[.[].netns[] | select(.inode == $ino and .dump_ms)] | length' "$TMPD/intrall.json")
diag "3: C was dumped in $nc of the 5 ticks"
[ "$nc" -ge 1 ] && [ "$(grep -c "^dumpintr netns=$IC " "$TMPD/intrall.log")" -eq $((2 * nc)) ]
ok $? "3: C: each of its $nc dumps and its retry interrupted ($(grep -c "^dumpintr netns=$IC " "$TMPD/intrall.log") replies marked)"
rows "$TMPD/intrall.json" "$IC" >"$TMPD/intrall.c"
is "$(awk '$3 == "-" && $4 == "-" && $2 ~ /interrupted/' "$TMPD/intrall.c" | wc -l)" 5 \
	"3: C never has exact counts (no tcp, no exact_age_ms), and says it was interrupted"
diag "3: C's status: $(head -n 1 "$TMPD/intrall.c" | cut -d" " -f2 | tr "~" " ")"
rows "$TMPD/intrall.json" "$IA" >"$TMPD/intrall.a"
want=$(flat "$SS_A")
is "$(head -n 1 "$TMPD/intrall.a" | awk -v want="$want" '{ print ($2 == "ok" && $3 == 0 && $4 == want) }')" 1 \
	"3: A's first dump is whole: ok, fresh and equal to ss"
t0=$(head -n 1 "$TMPD/intrall.a" | cut -d' ' -f1)
bad=$(tail -n +2 "$TMPD/intrall.a" | awk -v t0="$t0" -v want="$want" \
	'$2 !~ /interrupted/ || $3 != $1 - t0 || $3 <= 0 || $4 != want' | head -2)
[ -z "$bad" ] && [ "$(wc -l <"$TMPD/intrall.a")" -eq 5 ]
ok $? "3: then A keeps that dump's counts, ageing from it (never fresh), and says why${bad:+: $bad}"
is "$(jq -s --argjson n $((nc + 4)) '.[-1].collector | "\((.dumps_retried // 0) >= $n) \((.dumps_failed // 0) >= $n)"' -r "$TMPD/intrall.json")" \
	"true true" "3: collector.dumps_retried and dumps_failed count them (>= $((nc + 4)) each: C's and A's last 4)"
want=$(flat "$SS_B")
is "$(rows "$TMPD/intrall.json" "$IB" | awk -v want="$want" '$2 != "ok" || $4 != want' | wc -l)" 0 \
	"3: B (not faulted) is ok and equal to ss in every tick"

# =============================================================================
# 4. ENOBUFS on every dump of A (its first datagram) for 40 ticks: nothing
#    accumulates.
# =============================================================================
: >"$TMPD/long.log"
CW_FAULT_NL="enobufs:netns=$IA" CW_FAULT_NL_LOG=$TMPD/long.log LD_PRELOAD=$PRELOAD \
	"$CONNWATCH" --json --no-bpf --budget 100 --sockets "$IA" -d 0.05 --count 40 \
	>"$TMPD/long.json" 2>"$TMPD/long.err" &
CW_PID=$!
on_exit "kill_wait $CW_PID"
# fds_at N: "FDS NETNS": connwatch's open descriptors once N snapshots are
# out, and the namespaces the Nth saw.
fds_at() {
	wait_for 30 eval "[ \"\$(wc -l <'$TMPD/long.json')\" -ge $1 ]" || return
	echo "$(find "/proc/$CW_PID/fd" -mindepth 1 2>/dev/null | wc -l) $(sed -n "$1p" "$TMPD/long.json" | jq .collector.netns_total)"
}
read -r f1 n1 < <(fds_at 5)
read -r f2 _ < <(fds_at 35)
wait "$CW_PID"
is "$?" 0 "4: 40 ticks with every dump of A failing: exit 0"
# Other tests on this machine may add namespaces meanwhile: each keeps a
# socket and a few files (about what one held at the first sample), no more.
nmax=$(jq -s '[.[4:][] | .collector.netns_total] | max // 0' "$TMPD/long.json")
[ "${n1:-0}" -gt 0 ] 2>/dev/null || { n1=1 f1=0; diag "4: no first sample"; }
per=$(((f1 + n1 - 1) / n1))
allow=$((nmax > n1 ? (nmax - n1) * per : 0))
diag "4: open descriptors after 5 and 35 snapshots: $f1 $f2; namespaces $n1, at most $nmax later ($allow descriptors allowed for them); faults injected: $(wc -l <"$TMPD/long.log")"
[ -n "$f2" ] && [ "$f2" -le $((f1 + allow + 3)) ]
ok $? "4: descriptors do not grow with failed dumps ($f1 -> $f2)"
is "$(rows "$TMPD/long.json" "$IA" | awk '$3 != "-" || $4 != "-" || $2 !~ /ENOBUFS/' | wc -l)" 0 \
	"4: A never had a whole dump: no exact counts in any tick, and the overrun named"

# =============================================================================
# 5. With TCP state events (where this kernel and build have them): a failed
#    dump drops the live counts it would have reconciled; nothing in the row
#    is newer than its last whole dump.
# =============================================================================
: >"$TMPD/ev.log"
CW_FAULT_NL="enobufs:netns=$IA,from=2,count=2,at=2" CW_FAULT_NL_LOG=$TMPD/ev.log LD_PRELOAD=$PRELOAD \
	"$CONNWATCH" --json --budget 100 --sockets "$IA" -d 0.1 --count 6 >"$TMPD/ev.json" 2>"$TMPD/ev.err"
is "$?" 0 "5: 6 ticks with events on and 2 of A's dumps failing: exit 0"
events=$(jq -r '.collector.events' "$TMPD/ev.json" | tail -n 1)
if [ "$events" = bpf ]; then
	rows "$TMPD/ev.json" "$IA" >"$TMPD/ev.a"
	bad=$(whole_or_kept "$TMPD/ev.a" "$(flat "$SS_A")")
	[ -z "$bad" ] && [ "$(grep -c ENOBUFS "$TMPD/ev.a")" -eq 2 ]
	ok $? "5: with events, every A row is a whole dump or the last one with its true age, 2 name the overrun${bad:+: $bad}"
else
	diag "5: events not in use here ($events): the dump path alone was checked above"
fi

# =============================================================================
# 6. Per-family dumps (--diag-mode family: IPv4, then IPv6): the IPv6 half
#    fails after the IPv4 half worked (requests 4 and 6: ticks 2 and 3), and
#    one IPv6 reply is interrupted (request 8, tick 4; retried as 9 and 10).
# =============================================================================
run family "enobufs:netns=$IA,from=4,every=2,count=2;dumpintr:netns=$IA,from=8,count=1" \
	--diag-mode family -d 0.1 --count 6
is "$?" 0 "6: --diag-mode family with the IPv6 half of A's dumps failing: exit 0"
is "$(awk '{ print $1, $3 }' "$TMPD/family.log" | tr '\n' ' ')" "enobufs dump=4 enobufs dump=6 dumpintr dump=8 " \
	"6: the injector failed the IPv6 requests of ticks 2 and 3, and interrupted tick 4's"
rows "$TMPD/family.json" "$IA" >"$TMPD/family.a"
bad=$(whole_or_kept "$TMPD/family.a" "$(flat "$SS_A")")
[ -z "$bad" ]
ok $? "6: no row holds the IPv4 half alone: each is whole and equal to ss, or the last whole one with its true age${bad:+: $bad}"
is "$(awk '{ print ($2 ~ /ENOBUFS/) ? "kept" : ($2 == "ok" && $3 == 0) ? "fresh" : "other" }' "$TMPD/family.a" | tr '\n' ' ')" \
	"fresh kept kept fresh fresh fresh " "6: ticks 2 and 3 keep tick 1's counts; tick 4 is retried and fresh"

# Without faults the same run agrees with ss (the injector passes through).
run clean "" -d 0.1 --count 2
is "$?" 0 "7: the injector loaded with no rule: exit 0"
is "$(rows "$TMPD/clean.json" "$IA" | awk -v want="$(flat "$SS_A")" '$2 == "ok" && $3 == 0 && $4 == want' | wc -l)" 2 \
	"7: and A is ok and equal to ss"
is "$(flat "$(ss_counts "$A")")" "$(flat "$SS_A")" "A's sockets did not move during the test"

done_testing
