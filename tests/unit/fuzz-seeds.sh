#!/bin/bash
# tests/unit/fuzz-seeds.sh: the fuzz targets' seed corpora and dictionaries
# (tests/fuzz), checked without clang so a change to the fixtures cannot
# leave a target without seeds unnoticed. make-seeds.sh gives every target
# seeds; each diag seed is one whole receive buffer (its netlink lengths add
# up to the file); every dictionary line is a comment or a quoted token; every
# kept reproducer belongs to a target.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"
need_cmd od
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/cw-fuzz-seeds.$$.XXXXXX")
on_exit "rm -rf '$TMPD'"
targets="diag nscount cgroup podmeta workload json_in opts podfiles"

sh "$top_srcdir/tests/fuzz/make-seeds.sh" "$top_srcdir" "$TMPD/seeds"
ok $? "make-seeds.sh runs"
for t in $targets; do
	n=$(find "$TMPD/seeds/$t" -type f -size +0 2>/dev/null | wc -l)
	[ "$n" -ge 3 ]
	ok $? "$t: $n seeds (3 or more, none empty)"
done

# A diag seed is netlink messages back to back: walking nlmsg_len (4-aligned)
# must land exactly on the end, and the last message must fit.
bad=""
for f in "$TMPD"/seeds/diag/*; do
	size=$(wc -c <"$f") off=0
	while [ $((off + 16)) -le "$size" ]; do
		len=$(od -An -tu4 -j "$off" -N4 "$f" | tr -d ' ')
		if [ "$len" -lt 16 ] || [ $((off + len)) -gt "$size" ]; then
			break
		fi
		off=$((off + (len + 3) / 4 * 4))
	done
	[ "$off" -ge "$size" ] || bad="$bad $(basename "$f")@$off"
done
is "$bad" "" "diag seeds are whole netlink messages"
n=$(grep -l . "$top_srcdir"/tests/fixtures/diag/*.bin | wc -l)
is "$(find "$TMPD/seeds/diag" -name '*-0' | wc -l)" "$n" "every diag capture gives seeds"

for t in $targets; do
	d=$top_srcdir/tests/fuzz/$t.dict
	[ -f "$d" ] || { ok 1 "$t.dict exists"; continue; }
	badl=$(grep -Evn '^(#.*|"([^"\\]|\\(x[0-9a-fA-F]{2}|\\|"))*"|)$' "$d" | head -3)
	is "$badl" "" "$t.dict: comments and quoted tokens only"
done

stray=""
for d in "$top_srcdir"/tests/fuzz/crashes/*/; do
	[ -d "$d" ] || continue
	case " $targets " in *" $(basename "$d") "*) ;; *) stray="$stray $(basename "$d")" ;; esac
done
is "$stray" "" "every crashes/ directory is a target's"
done_testing
