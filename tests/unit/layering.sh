#!/bin/bash
# tests/unit/layering.sh: the core (src/) does not know the live view. No
# file under src/ but main.c includes a ui/ header or curses, and the core
# library references no curses symbol; the live view's library does (which
# shows the check can see one).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"
need_cmd nm
TMPD=$(mktemp -d)
on_exit "rm -rf '$TMPD'"

core=$top_builddir/libconnwatch.a
ui=$top_builddir/libcwui.a
[ -f "$core" ] && [ -f "$ui" ] || bail "build first: no $core or $ui"

# Every header under ui/, as an include would name it.
(cd "$top_srcdir/ui" && ls ./*.h) | sed 's|^\./||' >"$TMPD/uiheaders"
[ -s "$TMPD/uiheaders" ]
ok $? "ui/ has headers to look for ($(wc -l <"$TMPD/uiheaders"))"

bad=""
for f in "$top_srcdir"/src/*.c "$top_srcdir"/src/*.h; do
	[ "$(basename "$f")" = main.c ] && continue
	while read -r h; do
		if grep -Eq "^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<](\.\./ui/)?$h[\">]" "$f" &&
			[ ! -f "$top_srcdir/src/$h" ]; then
			bad="$bad $(basename "$f"):$h"
		fi
	done <"$TMPD/uiheaders"
	grep -Eq '^[[:space:]]*#[[:space:]]*include[[:space:]]*<n?curses' "$f" && bad="$bad $(basename "$f"):curses"
	grep -Eq '#[[:space:]]*include[[:space:]]*"\.\./ui/' "$f" && bad="$bad $(basename "$f"):../ui/"
done
is "$bad" "" "no file under src/ but main.c includes a ui/ header or curses"

# The symbols the curses libraries define.
for lib in ncursesw tinfo; do
	p=$(ldconfig -p | awk -v l="lib$lib.so" '$1 ~ "^"l {print $NF; exit}')
	[ -n "$p" ] && nm -D --defined-only "$p" | awk '{ s = $NF; sub(/@.*/, "", s); print s }'
done | sort -u >"$TMPD/curses"
[ "$(wc -l <"$TMPD/curses")" -gt 100 ]
ok $? "read the curses libraries' symbols ($(wc -l <"$TMPD/curses"))"

nm -u "$core" 2>/dev/null | awk '{print $NF}' | sort -u >"$TMPD/core.u"
nm -u "$ui" 2>/dev/null | awk '{print $NF}' | sort -u >"$TMPD/ui.u"
is "$(comm -12 "$TMPD/core.u" "$TMPD/curses" | tr '\n' ' ')" "" "the core library references no curses symbol"
n=$(comm -12 "$TMPD/ui.u" "$TMPD/curses" | wc -l)
[ "$n" -gt 10 ]
ok $? "the live view's library does ($n symbols): the check sees them"

# The core library's objects were built without the ui/ include path.
grep -q -- '-iquote $(top_srcdir)/ui' <(sed -n '/^AM_CPPFLAGS/p' "$top_srcdir/Makefile.am")
is "$?" 1 "AM_CPPFLAGS (the core's) has no ui/ include path"

done_testing
