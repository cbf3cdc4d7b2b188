#!/usr/bin/env bash
# tests/screen/tmux-stale.sh: a row not dumped on this tick, in the real
# binary in tmux on real namespaces. With a budget far too small for any
# dump but the selected row's (dumped on every tick), A is dumped while it
# is selected; once B is selected, A's counts age: its CHG/s cell shows
# the age and its cells are dimmed (NO_COLOR: SGR 2), all but TIME_WAIT,
# which comes from this tick's counters: TIME_WAIT sockets made in A after
# that show at once, drawn as current.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip tmux

TMPD=$(mktemp -d /tmp/cw-tmuxs.XXXXXX)
on_exit "rm -rf '$TMPD'"
SOCK=$TMPD/tmux.sock
T() { tmux -S "$SOCK" "$@"; }
on_exit "tmux -S '$SOCK' kill-server"

A=cwst$$-a
B=cwst$$-b
add_netns "$A"
add_netns "$B"
# A: 4 pairs (8 ESTABLISHED) and 2 TIME_WAIT; B: 2 pairs.
start_sockgen "$A" a --estab 4 --timewait 2
start_sockgen "$B" b --estab 2 --port 9090

# rowof LABEL: the pane line of a row, its first column (the finding
# marker) left out.
rowof() { T capture-pane -p -t cw | grep -E "^[^ ]* +$1 " | sed -E 's/^[^ ]* +//' | head -1; }
# cells LABEL: the row's cells with their look, one a line: "D text" for a
# dimmed one, "N text" for the others (from the pane's SGR sequences).
cells() {
	T capture-pane -e -p -t cw | grep -F "$1" | head -1 |
		sed 's/\x1b\[[0-9;]*m/\n&\n/g' |
		awk '/^\x1b\[/ { if ($0 ~ /\[0?m$/ || $0 ~ /\[22m$/) dim = 0;
				 if ($0 ~ /[[;]2[;m]/) dim = 1; next }
		     { for (i = 1; i <= NF; i++) print (dim ? "D " : "N ") $i }'
}
# col N LINE: the Nth field.
col() { echo "$2" | awk -v n="$1" '{ print $n }'; }

T new-session -d -s cw -x 100 -y 30 \
	"NO_COLOR=1 $CONNWATCH -d 0.5 --budget 0.01 --no-bpf --no-mouse -F cwst$$- 2>$TMPD/err; echo \$? >$TMPD/rc; sleep 60"
# Sorted by TOTAL, A comes first and is selected: dumped on every tick.
wait_for 15 sh -c "[ \"\$(tmux -S '$SOCK' capture-pane -p -t cw | grep -E '^[^ ]* +$A ' | awk '{ print \$2 }')\" = 8 ]"
ok $? "A selected: its exact counts, 8 ESTABLISHED ($(rowof "$A"))"
line=$(rowof "$A")
is "$(col 7 "$line")" 0 "A dumped on this tick: its CHG/s is a rate, not an age"
T send-keys -t cw Down
# 5 more TIME_WAIT in A, once it is no longer selected.
sleep 1
start_sockgen "$A" a2 --timewait 5 --port 9091
wait_for 10 sh -c "[ \"\$(tmux -S '$SOCK' capture-pane -p -t cw | grep -E '^[^ ]* +$A ' | awk '{ print \$4 }')\" = 7 ]"
ok $? "A not selected: its TIME_WAIT is this tick's, 7 ($(rowof "$A"))"
line=$(rowof "$A")
ok "$(col 7 "$line" | grep -qE '^[0-9]+(ms|s|m)$'; echo $?)" "A's CHG/s shows the age of its counts ($(col 7 "$line"))"
is "$(col 2 "$line")" 8 "its ESTABLISHED is the last dump's"
cells "$A" >"$TMPD/cells"
is "$(sed -n 1p "$TMPD/cells")" "D $A" "its label is dimmed"
is "$(sed -n 2p "$TMPD/cells")" "D 8" "its ESTAB cell is dimmed: not current"
is "$(sed -n 5p "$TMPD/cells")" "D 0" "its CLOSE_WAIT cell too"
is "$(sed -n 4p "$TMPD/cells")" "N 7" "its TIME_WAIT cell is not: it is current"
is "$(sed -n 7p "$TMPD/cells" | cut -c1)" "D" "the age, dimmed with the row"
# B, selected now, is dumped on every tick: nothing of it is dimmed.
cells "$B" >"$TMPD/cellsb"
is "$(grep -c '^D' "$TMPD/cellsb")" 0 "B, selected, dumped on every tick: none of its cells dimmed"
T send-keys -t cw q
wait_for 5 test -s "$TMPD/rc"
is "$(cat "$TMPD/rc" 2>/dev/null)" 0 "q quits with status 0 $(head -c 200 "$TMPD/err")"
done_testing
