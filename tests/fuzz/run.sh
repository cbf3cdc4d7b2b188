#!/usr/bin/env bash
# run.sh [-o OUTDIR] [--fresh] [--trs FILE] [-j JOBS] [SECONDS]: runs every
# libFuzzer target in tests/fuzz for SECONDS each (default 600), JOBS at a
# time (default nproc; -j 0: all at once, sharing the cores),
# and prints one table row per target: seconds, execs, execs/s, corpus size
# and crashes. Exits 1 if any target crashed (or failed to run).
#
# Each target fuzzes OUTDIR/<target>/corpus (default tests/fuzz/out in the
# build tree; kept between runs unless --fresh) seeded from the fixtures by
# make-seeds.sh, with its dictionary. Crash inputs land in
# OUTDIR/<target>/artifacts/ and the libFuzzer output in OUTDIR/<target>/log.
# --trs FILE writes Automake-style ":test-result:" lines, one per target.
# Needs a build configured with --enable-fuzzing; run it from the build
# directory (or set top_builddir).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
builddir=${top_builddir:-$PWD}
targets=(diag nscount cgroup podmeta workload json_in opts podfiles)
out=$builddir/tests/fuzz/out
fresh=false trs= jobs_max=$(nproc 2>/dev/null || echo 1)
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	--fresh) fresh=true; shift ;;
	--trs) trs=$2; shift 2 ;;
	-j) jobs_max=$2; shift 2 ;;
	-h|--help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
secs=${1:-600}
case $secs in ''|*[!0-9]*) echo "run.sh: SECONDS must be a whole number" >&2; exit 2 ;; esac

for t in "${targets[@]}"; do
	if [ ! -x "$builddir/tests/fuzz/fuzz_$t" ]; then
		echo "run.sh: $builddir/tests/fuzz/fuzz_$t is missing: configure with --enable-fuzzing and run make" >&2
		exit 2
	fi
done
$fresh && rm -rf "$out"
mkdir -p "$out"
"$srcdir/tests/fuzz/make-seeds.sh" "$srcdir" "$out/seeds" || exit 2

# One target: replay its reproducers, fuzz, then write "seconds execs corpus
# crashes rc [replay]" to OUTDIR/<t>/result.
run_one() {
	local t=$1 d=$out/$1 rc execs crashes t0
	t0=$(date +%s)
	mkdir -p "$d/corpus" "$d/artifacts"
	rm -f "$d/artifacts/"* "$d/result" "$d/replay.log"
	# First the kept reproducers (tests/fuzz/crashes/<t>): each must now
	# run clean. One that still crashes counts as a crash of the target.
	local repros=()
	for f in "$srcdir/tests/fuzz/crashes/$t/"*; do
		[ -f "$f" ] && repros+=("$f")
	done
	if [ ${#repros[@]} -gt 0 ] &&
		! "$builddir/tests/fuzz/fuzz_$t" "${repros[@]}" >"$d/replay.log" 2>&1; then
		echo "0 0 $(find "$d/corpus" "$out/seeds/$t" -type f | wc -l) 1 1 replay" >"$d/result"
		return
	fi
	# The seeds are a second, read-only corpus directory: new inputs go to
	# the first. -timeout catches hangs.
	"$builddir/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 \
		-print_final_stats=1 -dict="$srcdir/tests/fuzz/$t.dict" \
		-artifact_prefix="$d/artifacts/" "$d/corpus" "$out/seeds/$t" >"$d/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -1)
	crashes=$(find "$d/artifacts" -type f | wc -l)
	[ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
	echo "$(($(date +%s) - t0)) ${execs:-0} $(find "$d/corpus" "$out/seeds/$t" -type f | wc -l) $crashes $rc" >"$d/result"
}

case $jobs_max in ''|*[!0-9]*) echo "run.sh: -j JOBS must be a whole number" >&2; exit 2 ;; esac
[ "$jobs_max" -eq 0 ] && jobs_max=${#targets[@]}
start=$(date +%s)
for t in "${targets[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n
	done
	run_one "$t" &
done
wait
elapsed=$(($(date +%s) - start))

bad=0
[ -n "$trs" ] && : >"$trs"
printf '%-10s %7s %12s %10s %8s %8s\n' target seconds execs execs/s corpus crashes
for t in "${targets[@]}"; do
	replay=
	read -r took execs corpus crashes rc replay <"$out/$t/result" || { took=0 execs=0 corpus=0 crashes=1 rc=1; }
	printf '%-10s %7s %12s %10s %8s %8s\n' "$t" "$took" "$execs" "$((execs / (took > 0 ? took : 1)))" "$corpus" "$crashes"
	if [ "$crashes" -ne 0 ]; then
		bad=1
		if [ "$replay" = replay ]; then
			echo "  $t: a reproducer in tests/fuzz/crashes/$t still crashes; fuzzing skipped"
			grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$out/$t/replay.log" | sed "s/^/  $t: /"
			echo "  $t: log $out/$t/replay.log"
		fi
		for a in "$out/$t/artifacts/"*; do
			[ -f "$a" ] && echo "  $t: reproducer $a"
		done
		if [ "$replay" != replay ]; then
			grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$out/$t/log" | sed "s/^/  $t: /"
			echo "  $t: log $out/$t/log"
		fi
		[ -n "$trs" ] && echo ":test-result: FAIL fuzz $t ($execs execs, $crashes crashes)" >>"$trs"
	else
		[ -n "$trs" ] && echo ":test-result: PASS fuzz $t ($execs execs)" >>"$trs"
	fi
done
echo "run.sh: ${#targets[@]} targets in ${elapsed}s, output in $out"
exit "$bad"
