# shellcheck shell=bash
# tests/bench/bench-lib.sh: helpers shared by the benchmarks (source it
# after tests/lib.sh and tests/integ/netns-lib.sh). Uses NNS, PAIRS and TMPD
# from the caller; everything made here is registered with on_exit too.

# median: of the numbers on stdin, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# node_tcp: TCP sockets allocated on the whole node (sockstat "alloc" is
# node-wide; TIME_WAIT and request sockets are not in it).
node_tcp() { awk '$1 == "TCP:" { for (i = 2; i < NF; i += 2) if ($i == "alloc") print $(i + 1) }' /proc/net/sockstat; }

NSLIST=()  # namespace names of the current section
SGPIDS=()  # their sockgen pids

# populate PREFIX: NNS empty namespaces PREFIX-0.. (names in NSLIST).
populate() {
	local i
	NSLIST=() SGPIDS=()
	for ((i = 0; i < NNS; i++)); do
		add_netns "$1-$i"
		NSLIST+=("$1-$i")
	done
}

# start_load: a sockgen holding PAIRS ESTABLISHED pairs in each of NSLIST.
start_load() {
	local i t1=$SECONDS
	for ((i = 0; i < NNS; i++)); do
		spawn_sockgen "${NSLIST[$i]}" "sg-${NSLIST[$i]}" --estab "$PAIRS"
		SGPIDS+=("$SG_PID")
	done
	for ((i = 0; i < NNS; i++)); do
		wait_ready "sg-${NSLIST[$i]}" "${SGPIDS[$i]}" 300
	done
	echo "# setup: $NNS namespaces x $PAIRS ESTABLISHED pairs in $((SECONDS - t1)) s" >&2
}

# teardown: stops this section's sockgens and deletes its namespaces now
# (on_exit would also do it, at exit).
teardown() {
	local p n
	for p in "${SGPIDS[@]}"; do kill_wait "$p"; done
	for n in "${NSLIST[@]}"; do ip netns del "$n" 2>/dev/null; done
	NSLIST=() SGPIDS=()
}

