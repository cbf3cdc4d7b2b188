#!/bin/bash
# record.sh: --record and --replay on real namespaces.
#  - a recording (plain and zstd) replays byte for byte as the --json output
#    it was made beside, and its counts equal ss in the namespace;
#  - a recording killed with SIGKILL replays up to its last whole line;
#  - truncated, corrupt and foreign files give one line naming the line;
#  - rotation by size keeps --record-keep files;
#  - a full disk under the recorder is a note on the live view's status
#    line, the view keeps refreshing, and the note goes once there is room;
#  - bad combinations of flags are one-line errors.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss jq tmux zstd mount umount
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

TMPD=$(mktemp -d /tmp/cwt-rec.XXXXXX)
on_exit "rm -rf '$TMPD'"
A=cwtr$$-a
add_netns "$A"
start_sockgen "$A" a --estab 6 --closewait 4 --synsent 2
IA=$(netns_inode "$A")

# ---- round trip ----
for name in r.ndjson r.ndjson.zst; do
	"$CONNWATCH" --json -n 6 -d 0.2 --record "$TMPD/$name" >"$TMPD/$name.out" 2>"$TMPD/err"
	is "$?" 0 "--json -n 6 --record $name"
	"$CONNWATCH" --replay "$TMPD/$name" --json >"$TMPD/$name.back" 2>"$TMPD/err"
	is "$?" 0 "--replay $name --json"
	cmp -s "$TMPD/$name.out" "$TMPD/$name.back"
	ok $? "$name: replayed snapshots are the recorded ones, byte for byte ($(wc -l <"$TMPD/$name.back") lines)"
done
is "$(zstd -t "$TMPD/r.ndjson.zst" 2>&1 >/dev/null | grep -c Error)" 0 "the zstd recording passes zstd -t"
zstdcat "$TMPD/r.ndjson.zst" | cmp -s - "$TMPD/r.ndjson.zst.out"
ok $? "zstdcat reads the recording as NDJSON"
got=$(jq -c --argjson ino "$IA" '.netns[] | select(.inode == $ino) | [.tcp.ESTABLISHED, .tcp.CLOSE_WAIT, .tcp.SYN_SENT]' "$TMPD/r.ndjson.zst.back" | tail -1)
want=$(ss_counts "$A" | awk -F= '$1 == "ESTABLISHED" { e = $2 } $1 == "CLOSE_WAIT" { c = $2 } $1 == "SYN_SENT" { s = $2 } END { printf "[%d,%d,%d]", e, c, s }')
is "$got" "$want" "the replayed counts are ss's in $A"
"$CONNWATCH" --replay "$TMPD/r.ndjson.zst" -b -n 2 >"$TMPD/b" 2>&1
is "$(grep -c '^TIME ' "$TMPD/b")" 2 "--replay with --batch -n 2: two tables"

# ---- killed mid-recording ----
"$CONNWATCH" --daemon --record "$TMPD/k.ndjson.zst" -d 0.05 2>"$TMPD/kerr" &
K=$!
wait_for 10 sh -c "[ \$(stat -c %s '$TMPD/k.ndjson.zst' 2>/dev/null || echo 0) -gt 20000 ]"
kill -KILL "$K"
wait "$K" 2>/dev/null
"$CONNWATCH" --replay "$TMPD/k.ndjson.zst" --json >"$TMPD/k.back" 2>"$TMPD/k.err"
is "$?" 0 "a recording killed with SIGKILL replays (status 0)"
lines=$(wc -l <"$TMPD/k.back")
ok "$([ "$lines" -ge 2 ]; echo $?)" "... $lines whole snapshots"
is "$(jq -c 'select(.schema != 2)' "$TMPD/k.back" | wc -l)" 0 "... each a whole schema-2 document"
# Cut it inside its last frame: one line fewer, and a note.
size=$(stat -c %s "$TMPD/k.ndjson.zst")
head -c $((size - 10)) "$TMPD/k.ndjson.zst" >"$TMPD/cut.zst"
"$CONNWATCH" --replay "$TMPD/cut.zst" --json >"$TMPD/cut.back" 2>"$TMPD/cut.err"
is "$?" 0 "a cut recording replays (status 0)"
is "$(wc -l <"$TMPD/cut.back")" "$((lines - 1))" "... up to its last whole line"
grep -q "cut.zst: the last line was cut short" "$TMPD/cut.err"
ok $? "... and says the last line was cut: $(cat "$TMPD/cut.err")"

# ---- corrupt and foreign files ----
cp "$TMPD/r.ndjson" "$TMPD/bad.ndjson"
sed -i '3s/"schema":2/"schema":2,"schmea":1/' "$TMPD/bad.ndjson"
"$CONNWATCH" --replay "$TMPD/bad.ndjson" --json >"$TMPD/bad.out" 2>"$TMPD/bad.err"
is "$?" 1 "a corrupt line: status 1"
grep -q '^connwatch: .*bad.ndjson: line 3: unknown key "schmea"$' "$TMPD/bad.err"
ok $? "... one line naming line 3 and the key: $(cat "$TMPD/bad.err")"
is "$(wc -l <"$TMPD/bad.out")" 2 "... after the two good snapshots"
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$TMPD/passwd"
"$CONNWATCH" --replay "$TMPD/passwd" --json >/dev/null 2>"$TMPD/f.err"
is "$?" 1 "a foreign file: status 1"
grep -q 'passwd: line 1: not valid JSON' "$TMPD/f.err"
ok $? "... naming line 1: $(cat "$TMPD/f.err")"
cp "$TMPD/r.ndjson.zst" "$TMPD/flip.zst"
size=$(stat -c %s "$TMPD/flip.zst")
printf '\xff\xff\xff\xff' | dd of="$TMPD/flip.zst" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
"$CONNWATCH" --replay "$TMPD/flip.zst" --json >/dev/null 2>"$TMPD/z.err"
is "$?" 1 "a corrupted zstd recording: status 1"
grep -qE 'flip.zst: line [0-9]+: corrupt zstd data' "$TMPD/z.err"
ok $? "... naming the line: $(cat "$TMPD/z.err")"
# The header of every frame but the last (which a corrupt header leaves as
# open as a recording cut short), and a few bytes into it: a header whose
# sizes swallow the frames after it once passed for a cut last line.
starts=$(perl -0777 -ne 'while (/\x28\xb5\x2f\xfd/g) { print pos() - 4, "\n" }' "$TMPD/r.ndjson.zst" | sed '$d')
bad='' n=0
for s0 in $starts; do
	for d in 0 4 5 6 8; do
		cp "$TMPD/r.ndjson.zst" "$TMPD/flip.zst"
		printf '\xff\xff\xff\xff' | dd of="$TMPD/flip.zst" bs=1 seek=$((s0 + d)) conv=notrunc 2>/dev/null
		"$CONNWATCH" --replay "$TMPD/flip.zst" --json >/dev/null 2>"$TMPD/z.err"
		[ $? = 1 ] || bad="$bad $((s0 + d))"
		n=$((n + 1))
	done
done
is "$bad" "" "4 bytes overwritten in the header of each frame but the last ($n files): status 1 each time"
"$CONNWATCH" --replay "$TMPD/none" --json 2>"$TMPD/n.err"
is "$?" 1 "a missing recording: status 1"
is "$(wc -l <"$TMPD/n.err")" 1 "... one line: $(cat "$TMPD/n.err")"

# ---- rotation ----
# Big snapshots (sockets listed) pass 1 MB within a few seconds.
"$CONNWATCH" --json -n 400 -d 0.05 --sockets "$A" --record "$TMPD/rot.ndjson" \
	--record-size 1 --record-keep 3 >/dev/null 2>"$TMPD/rot.err"
is "$?" 0 "--record-size 1 --record-keep 3"
ok "$([ -s "$TMPD/rot.ndjson" ] && [ -s "$TMPD/rot.ndjson.1" ] && [ -s "$TMPD/rot.ndjson.2" ] && [ ! -e "$TMPD/rot.ndjson.3" ]; echo $?)" \
	"three files kept: rot.ndjson, .1, .2 ($(ls "$TMPD" | grep -c '^rot.ndjson'))"
big=$(stat -c %s "$TMPD/rot.ndjson.1")
ok "$([ "$big" -ge 1048576 ] && [ "$big" -lt 1400000 ]; echo $?)" "a rotated file just passes 1 MB ($big bytes)"
t2=$(tail -1 "$TMPD/rot.ndjson.2" | jq -r .time) t1=$(head -1 "$TMPD/rot.ndjson.1" | jq -r .time)
ok "$([[ "$t2" < "$t1" ]]; echo $?)" "the older file holds the older snapshots ($t2 < $t1)"

# ---- a full disk under the live view ----
MNT=$TMPD/small
mkdir "$MNT"
mount -t tmpfs -o size=256k cwtr$$ "$MNT" || bail "cannot mount a tmpfs"
on_exit "umount '$MNT'"
SOCK=$TMPD/tmux.sock
T() { tmux -S "$SOCK" "$@"; }
on_exit "tmux -S '$SOCK' kill-server"
T new-session -d -s cw -x 100 -y 30 "$CONNWATCH -d 0.2 --no-mouse -F cwtr$$- --record $MNT/rec.ndjson; echo \$? > $TMPD/tui.rc; sleep 60"
screen() { T capture-pane -p -t cw; }
wait_for 30 sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -q 'recording: .*No space left on device'"
ok $? "a full disk: the status line says so"
t_a=$(screen | head -1)
sleep 1.2
t_b=$(screen | head -1)
ok "$([ "$t_a" != "$t_b" ]; echo $?)" "... and the view keeps refreshing"
rec=$(stat -c %s "$MNT/rec.ndjson")
tail -c 1 "$MNT/rec.ndjson" | od -An -c | grep -q '\\n'
ok $? "the recording on the full disk ends with a whole line ($rec bytes)"
: >"$MNT/rec.ndjson"
wait_for 10 sh -c "! tmux -S '$SOCK' capture-pane -p -t cw | grep -q 'recording: '"
ok $? "with room again, the note goes"
T send-keys -t cw q
wait_for 10 test -s "$TMPD/tui.rc"
is "$(cat "$TMPD/tui.rc" 2>/dev/null)" 0 "q ends the view with status 0"

# ---- bad flags ----
for args in "--daemon" "--daemon --json --record x" "--replay x --record y --json" \
	"--record-size 0 --record x" "--record-keep 0 --record x" "--record" "--replay x --json --procfs /proc"; do
	# shellcheck disable=SC2086
	"$CONNWATCH" $args >/dev/null 2>"$TMPD/e"
	rc=$?
	ok "$([ "$rc" = 2 ] && [ "$(wc -l <"$TMPD/e")" = 1 ]; echo $?)" "connwatch $args: status 2, one line: $(cat "$TMPD/e")"
done
"$CONNWATCH" --replay "$TMPD/none" </dev/null >/dev/null 2>"$TMPD/e"
is "$?" 1 "the live view on a missing recording: status 1"
is "$(wc -l <"$TMPD/e")" 1 "... one line: $(cat "$TMPD/e")"
"$CONNWATCH" --json --record "$TMPD" >/dev/null 2>"$TMPD/e"
is "$?" 1 "--record to a directory: status 1"
is "$(wc -l <"$TMPD/e")" 1 "... one line: $(cat "$TMPD/e")"
done_testing
