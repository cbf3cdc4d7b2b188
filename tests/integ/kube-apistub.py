#!/usr/bin/env python3
"""kube-apistub.py PORT LOG: just enough of a Kubernetes API server for
`kubectl apply --dry-run=client` to run offline: discovery for the kinds in
contrib/k8s (Namespace, Service, DaemonSet, ServiceMonitor) and 404 for
every object, so each is "created (dry run)". Requests go to LOG."""
import json, sys, http.server
RES = {
  "v1": [("namespaces", "Namespace", False), ("services", "Service", True)],
  "apps/v1": [("daemonsets", "DaemonSet", True)],
  "monitoring.coreos.com/v1": [("servicemonitors", "ServiceMonitor", True)],
}
log = open(sys.argv[2], "a")
class H(http.server.BaseHTTPRequestHandler):
    def send(self, code, body):
        b = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def do_GET(self):
        p = self.path.split("?")[0]
        log.write("GET %s\n" % self.path); log.flush()
        if p == "/api":
            return self.send(200, {"kind": "APIVersions", "versions": ["v1"]})
        if p == "/apis":
            groups = []
            for gv in RES:
                if "/" in gv:
                    g, v = gv.split("/")
                    groups.append({"name": g, "versions": [{"groupVersion": gv, "version": v}],
                                   "preferredVersion": {"groupVersion": gv, "version": v}})
            return self.send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
        for gv, rs in RES.items():
            base = "/api/v1" if gv == "v1" else "/apis/" + gv
            if p == base:
                return self.send(200, {"kind": "APIResourceList", "groupVersion": gv, "resources": [
                    {"name": n, "singularName": k.lower(), "namespaced": ns, "kind": k,
                     "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]} for n, k, ns in rs]})
        self.send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
