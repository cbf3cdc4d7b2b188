#!/usr/bin/env bash
# tests/screen/tmux.sh: drives the real binary in tmux on real namespaces:
# start, sort, filter, drill to peers and sockets (with the owning process),
# back, resize, quit and SIGTERM with the terminal left as it was.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss tmux jq stty

TMPD=$(mktemp -d /tmp/cw-tmux.XXXXXX)
on_exit "rm -rf '$TMPD'"
# A private server socket inside TMPD: removed with it, and no other tmux
# on the machine is touched.
SOCK=$TMPD/tmux.sock
T() { tmux -S "$SOCK" "$@"; }
on_exit "tmux -S '$SOCK' kill-server"

A=cwtm$$-a
B=cwtm$$-b
add_netns "$A"
add_netns "$B"
# A: 60 CLOSE_WAIT (and 60 FIN_WAIT2) to its own listener, 5 ESTABLISHED pairs.
start_sockgen "$A" a --port 8080 --closewait 60 --estab 5
SG_A=$SG_PID
# B: 40 ESTABLISHED pairs and 3 TIME_WAIT.
start_sockgen "$B" b --port 9090 --estab 40 --timewait 3

screen() { T capture-pane -p -t cw; }
# shows TEXT [TIMEOUT]: polls the pane until TEXT appears.
shows() { wait_for "${2:-10}" sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qF -- \"\$1\"" _ "$1"; }
# rows: the pods screen's lines without their first column, the finding
# marker (a glyph or blank), so that each starts with its label.
rows() { screen | grep -E '^[^ ]* +[^ ]' | sed -E 's/^[^ ]* +//'; }
# row LABEL: the pane line of a row, from its label on.
row() { rows | grep -E "^$1 " | head -1; }
# field N LINE: the Nth whitespace-separated field.
field() { echo "$2" | awk -v n="$1" '{ print $n }'; }

# run_cw [TERM]: the pane runs a shell that records the terminal modes and
# the status flags of the terminal's open file (O_NONBLOCK is 04000 in
# fdinfo, and the shell shares that open file) around connwatch. -F keeps to
# this test's namespaces: other tests may fill the node.
run_cw() {
	local flags="awk '/^flags/ { print \$2 }' /proc/self/fdinfo/0"
	T new-session -d -s cw -x 80 -y 24 -e "TERM=${1:-tmux-256color}" \
		"stty -g > $TMPD/stty.before; $flags > $TMPD/flags.before; $CONNWATCH -d 0.5 --no-mouse -F cwtm$$-; echo \$? > $TMPD/rc; stty -g > $TMPD/stty.after; $flags > $TMPD/flags.after; sleep 60"
}
# same_flags: the terminal's file status flags are what they were before.
same_flags() {
	wait_for 5 test -s "$TMPD/flags.after"
	is "$(cat "$TMPD/flags.after" 2>/dev/null)" "$(cat "$TMPD/flags.before")" "$@"
}
# end_cw: waits for the exit status file, then closes the session.
end_cw() {
	wait_for 10 test -s "$TMPD/stty.after"
	T kill-session -t cw
}

run_cw
shows "$A" 15
ok $? "connwatch starts and shows the namespaces' rows"

# The first screen may show estimates from the cheap counters (a "≤"):
# compare once both rows have their exact counts.
wait_for 15 sh -c "! tmux -S '$SOCK' capture-pane -p -t cw | grep -E '^[^ ]* +($A|$B) ' | grep -q '≤'"
ok $? "both rows get their exact counts"
want_cw=$(ss_counts "$A" | sed -n 's/^CLOSE_WAIT=//p')
want_est=$(ss_counts "$B" | sed -n 's/^ESTABLISHED=//p')
# Columns at 80 (from the label on): NAME ESTAB SYN_SENT TIME_WAIT CLOSE_WAIT TOTAL CHG/s TREND
is "$(field 5 "$(row "$A")")" "$want_cw" "$A row shows CLOSE_WAIT as ss counts it ($want_cw)"
is "$(field 2 "$(row "$B")")" "$want_est" "$B row shows ESTAB as ss counts it ($want_est)"

T send-keys -t cw C
shows "CLOSE_WAIT▼"
first=$(rows | grep -E "^($A|$B) " | head -1 | awk '{print $1}')
is "$first" "$A" "sorting by CLOSE_WAIT puts $A above $B"
T send-keys -t cw E
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qF 'ESTAB▼'"
first=$(rows | grep -E "^($A|$B) " | head -1 | awk '{print $1}')
is "$first" "$B" "sorting by ESTAB puts $B above $A"

T send-keys -t cw '\' a Enter
wait_for 5 sh -c "! tmux -S '$SOCK' capture-pane -p -t cw | grep -qE '^[^ ]* +$B '"
ok $? "the filter (-F cwtm$$- plus 'a' typed after \\) narrows the rows to $A"
rows | grep -qE "^$A "
ok $? "the filtered row is still there"

T send-keys -t cw Enter
shows "node › $A" 10
ok $? "Enter opens the peers screen, with a breadcrumb"
shows "127.0.0.1:8080" 10
peer=$(screen | grep -E "^out +127\.0\.0\.1:8080 " | head -1)
ok $? "peers list 127.0.0.1:8080 (outbound) for $A"
# Peers columns at 80: DIR REMOTE ESTAB SYN_SENT TIME_WAIT CLOSE_WAIT TOTAL SHARE
is "$(field 6 "$peer")" "60" "the peer shows the 60 CLOSE_WAIT sockets"

T send-keys -t cw C
shows "CLOSE_WAIT▼"
T send-keys -t cw Home Enter
shows "PROCESS" 10
ok $? "Enter again opens the sockets screen"
shows "sockgen[$SG_A]" 10
ok $? "the sockets screen names the owning process sockgen[$SG_A]" || screen | sed 's/^/# /' 
n=$(screen | grep -c "CLOSE-WAIT")
[ "$n" -ge 5 ]
ok $? "the sockets screen lists CLOSE-WAIT sockets ($n on screen)"

T send-keys -t cw Escape
shows "SHARE" 5
screen | grep -q "PROCESS"
ok $((! $?)) "Esc goes back to the peers screen"

T resize-window -t cw -x 120 -y 40
shows "OTHER" 10
ok $? "a resize to 120x40 redraws with the wider layout"
T resize-window -t cw -x 60 -y 20
shows "terminal too small" 10
ok $? "a resize below 80x24 says the terminal is too small"
T resize-window -t cw -x 80 -y 24

# In help, q leaves the page (as Esc and F1 do); it does not quit.
T send-keys -t cw F1
shows "Keys:" 5
ok $? "F1 opens the help page"
T send-keys -t cw q
wait_for 5 sh -c "! tmux -S '$SOCK' capture-pane -p -t cw | grep -qF 'Keys:'" && screen | grep -qF "SHARE"
ok $? "q on the help page goes back to the peers screen"
[ ! -s "$TMPD/rc" ]
ok $? "q on the help page does not quit"

T send-keys -t cw q
wait_for 10 test -s "$TMPD/rc"
is "$(cat "$TMPD/rc" 2>/dev/null)" "0" "q quits with status 0"
wait_for 5 test -s "$TMPD/stty.after"
diff "$TMPD/stty.before" "$TMPD/stty.after" | sed 's/^/# /'
ok "${PIPESTATUS[0]}" "after q the terminal modes are as before (stty -g)"
same_flags "after q the terminal's file is not left non-blocking (fdinfo flags as before)"

end_cw
rm -f "$TMPD/rc" "$TMPD/stty.before" "$TMPD/stty.after" "$TMPD/flags.before" "$TMPD/flags.after"
run_cw
shows "$A" 15
pid=$(pgrep -f "^$CONNWATCH -d 0.5 --no-mouse -F cwtm$$-" | head -1)
[ -n "$pid" ]
ok $? "found the second connwatch's pid"
kill -TERM "$pid"
wait_for 10 test -s "$TMPD/rc"
is "$(cat "$TMPD/rc" 2>/dev/null)" "143" "SIGTERM ends it with status 128+15"
wait_for 5 test -s "$TMPD/stty.after"
diff "$TMPD/stty.before" "$TMPD/stty.after" >/dev/null
ok $? "after SIGTERM the terminal modes are as before (stty -g)"
same_flags "after SIGTERM the terminal's file flags are as before"

end_cw

# A crash restores the terminal too: the SIGSEGV handler ends curses, then
# the signal is re-raised.
rm -f "$TMPD/rc" "$TMPD/stty.before" "$TMPD/stty.after" "$TMPD/flags.before" "$TMPD/flags.after"
run_cw
shows "$A" 15
pid=$(pgrep -f "^$CONNWATCH -d 0.5 --no-mouse -F cwtm$$-" | head -1)
kill -SEGV "$pid"
wait_for 10 test -s "$TMPD/rc"
is "$(cat "$TMPD/rc" 2>/dev/null)" "139" "SIGSEGV ends it with status 128+11, by the signal"
wait_for 5 test -s "$TMPD/stty.after"
diff "$TMPD/stty.before" "$TMPD/stty.after" >/dev/null
ok $? "after SIGSEGV the terminal modes are as before (stty -g)"
same_flags "after SIGSEGV the terminal's file flags are as before"
end_cw

# Every TERM the view must work under draws the table and quits cleanly.
for term in tmux-256color screen-256color xterm-256color xterm linux vt100; do
	rm -f "$TMPD/rc" "$TMPD/stty.before" "$TMPD/stty.after" "$TMPD/flags.before" "$TMPD/flags.after"
	run_cw "$term"
	shows "CLOSE_WAIT" 15 && shows "$A" 10
	ok $? "TERM=$term: the table is drawn"
	T send-keys -t cw q
	wait_for 10 test -s "$TMPD/rc"
	is "$(cat "$TMPD/rc" 2>/dev/null)" "0" "TERM=$term: q exits 0"
	end_cw
done

done_testing
