# tests/lib.sh: TAP helpers for shell tests. Source it first:
#   . "${top_srcdir:-.}/tests/lib.sh"
# It sets CONNWATCH (the binary under test), SOCKGEN, and TAP functions.
# A test that needs root calls need_root: it skips when not root, except
# under CI=true, where a skip would hide a missing capability and fails.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
CONNWATCH=${CONNWATCH:-$top_builddir/connwatch}
SOCKGEN=${SOCKGEN:-$top_builddir/tests/tools/sockgen}
LAB=${LAB:-$top_srcdir/contrib/lab/lab}

_tap_n=0
_tap_failed=0
_cleanups=()

ok() { # ok COND_STATUS NAME...  (use: cmd; ok $? "name")
	local st=$1
	shift
	_tap_n=$((_tap_n + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $_tap_n - $*"
	else
		echo "not ok $_tap_n - $*"
		_tap_failed=$((_tap_failed + 1))
	fi
	return "$st"
}

is() { # is GOT WANT NAME...
	local got=$1 want=$2
	shift 2
	if [ "$got" = "$want" ]; then
		ok 0 "$@"
	else
		ok 1 "$@"
		echo "#   got: '$got'"
		echo "#  want: '$want'"
		return 1
	fi
}

diag() { echo "# $*"; }

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

bail() {
	echo "Bail out! $*"
	exit 1
}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		[ "${CI:-}" = true ] && bail "needs root, and CI=true forbids skipping"
		skip_all "needs root (network namespaces and cgroups)"
	fi
}

need_cmd() {
	local c
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			[ "${CI:-}" = true ] && bail "needs $c, and CI=true forbids skipping"
			skip_all "needs $c"
		fi
	done
}

# fd_ceiling: the most descriptors a process started here may have: the
# hard RLIMIT_NOFILE, or fs.nr_open where the hard limit may be raised past
# it (CAP_SYS_RESOURCE). sockgen raises its own limit that far; the
# shell's soft limit, often 1024, does not bound it.
fd_ceiling() {
	local nr_open hard
	nr_open=$(cat /proc/sys/fs/nr_open) hard=$(ulimit -Hn)
	[ "$hard" = unlimited ] && hard=$nr_open
	if [ "$nr_open" -gt "$hard" ] && (ulimit -Hn "$nr_open") 2>/dev/null; then
		echo "$nr_open"
	else
		echo "$hard"
	fi
}

# on_exit CMD: run CMD (a string) at exit, last registered first.
on_exit() { _cleanups=("$1" "${_cleanups[@]}"); }
_run_cleanups() {
	local c
	for c in "${_cleanups[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}

# wait_for TIMEOUT_S CMD...: poll until CMD succeeds.
wait_for() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
