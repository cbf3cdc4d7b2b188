#!/usr/bin/env python3
"""rules-from-recording.py RECORDING RULE_FILES... > TEST.yml

Turns a connwatch recording (NDJSON snapshots) into a `promtool test rules`
file: each snapshot becomes one sample, one minute apart, of the series the
exporter would serve for it (connwatch_tcp_sockets per pod row and state,
connwatch_finding per finding), and the last snapshot is held for 20
minutes. The expected alerts are worked out from the recorded numbers:
an alert of contrib/prometheus/alerts.yml on a per-pod state sum fires at
a time when the sum has been over its threshold for the rule's `for`.
It prints on stderr how many firing alerts it expects."""
import json, sys

HOLD = 20
rec, rule_files = sys.argv[1], sys.argv[2:]
snaps = [json.loads(l) for l in open(rec) if l.strip()]
assert 2 <= len(snaps) <= 12, "a short recording, please"
n = len(snaps)

def row_labels(r):
    if r.get("pod"):
        p = r["pod"]
        lab = {"namespace": p["namespace"], "pod": p["name"]}
        if p.get("workload"):
            lab["workload"] = p["workload"]
    else:
        lab = {"netns": r["label"]}
    lab["kind"] = r["kind"]
    return lab

def key(lab):
    return tuple(sorted(lab.items()))

# series -> list of values per snapshot (None: absent)
series = {}
def put(name, lab, i, v):
    k = (name, key(lab))
    series.setdefault(k, [None] * n)[i] = v

for i, s in enumerate(snaps):
    rows = {r["inode"]: r for r in s["netns"] if not r.get("vanished")}
    for r in rows.values():
        if "tcp" not in r:
            continue
        for st, v in r["tcp"].items():
            put("connwatch_tcp_sockets", dict(row_labels(r), state=st), i, v)
    for f in s.get("findings", []):
        r = rows.get(f["inode"])
        lab = row_labels(r) if r else {"kind": "node"}
        put("connwatch_finding", dict(lab, rule=f["rule"], severity=f["severity"]), i, 1)

def values(vs):
    out = ["_" if v is None else str(v) for v in vs]
    last = out[-1]
    return " ".join(out) + ("" if last == "_" else " %sx%d" % (last, HOLD))

def series_str(name, lab):
    return "{" + ", ".join(['__name__="%s"' % name] +
                           ['%s="%s"' % (k, v.replace("\\", "\\\\").replace('"', '\\"'))
                            for k, v in lab]) + "}"

def at(vs, t):
    """The value at minute t: recorded, then the last one held."""
    return vs[t] if t < n else vs[-1]

# Per-pod state sums over time, as sum by (namespace, pod) (...{state=S, pod!=""}).
def pod_sums(state):
    sums = {}
    for (name, lab), vs in series.items():
        d = dict(lab)
        if name != "connwatch_tcp_sockets" or d.get("state") != state or not d.get("pod"):
            continue
        acc = sums.setdefault((d["namespace"], d["pod"]), [None] * n)
        for i, v in enumerate(vs):
            if v is not None:
                acc[i] = (acc[i] or 0) + v
    return sums

# The threshold alerts this test checks: (alert, state, threshold, for in minutes,
# summary, description), as in contrib/prometheus/alerts.yml.
THRESH = [
    ("ConnwatchPodEstablishedHigh", "ESTABLISHED", 1000, 5,
     "{ns}/{pod} holds over 1000 ESTABLISHED TCP connections",
     "Look for a connection-pool leak: kubectl connwatch pod/{pod} -n {ns}"),
    ("ConnwatchCloseWaitPileup", "CLOSE_WAIT", 100, 10,
     "{ns}/{pod} has over 100 CLOSE_WAIT sockets",
     "The application does not close sockets its peers closed (a leak in its code)."),
    ("ConnwatchTimeWaitPileup", "TIME_WAIT", 20000, 10,
     "{ns}/{pod} has over 20000 TIME_WAIT sockets",
     "Short-lived connections are near the ephemeral port range; reuse connections."),
    ("ConnwatchSynSentPileup", "SYN_SENT", 100, 5,
     "{ns}/{pod} has over 100 connects waiting for an answer",
     "A peer or DNS does not answer; see the pod's peers in connwatch."),
]

def firing(state, thr, for_m, t):
    """(ns, pod) whose sum has been over thr at every evaluation from t - for_m to t."""
    out = []
    if t < for_m:
        return out
    for (ns, pod), vs in sorted(pod_sums(state).items()):
        if all((at(vs, m) or 0) > thr for m in range(t - for_m, t + 1)):
            out.append((ns, pod))
    return out

# Evaluation times: each alert just before and at the minute it starts to fire
# (when it does), and at the end.
times = {HOLD}
for alert, st, thr, for_m, _, _ in THRESH:
    for (ns, pod), vs in pod_sums(st).items():
        over = [m for m in range(n + HOLD) if (at(vs, m) or 0) > thr]
        if over:
            times.update({over[0] + for_m - 1, over[0] + for_m})
times = sorted(t for t in times if 0 <= t <= n - 1 + HOLD)

FIND = [("ConnwatchFindingCritical", "crit", 2), ("ConnwatchFindingWarning", "warn", 10)]

def finding_firing(sev, for_m, t):
    out = set()
    for (name, lab), vs in series.items():
        d = dict(lab)
        if name != "connwatch_finding" or d["severity"] != sev:
            continue
        if t >= for_m and all(at(vs, m) == 1 for m in range(t - for_m, t + 1)):
            out.add(tuple((k, d[k]) for k in ("namespace", "pod", "netns", "rule") if k in d))
    return sorted(out)

def q(s):
    return json.dumps(s)

lines = ["rule_files:"] + ["  - %s" % q(f) for f in rule_files]
lines += ["evaluation_interval: 1m", "tests:", "  - interval: 1m", "    input_series:"]
for (name, lab), vs in sorted(series.items()):
    lines += ["      - series: %s" % q(series_str(name, lab)), "        values: %s" % q(values(vs))]
lines.append("    alert_rule_test:")
expected = 0
for t in times:
    for alert, st, thr, for_m, summ, desc in THRESH:
        f = firing(st, thr, for_m, t)
        expected += len(f)
        lines += ["      - eval_time: %dm" % t, "        alertname: %s" % alert]
        if not f:
            lines.append("        exp_alerts: []")
            continue
        lines.append("        exp_alerts:")
        for ns, pod in f:
            lines += ["          - exp_labels: {severity: warning, namespace: %s, pod: %s}" % (q(ns), q(pod)),
                      "            exp_annotations:",
                      "              summary: %s" % q(summ.format(ns=ns, pod=pod)),
                      "              description: %s" % q(desc.format(ns=ns, pod=pod))]
    for alert, sev, for_m in FIND:
        f = finding_firing(sev, for_m, t)
        expected += len(f)
        lines += ["      - eval_time: %dm" % t, "        alertname: %s" % alert]
        if not f:
            lines.append("        exp_alerts: []")
            continue
        lines.append("        exp_alerts:")
        for labs in f:
            d = dict(labs)
            sevl = "critical" if sev == "crit" else "warning"
            where = d.get("namespace", "") + d.get("pod", "") + d.get("netns", "")
            lines += ["          - exp_labels: {%s}" % ", ".join(["severity: %s" % sevl] +
                                                                 ["%s: %s" % (k, q(v)) for k, v in labs]),
                      "            exp_annotations:",
                      "              summary: %s" % q("connwatch finds %s on %s" % (d["rule"], where)),
                      "              description: %s" % q("Open connwatch on that node for the evidence and the next step.")]
# The recording rule, at the end: per pod and state, the recorded last sum.
lines.append("    promql_expr_test:")
for st in ("ESTABLISHED", "CLOSE_WAIT"):
    sums = pod_sums(st)
    lines += ["      - expr: %s" % q('namespace_pod:connwatch_tcp_sockets:sum{state="%s"}' % st),
              "        eval_time: %dm" % (n - 1 + HOLD), "        exp_samples:"]
    for (ns, pod), vs in sorted(sums.items()):
        lines += ["          - labels: %s" % q('namespace_pod:connwatch_tcp_sockets:sum{namespace="%s", pod="%s", state="%s"}' % (ns, pod, st)),
                  "            value: %d" % vs[-1]]
print("\n".join(lines))
print("expected firing alerts: %d at %s" % (expected, " ".join("%dm" % t for t in times)), file=sys.stderr)
