#!/bin/bash
# hostile.sh: names from outside never reach a terminal raw and never break
# JSON. Pod namespaces and names, container names (containerd bundles),
# /var/log/pods directories, CNI cache entries, netns pin file names, a
# process's comm and the host's /etc/hostname carry escape sequences
# (ESC [ 2 J, OSC 52, OSC 0, CSI, C1 CSI), BEL, newlines, invalid UTF-8,
# bidi overrides and extreme length, under a temporary --rootfs. The JSON
# must parse strictly and hold no control or bidi character; the live view
# in tmux (capture-pane -e) must show no escape sequence that a benign run
# with the same layout does not, leave the pane's title and tmux's buffers
# alone, and keep its header.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip jq unshare perl tmux iconv

TMPD=$(mktemp -d /tmp/cwt-hostile.XXXXXX)
on_exit "rm -rf '$TMPD'"
TAG=hx$$
ESC=$'\e'
NL=$'\n'
# The hostile pieces: clear screen, OSC 52 (set clipboard), OSC 0 (title),
# CSI with a C1 byte, BEL, newline, invalid UTF-8, bidi overrides.
EVIL_CLR=$'\e[2J\e[H'
EVIL_OSC52=$'\e]52;c;b3duZWQ=\a'
EVIL_TITLE=$'\e]0;pwned\a'
EVIL_C1=$'\xc2\x9b31m'
EVIL_BIDI=$'\xe2\x80\xae\xe2\x81\xa6'
EVIL_BAD=$'\xff\xfe\xc0\x80'
LONG=$(printf 'x%.0s' $(seq 1 3000))

uuid() { cat /proc/sys/kernel/random/uuid; }
hex64() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# build ROOT MODE: a fake runtime tree under ROOT; MODE hostile or benign
# (the same layout and lengths, plain letters).
build() {
	local R=$1 mode=$2 i ns name cname pinname U S N T
	local TASKS=$R/run/containerd/io.containerd.runtime.v2.task/k8s.io
	mkdir -p "$R/run/netns" "$R/var/log/pods" "$R/var/lib/cni/results" "$TASKS" "$R/etc"
	ln -s /run "$R/var/run"
	for i in 0 1 2 3; do
		case $mode.$i in
		hostile.0) ns="$TAG-a$EVIL_CLR" name="web$EVIL_OSC52-0" cname="app$EVIL_TITLE" ;;
		hostile.1) ns="$TAG-b$EVIL_C1$EVIL_BIDI" name="db@BAD@${NL}x-0" cname="c$EVIL_BIDI@RAWESC@[2J" ;;
		hostile.2) ns="$TAG-c" name="long$LONG-0" cname="l$LONG" ;;
		hostile.3) ns="$TAG-d"$'\t\r\a\b\x7f' name=$'n\e[6n\e[c-0' cname=$'\e[?1049h' ;;
		benign.0) ns="$TAG-aXXXXXX" name="webYYYYYYYYYYYYYY-0" cname="appZZZZZZZZZZZ" ;;
		benign.1) ns="$TAG-bXXXXXXXX" name="dbYYYYYx-0" cname="cZZZZZZ" ;;
		benign.2) ns="$TAG-c" name="long$LONG-0" cname="l$LONG" ;;
		benign.3) ns="$TAG-dXXXXX" name="nYYYYYYYY-0" cname="ZZZZZZZZ" ;;
		esac
		U=$(uuid) S=$(hex64) C=$(hex64) N=cni-$(uuid)
		touch "$R/run/netns/$N"
		mount --bind "/proc/${PODPID[$i]}/ns/net" "$R/run/netns/$N" || bail "pin"
		on_exit "umount '$R/run/netns/$N'"
		mkdir -p "$TASKS/$S" "$TASKS/$C"
		jq -n --arg id "$S" --arg ns "$ns" --arg name "$name" --arg uid "$U" --arg net "/var/run/netns/$N" '{
			ociVersion: "1.1.0", annotations: {"io.kubernetes.cri.container-type": "sandbox",
			"io.kubernetes.cri.sandbox-id": $id, "io.kubernetes.cri.sandbox-name": $name,
			"io.kubernetes.cri.sandbox-namespace": $ns, "io.kubernetes.cri.sandbox-uid": $uid,
			"io.kubernetes.cri.sandbox-log-directory": "/var/log/pods/\($ns)_\($name)_\($uid)"},
			linux: {namespaces: [{type: "network", path: $net}]}}' >"$TASKS/$S/config.json"
		jq -n --arg sid "$S" --arg name "$cname" --arg net "/proc/${PODPID[$i]}/ns/net" '{
			ociVersion: "1.1.0", annotations: {"io.kubernetes.cri.container-type": "container",
			"io.kubernetes.cri.sandbox-id": $sid, "io.kubernetes.cri.container-name": $name},
			linux: {namespaces: [{type: "network", path: $net}]}}' >"$TASKS/$C/config.json"
		# jq writes only valid JSON: put invalid UTF-8 and a raw (unescaped)
		# ESC into the files afterwards, as a broken or hostile writer would.
		perl -pi -e 's/\@BAD\@/\xff\xfe\xc0\x80/g; s/\@RAWESC\@/\x1b/g' "$TASKS/$S/config.json" "$TASKS/$C/config.json"
		name=${name//@BAD@/$EVIL_BAD} cname=${cname//@RAWESC@/$ESC}
		# /var/log/pods: a directory name may hold anything but '/'.
		mkdir -p "$R/var/log/pods/${ns}_${name:0:200}_$U/${cname:0:200}"
	done
	# A pinned netns with a hostile file name, and one named by the CNI cache.
	case $mode in
	hostile) pinname="$TAG-pin$EVIL_CLR$EVIL_OSC52$EVIL_BAD" ;;
	benign) pinname="$TAG-pinXXXXXXXXXXXXXXXXXXXXXXX" ;;
	esac
	touch "$R/run/netns/$pinname"
	mount --bind "/proc/${PODPID[4]}/ns/net" "$R/run/netns/$pinname" || bail "pin"
	on_exit "umount '$R/run/netns/$pinname'"
	N=cni-$(uuid) S=$(hex64)
	touch "$R/run/netns/$N"
	mount --bind "/proc/${PODPID[5]}/ns/net" "$R/run/netns/$N" || bail "pin"
	on_exit "umount '$R/run/netns/$N'"
	if [ "$mode" = hostile ]; then ns="$TAG-e$EVIL_TITLE" name="cache$EVIL_CLR-0"; else ns="$TAG-eXXXXXXXXX" name="cacheYYYYYYY-0"; fi
	jq -n --arg id "$S" --arg net "/var/run/netns/$N" --arg ns "$ns" --arg name "$name" '{
		kind: "cniCacheV1", containerId: $id, ifName: "eth0", networkName: "cbr0", netns: $net,
		config: "e30=", cniArgs: [["K8S_POD_NAMESPACE", $ns], ["K8S_POD_NAME", $name],
			["K8S_POD_INFRA_CONTAINER_ID", $id], ["K8S_POD_UID", "00000000-0000-4000-8000-000000000002"]],
		result: {cniVersion: "1.0.0", ips: [{address: "10.88.0.9/16"}]}}' >"$R/var/lib/cni/results/cbr0-$S-eth0"
	if [ "$mode" = hostile ]; then
		printf '%s' "node$EVIL_TITLE$EVIL_CLR$EVIL_BAD" >"$R/etc/hostname"
	else
		printf '%s' "nodeXXXXXXXXXXXXXXXX" >"$R/etc/hostname"
	fi
}

# Six processes, each in a network namespace of its own, for the pods.
PODPID=()
for i in 0 1 2 3 4 5; do
	unshare -n sleep infinity &
	PODPID+=($!)
	on_exit "kill_wait $!"
done
# A process whose comm is hostile, in its own namespace (comm is 15 bytes).
cat >"$TMPD/comm.pl" <<'EOF'
open(my $f, ">", "/proc/self/comm") or die; print $f $ARGV[0]; close $f; sleep 1000;
EOF
unshare -n perl "$TMPD/comm.pl" $'\e]0;t\a\e[2J\xc2\x9b\xe2\x80\xae' &
EVILCOMM=$!
on_exit "kill_wait $EVILCOMM"
unshare -n perl "$TMPD/comm.pl" "hxbenign" &
on_exit "kill_wait $!"
for p in "${PODPID[@]}"; do
	wait_for 5 eval "[ \"\$(readlink /proc/$p/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" || bail "unshare"
done
wait_for 5 eval "grep -q \$'\\e' /proc/$EVILCOMM/comm" || bail "the hostile comm did not take"

mkdir "$TMPD/bad" "$TMPD/good"
build "$TMPD/bad" hostile
build "$TMPD/good" benign

# ---------------------------------------------------------------- JSON ----------
"$CONNWATCH" --json --count 3 -d 0.2 --rootfs "$TMPD/bad" >"$TMPD/bad.json" 2>"$TMPD/bad.err"
is "$?" 0 "--json with hostile names: exit 0"
is "$(wc -l <"$TMPD/bad.json")" 3 "three snapshots, one per line (no newline leaked from a name)"
jq -e . "$TMPD/bad.json" >/dev/null 2>"$TMPD/jq.err" && [ ! -s "$TMPD/jq.err" ]
ok $? "every line parses with jq: $(head -c 200 "$TMPD/jq.err")"
iconv -f UTF-8 -t UTF-8 "$TMPD/bad.json" >/dev/null 2>&1
ok $? "the output is valid UTF-8"
! grep -q "$ESC" "$TMPD/bad.json"
ok $? "no raw ESC byte in the JSON"
! LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]' "$TMPD/bad.json"
ok $? "no raw control byte in the JSON"
# Decoded, no string may carry a control, C1 or bidi character either.
BADCH='[\\p{Cc}\\x{202a}-\\x{202e}\\x{2066}-\\x{2069}\\x{200e}\\x{200f}\\x{061c}]'
jq -r "[.. | strings | select(test(\"$BADCH\"))] | .[]" "$TMPD/bad.json" >"$TMPD/badstr"
[ ! -s "$TMPD/badstr" ]
ok $? "no decoded string holds a control, C1 or bidi character: $(head -c 200 "$TMPD/badstr" | od -c | head -3 | tr '\n' ' ')"
jq -r '.hostname' "$TMPD/bad.json" | head -1 >"$TMPD/host"
grep -q '^node' "$TMPD/host"
ok $? "the hostile /etc/hostname is still shown, sanitised: $(cat "$TMPD/host")"
npods=$(jq --arg t "$TAG" '[.netns[] | select(.kind == "pod" and (.label | startswith($t)))] | length' <(head -1 "$TMPD/bad.json"))
is "$npods" 5 "the five hostile pods are still pods (4 bundles, 1 CNI cache)"
jq -r --arg t "$TAG" '.netns[] | select(.label | startswith($t)) | .label' <(head -1 "$TMPD/bad.json") >"$TMPD/labels"
diag "labels: $(cut -c1-60 "$TMPD/labels" | tr '\n' '|')"
maxlen=$(jq '[.netns[] | .label | length] | max' <(head -1 "$TMPD/bad.json"))
diag "longest label: $maxlen characters (the pod name is $((${#LONG} + 6)))"
jq -e --arg t "$TAG" '[.netns[] | select(.label | startswith($t)) | .pod.containers // [] | .[]] | length >= 4' \
	<(head -1 "$TMPD/bad.json") >/dev/null
ok $? "hostile container names are listed (sanitised)"
jq -e --argjson p "$EVILCOMM" '.netns[] | select(.pids // [] | index($p)) | .comm | test("^\\?")' \
	<(head -1 "$TMPD/bad.json") >/dev/null
ok $? "the hostile comm is reported with '?' for its escape: $(jq -c --argjson p "$EVILCOMM" '.netns[] | select(.pids // [] | index($p)) | [.label, .comm]' <(head -1 "$TMPD/bad.json"))"
[ ! -s "$TMPD/bad.err" ]
ok $? "nothing on stderr: $(head -c 200 "$TMPD/bad.err" | od -c | head -2)"

# --sockets by a hostile label: the JSON still parses (the label is matched
# as given, after sanitising).
lab=$(head -1 "$TMPD/labels")
"$CONNWATCH" --json --sockets "$lab" --rootfs "$TMPD/bad" >"$TMPD/socks.json" 2>&1
jq -e . "$TMPD/socks.json" >/dev/null
ok $? "--sockets with a sanitised hostile label gives valid JSON"

# ------------------------------------------------------------ live view ---------
SOCK=$TMPD/tmux.sock
T() { tmux -S "$SOCK" "$@"; }
on_exit "tmux -S '$SOCK' kill-server"
T -f /dev/null start-server \; set -g set-clipboard on \; set -g allow-rename on \; set -g set-titles on

# live MODE: runs the view on that tree, captures the pods screen with
# escapes (-e) into $TMPD/MODE.cap, and the pane title into $TMPD/MODE.title.
live() {
	local m=$1
	T new-session -d -s "$m" -x 160 -y 40 -e TERM=tmux-256color \
		"'$CONNWATCH' -d 0.3 --no-mouse --rootfs '$TMPD/$m' -F '$TAG'; sleep 60"
	wait_for 15 sh -c "tmux -S '$SOCK' capture-pane -p -t '$m' | grep -q '$TAG-c'"
	ok $? "$m: the live view shows the pods"
	sleep 1.5 # a few redraws with the hostile rows on screen
	T send-keys -t "$m" Enter # into a pod's peers (the breadcrumb names it), and back
	sleep 0.7
	T capture-pane -p -e -t "$m" >"$TMPD/$m.peers.cap"
	T send-keys -t "$m" Escape
	sleep 0.7
	T capture-pane -p -e -t "$m" >"$TMPD/$m.cap"
	cat "$TMPD/$m.peers.cap" >>"$TMPD/$m.cap"
	T display -p -t "$m" '#{pane_title}|#{window_name}' >"$TMPD/$m.title"
	T send-keys -t "$m" q
	wait_for 5 sh -c "! tmux -S '$SOCK' list-panes -t '$m' -F '#{pane_current_command}' | grep -q connwatch"
}
live good
live bad
# Escape sequences in the pane: tmux writes back only what the application
# drew (SGR for colours and attributes). A name that got through raw would
# add other sequences (or SGRs no benign run uses).
seqs() { grep -aoP '\e(\[[0-9;?]*[ -/]*[@-~]|\][^\a\e]*(\a|\e\\)|[@-Z\\-_])' "$1" | sort -u | od -An -c | tr -s ' \n' ' '; }
diag "benign escape sequences: $(seqs "$TMPD/good.cap")"
diag "hostile escape sequences: $(seqs "$TMPD/bad.cap")"
extra=$(comm -13 <(grep -aoP '\e(\[[0-9;?]*[ -/]*[@-~]|\][^\a\e]*(\a|\e\\)|[@-Z\\-_])' "$TMPD/good.cap" | sort -u) \
	<(grep -aoP '\e(\[[0-9;?]*[ -/]*[@-~]|\][^\a\e]*(\a|\e\\)|[@-Z\\-_])' "$TMPD/bad.cap" | sort -u) | od -An -c | head -3)
[ -z "$extra" ]
ok $? "the hostile view holds no escape sequence the benign one lacks: ${extra:-none}"
grep -q "$TAG-c" "$TMPD/bad.cap" && grep -aq "$TAG-d" "$TMPD/bad.cap"
ok $? "the hostile rows are on screen (not cleared by ESC [ 2 J)"
head -1 "$TMPD/bad.cap" | sed 's/\x1b\[[0-9;]*m//g' | grep -q '^node'
ok $? "the header still starts with the (sanitised) node name: $(head -1 "$TMPD/bad.cap" | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-60)"
is "$(sed 's/|.*//' "$TMPD/bad.title")" "$(sed 's/|.*//' "$TMPD/good.title")" "OSC 0 in a name did not retitle the pane"
is "$(T list-buffers 2>/dev/null | wc -l)" 0 "OSC 52 in a name did not set a tmux buffer (clipboard)"
! grep -aqP '\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xc2[\x80-\x9f]' "$TMPD/bad.cap"
ok $? "no bidi override or C1 control on screen"

done_testing
