#!/usr/bin/env node
// cri.js - tiny CRI v1 client (crictl stand-in) for connwatch e2e tests.
//
// Talks gRPC to containerd's CRI plugin over its unix socket, using the
// hand-written proto subset in cri-subset.proto.
//
// Usage:
//   node cri.js version
//   node cri.js wait [SECONDS]                 wait until the CRI answers
//   node cri.js runp NAMESPACE NAME UID [--host-network]
//                                              -> prints pod sandbox id
//   node cri.js run PODID CNAME [--image IMG] -- CMD [ARGS...]
//                                              -> prints container id
//   node cri.js rmp PODID                      stop + remove a pod sandbox
//   node cri.js rmp-all                        remove every pod made by cri.js
//   node cri.js lsp                            JSON list of pods (with ip, netns, pid)
//   node cri.js ps [PODID]                     JSON list of containers
//   node cri.js inspectp PODID                 JSON PodSandboxStatus (verbose)
//   node cri.js exec CID -- CMD [ARGS...]      ExecSync; prints stdout
//   node cri.js images                         JSON list of images
//
// Environment:
//   CRI_ENDPOINT     default unix:///run/containerd/containerd.sock
//   CW_E2E_STATE     state dir shared with cri-env.sh, default /run/connwatch-e2e
//   CW_E2E_IMAGE     default container image, localhost/connwatch-busybox:1
//   CW_E2E_QOS       cgroup parent class: besteffort|burstable|guaranteed
//                    (default besteffort -> /kubepods/besteffort/pod<UID>)
'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const ENDPOINT = process.env.CRI_ENDPOINT || 'unix:///run/containerd/containerd.sock';
const STATE = process.env.CW_E2E_STATE || '/run/connwatch-e2e';
const DEFAULT_IMAGE = process.env.CW_E2E_IMAGE || 'localhost/connwatch-busybox:1';
const QOS = process.env.CW_E2E_QOS || 'besteffort';
const OWNER_LABEL = 'connwatch-e2e';
const SANDBOX_DIR = path.join(STATE, 'sandboxes');

const pkgDef = protoLoader.loadSync(path.join(__dirname, 'cri-subset.proto'), {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const api = grpc.loadPackageDefinition(pkgDef).runtime.v1;
const rt = new api.RuntimeService(ENDPOINT, grpc.credentials.createInsecure());
const img = new api.ImageService(ENDPOINT, grpc.credentials.createInsecure());

function call(client, method, req, timeoutMs = 120000) {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + timeoutMs);
    client[method](req, { deadline }, (err, resp) => {
      if (err) {
        err.message = `${method}: ${err.message}`;
        reject(err);
      } else {
        resolve(resp);
      }
    });
  });
}

function die(msg) {
  process.stderr.write(`cri.js: ${msg}\n`);
  process.exit(1);
}

function cgroupParent(uid) {
  // kubelet's cgroupfs-driver layout
  switch (QOS) {
    case 'guaranteed': return `/kubepods/pod${uid}`;
    case 'burstable': return `/kubepods/burstable/pod${uid}`;
    default: return `/kubepods/besteffort/pod${uid}`;
  }
}

function sandboxConfig(ns, name, uid, hostNet = false) {
  // host-network pods share the node's UTS namespace: no hostname may be set
  const hostname = hostNet ? '' : name.slice(0, 63);
  return {
    metadata: { name, uid, namespace: ns, attempt: 0 },
    hostname,
    log_directory: path.join(STATE, 'pods', `${ns}_${name}_${uid}`),
    dns_config: { servers: [], searches: [], options: [] },
    labels: {
      'io.kubernetes.pod.name': name,
      'io.kubernetes.pod.namespace': ns,
      'io.kubernetes.pod.uid': uid,
      [OWNER_LABEL]: '1',
    },
    annotations: {
      'kubernetes.io/config.source': 'api',
      'kubernetes.io/config.seen': new Date().toISOString(),
    },
    linux: {
      cgroup_parent: cgroupParent(uid),
      security_context: {
        // what kubelet sends for an ordinary pod
        namespace_options: { network: hostNet ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' },
      },
      sysctls: {},
    },
  };
}

function saveSandbox(id, cfg) {
  fs.mkdirSync(SANDBOX_DIR, { recursive: true });
  fs.writeFileSync(path.join(SANDBOX_DIR, `${id}.json`), JSON.stringify(cfg, null, 2) + '\n');
}

// Remember the sandbox's netns file (for cri-env.sh stop, in case the pod
// cannot be torn down through CRI and its bundle is gone).
async function recordNetns(id) {
  try {
    const st = await call(rt, 'PodSandboxStatus', { pod_sandbox_id: id, verbose: true });
    const info = JSON.parse((st.info && st.info.info) || '{}');
    const nss = (info.runtimeSpec && info.runtimeSpec.linux && info.runtimeSpec.linux.namespaces) || [];
    const n = nss.find((x) => x.type === 'network' && x.path && !x.path.startsWith('/proc/'));
    if (n) fs.appendFileSync(path.join(STATE, 'netns-paths'), `${n.path}\n`);
  } catch (e) {
    /* best effort */
  }
}

function loadSandbox(id) {
  const f = path.join(SANDBOX_DIR, `${id}.json`);
  if (!fs.existsSync(f)) die(`no saved sandbox config ${f} (pod not created by cri.js?)`);
  return JSON.parse(fs.readFileSync(f, 'utf8'));
}

async function resolvePodId(prefix) {
  const r = await call(rt, 'ListPodSandbox', { filter: null });
  const hits = r.items.filter((p) => p.id.startsWith(prefix));
  if (hits.length !== 1) die(`pod id "${prefix}" matches ${hits.length} pods`);
  return hits[0].id;
}

function splitDashDash(args) {
  const i = args.indexOf('--');
  if (i < 0) return [args, []];
  return [args.slice(0, i), args.slice(i + 1)];
}

async function podSummary(p) {
  let st = null;
  try {
    st = await call(rt, 'PodSandboxStatus', { pod_sandbox_id: p.id, verbose: true });
  } catch (e) {
    /* pod may vanish between list and status */
  }
  let info = {};
  if (st && st.info && st.info.info) {
    try { info = JSON.parse(st.info.info); } catch (e) { info = {}; }
  }
  let netns = null;
  const nss = info.runtimeSpec && info.runtimeSpec.linux && info.runtimeSpec.linux.namespaces;
  if (Array.isArray(nss)) {
    const n = nss.find((x) => x.type === 'network');
    if (n) netns = n.path || null;
  }
  return {
    id: p.id,
    name: p.metadata.name,
    namespace: p.metadata.namespace,
    uid: p.metadata.uid,
    attempt: p.metadata.attempt,
    state: p.state,
    created_at: p.created_at,
    ip: st && st.status && st.status.network ? st.status.network.ip : '',
    pid: info.pid || 0,
    netns,
    cgroup_parent: info.config && info.config.linux ? info.config.linux.cgroup_parent : undefined,
    labels: p.labels,
    annotations: p.annotations,
  };
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  switch (cmd) {
    case 'version': {
      const v = await call(rt, 'Version', { version: 'v1' });
      console.log(JSON.stringify(v, null, 2));
      break;
    }
    case 'wait': {
      const secs = Number(args[0] || 30);
      const until = Date.now() + secs * 1000;
      for (;;) {
        try {
          await call(rt, 'Version', { version: 'v1' }, 2000);
          return;
        } catch (e) {
          if (Date.now() > until) die(`CRI not ready after ${secs}s: ${e.message}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }
    case 'runp': {
      const hostNet = args.includes('--host-network');
      const pos = args.filter((a) => a !== '--host-network');
      if (pos.length !== 3) die('usage: runp NAMESPACE NAME UID [--host-network]');
      const [ns, name, uid] = pos;
      const cfg = sandboxConfig(ns, name, uid, hostNet);
      fs.mkdirSync(cfg.log_directory, { recursive: true });
      const r = await call(rt, 'RunPodSandbox', { config: cfg, runtime_handler: '' });
      saveSandbox(r.pod_sandbox_id, cfg);
      await recordNetns(r.pod_sandbox_id);
      // and its cgroup parent: runc removes the sandbox's own cgroup, but the
      // pod<uid> parent is the kubelet's to delete, so cri-env.sh stop does it
      fs.appendFileSync(path.join(STATE, 'cgroup-parents'), `${cfg.linux.cgroup_parent}\n`);
      console.log(r.pod_sandbox_id);
      break;
    }
    case 'run': {
      const [pre, command] = splitDashDash(args);
      if (pre.length < 2 || command.length === 0) {
        die('usage: run PODID CONTAINERNAME [--image IMG] -- CMD [ARGS...]');
      }
      let image = DEFAULT_IMAGE;
      const ii = pre.indexOf('--image');
      if (ii >= 0) { image = pre[ii + 1]; pre.splice(ii, 2); }
      const podId = await resolvePodId(pre[0]);
      const cname = pre[1];
      const scfg = loadSandbox(podId);
      const ccfg = {
        metadata: { name: cname, attempt: 0 },
        image: { image },
        command: [command[0]],
        args: command.slice(1),
        working_dir: '/',
        envs: [{ key: 'PATH', value: '/bin' }],
        labels: {
          'io.kubernetes.container.name': cname,
          'io.kubernetes.pod.name': scfg.metadata.name,
          'io.kubernetes.pod.namespace': scfg.metadata.namespace,
          'io.kubernetes.pod.uid': scfg.metadata.uid,
          [OWNER_LABEL]: '1',
        },
        annotations: {
          'io.kubernetes.container.restartCount': '0',
          'io.kubernetes.container.terminationMessagePath': '/dev/termination-log',
        },
        log_path: `${cname}/0.log`,
        linux: {
          resources: {},
          security_context: {
            namespace_options: {
              network: scfg.linux.security_context.namespace_options.network,
              pid: 'CONTAINER',
              ipc: 'POD',
            },
          },
        },
      };
      fs.mkdirSync(path.join(scfg.log_directory, cname), { recursive: true });
      const c = await call(rt, 'CreateContainer', {
        pod_sandbox_id: podId, config: ccfg, sandbox_config: scfg,
      });
      await call(rt, 'StartContainer', { container_id: c.container_id });
      console.log(c.container_id);
      break;
    }
    case 'rmp': {
      if (args.length !== 1) die('usage: rmp PODID');
      const podId = await resolvePodId(args[0]);
      await call(rt, 'StopPodSandbox', { pod_sandbox_id: podId });
      await call(rt, 'RemovePodSandbox', { pod_sandbox_id: podId });
      try { fs.unlinkSync(path.join(SANDBOX_DIR, `${podId}.json`)); } catch (e) { /* ignore */ }
      console.log(podId);
      break;
    }
    case 'rmp-all': {
      const r = await call(rt, 'ListPodSandbox', {
        filter: { label_selector: { [OWNER_LABEL]: '1' } },
      });
      for (const p of r.items) {
        await call(rt, 'StopPodSandbox', { pod_sandbox_id: p.id });
        await call(rt, 'RemovePodSandbox', { pod_sandbox_id: p.id });
        try { fs.unlinkSync(path.join(SANDBOX_DIR, `${p.id}.json`)); } catch (e) { /* ignore */ }
        console.log(p.id);
      }
      break;
    }
    case 'lsp': {
      const r = await call(rt, 'ListPodSandbox', { filter: null });
      const out = [];
      for (const p of r.items) out.push(await podSummary(p));
      console.log(JSON.stringify(out, null, 2));
      break;
    }
    case 'inspectp': {
      if (args.length !== 1) die('usage: inspectp PODID');
      const podId = await resolvePodId(args[0]);
      const st = await call(rt, 'PodSandboxStatus', { pod_sandbox_id: podId, verbose: true });
      const info = {};
      for (const [k, v] of Object.entries(st.info || {})) {
        try { info[k] = JSON.parse(v); } catch (e) { info[k] = v; }
      }
      console.log(JSON.stringify({ status: st.status, info }, null, 2));
      break;
    }
    case 'ps': {
      const filter = args[0] ? { pod_sandbox_id: await resolvePodId(args[0]) } : null;
      const r = await call(rt, 'ListContainers', { filter });
      console.log(JSON.stringify(r.containers.map((c) => ({
        id: c.id,
        pod_sandbox_id: c.pod_sandbox_id,
        name: c.metadata.name,
        image: c.image.image,
        state: c.state,
        labels: c.labels,
        annotations: c.annotations,
      })), null, 2));
      break;
    }
    case 'exec': {
      const [pre, command] = splitDashDash(args);
      if (pre.length !== 1 || command.length === 0) die('usage: exec CID -- CMD [ARGS...]');
      const r = await call(rt, 'ExecSync', { container_id: pre[0], cmd: command, timeout: 30 });
      process.stdout.write(Buffer.from(r.stdout));
      process.stderr.write(Buffer.from(r.stderr));
      process.exitCode = r.exit_code;
      break;
    }
    case 'images': {
      const r = await call(img, 'ListImages', { filter: null });
      console.log(JSON.stringify(r.images.map((i) => ({
        id: i.id, repo_tags: i.repo_tags, repo_digests: i.repo_digests, size: i.size,
      })), null, 2));
      break;
    }
    default:
      die('usage: node cri.js {version|wait|runp|run|rmp|rmp-all|lsp|ps|inspectp|exec|images} ...');
  }
}

main().then(
  () => { rt.close(); img.close(); },
  (e) => die(e.message),
);
