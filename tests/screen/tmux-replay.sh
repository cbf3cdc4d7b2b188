#!/usr/bin/env bash
# tests/screen/tmux-replay.sh: a recording made on real namespaces, replayed
# in the real binary in tmux. The header says REPLAY with the line shown;
# Space holds and plays, ] and [ step one tick, b goes to a typed time, }
# and { jump a minute; at each place the row shows the counts recorded on
# that line (as --replay --json prints them); the end of the recording
# pauses; q quits with status 0.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss tmux jq

TMPD=$(mktemp -d /tmp/cw-tmuxr.XXXXXX)
on_exit "rm -rf '$TMPD'"
SOCK=$TMPD/tmux.sock
T() { tmux -S "$SOCK" "$@"; }
on_exit "tmux -S '$SOCK' kill-server"

A=cwtp$$-a
add_netns "$A"
start_sockgen "$A" a --estab 3
IA=$(netns_inode "$A")
REC=$TMPD/rec.ndjson.zst
"$CONNWATCH" --daemon --record "$REC" -d 0.3 --budget 100 2>"$TMPD/rec.err" &
D=$!
on_exit "kill $D 2>/dev/null"
sleep 2
start_sockgen "$A" a2 --estab 20 --port 9090
sleep 2
kill -TERM "$D"
wait "$D"
"$CONNWATCH" --replay "$REC" --json >"$TMPD/all.json" 2>"$TMPD/all.err"
is "$?" 0 "the recording replays as JSON"
N=$(wc -l <"$TMPD/all.json")
ok "$([ "$N" -ge 8 ]; echo $?)" "$N snapshots recorded"
# estab K: ESTABLISHED of A on line K (1-based), as recorded.
estab() { jq -s --argjson ino "$IA" --argjson k "$1" '.[$k - 1].netns[] | select(.inode == $ino) | .tcp.ESTABLISHED' "$TMPD/all.json"; }
first=$(estab 1) last=$(estab "$N")
ok "$([ "$first" -lt "$last" ]; echo $?)" "the recording holds a change ($first then $last ESTABLISHED)"

screen() { T capture-pane -p -t cw; }
shows() { wait_for "${2:-10}" sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qF -- \"\$1\"" _ "$1"; }
place() { screen | grep -oE 'REPLAY [0-9-]+ [0-9]+/[0-9]+' | awk '{ print $3 }'; }
# The pods screen's first column is the finding marker (a glyph or blank).
row_estab() { screen | grep -E "^[^ ]* +$A " | sed -E 's/^[^ ]* +//' | awk '{ print $2 }'; }
# at K: the header shows line K of N, and A's row the ESTABLISHED of line K.
at() {
	shows "/$N" 5 && wait_for 5 sh -c "[ \"\$(tmux -S '$SOCK' capture-pane -p -t cw | grep -oE 'REPLAY [0-9-]+ [0-9]+/' | awk '{ print \$3 }')\" = '$1/' ]"
	is "$(place)" "$1/$N" "$2: the header shows line $1 of $N"
	is "$(row_estab)" "$(estab "$1")" "$2: $A shows the ESTABLISHED recorded on line $1 ($(estab "$1"))"
}

mkdir "$TMPD/bundles"
T new-session -d -s cw -x 100 -y 30 "$CONNWATCH --replay $REC -d 0.5 --no-mouse -F cwtp$$- --bundle $TMPD/bundles; echo \$? > $TMPD/rc; sleep 60"
shows "REPLAY" 10
ok $? "the view opens the recording, and says REPLAY"
T send-keys -t cw Space
shows "[PAUSED]" 5
ok $? "Space holds the place"
# b: go to line 2's time (to the second): the first line of that second.
t2=$(jq -rs '.[1].time' "$TMPD/all.json")
k=$(jq -rs --arg t "${t2:0:19}" '[.[] | .time[0:19] < $t] | map(select(.)) | length + 1' "$TMPD/all.json")
T send-keys -t cw b
shows "Go to time:" 5
T send-keys -t cw "${t2:0:19}" Enter
at "$k" "b ${t2:0:19}"
T send-keys -t cw ']'
at "$((k + 1))" "]"
T send-keys -t cw ']' ']' ']'
at "$((k + 4))" "] ] ]"
T send-keys -t cw '['
at "$((k + 3))" "["
# e: a bundle of the selected pod at this place, for a ticket.
T send-keys -t cw e
shows "bundle: connwatch-" 5
ok $? "e writes a bundle and the status line names it"
mdf=$(ls "$TMPD"/bundles/*.md 2>/dev/null | head -1)
jsf=$(ls "$TMPD"/bundles/*.json 2>/dev/null | head -1)
grep -qF "# connwatch: ${A//-/\\-} on " "$mdf" 2>/dev/null
ok $? "the Markdown summary is titled with the pod ($(head -1 "$mdf" 2>/dev/null))"
is "$(jq '.row.tcp.ESTABLISHED' "$jsf" 2>/dev/null)" "$(estab "$((k + 3))")" \
	"the bundle's JSON holds the counts of the line shown"
grep -qE "^\| ESTABLISHED \| $(estab "$((k + 3))") \|" "$mdf" 2>/dev/null
ok $? "... and so does its states table"
T send-keys -t cw '}'
at "$N" "} past the end"
T send-keys -t cw '{'
at 1 "{ before the start"
T send-keys -t cw b
T send-keys -t cw "25:99:00" Enter
shows "not a time: 25:99:00" 5
ok $? "a bad time is refused with a message"
# Play to the end: it pauses there and says so.
T send-keys -t cw Space
shows "the end of the recording" 20
ok $? "playing on reaches the end, which pauses"
is "$(place)" "$N/$N" "... on the last line"
T send-keys -t cw q
wait_for 10 test -s "$TMPD/rc"
is "$(cat "$TMPD/rc" 2>/dev/null)" 0 "q ends the replay with status 0"
done_testing
