#!/bin/bash
# rules_trend.sh: the trend rules on real namespaces, in one connwatch run
# of about 3 minutes (pool-leak needs 2 minutes of trend). Pods are
# namespaces named as pods through a CNI result cache under a temporary
# --rootfs. Beside a steady control pod, which must have no finding:
#   - a pool leak: +1 ESTABLISHED/s toward a "database" namespace over a
#     veth: pool-leak names the pod and the database's address;
#   - 60 CLOSE_WAIT at once, and another pod gaining 12/min: close-wait
#     names both, the first with the peer holding them;
#   - a pod whose ESTABLISHED goes from 20 to 140 once its baseline
#     exists: off-baseline (ESTABLISHED);
#   - a workload of 4 pods, 3 of which rise together: one avalanche
#     finding naming the 3.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip jq mount
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

TMPD=$(mktemp -d /tmp/cwt-rules.XXXXXX)
on_exit "rm -rf '$TMPD'"
R=$TMPD/root
mkdir -p "$R/run/netns" "$R/var/lib/cni/results"
ln -s /run "$R/var/run"
uuid() { cat /proc/sys/kernel/random/uuid; }
hex64() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# mkpod NETNS POD: a namespace that connwatch names shop/POD, by a pin
# under the rootfs and a CNI result cache entry.
mkpod() {
	local pin=cni-$(uuid) id
	id=$(hex64)
	add_netns "$1"
	touch "$R/run/netns/$pin"
	mount --bind "/run/netns/$1" "$R/run/netns/$pin" || bail "pin $1"
	on_exit "umount '$R/run/netns/$pin'"
	jq -n --arg id "$id" --arg net "/var/run/netns/$pin" --arg pod "$2" --arg uid "$(uuid)" '{
		kind: "cniCacheV1", containerId: $id, ifName: "eth0", networkName: "cbr0", netns: $net,
		config: "e30=", cniArgs: [["IgnoreUnknown", "1"], ["K8S_POD_NAMESPACE", "shop"],
			["K8S_POD_NAME", $pod], ["K8S_POD_INFRA_CONTAINER_ID", $id], ["K8S_POD_UID", $uid]],
		result: {cniVersion: "1.0.0", ips: []}}' >"$R/var/lib/cni/results/cbr0-$id-eth0"
}

t=cwtr$$
mkpod "$t-ctl" steady-5c7d8f9b6-k2m4p
mkpod "$t-leak" leaky-6b8c9d7f5-q7w2e
mkpod "$t-db" db-0
mkpod "$t-cw" cw-7f8d9c6b5-r4t6y
mkpod "$t-cwg" cwgrow-8d9c7b6f5-u8i9o
mkpod "$t-ob" offb-9c7d8b6f5-p1a2s
for k in 1 2 3 4; do mkpod "$t-w$k" "web-5d8f7c9b6-x2k4$(echo bcdf | cut -c$k)"; done

# The leak's database: another namespace over a veth.
ip link add "${t}a" netns "$t-leak" type veth peer name "${t}b" netns "$t-db" || bail "veth"
ip -n "$t-leak" addr add 10.251.7.1/30 dev "${t}a"
ip -n "$t-db" addr add 10.251.7.2/30 dev "${t}b"
ip -n "$t-leak" link set "${t}a" up
ip -n "$t-db" link set "${t}b" up

start_sockgen "$t-ctl" ctl --estab 20
start_sockgen "$t-db" db
start_sockgen "$t-leak" leak --remote 10.251.7.2:8080 --out 2 --leak 1 --max 1000
SGLEAK=$SG_PID
start_sockgen "$t-cw" cw --closewait 60
SGCW=$SG_PID
start_sockgen "$t-cwg" cwg --closewait-rate 0.2 --max 200
start_sockgen "$t-ob" ob --estab 10
for k in 1 2 3 4; do start_sockgen "$t-w$k" "w$k" --estab 5; done
ICTL=$(netns_inode "$t-ctl") ILEAK=$(netns_inode "$t-leak") ICW=$(netns_inode "$t-cw")
ICWG=$(netns_inode "$t-cwg") IOB=$(netns_inode "$t-ob") IW4=$(netns_inode "$t-w4")

# 190 s at 0.5 s; --history 3: baselines after a minute, the median of 3
# (the growth rules need a trend that spans their 2 minutes).
OUT=$TMPD/run.json
"$CONNWATCH" --rootfs "$R" --json --delay 0.5 --count 380 --history 3 >"$OUT" 2>"$TMPD/err" &
CW=$!
on_exit "kill $CW 2>/dev/null"
wait_for 10 sh -c "[ \$(wc -l <'$OUT') -ge 2 ]" || bail "no snapshots: $(head -c 300 "$TMPD/err")"

# After 75 s (the baselines exist): the step in one pod, the rise of 3 of
# the 4 web pods together.
wait_for 90 sh -c "[ \$(wc -l <'$OUT') -ge 150 ]" || bail "connwatch stalled: $(head -c 300 "$TMPD/err")"
start_sockgen "$t-ob" ob2 --estab 60 --port 9090
for k in 1 2 3; do start_sockgen "$t-w$k" "w${k}b" --estab 30 --port 9090; done
wait "$CW"
is "$?" 0 "connwatch --json --count 380 ran to the end"
[ -z "${CW_TEST_KEEP:-}" ] || cp "$OUT" "$CW_TEST_KEEP" # for a look at what it saw
is "$(tail -1 "$OUT" | jq '[.netns[] | select(.kind == "pod" and (.label | startswith("shop/")))] | length')" 10 \
	"the 10 namespaces are named as pods of shop"

# findings RULE INODE: that rule's findings about that namespace, one per line.
findings() { jq -c --arg r "$1" --argjson ino "$2" '.findings[]? | select(.rule == $r and .inode == $ino)' "$OUT"; }
first_tick() { # the tick (0-based) of the first snapshot with that finding, or -1
	jq -s --arg r "$1" --argjson ino "$2" \
		'[to_entries[] | select(any(.value.findings[]?; .rule == $r and .inode == $ino)) | .key] | first // -1' "$OUT"
}

# pool-leak: 2 min of rise, then found, toward the database.
ft=$(first_tick pool-leak "$ILEAK")
ok "$([ "$ft" -ge 240 ] && [ "$ft" -le 340 ]; echo $?)" "pool-leak found after 2-2.8 min of leak (tick $ft of 0.5 s)"
last=$(findings pool-leak "$ILEAK" | tail -1)
is "$(jq -r '"\(.peer.direction) \(.peer.addr):\(.peer.port)"' <<<"$last")" "out 10.251.7.2:8080" "... toward the database"
slope=$(jq -r '.evidence.slope_per_min' <<<"$last")
ok "$(awk -v s="$slope" 'BEGIN { exit !(s >= 40 && s <= 80) }'; echo $?)" "... at about 60 ESTAB/min ($slope)"
is "$(jq -r '"\(.pid) \(.evidence.comm) \(.evidence.fds > 100)"' <<<"$last")" "$SGLEAK sockgen true" \
	"... held by the process with the most descriptors, counted inside the pod"
diag "$(jq -r .text <<<"$last")"

# close-wait: 60 held for 30 s; a growth of 12/min below the threshold.
ft=$(first_tick close-wait "$ICW")
ok "$([ "$ft" -ge 55 ] && [ "$ft" -le 80 ]; echo $?)" "close-wait: 60 CLOSE_WAIT found after 30 s (tick $ft)"
last=$(findings close-wait "$ICW" | tail -1)
is "$(jq -r '"\(.peer.addr):\(.peer.port) \(.evidence.close_wait) \(.evidence.oldest_age_min_s >= 120)"' <<<"$last")" \
	"127.0.0.1:8080 60 true" "... with its peer, its count, and an age of 2 min or more (a lower bound)"
is "$(jq -r '"\(.pid) \(.evidence.comm)"' <<<"$last")" "$SGCW sockgen" "... and the process"
diag "$(jq -r .text <<<"$last")"
ft=$(first_tick close-wait "$ICWG")
ok "$([ "$ft" -ge 200 ] && [ "$ft" -le 370 ]; echo $?)" "close-wait: a growth of 12/min is found in about 2 min (tick $ft)"
diag "$(findings close-wait "$ICWG" | tail -1 | jq -r .text)"

# off-baseline: ESTABLISHED 20 -> 140.
ob=$(findings off-baseline "$IOB" | head -1)
is "$(jq -r '.evidence.state' <<<"$ob")" "ESTABLISHED" "off-baseline names ESTABLISHED"
ok "$(jq -e '.evidence.ratio >= 3 and .evidence.baseline <= 30' <<<"$ob" >/dev/null; echo $?)" \
	"... at 3 times its baseline or more ($(jq -c '[.evidence.ratio, .evidence.baseline]' <<<"$ob"))"
diag "$(jq -r .text <<<"$ob")"

# avalanche: one finding for shop/web, the 3 that rose; the 4th is not in it.
av=$(jq -c '.findings[]? | select(.rule == "avalanche")' "$OUT")
is "$(jq -r '.evidence.workload' <<<"$av" | sort -u | tr '\n' ' ')" "shop/web " "avalanche: for the web workload only"
is "$(jq -s 'map(.findings | map(select(.rule == "avalanche")) | length) | max' "$OUT")" 1 "... one finding at a time"
is "$(jq -r '.evidence.pods' <<<"$av" | sort -u | tr '\n' ' ')" "3 " "... with 3 pods"
names=$(jq -r '.evidence.pod_names' <<<"$av" | tail -1)
ok "$([[ $names == *web-5d8f7c9b6-x2k4b* && $names == *web-5d8f7c9b6-x2k4c* && $names == *web-5d8f7c9b6-x2k4d* && $names != *x2k4f* ]]; echo $?)" \
	"... named, without the one that stayed: $names"
is "$(jq -r 'select(.inode == '"$IW4"') | 1' <<<"$av" | wc -l)" 0 "... and not about the pod that stayed"

# The database's inbound connections rise too: the leak is its client's.
is "$(findings pool-leak "$(netns_inode "$t-db")" | wc -l)" 0 "no pool-leak for the server whose client leaks"

# The control pod: nothing, ever.
is "$(jq -c --argjson ino "$ICTL" '.findings[]? | select(.inode == $ino)' "$OUT" | wc -l)" 0 \
	"the steady pod has no finding"

done_testing
