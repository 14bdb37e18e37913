#!/usr/bin/env node
// Validates every YAML document under deploy/ offline:
//  1. against the Kubernetes / Prometheus Operator schemas shipped in the npm
//     packages kubernetes-models and @kubernetes-models/prometheus-operator
//     (the model's .validate()), plus a strict pass that rejects fields the
//     schema does not know (kubectl --validate=strict would);
//  2. unknown apiVersion/kind fail;
//  3. the yxgate-specific facts of SPEC §1/§6/§7/§9: native sidecar, probes
//     on the admin port, config mount matching the args, secrets wired as the
//     config says, grace period > drain timeout, hardened securityContext,
//     scrape annotations, and the embedded config passes
//     `yxgate --check-config`.
//
// usage: node validate.js --modules DIR --deploy DIR --yxgate BIN --tmp DIR
//   --modules: the folder holding node_modules (tests/ops/k8s-validate/install.sh DEST)
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");
const { spawnSync } = require("node:child_process");
const { test } = require("node:test");
const assert = require("node:assert/strict");

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) {
      throw new Error(`bad argument ${argv[i]}; usage: --modules DIR --deploy DIR --yxgate BIN --tmp DIR`);
    }
    out[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ["modules", "deploy", "yxgate", "tmp"]) {
    if (!out[k]) throw new Error(`missing --${k}`);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const requireFromModules = createRequire(path.join(path.resolve(args.modules), "package.json"));
const YAML = requireFromModules("yaml");

// apiVersion -> module exporting the models of that group/version.
const MODEL_MODULES = {
  v1: "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "policy/v1": "kubernetes-models/policy/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};

function modelFor(apiVersion, kind) {
  const mod = MODEL_MODULES[apiVersion];
  if (!mod) return null;
  const Model = requireFromModules(mod)[kind];
  return typeof Model === "function" ? Model : null;
}

// ---------------------------------------------------------------------------
// Loading

function yamlFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(entry.name)) out.push(p);
  }
  return out.sort();
}

function loadDocuments(deployDir) {
  const docs = [];
  for (const file of yamlFiles(deployDir)) {
    const rel = path.relative(deployDir, file);
    // Kubernetes reads YAML 1.1-ish; version 1.1 makes the parser agree on
    // octal modes, yes/no booleans and the like.
    const parsed = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"), { version: "1.1" });
    parsed.forEach((doc, index) => {
      const where = `${rel}#${index}`;
      if (doc.errors.length) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join("; ")}`);
      if (doc.warnings.length) throw new Error(`${where}: ${doc.warnings.map((e) => e.message).join("; ")}`);
      const value = doc.toJS();
      if (value === null || value === undefined) return;  // empty document
      docs.push({ where, dir: path.dirname(rel), value });
    });
  }
  return docs;
}

// ---------------------------------------------------------------------------
// Strict pass: the compiled schema validators read every property the schema
// defines (and enumerate maps with free-form keys). Whatever they never
// touched is a field the schema does not know: a typo that the API server
// would drop silently (or reject with --validate=strict).

function unknownFields(Model, value) {
  const touched = new Map();  // proxy target -> Set of keys read, or "*" when enumerated
  const proxies = new WeakMap();
  const wrap = (v) => {
    if (v === null || typeof v !== "object") return v;
    if (proxies.has(v)) return proxies.get(v);
    touched.set(v, new Set());
    const p = new Proxy(v, {
      get(target, key, receiver) {
        if (typeof key === "string") touched.get(target).add(key);
        return wrap(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === "string") touched.get(target).add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        touched.get(target).add("*");
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(v, p);
    return p;
  };
  const copy = JSON.parse(JSON.stringify(value));
  Model.prototype.validate.call(wrap(copy));
  const unknown = [];
  const walk = (v, at) => {
    if (v === null || typeof v !== "object") return;
    const keys = touched.get(v);
    for (const [k, child] of Object.entries(v)) {
      const here = Array.isArray(v) ? `${at}[${k}]` : `${at}.${k}`;
      if (!Array.isArray(v) && keys && !keys.has("*") && !keys.has(k)) unknown.push(here);
      walk(child, here);
    }
  };
  walk(copy, "");
  return unknown;
}

// ---------------------------------------------------------------------------
// yxgate facts

const ADMIN_PORT = 9901;
const DATA_PORT = 8080;

function parseDurationSeconds(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(text));
  assert.ok(m, `bad duration ${text}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
}

function portOf(hostPort) {
  return Number(String(hostPort).split(":").pop());
}

function hostOf(hostPort) {
  const s = String(hostPort);
  return s.slice(0, s.lastIndexOf(":"));
}

// The port a probe hits, resolving a named port through the container's ports.
function probePort(container, probe) {
  const port = probe.httpGet.port;
  if (typeof port === "number") return port;
  const named = (container.ports || []).find((p) => p.name === port);
  assert.ok(named, `${container.name}: probe port "${port}" is not a named container port`);
  return named.containerPort;
}

function isYxgate(container) {
  return container.name === "yxgate" || /\/yxgate(:|@|$)/.test(container.image || "");
}

function podSpecOf(doc) {
  return doc.value.spec.template.spec;
}

// Every yxgate container in the Deployments under deploy/, with what it needs.
function yxgateContainers(docs) {
  const out = [];
  for (const doc of docs) {
    if (doc.value.kind !== "Deployment") continue;
    const pod = podSpecOf(doc);
    for (const [list, containers] of [["initContainers", pod.initContainers || []], ["containers", pod.containers || []]]) {
      for (const c of containers) {
        if (isYxgate(c)) out.push({ doc, pod, list, container: c });
      }
    }
  }
  return out;
}

// The file yxgate reads (--config FILE), and where it comes from.
function configSource(entry, docs) {
  const { container, pod, doc } = entry;
  const args = [...(container.command || []), ...(container.args || [])];
  const i = args.indexOf("--config");
  assert.ok(i >= 0 && args[i + 1], `${doc.where} ${container.name}: args lack --config FILE`);
  const file = args[i + 1];
  const mount = (container.volumeMounts || []).find((m) =>
    m.subPath ? m.mountPath === file : file.startsWith(m.mountPath.replace(/\/?$/, "/")));
  assert.ok(mount, `${doc.where} ${container.name}: no volumeMount provides ${file}`);
  const volume = (pod.volumes || []).find((v) => v.name === mount.name);
  assert.ok(volume, `${doc.where}: volume ${mount.name} not defined`);
  const key = mount.subPath || path.posix.relative(mount.mountPath, file);
  let source;
  if (volume.configMap) source = { kind: "ConfigMap", name: volume.configMap.name };
  else if (volume.secret) source = { kind: "Secret", name: volume.secret.secretName };
  else assert.fail(`${doc.where}: ${file} comes from neither a ConfigMap nor a Secret`);
  const ns = doc.value.metadata.namespace;
  const holder = docs.find((d) => d.value.kind === source.kind && d.value.metadata.name === source.name &&
    d.value.metadata.namespace === ns && d.dir === doc.dir);
  assert.ok(holder, `${doc.where}: ${source.kind} ${source.name} is not defined beside it (${doc.dir}/)`);
  const text = (holder.value.data || {})[key] ?? (holder.value.stringData || {})[key];
  assert.ok(typeof text === "string", `${holder.where}: has no key ${key} (mounted as ${file})`);
  return { file, text, holder };
}

// Seconds a preStop hook delays SIGTERM: a sleep action or `sleep N` exec.
function preStopSeconds(container) {
  const hook = container.lifecycle?.preStop;
  if (!hook) return 0;
  if (hook.sleep) return hook.sleep.seconds;
  const cmd = hook.exec?.command || [];
  if (cmd.length === 2 && /(^|\/)sleep$/.test(cmd[0])) return Number(cmd[1]);
  assert.fail(`${container.name}: preStop hook of unknown duration`);
}

function checkConfig(yxgate, text, env, tmpDir, name) {
  const file = path.join(tmpDir, `${name}.yaml`);
  fs.writeFileSync(file, text);
  const r = spawnSync(yxgate, ["--check-config", file], {
    env: { PATH: process.env.PATH || "/usr/bin:/bin", ...env },
    encoding: "utf8",
    timeout: 10000,
  });
  return { status: r.status, output: `${r.stdout || ""}${r.stderr || ""}`, error: r.error };
}

// ---------------------------------------------------------------------------
// Tests

const deployDir = path.resolve(args.deploy);
const docs = loadDocuments(deployDir);
const tmpDir = fs.mkdtempSync(path.join(path.resolve(args.tmp), "k8s-validate-"));

test("deploy/ holds the sidecar and gateway manifests", () => {
  const kinds = docs.map((d) => `${d.dir}:${d.value.kind}`);
  for (const want of ["sidecar:Deployment", "sidecar:ConfigMap", "sidecar:PodMonitor", "gateway:Deployment",
    "gateway:Service", "gateway:PodDisruptionBudget", "gateway:ConfigMap", "gateway:ServiceMonitor"]) {
    assert.ok(kinds.includes(want), `missing ${want} (have ${kinds.join(", ")})`);
  }
});

test("every document validates against its schema", async (t) => {
  for (const doc of docs) {
    await t.test(`${doc.where} ${doc.value.apiVersion}/${doc.value.kind} ${doc.value.metadata?.name}`, () => {
      const { apiVersion, kind } = doc.value;
      const Model = modelFor(apiVersion, kind);
      assert.ok(Model, `unknown kind ${apiVersion}/${kind}: no schema to validate it against`);
      new Model(doc.value).validate();  // throws with the failing JSON path
      assert.deepEqual(unknownFields(Model, doc.value), [], "fields the schema does not define");
    });
  }
});

test("the validator rejects what it should", () => {
  const { Deployment } = requireFromModules("kubernetes-models/apps/v1");
  const bad = {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" },
    spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } },
      spec: { containers: [{ name: "c", image: "i", ports: [{ containerPort: "80" }] }] } } },
  };
  assert.throws(() => new Deployment(bad).validate(), /containerPort/);
  bad.spec.template.spec.containers[0].ports[0].containerPort = 80;
  bad.spec.template.spec.containers[0].readinesProbe = {};
  assert.deepEqual(unknownFields(Deployment, bad), [".spec.template.spec.containers[0].readinesProbe"]);
  assert.equal(modelFor("example.com/v1", "Widget"), null);
});

test("sidecar: yxgate is a native sidecar (initContainer, restartPolicy Always)", () => {
  const sidecars = yxgateContainers(docs).filter((e) => e.doc.dir === "sidecar");
  assert.equal(sidecars.length, 1, "one yxgate container in deploy/sidecar");
  const [{ list, container, pod }] = sidecars;
  assert.equal(list, "initContainers");
  assert.equal(container.restartPolicy, "Always");
  assert.ok(pod.containers.length >= 1, "an app container beside it");
  assert.ok(!pod.containers.some(isYxgate), "yxgate is not also a regular container");
});

test("yxgate containers: probes, config, secrets, shutdown, hardening", async (t) => {
  const entries = yxgateContainers(docs);
  assert.ok(entries.length >= 2);
  for (const entry of entries) {
    const { doc, pod, container } = entry;
    await t.test(`${doc.where} ${container.name}`, () => {
      // Probes (SPEC §9) on the admin port.
      for (const [probe, p] of [["startupProbe", "/readyz"], ["readinessProbe", "/readyz"], ["livenessProbe", "/healthz"]]) {
        const pr = container[probe];
        assert.ok(pr && pr.httpGet, `${probe} with httpGet`);
        assert.equal(pr.httpGet.path, p, `${probe} path`);
        assert.equal(probePort(container, pr), ADMIN_PORT, `${probe} port`);
      }

      // The config file the args name is mounted from a ConfigMap/Secret
      // beside the Deployment, and passes yxgate --check-config.
      const { text, holder } = configSource(entry, docs);
      const config = YAML.parse(text);
      const env = {};
      for (const e of container.env || []) env[e.name] = "placeholder-for-check-config";
      const result = checkConfig(args.yxgate, text, env, tmpDir, `${doc.dir}-${container.name}`);
      assert.ifError(result.error);
      assert.equal(result.status, 0, `yxgate --check-config on ${holder.where}:\n${result.output}`);
      assert.match(result.output, /: ok$/m);

      // Listeners: admin where the probes go; data where the pod says.
      assert.equal(portOf(config.server.admin_listen), ADMIN_PORT);
      assert.equal(hostOf(config.server.admin_listen), "0.0.0.0", "kubelet probes reach the pod IP");
      assert.equal(portOf(config.server.listen), DATA_PORT);

      // Secrets: every *_env the config names is set from a secretKeyRef (app
      // secrets) or at least set; every app_secret_file is a mounted Secret item.
      for (const app of config.apps) {
        for (const key of ["app_key_env", "app_secret_env"]) {
          if (!app[key]) continue;
          const e = (container.env || []).find((x) => x.name === app[key]);
          assert.ok(e, `env ${app[key]} (apps ${app.name}.${key}) is set`);
          if (key === "app_secret_env") assert.ok(e.valueFrom && e.valueFrom.secretKeyRef, `${app[key]} comes from a Secret`);
        }
        if (app.app_secret_file) {
          const dir = path.posix.dirname(app.app_secret_file);
          const mount = (container.volumeMounts || []).find((m) => m.mountPath === dir);
          assert.ok(mount, `a volumeMount at ${dir} for ${app.app_secret_file}`);
          const volume = pod.volumes.find((v) => v.name === mount.name);
          assert.ok(volume && volume.secret, `${dir} is a Secret volume`);
          const base = path.posix.basename(app.app_secret_file);
          if (volume.secret.items) assert.ok(volume.secret.items.some((i) => i.path === base), `Secret item path ${base}`);
        }
        for (const forbidden of ["app_secret", "secret"]) assert.ok(!(forbidden in app), "no secret in the YAML");
      }

      // SIGTERM: preStop + drain must fit in the grace period.
      const drain = parseDurationSeconds(config.server.drain_timeout ?? "15s");
      const preStop = preStopSeconds(container);
      assert.ok(pod.terminationGracePeriodSeconds > drain + preStop,
        `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} > drain ${drain}s + preStop ${preStop}s`);

      // Hardening.
      const sc = container.securityContext || {};
      assert.equal(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, true, "runAsNonRoot");
      assert.equal(sc.readOnlyRootFilesystem, true, "readOnlyRootFilesystem");
      assert.equal(sc.allowPrivilegeEscalation, false, "allowPrivilegeEscalation");
      assert.deepEqual(sc.capabilities?.drop, ["ALL"], "drop ALL capabilities");
      const uid = sc.runAsUser ?? pod.securityContext?.runAsUser;
      assert.ok(Number.isInteger(uid) && uid > 0, "numeric non-root uid");
      for (const r of ["requests", "limits"]) {
        assert.ok(container.resources?.[r]?.cpu || container.resources?.[r]?.memory, `resources.${r}`);
      }
      assert.ok(container.resources.limits.memory, "memory limit");

      // Scrape annotations on the pod.
      const ann = doc.value.spec.template.metadata.annotations || {};
      assert.equal(ann["prometheus.io/scrape"], "true");
      assert.equal(ann["prometheus.io/port"], String(ADMIN_PORT));
      assert.equal(ann["prometheus.io/path"], "/metrics");
    });
  }
});

test("sidecar: data plane on loopback, no clients needed", () => {
  const [entry] = yxgateContainers(docs).filter((e) => e.doc.dir === "sidecar");
  const config = YAML.parse(configSource(entry, docs).text);
  assert.equal(config.server.listen, `127.0.0.1:${DATA_PORT}`);
  const ids = config.apps.map((a) => (a.app_secret_env ? "env" : "file"));
  assert.deepEqual(ids.sort(), ["env", "file"], "the example shows both secret sources");
});

test("gateway: replicas, clients, Redis, global limits, Service, PDB, ServiceMonitor", () => {
  const [entry] = yxgateContainers(docs).filter((e) => e.doc.dir === "gateway");
  assert.ok(entry, "a yxgate Deployment in deploy/gateway");
  const config = YAML.parse(configSource(entry, docs).text);
  const deployment = entry.doc.value;
  const podLabels = deployment.spec.template.metadata.labels;
  const ns = deployment.metadata.namespace;
  const inDir = (kind) => docs.filter((d) => d.dir === "gateway" && d.value.kind === kind).map((d) => d.value);
  const selects = (selector, labels) => Object.entries(selector.matchLabels || {}).every(([k, v]) => labels[k] === v);

  assert.equal(deployment.spec.replicas, 3);
  assert.equal(config.server.listen, `0.0.0.0:${DATA_PORT}`);
  assert.ok(Array.isArray(config.clients) && config.clients.length > 0, "clients: a non-loopback bind needs tokens");
  for (const c of config.clients) {
    assert.match(c.token_sha256, /^[0-9a-f]{64}$/);
    assert.ok(c.allow.length > 0);
  }
  assert.notEqual(config.server.allow_unauthenticated, true);
  assert.match(config.cache.redis.url, /^redis:\/\/[a-z0-9.-]+\.svc(\.cluster\.local)?:\d+\/\d+$/,
    "Redis referenced by its Service name, no password in the ConfigMap");
  for (const app of config.apps) {
    assert.equal(app.rate_limits.scope, "global");
    assert.equal(app.rate_limits.expected_replicas, deployment.spec.replicas);
  }

  const [service] = inDir("Service");
  assert.equal(service.spec.type ?? "ClusterIP", "ClusterIP");
  assert.equal(service.metadata.namespace, ns);
  assert.ok(selects({ matchLabels: service.spec.selector }, podLabels), "Service selects the pods");
  const containerPorts = entry.container.ports;
  const servicePorts = Object.fromEntries(service.spec.ports.map((p) => [p.name, p]));
  assert.equal(servicePorts.http.port, DATA_PORT);
  assert.equal(servicePorts.admin.port, ADMIN_PORT);
  for (const p of service.spec.ports) {
    const target = containerPorts.find((c) => c.name === p.targetPort || c.containerPort === p.targetPort);
    assert.ok(target, `Service port ${p.name} targets a container port`);
    assert.equal(target.containerPort, p.port);
  }

  const [pdb] = inDir("PodDisruptionBudget");
  assert.ok(selects(pdb.spec.selector, podLabels), "PDB selects the pods");
  assert.equal(pdb.metadata.namespace, ns);

  const [monitor] = inDir("ServiceMonitor");
  assert.ok(selects(monitor.spec.selector, service.metadata.labels), "ServiceMonitor selects the Service");
  assert.ok(monitor.spec.endpoints.some((e) => e.port === "admin" && e.path === "/metrics"));
});

test("sidecar: PodMonitor scrapes the admin port", () => {
  const [entry] = yxgateContainers(docs).filter((e) => e.doc.dir === "sidecar");
  const [monitor] = docs.filter((d) => d.dir === "sidecar" && d.value.kind === "PodMonitor").map((d) => d.value);
  const labels = entry.doc.value.spec.template.metadata.labels;
  assert.ok(Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => labels[k] === v));
  const endpoint = monitor.spec.podMetricsEndpoints.find((e) => e.path === "/metrics");
  const port = entry.container.ports.find((p) => p.name === endpoint.port);
  assert.equal(port?.containerPort, ADMIN_PORT);
});

test("yxgate --check-config rejects a broken config (the check has teeth)", () => {
  const r = checkConfig(args.yxgate, "server:\n  listen: 0.0.0.0:8080\n", {}, tmpDir, "broken");
  assert.equal(r.status, 1, r.output);
  assert.match(r.output, /server\.listen/);
});

process.on("exit", () => fs.rmSync(tmpDir, { recursive: true, force: true }));
