#!/bin/bash
# labrm.sh: a pod deleted on a lab node (`lab rm`, what tests/bench/podchurn.sh
# repeats for an hour). Three steady pods and one replica of a Deployment;
# `connwatch --rootfs --json` names the replica; `lab rm` removes it. Then:
#   - its namespace pin, pause and app processes, cgroups (v2 and the v1
#     hierarchies the lab uses) and runtime metadata are gone, and the lab's
#     record of cgroups no longer lists them (so `lab down` has nothing of it
#     left to do);
#   - the same running connwatch stops showing it as a live pod (the row
#     goes, or says it vanished) and still names the other pods, whose
#     counts stay equal to ss;
#   - `lab rm` of a pod that is not there is a one-line error, exit 2.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss jq nsenter setsid unshare flock
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

TMPD=$(mktemp -d /tmp/cwt-labrm.XXXXXX)
on_exit "rm -rf '$TMPD'"
export CWLAB_STATE=/run/cwlab-rm$$ CWLAB_BRIDGE=cwrb$$ CWLAB_VETH=cwrv$$
export CWLAB_NET=10.$((234 + $$ % 20)) CWLAB_SOCKGEN=$SOCKGEN
ROOT=$TMPD/root
on_exit "'$LAB' down >/dev/null"
"$LAB" up 3 --rootfs "$ROOT" >"$TMPD/up.out" 2>&1 || bail "lab up failed: $(tail -c 400 "$TMPD/up.out")"
"$LAB" up 3 --workload gone --replicas 1 >>"$TMPD/up.out" 2>&1 ||
	bail "lab up --workload failed: $(tail -c 400 "$TMPD/up.out")"
"$LAB" status --json >"$TMPD/pods.json" || bail "lab status failed"
is "$(jq length "$TMPD/pods.json")" 4 "the lab has 3 pods and one replica"

sel='.[] | select(.workload == "gone")'
NETNS=$(jq -r "$sel | .netns" "$TMPD/pods.json")
POD=$(jq -r "$sel | .pod" "$TMPD/pods.json")
PAUSE=$(jq -r "$sel | .pid" "$TMPD/pods.json")
APP=$(jq -r "$sel | .app_pid" "$TMPD/pods.json")
INO=$(netns_inode "$NETNS")
# Its cgroups: every directory of the record that names its uid.
UIDU=$(jq -r "$sel | .uid" "$TMPD/pods.json")
mapfile -t CGS < <(grep -e "$UIDU" -e "${UIDU//-/_}" "$CWLAB_STATE/cgroups")
[ "${#CGS[@]}" -ge 3 ]
ok $? "the replica has cgroups of its own (${#CGS[@]})"
mapfile -t META < <(grep -rl -- "$UIDU" "$ROOT/run/containerd" 2>/dev/null)
[ "${#META[@]}" -ge 2 ]
ok $? "and runtime metadata (${#META[@]} files)"

"$CONNWATCH" --rootfs "$ROOT" --json -d 0.5 --count 1000000 >"$TMPD/s.json" 2>"$TMPD/err" &
CW=$!
on_exit "kill_wait $CW"
label_of() { tail -n 1 "$TMPD/s.json" | jq -r --argjson i "$1" '.netns[] | select(.inode == $i) |
	if .pod then "\(.pod.namespace)/\(.pod.name) \(.status // "ok")" else "- \(.status // "ok")" end'; }
wait_for 20 eval '[ "$(label_of "$INO")" = "$POD ok" ]'
ok $? "connwatch names the replica $POD ($(label_of "$INO"))"

out=$("$LAB" rm workload:gone 2>&1)
rc=$?
is "$rc/$out" "0/lab: removed $POD" "lab rm removes it"
[ ! -e "/run/netns/$NETNS" ] && ! ip netns list | grep -q "^$NETNS"
ok $? "its namespace pin is gone"
# (Gone or a zombie: whoever they were reparented to reaps them.)
running() { case $(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) in "" | Z) return 1 ;; esac; }
! running "$PAUSE" && ! running "$APP"
ok $? "its pause and app processes are gone"
left=0
for c in "${CGS[@]}"; do [ -d "$c" ] && left=$((left + 1)); done
is "$left" 0 "its cgroups are gone (${#CGS[@]} directories)"
is "$(grep -c -e "$UIDU" -e "${UIDU//-/_}" "$CWLAB_STATE/cgroups")" 0 "and out of the lab's record"
left=0
for f in "${META[@]}"; do [ -e "$f" ] && left=$((left + 1)); done
is "$left" 0 "its runtime metadata is gone"

# connwatch: the row goes (or says it vanished); the others stay named.
gone() {
	case $(label_of "$INO") in "" | *vanish*) return 0 ;; esac
	return 1
}
wait_for 10 gone
ok $? "connwatch no longer shows $POD as a live pod ($(label_of "$INO"))"
n=0
for i in 0 1 2; do
	ns=$(jq -r --argjson i "$i" '.[] | select(.index == $i) | .netns' "$TMPD/pods.json")
	p=$(jq -r --argjson i "$i" '.[] | select(.index == $i) | .pod' "$TMPD/pods.json")
	l=$(label_of "$(netns_inode "$ns")")
	[ "$l" = "$p ok" ] && n=$((n + 1))
done
is "$n" 3 "the other three pods are still named"
ns=$(jq -r '.[] | select(.index == 0) | .netns' "$TMPD/pods.json")
compare_counts "$ns" "$(netns_inode "$ns")" "pod 0, after the removal"
kill -0 "$CW" 2>/dev/null
ok $? "connwatch runs on"
[ ! -s "$TMPD/err" ]
ok $? "nothing on stderr: $(head -c 200 "$TMPD/err")"

out=$("$LAB" rm workload:gone 2>&1)
rc=$?
[ "$rc" = 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [[ $out == *"no pod 'workload:gone'"* ]]
ok $? "lab rm of a pod that is not there: one line, exit 2 ($rc: $out)"
done_testing
