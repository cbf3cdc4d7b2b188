#!/bin/bash
# deploy.sh: the deployment files in contrib/ against their consumers.
#   - the Kubernetes manifests parse as YAML, the DaemonSet asks for exactly
#     the privileges README names, and every connwatch flag named in the
#     manifests, the Dockerfile, the systemd unit and the kubectl plugin is
#     one `connwatch --help` lists; `kubectl apply --dry-run=client` where
#     kubectl exists (against a stub API server on loopback);
#   - `promtool check rules` and `promtool test rules`, with series taken
#     from a recording of a lab-like run (made here as root, else the copy
#     in tests/fixtures/recordings), and the same test failing on a rule
#     whose threshold was changed;
#   - the plugin passes shellcheck and, against a stub kubectl on PATH that
#     records its arguments, execs into the DaemonSet's pod on the pod's
#     node with -F NAMESPACE/NAME, falls back to kubectl debug node/...,
#     and opens a whole node;
#   - the Dockerfile's build stage installs a -dev package for every module
#     configure.ac checks, and its runtime stage every library the binary
#     loads (no image is built: no registry is reachable);
#   - `mandoc -Tlint` finds nothing in the man page.
# Needs no root.
. "$top_srcdir/tests/lib.sh"
need_cmd python3 promtool shellcheck mandoc curl
if ! python3 -c 'import yaml' 2>/dev/null; then
	[ "${CI:-}" = true ] && bail "needs python3's yaml module (python3-yaml), and CI=true forbids skipping"
	skip_all "needs python3's yaml module (python3-yaml)"
fi

TMPD=$(mktemp -d /tmp/cwt-deploy.XXXXXX)
on_exit "rm -rf '$TMPD'"
C=$top_srcdir/contrib

# --- manifests -----------------------------------------------------------------
"$CONNWATCH" --help >"$TMPD/help" || bail "connwatch --help failed"
python3 - "$TMPD/help" "$C" >"$TMPD/yaml.tap" <<'EOF'
import re, shlex, sys, yaml, glob, os
help_text, c = open(sys.argv[1]).read(), sys.argv[2]
known = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", help_text))
n = 0
def ok(cond, name, why=""):
    global n
    n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, name))
    if not cond and why:
        print("#   " + why)

docs = {}
for f in sorted(glob.glob(c + "/k8s/*.yaml")):
    try:
        d = [x for x in yaml.safe_load_all(open(f)) if x]
        docs[os.path.basename(f)] = d
        ok(all("apiVersion" in x and "kind" in x and "metadata" in x for x in d),
           "%s parses as YAML (%s)" % (os.path.basename(f), ", ".join(x["kind"] for x in d)))
    except yaml.YAMLError as e:
        ok(False, "%s parses as YAML" % f, str(e).replace("\n", " "))
for f in sorted(glob.glob(c + "/prometheus/*.yml")):
    try:
        yaml.safe_load(open(f))
        ok(True, "%s parses as YAML" % os.path.basename(f))
    except yaml.YAMLError as e:
        ok(False, "%s parses as YAML" % f, str(e).replace("\n", " "))

def flags_ok(where, args):
    flags = [a.split("=")[0] for a in args if a.startswith("-")]
    bad = [f for f in flags if f not in known]
    ok(flags and not bad, "%s: every flag is in connwatch --help (%s)" % (where, " ".join(flags)),
       "unknown: %s" % " ".join(bad))

ds = [x for d in docs.values() for x in d if x["kind"] == "DaemonSet"]
ok(len(ds) == 1, "one DaemonSet")
spec = ds[0]["spec"]["template"]["spec"]
ctr = spec["containers"][0]
args = ctr.get("command", [])[1:] + ctr["args"]
flags_ok("DaemonSet args", args)
ok(spec.get("hostPID") is True and not spec.get("hostNetwork"), "DaemonSet: hostPID, not hostNetwork")
sc = ctr["securityContext"]
ok(sc["capabilities"]["drop"] == ["ALL"] and
   sorted(sc["capabilities"]["add"]) == ["DAC_READ_SEARCH", "SYS_ADMIN", "SYS_PTRACE"],
   "DaemonSet: drops ALL, adds exactly SYS_ADMIN, SYS_PTRACE, DAC_READ_SEARCH")
readme = open(os.path.join(c, "..", "README.md")).read()
priv = readme[readme.index("## Privileges"):]
priv = priv[:priv.index("\n## ", 5)]
named = set(re.findall(r"`CAP_(\w+)`", priv.split("Not needed")[0]))
ok(named == set(sc["capabilities"]["add"]), "... the capabilities README's Privileges section names (%s)" % " ".join(sorted(named)))
ok(sc.get("privileged") is not True and sc.get("allowPrivilegeEscalation") is False,
   "DaemonSet: not privileged, no privilege escalation")
mounts = {m["mountPath"]: m for m in ctr["volumeMounts"]}
vols = {v["name"]: v for v in spec["volumes"]}
def arg(f):
    return args[args.index(f) + 1]
for flag, host in (("--procfs", "/proc"), ("--rootfs", "/")):
    m = mounts.get(arg(flag))
    ok(m is not None and m.get("readOnly") is True and vols[m["name"]]["hostPath"]["path"] == host,
       "DaemonSet: %s %s is the host's %s, read-only" % (flag, arg(flag), host))
ok(arg("--listen") == "0.0.0.0:9101" and "--daemon" in args, "DaemonSet: --daemon --listen 0.0.0.0:9101")
port = [p for p in ctr["ports"] if p["containerPort"] == 9101]
ok(port and "resources" in ctr and "limits" in ctr["resources"], "DaemonSet: the port, and resources")
svc = [x for d in docs.values() for x in d if x["kind"] == "Service"][0]
sm = [x for d in docs.values() for x in d if x["kind"] == "ServiceMonitor"][0]
ok(svc["spec"]["selector"] == ds[0]["spec"]["selector"]["matchLabels"] and
   svc["spec"]["ports"][0]["name"] == sm["spec"]["endpoints"][0]["port"] == port[0]["name"],
   "Service selects the DaemonSet's pods; ServiceMonitor scrapes its named port")

# The Dockerfile's CMD, the systemd unit's ExecStart, the plugin's connwatch.
docker = open(c + "/Dockerfile").read()
cmd = re.search(r'^CMD (\[.*\])$', docker, re.M)
import json
flags_ok("Dockerfile CMD", json.loads(cmd.group(1)) if cmd else [])
unit = open(c + "/systemd/connwatch.service").read()
ex = re.search(r"^ExecStart=(\S+) (.*)$", unit, re.M)
flags_ok("systemd ExecStart", shlex.split(ex.group(2)) if ex else [])
caps = re.search(r"^AmbientCapabilities=(.*)$", unit, re.M).group(1).split()
ok(sorted(caps) == sorted("CAP_" + x for x in named) and "NoNewPrivileges=yes" in unit
   and "ProtectSystem=strict" in unit, "systemd: the three capabilities, NoNewPrivileges, ProtectSystem")
plugin = open(c + "/kubectl-connwatch").read()
pl = re.search(r"^set -- (.*) \"\$@\"$", plugin, re.M)
flags_ok("kubectl-connwatch", re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", pl.group(1)) if pl else [])
print("1..%d" % n)
EOF
# Splice python's TAP into ours.
while IFS= read -r line; do
	case $line in
	"ok "*) ok 0 "${line#ok [0-9]* - }" ;;
	"not ok "*) ok 1 "${line#not ok [0-9]* - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$TMPD/yaml.tap"
[ "$(grep -c '^ok\|^not ok' "$TMPD/yaml.tap")" -ge 20 ] || bail "the manifest checks did not run: $(head -c 300 "$TMPD/yaml.tap")"

# kubectl needs an API server for discovery even with --dry-run=client: a
# stub on loopback answers it (never a real cluster, whatever KUBECONFIG says).
if command -v kubectl >/dev/null 2>&1; then
	KPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	python3 "$top_srcdir/tests/integ/kube-apistub.py" "$KPORT" "$TMPD/api.log" &
	KSTUB=$!
	on_exit "kill $KSTUB"
	cat >"$TMPD/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: stub, cluster: {server: "http://127.0.0.1:$KPORT"}}]
contexts: [{name: stub, context: {cluster: stub, user: stub}}]
current-context: stub
users: [{name: stub, user: {}}]
EOF
	for _ in $(seq 50); do
		curl -s -o /dev/null "http://127.0.0.1:$KPORT/api" && break
		sleep 0.1
	done
	KUBECONFIG=$TMPD/kubeconfig kubectl apply --dry-run=client --validate=false -f "$C/k8s/" \
		>"$TMPD/kubectl.out" 2>&1
	ok $? "kubectl apply --dry-run=client --validate=false accepts contrib/k8s" || diag "$(head -c 400 "$TMPD/kubectl.out")"
	is "$(grep -c 'created (dry run)' "$TMPD/kubectl.out")" 4 "... all four objects ($(tr '\n' ' ' <"$TMPD/kubectl.out"))"
	sed 's/kind: DaemonSet$/kind: DaemonSett/' "$C/k8s/daemonset.yaml" >"$TMPD/bad.yaml"
	! KUBECONFIG=$TMPD/kubeconfig kubectl apply --dry-run=client --validate=false -f "$TMPD/bad.yaml" >/dev/null 2>&1
	ok $? "... and refuses a misspelt kind (the check can fail)"
	kill $KSTUB
else
	echo "ok $((_tap_n += 1)) - kubectl apply --dry-run=client # SKIP no kubectl on this machine"
fi

# --- the Dockerfile's packages --------------------------------------------------------
# No image can be built here (no registry), so the two package lists are
# checked against what they must provide: the build stage has the -dev
# package of every pkg-config module configure.ac asks for, and the runtime
# stage, with the packages those depend on, every shared library the
# binary loads (sanitizer runtimes aside).
if command -v dpkg >/dev/null 2>&1 && command -v apt-cache >/dev/null 2>&1 && command -v ldd >/dev/null 2>&1; then
	stage_pkgs() { # N: the apt-get install list of the Nth FROM stage
		awk -v n="$1" '/^FROM /{ s++ } s == n' "$C/Dockerfile" |
			sed -n '/apt-get install/,/rm -rf/p' | sed 's/[[:space:]]*[\\]$//' | tr -s ' ' '\n' |
			grep -E '^[a-z0-9][a-z0-9.+-]+$' |
			grep -vxE 'apt-get|install|rm|DEBIAN_FRONTEND=noninteractive|update' | sort -u
	}
	stage_pkgs 1 >"$TMPD/build.pkgs"
	stage_pkgs 2 >"$TMPD/run.pkgs"
	missing=
	while read -r mod; do
		pc=$(pkg-config --variable=pcfiledir "$mod" 2>/dev/null)/$mod.pc
		p=$(dpkg -S "$pc" 2>/dev/null || dpkg -S "${pc#/usr}" 2>/dev/null)
		p=${p%%:*}
		grep -qx "${p:-?}" "$TMPD/build.pkgs" || missing="$missing $mod(${p:-?})"
	done < <(sed -n 's/^PKG_CHECK_MODULES(\[[A-Z]*\], \[\([a-z0-9]*\).*/\1/p' "$top_srcdir/configure.ac")
	is "${missing:-none}" none "Dockerfile build stage: a -dev package for every module configure.ac checks"
	# shellcheck disable=SC2046
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances $(cat "$TMPD/run.pkgs") 2>/dev/null | grep -v '^ ' |
		sed 's/:.*//' | sort -u >"$TMPD/run.closure"
	missing=
	for l in $(ldd "$CONNWATCH" | awk '$3 ~ /^\// { print $3 }'); do
		case $l in */libasan* | */libubsan* | */liblsan* | */libtsan* | */libstdc++* | */libgcc_s*) continue ;; esac
		b=${l#/usr}
		b=${b#/lib}
		p=$(dpkg -S "/usr/lib$b" 2>/dev/null || dpkg -S "/lib$b" 2>/dev/null)
		p=${p%%:*}
		[ "$p" = libc6 ] && continue # in every Debian image
		grep -qx "${p:-?}" "$TMPD/run.closure" || missing="$missing ${l##*/}(${p:-?})"
	done
	is "${missing:-none}" none "Dockerfile runtime stage provides every shared library connwatch loads"
	if grep -qE -- '-dev( |$)' "$TMPD/run.pkgs"; then ok 1 "no -dev package in the runtime stage"; else ok 0 "no -dev package in the runtime stage"; fi
else
	echo "ok $((_tap_n += 1)) - Dockerfile packages # SKIP no dpkg/apt-cache here"
fi

# --- Prometheus rules -------------------------------------------------------------
promtool check rules "$C"/prometheus/*.yml >"$TMPD/check.out" 2>&1
ok $? "promtool check rules contrib/prometheus/*.yml" || diag "$(head -c 600 "$TMPD/check.out")"

REC=$top_srcdir/tests/fixtures/recordings/pods.ndjson
if [ "$(id -u)" -eq 0 ] && [ -x "$SOCKGEN" ]; then
	if bash "$top_srcdir/tests/fixtures/recordings/make-recording.sh" "$TMPD/rec.ndjson" 8 >"$TMPD/rec.log" 2>&1; then
		REC=$TMPD/rec.ndjson
		diag "series from a recording made now (make-recording.sh)"
	else
		ok 1 "make-recording.sh records a lab-like run: $(tail -c 300 "$TMPD/rec.log")"
	fi
else
	diag "not root: series from tests/fixtures/recordings/pods.ndjson (made by make-recording.sh)"
fi
# The recording replays (it is a real recording, in the current schema).
is "$("$CONNWATCH" --replay "$REC" --json | wc -l)" "$(wc -l <"$REC")" "the recording replays whole"
mkdir -p "$TMPD/rules"
cp "$C"/prometheus/*.yml "$TMPD/rules/"
python3 "$top_srcdir/tests/integ/rules-from-recording.py" "$REC" \
	"$TMPD/rules/recording.yml" "$TMPD/rules/alerts.yml" >"$TMPD/test.yml" 2>"$TMPD/gen.err"
ok $? "promtool test file written from the recording ($(cat "$TMPD/gen.err"))"
nexp=$(sed -n 's/^expected firing alerts: \([0-9]*\).*/\1/p' "$TMPD/gen.err")
ok "$([ "${nexp:-0}" -ge 2 ]; echo $?)" "the recording makes alerts fire (pool leak past 1000, CLOSE_WAIT past 100): $nexp expected"
promtool test rules "$TMPD/test.yml" >"$TMPD/test.out" 2>&1
ok $? "promtool test rules: the alerts and recording rules give what the recording implies" ||
	diag "$(grep -v '^$' "$TMPD/test.out" | head -30)"
# The same test against a rule with another threshold must fail.
sed 's/state="ESTABLISHED", pod!=""}) > 1000/state="ESTABLISHED", pod!=""}) > 1500/' \
	"$C/prometheus/alerts.yml" >"$TMPD/rules/alerts.yml"
! cmp -s "$C/prometheus/alerts.yml" "$TMPD/rules/alerts.yml"
ok $? "(the threshold was changed in a copy)"
! promtool test rules "$TMPD/test.yml" >"$TMPD/test2.out" 2>&1
ok $? "... and promtool test rules then fails: the test can tell"

# --- kubectl plugin -----------------------------------------------------------------
shellcheck "$C/kubectl-connwatch" >"$TMPD/sc.out" 2>&1
ok $? "kubectl-connwatch passes shellcheck" || diag "$(head -c 600 "$TMPD/sc.out")"
mkdir -p "$TMPD/bin"
cat >"$TMPD/bin/kubectl" <<'EOF'
#!/bin/sh
# A stub kubectl: logs its arguments, answers the plugin's lookups.
printf '%s\n' "$*" >>"$STUB_LOG"
case "$*" in
"config view"*) echo team-a ;;
"get pod missing "*) echo 'Error from server (NotFound): pods "missing" not found' >&2; exit 1 ;;
"get pod pending "*) ;;
"get pod "*) printf 'node-7' ;;
"get pods -n connwatch "*) printf '%s' "$STUB_DSPOD" ;;
esac
exit 0
EOF
chmod +x "$TMPD/bin/kubectl"
export STUB_LOG=$TMPD/kubectl.log
plugin() { # DSPOD ARGS...: runs the plugin; $last is kubectl's last call
	local ds=$1
	shift
	: >"$STUB_LOG"
	STUB_DSPOD=$ds PATH="$TMPD/bin:$PATH" "$C/kubectl-connwatch" "$@" >"$TMPD/pl.out" 2>"$TMPD/pl.err"
	prc=$?
	last=$(tail -n 1 "$STUB_LOG")
}
plugin connwatch-x7k2p pod/web-5d8f7c9b6-x2k4q -n shop
is "$prc $last" "0 exec -it -n connwatch connwatch-x7k2p -c connwatch -- connwatch --procfs /host/proc --rootfs /host -F shop/web-5d8f7c9b6-x2k4q" \
	"pod/NAME -n NS: exec into the DaemonSet's pod, connwatch filtered to the pod"
grep -qx "get pods -n connwatch -l app.kubernetes.io/name=connwatch --field-selector spec.nodeName=node-7 -o jsonpath={.items\[0\].metadata.name}" "$STUB_LOG"
ok $? "... looked for the DaemonSet's pod on the pod's node (node-7)"
plugin connwatch-x7k2p pod/web-5d8f7c9b6-x2k4q
is "$last" "exec -it -n connwatch connwatch-x7k2p -c connwatch -- connwatch --procfs /host/proc --rootfs /host -F team-a/web-5d8f7c9b6-x2k4q" \
	"no -n: the context's namespace"
plugin "" pod/web-5d8f7c9b6-x2k4q -n shop
is "$prc $last" "0 debug node/node-7 -it --profile=sysadmin --image=connwatch:0.1.0 -- connwatch --procfs /host/proc --rootfs /host -F shop/web-5d8f7c9b6-x2k4q" \
	"no DaemonSet pod there: kubectl debug node/NODE"
grep -q "no connwatch pod on node node-7" "$TMPD/pl.err"
ok $? "... and says so"
plugin connwatch-q9w8e node/node-3 -- --sort CLOSE_WAIT
is "$last" "exec -it -n connwatch connwatch-q9w8e -c connwatch -- connwatch --procfs /host/proc --rootfs /host --sort CLOSE_WAIT" \
	"node/NAME: the whole node, with connwatch's own arguments after --"
grep -q "spec.nodeName=node-3" "$STUB_LOG"
ok $? "... on that node"
plugin x pod/missing -n shop
ok "$([ "$prc" = 1 ] && [ "$(wc -l <"$TMPD/pl.err")" -le 2 ] && ! grep -q '^exec\|^debug' "$STUB_LOG"; echo $?)" \
	"a missing pod: status 1, no exec ($(tail -n 1 "$TMPD/pl.err"))"
plugin x pod/pending -n shop
ok "$([ "$prc" = 1 ] && grep -q "not scheduled" "$TMPD/pl.err"; echo $?)" "an unscheduled pod: status 1, says so"
plugin x svc/web
ok "$([ "$prc" = 1 ] && [ ! -s "$STUB_LOG" ]; echo $?)" "svc/NAME: refused before calling kubectl"
plugin x
is "$prc" 2 "no target: usage, status 2"
plugin x --help
ok "$([ "$prc" = 0 ] && grep -q "pod/NAME" "$TMPD/pl.out"; echo $?)" "--help"

# --- man page -------------------------------------------------------------------------
mandoc -Tlint "$C/connwatch.1" >"$TMPD/mandoc.out" 2>&1
st=$?
ok "$([ $st = 0 ] && [ ! -s "$TMPD/mandoc.out" ]; echo $?)" "mandoc -Tlint: nothing to say about connwatch.1" ||
	diag "$(head -c 600 "$TMPD/mandoc.out")"
for f in --listen --metrics-peers --daemon; do
	grep -qF -- "${f//-/\\-}" "$C/connwatch.1"
	ok $? "the man page documents $f"
	grep -q -- "$f" "$C/bash-completion/connwatch"
	ok $? "the completion offers $f"
done
done_testing
