#!/usr/bin/env bash
# tests/screen/tmux-node.sh: the node screen of the real binary, in tmux,
# on real namespaces. N opens it from the pods; its figures must be the
# kernel's (file-max, nf_conntrack_max, a namespace's own tcp_fin_timeout
# and port range), the header carries the limits line, Enter on a row
# goes to its peers, and Esc comes back.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/integ/netns-lib.sh"
need_root
need_cmd ip tmux sysctl

TMPD=$(mktemp -d /tmp/cw-tmuxnode.XXXXXX)
on_exit "rm -rf '$TMPD'"
SOCK=$TMPD/tmux.sock
T() { tmux -S "$SOCK" "$@"; }
on_exit "tmux -S '$SOCK' kill-server"

A=cwtn$$-a
B=cwtn$$-b
add_netns "$A"
add_netns "$B"
ip netns exec "$A" sysctl -qw net.ipv4.tcp_fin_timeout=23 net.ipv4.ip_local_port_range="20000 30000" ||
	bail "sysctl -w in $A"

screen() { T capture-pane -p -t cw; }
shows() { wait_for "${2:-10}" sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qF -- \"\$1\"" _ "$1"; }
row() { screen | grep -E "^$1 " | head -1; }
# grouped N: 1234567 -> 1,234,567, as the node screen writes exact figures.
grouped() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

T new-session -d -s cw -x 80 -y 24 -e TERM=tmux-256color \
	"$CONNWATCH -d 0.5 --no-mouse -F cwtn$$-; echo \$? > $TMPD/rc; sleep 60"
shows "$A" 15
ok $? "connwatch starts and shows the namespaces' rows"
shows "file-nr " 5
ok $? "the header has the limits line (file-nr)"

T send-keys -t cw N
shows "limits and settings" 5
ok $? "N opens the node screen"
fmax=$(cat /proc/sys/fs/file-max)
if [ "$fmax" -ge $((1 << 62)) ]; then want="file-max no limit"; else want="file-max $(grouped "$fmax")"; fi
shows "$want" 5
ok $? "the node screen shows the kernel's file-max ($want)" || screen | sed 's/^/# /'
if [ -r /proc/sys/net/netfilter/nf_conntrack_max ]; then
	want="nf_conntrack_max $(grouped "$(cat /proc/sys/net/netfilter/nf_conntrack_max)")"
	shows "$want" 5
	ok $? "the node screen shows the kernel's nf_conntrack_max ($want)"
fi
# Other namespaces on the node (other tests) could push these rows off the
# page: the node screen has a filter of its own.
T send-keys -t cw '\' "cwtn$$-" Enter
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t cw | grep -qE '^$A ' && tmux -S '$SOCK' capture-pane -p -t cw | grep -qE '^$B '"
ok $? "the node screen lists $A and $B (filtered to them)"
# A's own settings differ from the node's; B's are a new namespace's,
# which may differ too, but not in these.
want=$(ip netns exec "$A" sysctl -n net.ipv4.tcp_fin_timeout)
row "$A" | grep -qF "fin_timeout $want, ports 20000-30000"
ok $? "$A's row names its own tcp_fin_timeout ($want) and port range" || screen | sed 's/^/# /'
[ -n "$(row "$B")" ] && ! row "$B" | grep -q "fin_timeout"
ok $? "$B's row does not: its tcp_fin_timeout is the node's"

T resize-window -t cw -x 120 -y 40
shows "FIN_TIMEOUT" 10
ok $? "at 120 columns the settings have columns"
# NAME CONNTRACK %MAX TW_REUSE FIN_TIMEOUT MAX_TW PORTS DIFFERS...
is "$(row "$A" | awk '{ print $5 " " $7 }')" "23 20000-30000" "$A: FIN_TIMEOUT and PORTS columns"
T resize-window -t cw -x 80 -y 24

# The filter is typed on: "cwtn$$-" + "a" leaves only A.
T send-keys -t cw '\' a Enter Enter
shows "limits and settings › $A" 10
ok $? "Enter on a row opens its peers, under the node screen"
T send-keys -t cw Escape
shows "DIFFERS" 5
ok $? "Esc goes back to the node screen"
T send-keys -t cw Escape
wait_for 5 sh -c "! tmux -S '$SOCK' capture-pane -p -t cw | grep -qF 'DIFFERS'" && screen | grep -qF "TREND"
ok $? "Esc again goes back to the pods"

T send-keys -t cw q
wait_for 10 test -s "$TMPD/rc"
is "$(cat "$TMPD/rc" 2>/dev/null)" "0" "q quits with status 0"
T kill-session -t cw
done_testing
