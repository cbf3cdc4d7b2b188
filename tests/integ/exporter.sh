#!/bin/bash
# exporter.sh: the Prometheus exporter against its real consumers. Two
# namespaces with sockets in many states (sockgen); connwatch serves
# /metrics on loopback beside --json (whose snapshots give the tick timing
# in the same process). Checked:
#   - every per-state gauge of each namespace equals `ss -tan` there;
#   - `promtool check metrics` accepts the text;
#   - a real Prometheus server (run here on 127.0.0.1, scrape every 1 s)
#     scrapes it, and a PromQL query over its HTTP API returns the counts,
#     equal to ss;
#   - a slow client (1 byte/s), a 1 MB request and 500 idle connections,
#     each from its own loopback address: ticks keep their pace, a scrape
#     from another address is answered at once, and connwatch's open
#     descriptors stay within the exporter's bound;
#   - 404 and 405 for other paths and methods;
#   - --listen errors: bad syntax (2), a port in use, an address not on
#     this host, a privileged port for an unprivileged user (1).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip ss jq curl python3 promtool prometheus setpriv
[ -x "$SOCKGEN" ] || bail "no $SOCKGEN: run make check (or make tests/tools/sockgen)"

TMPD=$(mktemp -d /tmp/cwt-exporter.XXXXXX)
on_exit "rm -rf '$TMPD'"
t=cwte$$
A=$t-a B=$t-b
DELAY=0.25

add_netns "$A"
add_netns "$B"
start_sockgen "$A" a --estab 5 --estab6 3 --timewait 3 --closewait 4 --synsent 2 \
	--finwait1 2 --lastack 2 --closing 1
start_sockgen "$B" b --estab 7 --closewait 2

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# The exporter needs a free port; the address is one this test owns.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- start: --json beside --listen in one process ----------------------------
PORT=$(free_port)
"$CONNWATCH" --json --count 1000000 -d "$DELAY" --listen "127.0.0.1:$PORT" --metrics-peers 2 \
	>"$TMPD/ticks.json" 2>"$TMPD/cw.err" &
CW=$!
on_exit "kill_wait $CW"
URL=http://127.0.0.1:$PORT/metrics
for ((i = 0; i < 100; i++)); do
	curl -sf -o "$TMPD/m.txt" "$URL" && grep -q "netns=\"$B\"" "$TMPD/m.txt" && break
	kill -0 $CW 2>/dev/null || bail "connwatch ended: $(head -c 300 "$TMPD/cw.err")"
	sleep 0.1
done
grep -q "connwatch_tcp_sockets{netns=\"$B\"" "$TMPD/m.txt" || bail "no metrics for $B after 10 s"

# prom_counts FILE NS: "STATE=N" for every state, from an exposition.
prom_counts() {
	awk -v ns="$2" -v states="$CW_STATES" '
		BEGIN { n = split(states, order, " ") }
		index($0, "connwatch_tcp_sockets{netns=\"" ns "\",") == 1 {
			match($0, /state="[A-Z_0-9]+"/)
			c[substr($0, RSTART + 7, RLENGTH - 8)] = $NF
		}
		END { for (i = 1; i <= n; i++) if (order[i] in c) printf "%s=%d\n", order[i], c[order[i]] }' "$1"
}

# compare_scrape NS WHAT: ss before and after a scrape agree, and equal it.
# The scrape shows the last tick, so it is retried while they settle.
compare_scrape() {
	local ns=$1 a b c ok_=1 _
	for _ in 1 2 3 4 5 6 7 8; do
		a=$(ss_counts "$ns")
		sleep "$DELAY"
		sleep "$DELAY"
		curl -sf -o "$TMPD/cmp.txt" "$URL" || continue
		b=$(ss_counts "$ns")
		c=$(prom_counts "$TMPD/cmp.txt" "$ns")
		counts_match "$a" "$b" 0 || continue
		if counts_match "$b" "$c" 0; then
			ok_=0
			break
		fi
	done
	ok $ok_ "$2: /metrics connwatch_tcp_sockets = ss -tan per state" || {
		diag "ss: $(echo "$b" | tr '\n' ' ')"
		diag "metrics: $(echo "$c" | tr '\n' ' ')"
	}
}

compare_scrape "$A" "A (many states)"
compare_scrape "$B" "B"
is "$(prom_counts "$TMPD/cmp.txt" "$A" | wc -l)" 11 "A: all 11 states exported"
is "$(count_of "$(prom_counts "$TMPD/cmp.txt" "$A")" CLOSE_WAIT)" 4 "A: CLOSE_WAIT is sockgen's 4 (not just equal to ss)"

curl -sf -D "$TMPD/h.txt" -o "$TMPD/m.txt" "$URL"
grep -qi '^content-type: text/plain; version=0.0.4' "$TMPD/h.txt"
ok $? "Content-Type names the text format 0.0.4"
promtool check metrics <"$TMPD/m.txt" >"$TMPD/promtool.out" 2>&1
ok $? "promtool check metrics accepts the output" || diag "$(head -c 600 "$TMPD/promtool.out")"
for fam in connwatch_tcp_active_opens_total connwatch_finding connwatch_collector_cpu_seconds \
	connwatch_collector_budget_seconds connwatch_row_exact_age_seconds connwatch_peer_tcp_sockets \
	connwatch_node_file_max connwatch_collector_oldest_exact_age_seconds \
	connwatch_collector_age_bound_seconds connwatch_collector_dumps_failed_total; do
	grep -q "^# TYPE $fam " "$TMPD/m.txt"
	ok $? "family $fam is announced"
done
grep -q "^connwatch_tcp_active_opens_total{netns=\"$A\",kind=\"named\"} [1-9]" "$TMPD/m.txt"
ok $? "A's active opens counter is exported"
grep -q "^connwatch_peer_tcp_sockets{netns=\"$B\",.*peer_addr=\"127.0.0.1\"" "$TMPD/m.txt"
ok $? "--metrics-peers 2: B's loopback peer is exported"
peers_a=$(grep "^connwatch_peer_tcp_sockets{netns=\"$A\"," "$TMPD/m.txt" |
	sed 's/.*peer_addr="\([^"]*\)",peer_port="\([0-9]*\)",direction="\([a-z]*\)".*/\1 \2 \3/' | sort -u | wc -l)
ok "$([ "$peers_a" -ge 1 ] && [ "$peers_a" -le 2 ]; echo $?)" "at most 2 peers per row ($peers_a for A)"

# --- a real Prometheus ----------------------------------------------------------
PPORT=$(free_port)
mkdir -p "$TMPD/prom"
cat >"$TMPD/prom.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: connwatch
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF
prometheus --config.file="$TMPD/prom.yml" --storage.tsdb.path="$TMPD/prom" \
	--web.listen-address="127.0.0.1:$PPORT" >"$TMPD/prom.log" 2>&1 &
PROM=$!
on_exit "kill_wait $PROM"
API=http://127.0.0.1:$PPORT/api/v1
for ((i = 0; i < 300; i++)); do
	curl -sf "http://127.0.0.1:$PPORT/-/ready" >/dev/null 2>&1 && break
	kill -0 $PROM 2>/dev/null || bail "prometheus ended: $(tail -c 400 "$TMPD/prom.log")"
	sleep 0.1
done
# promql_counts NS: "STATE=N" for every state, from an instant query.
promql_counts() {
	curl -sf -G "$API/query" --data-urlencode "query=sum by (state) (connwatch_tcp_sockets{netns=\"$1\"})" |
		jq -r '.data.result[] | "\(.metric.state)=\(.value[1])"' | sort
}
got=
for ((i = 0; i < 60; i++)); do
	got=$(promql_counts "$A")
	[ "$(echo "$got" | grep -c =)" = 11 ] && break
	sleep 0.5
done
is "$(echo "$got" | grep -c =)" 11 "Prometheus has A's 11 states"
for ns in "$A" "$B"; do
	pq_ok=1
	for _ in 1 2 3 4 5; do
		a=$(ss_counts "$ns" | sort)
		got=$(promql_counts "$ns")
		b=$(ss_counts "$ns" | sort)
		[ "$a" = "$b" ] || continue
		if [ "$got" = "$b" ]; then
			pq_ok=0
			break
		fi
		sleep 1.2 # the next scrape
	done
	ok $pq_ok "PromQL sum by (state) (connwatch_tcp_sockets{netns=\"$ns\"}) = ss -tan" ||
		diag "promql: $(echo "$got" | tr '\n' ' ') ss: $(echo "$b" | tr '\n' ' ')"
done
up=$(curl -sf -G "$API/query" --data-urlencode 'query=up{job="connwatch"}' | jq -r '.data.result[0].value[1]')
is "$up" 1 "the scrape target is up"
kill_wait $PROM

# --- abuse: slow client, 1 MB requests, 500 idle connections ---------------------
cat >"$TMPD/abuse.py" <<'EOF'
import socket, sys, time, os
mode, port, src, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def conn():
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s

def status(s):
    data = b""
    try:
        while b"\r\n" not in data:
            d = s.recv(4096)
            if not d:
                break
            data += d
    except OSError:
        pass
    return data.split(b" ")[1].decode() if data.startswith(b"HTTP/") else "closed"

def write(text):
    with open(out + ".tmp", "w") as f:
        f.write(text)
    os.rename(out + ".tmp", out)

if mode == "slow":
    s = conn()
    req = b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 100
    write("started\n")
    for b in req:
        s.send(bytes([b]))
        time.sleep(1)
elif mode == "big-header":
    s = conn()
    try:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
    except OSError:
        pass
    write(status(s) + "\n")
elif mode == "big-body":
    s = conn()
    try:
        s.sendall(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (1 << 20)
                  + b"a" * (1 << 20))
    except OSError:
        pass
    write(status(s) + "\n")
elif mode == "idle":
    socks, fails = [], 0
    for i in range(int(sys.argv[5]) if len(sys.argv) > 5 else 500):
        try:
            socks.append(conn())
        except OSError:
            fails += 1
    write("%d %d\n" % (len(socks), fails))
    time.sleep(600)
EOF
# The tick timing before the abuse: the intervals between snapshots.
tick_intervals() { # FROM_LINE: max and median interval (ms) after that line
	tail -n +"$1" "$TMPD/ticks.json" | head -n -1 | jq -r '.time' |
		python3 -c '
import sys, datetime, statistics
ts = [datetime.datetime.fromisoformat(l.strip().replace("Z", "+00:00")).timestamp() for l in sys.stdin if l.strip()]
d = [round((b - a) * 1000) for a, b in zip(ts, ts[1:])]
print(max(d) if d else -1, int(statistics.median(d)) if d else -1, len(d))'
}
fds() { find "/proc/$CW/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
fd_before=$(fds)
line0=$(wc -l <"$TMPD/ticks.json")
read -r max0 med0 n0 < <(tick_intervals 1)
diag "before: $fd_before fds; tick interval median ${med0} ms, max ${max0} ms over $n0"

python3 "$TMPD/abuse.py" slow "$PORT" 127.0.0.3 "$TMPD/slow" &
SLOW=$!
on_exit "kill_wait $SLOW"
python3 "$TMPD/abuse.py" idle "$PORT" 127.0.0.2 "$TMPD/idle" &
IDLE=$!
on_exit "kill_wait $IDLE"
for ((i = 0; i < 200; i++)); do
	[ -s "$TMPD/idle" ] && break
	sleep 0.1
done
diag "idle connections made, failed: $(cat "$TMPD/idle" 2>/dev/null)"
timeout 30 python3 "$TMPD/abuse.py" big-header "$PORT" 127.0.0.4 "$TMPD/bigh"
timeout 30 python3 "$TMPD/abuse.py" big-body "$PORT" 127.0.0.5 "$TMPD/bigb"
st=$(cat "$TMPD/bigh" 2>/dev/null)
ok "$(case "$st" in 4[0-9][0-9] | closed) echo 0 ;; *) echo 1 ;; esac)" \
	"a 1 MB header is refused (status $st) rather than buffered"
is "$(cat "$TMPD/bigb" 2>/dev/null)" 405 "a 1 MB POST body: 405 without reading it"

# While the slow client and the idle connections hold on: a scrape from
# 127.0.0.1 is answered promptly, and the connections connwatch holds stay
# within the exporter's limit (the process's other descriptors belong to
# the collector, which other namespaces on this node move).
held_conns() { ss -tnpH state established "( sport = :$PORT )" | grep -c "pid=$CW,"; }
maxfd=$fd_before maxconn=0
scrape_ms=()
for ((i = 0; i < 10; i++)); do
	f=$(fds)
	[ "$f" -gt "$maxfd" ] && maxfd=$f
	c=$(held_conns)
	[ "$c" -gt "$maxconn" ] && maxconn=$c
	ms=$(curl -sf -o "$TMPD/m2.txt" -w '%{time_total}' --max-time 5 "$URL" | awk '{ printf "%d", $1 * 1000 }')
	scrape_ms+=("${ms:-9999}")
	sleep 0.3
done
worst=$(printf '%s\n' "${scrape_ms[@]}" | sort -n | tail -1)
ok "$([ "$worst" -lt 2000 ]; echo $?)" "scrapes during the abuse answered (slowest of 10: ${worst} ms)"
grep -q "connwatch_tcp_sockets{netns=\"$A\"" "$TMPD/m2.txt"
ok $? "... with the metrics"
diag "descriptors: $fd_before before, at most $maxfd during"
ok "$([ "$maxconn" -ge 9 ] && [ "$maxconn" -le 10 ]; echo $?)" \
	"500 idle clients of one address get 8 connections: it holds at most 10 ($maxconn: 8 idle, the slow one, a scrape)"
kill -0 "$SLOW" 2>/dev/null
ok $? "the slow client is still trickling (its connection is held, not the server)"
read -r max1 med1 n1 < <(tick_intervals "$line0")
diag "during: tick interval median ${med1} ms, max ${max1} ms over $n1"
want_max=$(awk -v d="$DELAY" -v m="$max0" 'BEGIN { x = d * 1000 * 3; if (m * 2 > x) x = m * 2; printf "%d", x }')
ok "$([ "$n1" -ge 5 ] && [ "$max1" -le "$want_max" ]; echo $?)" \
	"ticks keep their pace during the abuse ($n1 intervals, max ${max1} ms <= ${want_max} ms)"
kill_wait $IDLE
kill_wait $SLOW

# --- other paths and methods ----------------------------------------------------------
is "$(code "http://127.0.0.1:$PORT/")" 200 "GET / : 200 (a pointer)"
is "$(code "http://127.0.0.1:$PORT/nope")" 404 "GET /nope : 404"
is "$(code "http://127.0.0.1:$PORT/metrics/x")" 404 "GET /metrics/x : 404"
is "$(code -X POST -d x "$URL")" 405 "POST /metrics : 405"
is "$(code -X DELETE "http://127.0.0.1:$PORT/")" 405 "DELETE / : 405"
is "$(code -I "$URL")" 200 "HEAD /metrics : 200"
allow=$(curl -s -o /dev/null -D - -X PUT "$URL" | tr -d '\r' | sed -n 's/^[Aa]llow: //p')
is "$allow" "GET, HEAD" "405 names the allowed methods"

# --- --listen errors ---------------------------------------------------------------------
one_line_exit() { # WANT_RC WHAT ARGS...: status and one line on stderr
	local want=$1 what=$2 rc
	shift 2
	timeout 20 "$@" >"$TMPD/o" 2>"$TMPD/e"
	rc=$?
	ok "$([ "$rc" = "$want" ] && [ "$(wc -l <"$TMPD/e")" = 1 ] && [ ! -s "$TMPD/o" ]; echo $?)" \
		"$what: status $rc, one line: $(head -c 150 "$TMPD/e")"
}
one_line_exit 1 "the port in use" "$CONNWATCH" --daemon --listen "127.0.0.1:$PORT"
grep -q "in use" "$TMPD/e"
ok $? "... says so"
one_line_exit 1 "an address not on this host" "$CONNWATCH" --daemon --listen "192.0.2.77:$PORT"
one_line_exit 2 "bad syntax" "$CONNWATCH" --daemon --listen "127.0.0.1"
one_line_exit 2 "a host name" "$CONNWATCH" --daemon --listen "localhost:$PORT"
# A privileged port for an unprivileged user, in a namespace of our own
# where the unprivileged range is known to start at 1024.
P=$t-p
add_netns "$P"
ip netns exec "$P" sysctl -qw net.ipv4.ip_unprivileged_port_start=1024
one_line_exit 1 "port 80 as nobody" ip netns exec "$P" setpriv --reuid=nobody --regid=nogroup \
	--clear-groups --inh-caps=-all --bounding-set=-all "$CONNWATCH" --daemon --listen 127.0.0.1:80
grep -q "Permission denied" "$TMPD/e"
ok $? "... says Permission denied"

# --- the exporter's descriptors are kept clear of the collector's budget -------
# Under RLIMIT_NOFILE 120 with 16 more namespaces to keep descriptors for,
# the exporter at its connection limit (31 idle clients and a scrape) must
# not push the process to the limit: the collector's plan reserves the
# exporter's 35 descriptors, so it keeps fewer namespaces' handles and the
# process stays below 90% of the limit, and no tick meets EMFILE.
for ((k = 0; k < 16; k++)); do
	add_netns "$t-f$k"
	spawn_sockgen "$t-f$k" "f$k" --port 7100 --estab 1
	FPIDS[k]=$SG_PID
done
for ((k = 0; k < 16; k++)); do wait_ready "f$k" "${FPIDS[$k]}"; done
FPORT=$(free_port)
(
	ulimit -n 120 || exit 99
	exec "$CONNWATCH" --json --count 1000000 -d "$DELAY" --listen "127.0.0.1:$FPORT"
) >"$TMPD/fd.json" 2>"$TMPD/fd.err" &
FCW=$!
on_exit "kill_wait $FCW"
for ((i = 0; i < 100; i++)); do
	curl -sf -o /dev/null "http://127.0.0.1:$FPORT/metrics" && break
	sleep 0.1
done
IDS=()
for a in 2 3 4 5; do
	python3 "$TMPD/abuse.py" idle "$FPORT" "127.0.0.$((a + 10))" "$TMPD/fidle$a" $((a == 5 ? 7 : 8)) &
	IDS+=($!)
	on_exit "kill_wait $!"
done
for a in 2 3 4 5; do
	for ((i = 0; i < 100; i++)); do [ -s "$TMPD/fidle$a" ] && break; sleep 0.1; done
done
fline=$(wc -l <"$TMPD/fd.json")
fmax=0
for ((i = 0; i < 12; i++)); do
	f=$(find "/proc/$FCW/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	[ "$f" -gt "$fmax" ] && fmax=$f
	sleep "$DELAY"
done
held=$(ss -tnH state established "sport = :$FPORT" | wc -l)
diag "RLIMIT_NOFILE 120: the exporter holds $held connections; connwatch has at most $fmax descriptors open"
ok "$([ "$held" -ge 28 ]; echo $?)" "the exporter holds its idle connections ($held of 31)"
is "$(code "http://127.0.0.1:$FPORT/metrics")" 200 "a scrape still gets the last slot"
ok "$([ "$fmax" -le 108 ]; echo $?)" "descriptors stay below 90% of the limit ($fmax of 120)"
emf=$(tail -n +"$fline" "$TMPD/fd.json" | head -n -1 | grep -c 'EMFILE')
is "$emf" 0 "no tick met EMFILE while the exporter was full"
kept=$(tail -n 2 "$TMPD/fd.json" | head -n 1 | jq '[.netns[] | select(.status // "" | test("no descriptor kept"))] | length')
ok "$([ "${kept:-0}" -ge 1 ]; echo $?)" "the collector gave way instead ($kept namespaces without kept descriptors)"
for p in "${IDS[@]}"; do kill_wait "$p"; done
kill_wait $FCW

# :PORT is loopback only; [::1]:PORT is IPv6.
for spec in ":LP" "[::1]:LP"; do
	lp=$(free_port)
	"$CONNWATCH" --daemon -d 0.5 --listen "${spec/LP/$lp}" 2>"$TMPD/l.err" &
	LPID=$!
	host=127.0.0.1
	[ "${spec:0:1}" = "[" ] && host="[::1]"
	for ((i = 0; i < 50; i++)); do
		curl -sfg -o "$TMPD/l.txt" "http://$host:$lp/metrics" && break
		sleep 0.1
	done
	grep -q '^connwatch_tcp_sockets{netns="host"' "$TMPD/l.txt"
	ok $? "--listen ${spec/LP/$lp}: metrics at http://$host:$lp/metrics"
	is "$(ss -tlnH "sport = :$lp" | awk '{ print $4 }' | tr '\n' ' ')" "$host:$lp " "... listening on $host:$lp only"
	kill_wait $LPID
	rm -f "$TMPD/l.txt"
done

kill -0 $CW 2>/dev/null
ok $? "connwatch is still running after all of it"
kill_wait $CW
done_testing
