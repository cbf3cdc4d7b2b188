#!/bin/bash
# batch.sh: -b/--batch on real namespaces. One header line and one line per
# row per refresh, every line with the header's number of fields; a test
# namespace's counts in every state column equal `ss -tan` inside it; -n
# ends the run; a closed pipe ends it quietly; bad combinations are one-line
# errors.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss awk
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

TMPD=$(mktemp -d /tmp/cwt-batch.XXXXXX)
on_exit "rm -rf '$TMPD'"
A=cwtb$$-a
add_netns "$A"
start_sockgen "$A" a --estab 7 --timewait 5 --closewait 3 --synsent 2 --listen-backlog-overflow 2
IA=$(netns_inode "$A")

# Up to 5 tries: the namespace must hold still between ss and connwatch
# (TIME_WAIT sockets expire after 60 s; nothing else moves).
for try in 1 2 3 4 5; do
	before=$(ss_counts "$A" | sort)
	"$CONNWATCH" -b -n 3 -d 0.3 >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	after=$(ss_counts "$A" | sort)
	[ "$before" = "$after" ] && break
done
is "$rc" 0 "connwatch -b -n 3 exits 0"
is "$(grep -c '^TIME ' "$TMPD/out")" 3 "three tables (one header line each)"
nf=$(head -1 "$TMPD/out" | awk '{ print NF }')
is "$(awk -v nf="$nf" 'NF && NF != nf' "$TMPD/out" | wc -l)" 0 "every line has the header's $nf fields"
is "$(awk '!NF' "$TMPD/out" | wc -l)" 3 "a blank line after each table"

# The last table's row for A, by inode, against ss in A.
last=$(awk -v ino="$IA" '$1 != "TIME" && $3 == ino' "$TMPD/out" | tail -1)
ok "$([ -n "$last" ]; echo $?)" "A's row is in the table"
got=$(head -1 "$TMPD/out" | awk -v row="$last" '{
	n = split(row, v, " ")
	for (i = 4; i <= NF; i++) if ($i ~ /^[A-Z_0-9]+$/ && $i != "TOTAL" && $i != "AGE_MS" && $i != "TW_AGE_MS" && $i != "FINDING" && $i != "LABEL") printf "%s=%s\n", $i, v[i]
}' | sort)
is "$got" "$after" "A's counts in every state column equal ss -tan in A"
is "$(echo "$last" | awk '{ print $NF }')" "$A" "A's label is its name, last"
tot=$(head -1 "$TMPD/out" | awk -v row="$last" '{ split(row, v, " "); for (i = 1; i <= NF; i++) if ($i == "TOTAL") print v[i] }')
is "$tot" "$(ip netns exec "$A" ss -tanH | wc -l)" "TOTAL equals the number of sockets"

# A reader that goes away ends it quietly, whatever -n says.
"$CONNWATCH" -b -d 0.2 2>"$TMPD/err2" | head -1 >/dev/null
is "${PIPESTATUS[0]}" 0 "a closed pipe ends --batch with status 0"
is "$(wc -c <"$TMPD/err2")" 0 "... and prints nothing"

# Bad input: one line, status 2.
"$CONNWATCH" -b --json >"$TMPD/o3" 2>"$TMPD/e3"
is "$?" 2 "--batch with --json: status 2"
is "$(cat "$TMPD/e3")" "connwatch: --json and --batch: choose one" "... with one line saying so"
"$CONNWATCH" -b -n 0 >"$TMPD/o4" 2>"$TMPD/e4"
is "$?" 2 "-n 0: status 2"
is "$(wc -l <"$TMPD/e4")" 1 "... one line: $(cat "$TMPD/e4")"
done_testing
