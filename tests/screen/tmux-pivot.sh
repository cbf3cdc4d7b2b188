#!/usr/bin/env bash
# tests/screen/tmux-pivot.sh: the peer pivot on the real binary, in tmux, on
# real namespaces. Two client namespaces connect to one database address in
# a third (each over its own veth, the address on the server's lo), so the
# pivot must merge their sockets into one endpoint: P shows it with 2 pods
# and the sums of what `ss` counts in each; Enter lists the two pods with
# their own counts; Enter on one opens exactly its sockets to the endpoint.
# Each client's 127.0.0.1:8080 stays its own endpoint.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss tmux awk
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

TMPD=$(mktemp -d /tmp/cw-tmuxp.XXXXXX)
on_exit "rm -rf '$TMPD'"
SOCK=$TMPD/tmux.sock
T() { tmux -S "$SOCK" "$@"; }
on_exit "tmux -S '$SOCK' kill-server"

t=cwtp$$
S=$t-db A=$t-a B=$t-b
# A second octet of this run's own, so no other namespace on the node
# faces the same endpoint.
o=$((100 + $$ % 100))
DB=10.$o.0.1
add_netns "$S"
add_netns "$A"
add_netns "$B"
ip -n "$S" addr add "$DB/32" dev lo || bail "address on $S's lo"
n=1
for c in "$A" "$B"; do
	ip -n "$S" link add "db$n" type veth peer name eth0 netns "$c" || bail "veth to $c"
	ip -n "$S" addr add "10.$o.$n.1/24" dev "db$n"
	ip -n "$c" addr add "10.$o.$n.2/24" dev eth0
	ip -n "$S" link set "db$n" up
	ip -n "$c" link set eth0 up
	ip -n "$c" route add default via "10.$o.$n.1"
	n=$((n + 1))
done

# The database listens on 5432; A opens 3 connections to it, B 5. Each
# client also holds 2 loopback pairs: other endpoints, which must not mix in.
start_sockgen "$S" db --port 5432
start_sockgen "$A" a --port 8080 --estab 2 --remote "$DB:5432" --out 3
start_sockgen "$B" b --port 8080 --estab 2 --remote "$DB:5432" --out 5

screen() { T capture-pane -p -t cw; }
shows() { wait_for "${2:-10}" sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qF -- \"\$1\"" _ "$1"; }
field() { echo "$2" | awk -v n="$1" '{ print $n }'; }
# to_db NS: `ss` lines of NS's sockets toward the database.
to_db() { ip netns exec "$1" ss -tanH dst "$DB:5432"; }
# to_lo NS: `ss` lines of NS's sockets toward its own 127.0.0.1:8080.
to_lo() { ip netns exec "$1" ss -tanH dst 127.0.0.1:8080; }
# state_of COUNTS STATE: one state's count from ss_count_states.
state_of() { echo "$1" | sed -n "s/^$2=//p"; }

T new-session -d -s cw -x 80 -y 24 -e TERM=tmux-256color \
	"$CONNWATCH -d 0.5 --no-mouse -F $t-; echo \$? > $TMPD/rc; sleep 60"
shows "$A" 15
ok $? "connwatch starts and shows the test's namespaces"

T send-keys -t cw P
shows "node › endpoints" 10
ok $? "P opens the peer pivot, with a breadcrumb"
# The node may have many endpoints: the filter keeps this one (\ as elsewhere).
T send-keys -t cw '\' "$DB:5432" Enter
shows "filter: $DB:5432" 10
shows "$DB:5432 " 10
ok $? "the pivot lists the database endpoint $DB:5432" || screen | sed "s/^/# /"

# The pivot's line: DIR ENDPOINT PODS ESTAB SYN_SENT TIME_WAIT CLOSE_WAIT TOTAL.
# ss runs before and after the capture: if it moved, look again.
line=
for _ in 1 2 3 4 5; do
	a1=$(to_db "$A" | ss_count_states) b1=$(to_db "$B" | ss_count_states)
	sleep 1.2 # two ticks at -d 0.5: the screen shows counts from after ss
	line=$(screen | grep -E "^out +$DB:5432 " | head -1)
	a2=$(to_db "$A" | ss_count_states) b2=$(to_db "$B" | ss_count_states)
	[ "$a1" = "$a2" ] && [ "$b1" = "$b2" ] && break
done
ea=$(state_of "$a2" ESTABLISHED) eb=$(state_of "$b2" ESTABLISHED)
is "$ea/$eb" "3/5" "ss: A has 3 and B 5 ESTABLISHED sockets to the database"
is "$(field 3 "$line")" "2" "the endpoint line shows 2 pods (no + : no list is cut short)"
is "$(field 4 "$line")" "$((ea + eb))" "its ESTAB is the sum of ss in A and B"
is "$(field 8 "$line")" "$(($(to_db "$A" | wc -l) + $(to_db "$B" | wc -l)))" \
	"its TOTAL is the sum of ss's sockets toward it in A and B"
for st in SYN_SENT TIME_WAIT CLOSE_WAIT; do
	col=$(case $st in SYN_SENT) echo 5 ;; TIME_WAIT) echo 6 ;; CLOSE_WAIT) echo 7 ;; esac)
	is "$(field "$col" "$line")" "$(($(state_of "$a2" $st) + $(state_of "$b2" $st)))" \
		"its $st is the sum of ss in A and B"
done

T send-keys -t cw Enter
shows "node › endpoints › $DB:5432" 10
ok $? "Enter on the endpoint lists its pods"
# Pods of the endpoint: NAME ESTAB SYN_SENT TIME_WAIT CLOSE_WAIT TOTAL SHARE.
shows "$B " 10
pods=$(screen | sed -n '/^NAME /,$p' | grep -cE "^$t-")
is "$pods" "2" "exactly two pods face it"
for ns in "$A" "$B"; do
	row=$(screen | grep -E "^$ns " | head -1)
	is "$(field 2 "$row") $(field 6 "$row")" \
		"$(to_db "$ns" | ss_count_states | sed -n 's/^ESTABLISHED=//p') $(to_db "$ns" | wc -l)" \
		"$ns: its ESTAB and TOTAL toward the endpoint are ss's"
done
screen | grep -qE "^$S "
ok $((! $?)) "the database's own namespace does not face its own address"

T send-keys -t cw / "$A" Enter Enter
shows "node › endpoints › $DB:5432 › $A" 10
ok $? "Enter on a pod opens its sockets, with the whole path in the breadcrumb"
shows "sockgen[" 10
ok $? "the sockets screen names the owning process"
got=$(screen | awk -v db="$DB:5432" '$2 == db { print $1 }' | sort)
want=$(to_db "$A" | awk '{ print $4 }' | sort)
is "$(echo "$got" | wc -l)" "3" "the sockets screen lists A's 3 sockets to the database"
is "$got" "$want" "... the same local ends as ss's sockets toward it"
others=$(screen | sed -n '/^LOCAL /,$p' | awk -v db="$DB:5432" 'NR > 1 && $1 ~ /^[0-9\[]/ && $2 != db' | wc -l)
is "$others" "0" "and no socket toward another endpoint"

T send-keys -t cw Escape
shows "SHARE" 5
screen | grep -qE "^$B "
ok $? "Esc goes back to the endpoint's pods"
T send-keys -t cw Escape
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qE '^node › endpoints( +filter: [^ ]+)? *\$'"
ok $? "Esc again goes back to the pivot"
screen | grep -qE "^out +$DB:5432 "
ok $? "... still filtered to the endpoint"

# Loopback is each namespace's own: A's 127.0.0.1:8080 is not B's. Clear the
# filter (Esc while typing it), then filter on one namespace's loopback.
for ns in "$A" "$B"; do
	T send-keys -t cw '\' Escape
	wait_for 5 sh -c "! tmux -S '$SOCK' capture-pane -p -t cw | grep -qE 'filter: |^Filter:'"
	T send-keys -t cw '\' "127.0.0.1:8080 $ns" Enter
	shows "filter: 127.0.0.1:8080 $ns" 10
	wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qE '^out +127\.0\.0\.1:8080 '"
	lines=$(screen | grep -E "^out +127\.0\.0\.1:8080 ")
	# DIR ENDPOINT LABEL PODS ESTAB SYN_SENT TIME_WAIT CLOSE_WAIT TOTAL
	is "$(echo "$lines" | wc -l) $(field 4 "$lines") $(field 5 "$lines")" \
		"1 1 $(to_lo "$ns" | ss_count_states | sed -n 's/^ESTABLISHED=//p')" \
		"$ns's own 127.0.0.1:8080: one line, 1 pod, ESTAB as ss counts it in $ns alone"
done

T send-keys -t cw Escape
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qE '^! NAME .*CHG/s'"
ok $? "Esc again goes back to the pods"

T send-keys -t cw q
wait_for 10 test -s "$TMPD/rc"
is "$(cat "$TMPD/rc" 2>/dev/null)" "0" "q quits with status 0"
T kill-session -t cw

done_testing
