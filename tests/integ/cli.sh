#!/usr/bin/env bash
# tests/integ/cli.sh: the command line: bad flags and values, unreadable
# roots, --json/--count/--delay, --sockets, a closed pipe, and running
# without privileges (it still reports what it can see and says what is
# missing). Needs no namespaces of its own.
. "${top_srcdir:-.}/tests/lib.sh"
need_cmd jq

TMPD=$(mktemp -d /tmp/cw-cli.XXXXXX)
on_exit "rm -rf '$TMPD'"

# bad ARGS...: one line on stderr, nothing on stdout, exit 2.
bad() {
	"$CONNWATCH" "$@" >"$TMPD/out" 2>"$TMPD/err"
	local rc=$?
	is "$rc" 2 "connwatch $* exits 2"
	is "$(wc -l <"$TMPD/err")" 1 "connwatch $* prints one line on stderr: $(head -c 100 "$TMPD/err")"
	is "$(wc -c <"$TMPD/out")" 0 "connwatch $* prints nothing on stdout"
}

bad --delay -1
bad --delay 0
bad --delay abc
bad --count 0 --json
bad --count -3 --json
bad --budget 500
bad --budget 0
bad --peers lots
bad --diag-mode fast
bad --bogus
bad --json extra-argument
bad --delay
bad --tcp-info --json
bad --sort NO_SUCH_COLUMN

grep -q -- "--sort" "$TMPD/err"
ok $? "an unknown --sort column names the flag"

# unreadable roots: one line, exit 1, no partial JSON
for arg in "--procfs /nonexistent" "--rootfs /nonexistent" "--procfs $TMPD/empty-file"; do
	: >"$TMPD/empty-file"
	"$CONNWATCH" --json $arg >"$TMPD/out" 2>"$TMPD/err"
	is "$?" 1 "connwatch --json $arg exits 1"
	is "$(wc -l <"$TMPD/err")" 1 "connwatch --json $arg says why in one line: $(cat "$TMPD/err")"
	is "$(wc -c <"$TMPD/out")" 0 "connwatch --json $arg prints no partial JSON"
done

"$CONNWATCH" --help >"$TMPD/out"
ok $? "--help exits 0"
grep -q -- "--budget" "$TMPD/out"
ok $? "--help lists the flags"
"$CONNWATCH" --version | grep -qE '^connwatch [0-9]+\.[0-9]+'
ok $? "--version prints the version"

# --json: one document, the schema's top-level keys, exit 0
"$CONNWATCH" --json >"$TMPD/one.json"
is "$?" 0 "--json exits 0"
is "$(wc -l <"$TMPD/one.json")" 1 "--json prints one line"
jq -e '.schema == 2 and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")) and (.hostname | length > 0)
	and (.collector | has("cpu_ms") and has("budget_ms") and has("netns_total") and has("netns_dumped"))
	and (.netns | length >= 1)' "$TMPD/one.json" >/dev/null
ok $? "--json has schema 2, an RFC 3339 UTC time, hostname, collector and netns"
jq -e '[.netns[] | select(.kind == "host")] | length == 1' "$TMPD/one.json" >/dev/null
ok $? "exactly one host row"
jq -e '[.netns[] | select(.kind == "host")][0] | (.tcp_total == ([.tcp[]] | add)) and (.status == "ok")' \
	"$TMPD/one.json" >/dev/null
ok $? "the host row's tcp_total is the sum of its states"

# --count N --delay S: N documents, one per line, S apart
start=$(date +%s.%N)
"$CONNWATCH" --json --count 3 --delay 0.2 >"$TMPD/three.json"
is "$?" 0 "--json --count 3 exits 0"
end=$(date +%s.%N)
is "$(wc -l <"$TMPD/three.json")" 3 "--count 3 prints three lines"
is "$(jq -s 'length' "$TMPD/three.json")" 3 "each line is one JSON document"
jq -s -e '(.[1].time > .[0].time) and (.[2].time > .[1].time)' "$TMPD/three.json" >/dev/null
ok $? "the documents are in time order"
awk -v s="$start" -v e="$end" 'BEGIN { exit !(e - s >= 0.4) }'
ok $? "--delay 0.2 spaces three snapshots at least 0.4 s apart in all"

# a closed pipe ends it quietly
"$CONNWATCH" --json --count 50 --delay 0.05 2>"$TMPD/err" | head -n 1 >/dev/null
is "${PIPESTATUS[0]}" 0 "a reader that goes away ends connwatch with status 0"
is "$(wc -c <"$TMPD/err")" 0 "... and nothing on stderr"

# --sockets by label lists the sockets of that namespace
"$CONNWATCH" --json --sockets host >"$TMPD/socks.json"
jq -e '[.netns[] | select(.label == "host")][0] | (.sockets | type == "array")
	and ((.sockets | length) == .tcp_total)' "$TMPD/socks.json" >/dev/null
ok $? "--sockets host lists every host socket"

# A terminal that cannot address the cursor, or that terminfo does not
# know, is refused before curses starts: one line, status 1. script(1)
# gives connwatch a terminal; timeout ends a view that started anyway.
if command -v script >/dev/null && command -v timeout >/dev/null; then
	for t in "dumb:no cursor addressing" "cw-no-such-terminal-$$:unknown to terminfo"; do
		why=${t#*:} t=${t%%:*}
		TERM=$t timeout 10 script -qec "$CONNWATCH -d 0.5" /dev/null </dev/null | tr -d '\r' >"$TMPD/out"
		is "${PIPESTATUS[0]}" 1 "TERM=$t: the live view exits 1"
		is "$(wc -l <"$TMPD/out")" 1 "TERM=$t: one line: $(head -c 120 "$TMPD/out")"
		grep -qF "terminal \"$t\"" "$TMPD/out" && grep -qF "$why" "$TMPD/out" &&
			grep -qF "use --json" "$TMPD/out"
		ok $? "TERM=$t: the line names the terminal, says '$why' and points to --json"
	done
else
	[ "${CI:-}" = true ] && bail "the TERM checks need script(1) and timeout(1)"
	diag "skipping the TERM checks: need script(1) and timeout(1)"
fi

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	# Without privileges: it still reports its own namespace, and says what is missing.
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CONNWATCH" --json >"$TMPD/nobody.json" 2>"$TMPD/err"
	is "$?" 0 "as nobody, --json still exits 0"
	jq -e '.netns | length >= 1' "$TMPD/nobody.json" >/dev/null
	ok $? "as nobody, it reports the namespaces it can see"
	jq -e '.collector.note | test("CAP_SYS_PTRACE|CAP_SYS_ADMIN")' "$TMPD/nobody.json" >/dev/null
	ok $? "as nobody, collector.note says which capability is missing: $(jq -r .collector.note "$TMPD/nobody.json")"
	jq -e '.collector.procs_denied > 0' "$TMPD/nobody.json" >/dev/null
	ok $? "as nobody, procs_denied counts the hidden processes"
	# The reduced view is still useful: its own namespace, exactly counted.
	self=$(stat -L -c %i /proc/self/ns/net)
	jq -e --argjson i "$self" '[.netns[] | select(.inode == $i)][0] |
		.status == "ok" and (.tcp | type == "object") and .tcp_total == ([.tcp[]] | add)' \
		"$TMPD/nobody.json" >/dev/null
	ok $? "as nobody, its own namespace has exact counts: $(jq -c --argjson i "$self" '.netns[] | select(.inode == $i) | {label: .label, status, tcp_total}' "$TMPD/nobody.json")"
	[ "$(jq -r '.collector.note' "$TMPD/nobody.json" | wc -l)" = 1 ]
	ok $? "as nobody, the note is one line"
	[ ! -s "$TMPD/err" ]
	ok $? "as nobody, nothing on stderr: $(head -c 200 "$TMPD/err")"
	# A --rootfs whose runtime state only root may read: the note says so,
	# rather than leaving pods to look unnamed for no reason.
	mkdir -p "$TMPD/rootfs/run/containerd/io.containerd.runtime.v2.task" "$TMPD/rootfs/var/log/pods"
	chmod 711 "$TMPD" && chmod 755 "$TMPD/rootfs" && chmod 700 "$TMPD/rootfs/run/containerd"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CONNWATCH" --json --rootfs "$TMPD/rootfs" \
		>"$TMPD/nobody-root.json" 2>"$TMPD/err"
	is "$?" 0 "as nobody with runtime state it may not read, --json exits 0"
	note=$(jq -r '.collector.note' "$TMPD/nobody-root.json")
	echo "$note" | grep -q 'runtime metadata cannot be read (/run/containerd/io.containerd.runtime.v2.task under --rootfs: permission denied): run as root, or grant CAP_DAC_READ_SEARCH'
	ok $? "... and the note says what it cannot read and which capability reads it: $note"
	"$CONNWATCH" --json --rootfs "$TMPD/rootfs" | jq -e '.collector.note // "" | test("runtime metadata") | not' >/dev/null
	ok $? "as root the same --rootfs gives no such note"
else
	[ "${CI:-}" = true ] && bail "the unprivileged checks need root and setpriv"
	diag "skipping the unprivileged checks: need root and setpriv"
fi

# Least privilege: once running, every thread keeps only CAP_DAC_READ_SEARCH,
# CAP_SYS_ADMIN and CAP_SYS_PTRACE (bits 2, 21, 19), in the effective,
# permitted and bounding sets, and no_new_privs is set. With TCP state
# events it keeps CAP_BPF and CAP_PERFMON too (tests/integ/events.sh), so
# this run goes without them.
if [ "$(id -u)" -eq 0 ]; then
	"$CONNWATCH" --json --no-bpf --count 40 --delay 0.1 >/dev/null 2>"$TMPD/err" &
	cwpid=$!
	on_exit "kill $cwpid 2>/dev/null"
	wait_for 5 sh -c "[ \$(ls /proc/$cwpid/task | wc -l) -gt 1 ]"
	want=0000000000280004
	bad=""
	for t in /proc/$cwpid/task/*; do
		for f in CapEff CapPrm CapBnd; do
			v=$(awk -v f="$f:" '$1 == f { print $2 }' "$t/status" 2>/dev/null)
			[ -n "$v" ] && [ "$v" != "$want" ] && bad="$bad $(basename "$t"):$f=$v"
		done
	done
	is "$bad" "" "every thread keeps only dac_read_search, sys_admin, sys_ptrace ($(ls /proc/$cwpid/task | wc -l) threads)"
	is "$(awk '$1 == "NoNewPrivs:" { print $2 }' /proc/$cwpid/status)" 1 "no_new_privs is set"
	is "$(awk '$1 == "CapInh:" { print $2 }' /proc/$cwpid/status)" 0000000000000000 "nothing inheritable"
	wait "$cwpid"
	is "$?" 0 "with the reduced set it still runs to the end"
else
	[ "${CI:-}" = true ] && bail "the capability checks need root"
	diag "skipping the capability checks: need root"
fi

# The live view without a terminal on stdin: one line, status 1, and no
# abort (a poll handle used to be closed without being set up).
for how in devnull closed file; do
	case $how in
	devnull) "$CONNWATCH" </dev/null >"$TMPD/out" 2>"$TMPD/err" ;;
	closed) "$CONNWATCH" <&- >"$TMPD/out" 2>"$TMPD/err" ;;
	file) "$CONNWATCH" <"$top_srcdir/README.md" >"$TMPD/out" 2>"$TMPD/err" ;;
	esac
	is "$?" 1 "stdin $how: the live view exits 1"
	is "$(wc -l <"$TMPD/err")" 1 "stdin $how: one line on stderr"
	grep -q "needs a terminal" "$TMPD/err"
	ok $? "stdin $how: it says a terminal is needed ($(head -c 100 "$TMPD/err"))"
	[ ! -s "$TMPD/out" ]
	ok $? "stdin $how: nothing on stdout"
done

done_testing
