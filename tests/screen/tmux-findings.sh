#!/usr/bin/env bash
# tests/screen/tmux-findings.sh: from a finding to the sockets behind it, on
# the real binary in tmux. A namespace holds CLOSE_WAIT sockets past
# --warn-close-wait: its row gets a marker, f lists its close-wait finding,
# and Enter opens its sockets toward the finding's peer, which are the
# CLOSE_WAIT sockets `ss` counts there, held by the process that made them.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss tmux

TMPD=$(mktemp -d /tmp/cw-tmuxf.XXXXXX)
on_exit "rm -rf '$TMPD'"
SOCK=$TMPD/tmux.sock
T() { tmux -S "$SOCK" "$@"; }
on_exit "tmux -S '$SOCK' kill-server"

A=cwtf$$-a
B=cwtf$$-b
add_netns "$A"
add_netns "$B"
# A: 8 CLOSE_WAIT toward its own listener 127.0.0.1:8080 (the threshold is
# 5); they fit on an 80x24 screen. B: a steady neighbour with no finding.
start_sockgen "$A" a --port 8080 --closewait 8
SG_A=$SG_PID
start_sockgen "$B" b --port 9090 --estab 10

screen() { T capture-pane -p -t cw; }
# shows TEXT [TIMEOUT]: polls the pane until TEXT appears.
shows() { wait_for "${2:-10}" sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qF -- \"\$1\"" _ "$1"; }
# shows_re REGEX [TIMEOUT]: the same for an extended regular expression.
shows_re() { wait_for "${2:-10}" sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qE -- \"\$1\"" _ "$1"; }
dump() { screen | sed 's/^/#   /'; }

# The close-wait rule: CLOSE_WAIT at or above --warn-close-wait for 30 s.
# -F keeps the pods screen to this test's namespaces; the findings screen
# has a filter of its own, set below, as other tests may run beside it.
T new-session -d -s cw -x 80 -y 24 -e TERM=tmux-256color \
	"$CONNWATCH -d 0.5 --no-mouse -F cwtf$$- --warn-close-wait 5; sleep 60"

shows "$B" 15
ok $? "connwatch starts and shows the namespaces' rows"

# The marker column comes first: a severity glyph (UTF-8 in tmux) on A's row,
# once the close-wait rule has held for its 30 seconds.
shows_re "^[▲△·] $A " 60
ok $? "$A's row is marked with its finding" || dump
screen | grep -qE "^  $B "
ok $? "$B's row has no marker"

T send-keys -t cw f
shows "node › findings" 5
ok $? "f opens the findings screen" || dump
T send-keys -t cw '\' "$A" Enter
shows_re "^(crit|warn|info) +close-wait +$A " 10
ok $? "the findings screen lists the close-wait finding about $A" || dump
shows "evidence:" 5
ok $? "the detail under the list shows its evidence" || dump
# Table lines, not the detail's title: an age follows the name.
is "$(screen | grep -cE '^(crit|warn|info) +[a-z-]+ +[^ ]+ +[0-9]+(ms|s|m|h) ')" "1" \
	"the filter on $A leaves that one finding"

T send-keys -t cw Home Enter
shows "PROCESS" 10
ok $? "Enter on the finding opens a sockets screen" || dump
shows "node › findings › $A › 127.0.0.1:8080" 5
ok $? "... of $A toward the finding's peer 127.0.0.1:8080 (breadcrumb)" || dump
shows "sockgen[$SG_A]" 10
ok $? "... naming the process that holds them, sockgen[$SG_A]" || dump

want=$(ip netns exec "$A" ss -tanH state close-wait dst 127.0.0.1:8080 | wc -l)
wait_for 10 sh -c "[ \"\$(tmux -S '$SOCK' capture-pane -p -t cw | grep -c CLOSE-WAIT)\" = '$want' ]"
got=$(screen | grep -c "CLOSE-WAIT")
is "$got" "$want" "the sockets screen lists the CLOSE_WAIT sockets toward the peer, as ss counts them ($want)"
[ "$want" -ge 5 ]
ok $? "... which are at least the --warn-close-wait threshold"
is "$(screen | grep -cE "^127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:8080 +CLOSE-WAIT .*sockgen\[$SG_A\]")" "$want" \
	"every one of them is $A's, toward 127.0.0.1:8080, held by sockgen[$SG_A]"

T send-keys -t cw Escape
shows "SHARE" 5
ok $? "Esc goes to $A's peers" || dump
T send-keys -t cw Escape
shows "SINCE" 5
ok $? "Esc again is the findings screen" || dump
T send-keys -t cw Escape
shows "CHG/s" 5
ok $? "Esc again is the pods screen" || dump

T send-keys -t cw q
T kill-session -t cw 2>/dev/null
done_testing
