# shellcheck shell=bash
# tests/integ/netns-lib.sh: helpers for the kernel integration tests
# (namespaces, sockgen, comparing connwatch with ss). Source it after
# tests/lib.sh. Everything made here is registered with on_exit.

# The 11 TCP states as connwatch names them, in kernel order.
CW_STATES="ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK LISTEN CLOSING"

# add_netns NAME: `ip netns add` with lo up, deleted at exit.
add_netns() {
	ip netns add "$1" || bail "ip netns add $1 failed"
	on_exit "ip netns del '$1'"
	ip -n "$1" link set lo up
}

# netns_inode NAME: the inode connwatch identifies the namespace by.
netns_inode() { stat -L -c %i "/run/netns/$1"; }

# kill_wait PID: stop a process this test started, and reap it.
kill_wait() {
	kill -TERM "$1" 2>/dev/null || return 0
	wait "$1" 2>/dev/null || true
}

# start_sockgen NS NAME ARGS...: runs sockgen in NS, waits for "ready" (60 s),
# and sets SG_PID. Output goes to $TMPD/NAME.{out,err}. Bails on failure.
start_sockgen() {
	spawn_sockgen "$@"
	wait_ready "$2" "$SG_PID"
}

# spawn_sockgen NS NAME ARGS...: the same without waiting (sets SG_PID).
spawn_sockgen() {
	local ns=$1 name=$2
	shift 2
	ip netns exec "$ns" "$SOCKGEN" "$@" >"$TMPD/$name.out" 2>"$TMPD/$name.err" &
	SG_PID=$!
	on_exit "kill_wait $SG_PID"
}

# wait_ready NAME PID [TIMEOUT_S]: waits for sockgen NAME's "ready", or bails.
wait_ready() {
	local name=$1 pid=$2 i
	for ((i = 0; i < ${3:-60} * 10; i++)); do
		grep -qx ready "$TMPD/$name.out" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	bail "sockgen $name did not get ready: $(head -c 300 "$TMPD/$name.err")"
}

# ss_counts NS: "STATE=N" for every state, from `ss -tan` inside NS.
ss_counts() { ip netns exec "$1" ss -tanH | ss_count_states; }

# ss_count_states: "STATE=N" for every state, from `ss -tanH` lines on stdin.
ss_count_states() {
	awk -v states="$CW_STATES" '
		BEGIN {
			m["ESTAB"] = "ESTABLISHED"; m["SYN-SENT"] = "SYN_SENT"
			m["SYN-RECV"] = "SYN_RECV"; m["FIN-WAIT-1"] = "FIN_WAIT1"
			m["FIN-WAIT-2"] = "FIN_WAIT2"; m["TIME-WAIT"] = "TIME_WAIT"
			m["UNCONN"] = "CLOSE"; m["CLOSE-WAIT"] = "CLOSE_WAIT"
			m["LAST-ACK"] = "LAST_ACK"; m["LISTEN"] = "LISTEN"; m["CLOSING"] = "CLOSING"
			n = split(states, order, " ")
		}
		{ s = ($1 in m) ? m[$1] : "UNKNOWN:" $1; c[s]++ }
		END {
			for (i = 1; i <= n; i++) printf "%s=%d\n", order[i], c[order[i]]
			for (s in c) if (s ~ /^UNKNOWN/) printf "%s=%d\n", s, c[s]
		}'
}

# cw_counts JSONFILE INODE: "STATE=N" for every state from a snapshot row
# (nothing if the row has no exact counts).
cw_counts() {
	local st
	for st in $CW_STATES; do
		jq -r --argjson ino "$2" --arg st "$st" \
			'.netns[] | select(.inode == $ino) | select(.tcp) | "\($st)=\(.tcp[$st])"' "$1"
	done
}

# cw_row JSONFILE INODE JQFILTER: applies a jq filter to one namespace's row.
cw_row() { jq -c --argjson ino "$2" ".netns[] | select(.inode == \$ino) | $3" "$1"; }

# snapshot FILE [connwatch args...]: one JSON snapshot, or bail.
snapshot() {
	local f=$1
	shift
	"$CONNWATCH" --json "$@" >"$f" 2>"$f.err" || bail "connwatch --json failed: $(head -c 300 "$f.err")"
}

# compare_counts NS INODE WHAT [TW_SLACK]: compares connwatch with ss in NS.
# ss runs before and after connwatch; when the two disagree the namespace was
# moving, so it tries again (up to 5 times). TW_SLACK allows TIME_WAIT to
# differ by that much (churn). Emits one TAP line; on failure, a table.
compare_counts() {
	local ns=$1 ino=$2 what=$3 slack=${4:-0} a b c ok_=1 _
	for _ in 1 2 3 4 5; do
		a=$(ss_counts "$ns")
		"$CONNWATCH" --json >"$TMPD/cmp.json" 2>"$TMPD/cmp.err" || {
			diag "connwatch failed: $(cat "$TMPD/cmp.err")"
			continue
		}
		b=$(ss_counts "$ns")
		c=$(cw_counts "$TMPD/cmp.json" "$ino")
		# ss moved while connwatch ran (beyond the TIME_WAIT slack): again.
		counts_match "$a" "$b" "$slack" || continue
		if counts_match "$b" "$c" "$slack"; then
			ok_=0
		fi
		break
	done
	ok $ok_ "$what: connwatch counts = ss -tan per state" || {
		diag "state           ss   connwatch"
		paste -d' ' <(echo "$b") <(echo "$c") | awk -F'[ =]' '{ printf "# %-12s %6s %6s\n", $1, $2, $4 }'
	}
}

# counts_match SS CW SLACK: equal, except TIME_WAIT within SLACK.
counts_match() {
	local slack=$3 st x y
	[ -n "$2" ] || return 1
	while IFS="=" read -r st x; do
		y=$(echo "$2" | sed -n "s/^$st=//p")
		[ -n "$y" ] || return 1
		if [ "$st" = TIME_WAIT ]; then
			[ $((x > y ? x - y : y - x)) -le "$slack" ] || return 1
		else
			[ "$x" = "$y" ] || return 1
		fi
	done <<<"$1"
}

# count_of COUNTS STATE: the number for STATE in a "STATE=N" list.
count_of() { echo "$1" | sed -n "s/^$2=//p"; }

# add_blackhole NS ADDR/PREFIX: a link in NS that silently drops everything
# sent into ADDR's subnet, so connects there sit in SYN_SENT. It is one end
# of a veth pair whose peer stays down, with ARP off (so no neighbour
# resolution fails and turns the drop into "host unreachable"). The kernel
# here has no `dummy` driver; this needs only veth.
add_blackhole() {
	ip -n "$1" link add bh0 type veth peer name bh1 &&
		ip -n "$1" link set bh0 arp off up &&
		ip -n "$1" addr add "$2" dev bh0 || bail "blackhole in $1 failed"
}
