#!/bin/bash
# tests/hardening-report.sh [-a ASAN_BUILDDIR] [-f FUZZ_TABLE] [-v VALGRIND_LOG] [BUILDDIR]
# Prints the README's hardening table (Markdown) from what the test runs
# left behind: the .trs results of `make check` in BUILDDIR (default .) for
# the fault, churn, hostile-input and privilege tests; the same in an
# ASan+UBSan build directory; the output of `make check-valgrind`; and the
# table `tests/fuzz/run.sh` printed. A part whose input is missing says so.
set -uo pipefail
asan= fuzz= vg=
while getopts a:f:v: o; do
	case $o in
	a) asan=$OPTARG ;;
	f) fuzz=$OPTARG ;;
	v) vg=$OPTARG ;;
	*) echo "usage: $0 [-a ASAN_BUILDDIR] [-f FUZZ_TABLE] [-v VALGRIND_LOG] [BUILDDIR]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
build=${1:-.}

# results TRS...: "P passed, F failed" over Automake .trs files.
results() {
	local p=0 f=0 t
	for t in "$@"; do
		[ -f "$t" ] || continue
		p=$((p + $(grep -c '^:test-result: PASS' "$t")))
		f=$((f + $(grep -Ec '^:test-result: (FAIL|ERROR|XPASS)' "$t")))
	done
	echo "$p passed, $f failed"
}
# todo LOG: the number of known defects a test marks TODO.
todo() { local n=0; [ -f "$1" ] && n=$(grep -c '^not ok .*# TODO' "$1"); echo "${n:-0}"; }

row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }

echo "| what | how | result |"
echo "| --- | --- | --- |"
for t in faults nlfault churn hostile privs; do
	trs=$build/tests/integ/$t.trs
	case $t in
	faults) what="faults survived"; how="namespace deleted mid-dump (50k sockets), runtime files deleted, truncated, made a FIFO, a directory or 1 GB, short-lived processes, dump churn, empty and 100k-pid --procfs, hangup, closed pipe" ;;
	nlfault) what="netlink faults"; how="ENOBUFS mid-dump and NLM_F_DUMP_INTR on one or on every reply, injected into real dumps (tests/tools/nlfault.so): no partial count published, last counts kept with their age, retries, counted; against ss" ;;
	churn) what="pod churn"; how="namespaces created and destroyed for 2 minutes: descriptors, memory and libuv handles flat" ;;
	hostile) what="hostile inputs"; how="escapes, OSC 52, C1, bidi, invalid UTF-8, 3000-byte names in pod, container, netns, comm and hostname: JSON strict, no raw escape on screen" ;;
	privs) what="least privilege"; how="as nobody with exactly CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, and with each removed" ;;
	esac
	if [ -f "$trs" ]; then
		row "$what" "$how" "$(results "$trs"); $(todo "$build/tests/integ/$t.log") known defects (TODO)"
	else
		row "$what" "$how" "not run ($trs missing)"
	fi
done
if [ -n "$fuzz" ] && [ -f "$fuzz" ]; then
	n=$(awk 'NR > 1 && NF == 6 && $2 ~ /^[0-9]+$/' "$fuzz" | wc -l)
	execs=$(awk 'NR > 1 && NF == 6 && $2 ~ /^[0-9]+$/ { s += $3 } END { printf "%.1fM", s / 1e6 }' "$fuzz")
	crashes=$(awk 'NR > 1 && NF == 6 && $2 ~ /^[0-9]+$/ { s += $6 } END { print s + 0 }' "$fuzz")
	secs=$(awk 'NR > 1 && NF == 6 && $2 ~ /^[0-9]+$/ { if (!m || $2 < m) m = $2 } END { print m + 0 }' "$fuzz")
	per=$(awk 'NR > 1 && NF == 6 && $2 ~ /^[0-9]+$/ { printf "%s%s %.1fM", sep, $1, $3 / 1e6; sep = ", " }' "$fuzz")
	row "fuzzing (libFuzzer)" "$n targets, at least ${secs} s each: $per" "$execs executions, $crashes crashes"
else
	row "fuzzing (libFuzzer)" "tests/fuzz/run.sh" "not run (no table given)"
fi
if [ -n "$asan" ] && [ -d "$asan" ]; then
	mapfile -t trs < <(find "$asan/tests" -name '*.trs')
	row "ASan + UBSan" "the whole suite against a sanitizer build" "$(results "${trs[@]}")"
else
	row "ASan + UBSan" "the whole suite against a sanitizer build" "not run (no build directory given)"
fi
if [ -n "$vg" ] && [ -f "$vg" ]; then
	p=$(grep -c '^ok ' "$vg")
	f=$(grep -c '^not ok ' "$vg")
	row "valgrind memcheck" "every unit test and \`connwatch --json --count 5\`" "$p passed, $f failed"
else
	row "valgrind memcheck" "every unit test and \`connwatch --json --count 5\`" "not run (no log given)"
fi
