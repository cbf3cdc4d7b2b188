#!/bin/bash
# tests/valgrind.sh PROGRAM...: runs each unit test program, then
# `connwatch --json --count 5`, under valgrind's memcheck. TAP: one line per
# program; not ok on any memcheck error or definite leak. make check-valgrind
# runs it over the unit tests; CI runs that.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top_srcdir/tests/lib.sh"
need_cmd valgrind
TMPD=$(mktemp -d)
on_exit "rm -rf '$TMPD'"
# valgrind makes the soft open-file limit it starts with the program's hard
# limit (less its own few): a test that raises its own (test_dumpalloc's
# 1,200 loopback descriptors) needs room above the usual 1024.
ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true

vg() { # vg LOG CMD...: memcheck with errors (and definite leaks) as failures
	local log=$1
	shift
	valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --error-exitcode=99 \
		--suppressions="$top_srcdir/tests/valgrind.supp" --log-file="$log" "$@"
}

for prog in "$@"; do
	name=$(basename "$prog")
	vg "$TMPD/$name.vg" "$prog" >"$TMPD/$name.out" 2>&1
	rc=$?
	errs=$(grep -c '^==[0-9]*== [A-Z]' "$TMPD/$name.vg")
	if [ "$rc" -eq 0 ]; then
		ok 0 "valgrind $name: no memcheck error, no definite leak, and its tests pass"
	else
		ok 1 "valgrind $name: exit $rc ($errs memcheck lines; 99 means memcheck errors)"
		grep -v '^ok ' "$TMPD/$name.out" | head -10 | sed 's/^/# /'
		grep -v '^--' "$TMPD/$name.vg" | head -30 | sed 's/^/# /'
	fi
done

vg "$TMPD/json.vg" "$CONNWATCH" --json --count 5 --delay 0.2 >"$TMPD/json.out" 2>"$TMPD/json.err"
rc=$?
is "$rc" 0 "valgrind connwatch --json --count 5: exit 0, no memcheck error, no definite leak"
[ "$rc" -eq 0 ] || grep -v '^--' "$TMPD/json.vg" | head -30 | sed 's/^/# /'
is "$(wc -l <"$TMPD/json.out")" 5 "... and it printed 5 snapshots"

done_testing
