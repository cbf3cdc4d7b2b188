#!/bin/bash
# churn.sh: pod churn. About 10 network namespaces are created and
# destroyed per second (ip netns add/del, a sleep process in each) while
# `connwatch --json -d 0.5` runs; its open descriptors, libuv's own
# descriptors (epoll, eventfd, signalfd, timerfd...), its sockets and its
# RSS are sampled after a warm-up and at the end: they must stay flat, and
# every snapshot must parse. Knobs: CW_CHURN_SECONDS (120), CW_CHURN_RATE
# (namespaces per second, 10).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip jq

DUR=${CW_CHURN_SECONDS:-120}
RATE=${CW_CHURN_RATE:-10}
TMPD=$(mktemp -d /tmp/cwt-churn.XXXXXX)
on_exit "rm -rf '$TMPD'"
t=cwtc$$

# fds PID: "total anon sockets files", from /proc/PID/fd's link targets.
fds() {
	local total=0 anon=0 sock=0 file=0 l
	for l in /proc/"$1"/fd/*; do
		l=$(readlink "$l") || continue
		total=$((total + 1))
		case $l in
		anon_inode:*) anon=$((anon + 1)) ;;
		socket:*) sock=$((sock + 1)) ;;
		*) file=$((file + 1)) ;;
		esac
	done
	echo "$total $anon $sock $file"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# The churner: every 1/RATE s, one new namespace with a sleep in it, and the
# one made 1 s earlier goes (so about RATE live at a time).
churn() {
	local i=0 pids=() names=() end=$((SECONDS + DUR))
	while [ "$SECONDS" -lt "$end" ]; do
		ip netns add "$t-$i" 2>/dev/null || break
		ip netns exec "$t-$i" sleep 1000 &
		pids+=($!) names+=("$t-$i")
		if [ "${#names[@]}" -gt "$RATE" ]; then
			kill "${pids[0]}" 2>/dev/null
			wait "${pids[0]}" 2>/dev/null
			ip netns del "${names[0]}"
			pids=("${pids[@]:1}") names=("${names[@]:1}")
		fi
		i=$((i + 1))
		sleep "$(awk -v r="$RATE" 'BEGIN { print 1 / r }')"
	done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for n in "${names[@]}"; do ip netns del "$n"; done
	echo "$i" >"$TMPD/made"
}
# Whatever the churner left, should the test be cut short.
on_exit "for n in \$(ip netns list | awk '{ print \$1 }' | grep '^$t-'); do ip netns pids \$n | xargs -r kill; ip netns del \$n; done"

"$CONNWATCH" --json -d 0.5 --count 1000000 >"$TMPD/s.json" 2>"$TMPD/err" &
CW=$!
on_exit "kill_wait $CW"
wait_for 10 test -s "$TMPD/s.json" || bail "connwatch printed nothing: $(cat "$TMPD/err")"

# Descriptors are compared with no churned namespace alive: before and after.
sleep 1
read -r f0 a0 s0 x0 < <(fds "$CW")
ns0=$(tail -n 1 "$TMPD/s.json" | jq .collector.netns_total)
diag "before the churn ($ns0 namespaces on the node): fds $f0 (anon_inode $a0, sockets $s0, files $x0), RSS $(rss_kb "$CW") kB"
churn &
CH=$!
on_exit "kill $CH 2>/dev/null"
# Warm-up: the first seconds of churn grow caches and arenas to their
# working size; the baseline is taken after it.
warm=$((DUR / 6 > 5 ? DUR / 6 : 5))
sleep "$warm"
read -r fm am sm xm < <(fds "$CW")
r0=$(rss_kb "$CW")
n0=$(wc -l <"$TMPD/s.json")
diag "after ${warm} s of churn: fds $fm (anon_inode $am, sockets $sm, files $xm), RSS $r0 kB"
rmax=$r0
while kill -0 "$CH" 2>/dev/null; do
	sleep 1
	r=$(rss_kb "$CW") && [ "$r" -gt "$rmax" ] && rmax=$r
done
wait "$CH"
sleep 2 # the last namespaces leave; connwatch drops their handles
read -r f1 a1 s1 x1 < <(fds "$CW")
r1=$(rss_kb "$CW")
ns1=$(tail -n 1 "$TMPD/s.json" | jq .collector.netns_total)
# Other tests may add namespaces meanwhile: each may hold a socket and a few
# counter files (at most what one held before the churn), and no more.
per=$(((f0 - a0 + ns0 - 1) / ns0))
allow=$((ns1 > ns0 ? (ns1 - ns0) * per : 0))
diag "namespaces on the node: $ns0 before, $ns1 after; $per descriptors each at most: $allow allowed for the difference"
n1=$(wc -l <"$TMPD/s.json")
made=$(cat "$TMPD/made" 2>/dev/null)
diag "after ${DUR} s of churn ($made namespaces made, $(awk -v m="${made:-0}" -v d="$DUR" 'BEGIN { printf "%.1f", m / d }')/s): fds $f1 (anon_inode $a1, sockets $s1, files $x1), RSS $r1 kB (max $rmax kB)"
diag "snapshots during the churn: $((n1 - n0)) in $((DUR - warm + 2)) s at -d 0.5"

kill -0 "$CW" 2>/dev/null
ok $? "connwatch is still running after the churn"
[ "$f1" -le $((f0 + allow + 3)) ]
ok $? "open descriptors stay flat ($f0 -> $f1)"
[ "$a1" -le "$a0" ]
ok $? "libuv's anon_inode descriptors stay flat ($a0 -> $a1)"
[ "$s1" -le $((s0 + (ns1 > ns0 ? ns1 - ns0 : 0) + 3)) ]
ok $? "sockets stay flat ($s0 -> $s1): no handle kept on a dead namespace"
# RSS: a few MB of slack for malloc's arenas; a leak per namespace grows past it.
if grep -qa __asan_init "$CONNWATCH"; then
	# ASan's quarantine keeps up to 256 MB of freed memory, so RSS is only
	# bounded by it there; a leak is LeakSanitizer's to find at exit, which
	# the exit status checked below would show (23, not 143).
	[ "$r1" -le $((r0 + 300 * 1024)) ]
	ok $? "RSS stays within ASan's quarantine ($r0 -> $r1 kB, under +300 MB); leaks are LeakSanitizer's"
else
	[ "$r1" -le $((r0 + r0 / 4 + 4096)) ]
	ok $? "RSS stays flat ($r0 -> $r1 kB, within 25% + 4 MB)"
fi
[ $((n1 - n0)) -ge $(((DUR - warm) * 2 * 3 / 4)) ]
ok $? "ticks keep their pace: $((n1 - n0)) snapshots at -d 0.5 in $((DUR - warm + 2)) s"
kill -TERM "$CW"
wait "$CW"
is "$?" 143 "it ends on SIGTERM with 128+15"
head -n "$(wc -l <"$TMPD/s.json")" "$TMPD/s.json" | jq -e . >/dev/null 2>"$TMPD/jq.err" && [ ! -s "$TMPD/jq.err" ]
ok $? "every snapshot is valid JSON"
[ ! -s "$TMPD/err" ]
ok $? "nothing on stderr: $(head -c 200 "$TMPD/err")"
seen=$(jq -r --arg t "$t-" '.netns[] | select(.label | startswith($t)) | .label' "$TMPD/s.json" | sort -u | wc -l)
diag "churned namespaces seen in snapshots: $seen"
[ "$seen" -gt 0 ]
ok $? "the churned namespaces appear in the snapshots"
# A named row must carry its own name: ip netns names are unique here, so a
# label seen on two inodes means a stale identity was reused.
jq -r --arg t "$t-" '.netns[] | select(.label | startswith($t)) | "\(.label) \(.inode)"' "$TMPD/s.json" |
	sort -u | awk '{ n[$1]++ } END { for (l in n) if (n[l] > 1) print l }' >"$TMPD/dup"
[ ! -s "$TMPD/dup" ]
ok $? "each churned name sits on one inode only: $(head -3 "$TMPD/dup" | tr '\n' ' ')"

done_testing
