import { SpecIssue, SpecValidationError } from './errors';
import { isPinnedImage } from './images';
import { dependencyName, fileKey, hasHealthCheck } from './resolve-helpers';
import { looksSecretName, secretValueKinds } from './secret-looking';
import { secretVariable } from './secret-variables';
import type { ProbeSpec, ServiceSpec, StackSpec } from './types';
import { validateShape } from './validate-shape';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CRON = /^(\S+\s+){4}\S+$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Gate rule ids a spec may waive per service (libs/policy K8S_RULES ids). */
const WAIVABLE = new Set(['read-only-root-filesystem', 'pod-disruption-budget', 'probes']);

/** Compose keys that would undo what the policy gate demands of every container. */
const HARDENING_KEYS = new Set(['privileged', 'cap_add', 'cap_drop', 'user', 'read_only', 'security_opt', 'network_mode', 'pid', 'ipc', 'userns_mode', 'devices']);

const waives = (s: ServiceSpec, rule: string) => (s.gateWaivers ?? []).some((w) => w.rule === rule);

/** Plain values that the gate would reject as secrets: by name or by shape. Messages never echo the value. */
function checkPlainValue(name: string, value: string, path: string, fix: string, out: SpecIssue[]): void {
  if (looksSecretName(name)) {
    out.push({ path, message: `"${name}" looks like a secret, and plain values end up in a ConfigMap and the compose file; fix: ${fix}` });
    return;
  }
  const kinds = secretValueKinds(value);
  if (kinds.length) out.push({ path, message: `the value holds ${kinds.join(' and ')}; fix: ${fix}, and rotate the value if it was ever real` });
}

function dnsLabel(value: string, path: string, what: string, out: SpecIssue[], max = 63): void {
  if (!DNS_LABEL.test(value) || value.length > max) {
    out.push({ path, message: `${what} "${value}" is not a DNS-1123 label: use at most ${max} lowercase letters, digits and '-', starting and ending with a letter or digit` });
  }
}

function checkProbe(probe: ProbeSpec | undefined, path: string, portNames: Set<string>, svc: string, out: SpecIssue[]): void {
  if (!probe) return;
  const kinds = (['http', 'tcp', 'exec'] as const).filter((k) => probe[k] !== undefined);
  if (kinds.length !== 1) {
    out.push({ path, message: `set exactly one of http, tcp, exec (found ${kinds.length ? kinds.join(', ') : 'none'})` });
  }
  const port = probe.http?.port ?? probe.tcp?.port;
  const portPath = `${path}.${probe.http ? 'http' : 'tcp'}.port`;
  if (port !== undefined && !portNames.has(port)) {
    const known = [...portNames].map((p) => `"${p}"`).join(', ') || 'none';
    out.push({ path: portPath, message: `health check uses port "${port}", which service "${svc}" does not expose (declared ports: ${known})` });
  }
  if (probe.http && !probe.http.path.startsWith('/')) {
    out.push({ path: `${path}.http.path`, message: `must start with "/", got "${probe.http.path}"` });
  }
  for (const f of ['periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const) {
    const v = probe[f];
    if (v !== undefined && v < 1) out.push({ path: `${path}.${f}`, message: `must be at least 1, got ${v}` });
  }
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Kubernetes label/annotation keys (and label values) have a grammar; compose accepts anything, so the stricter rule applies. */
function checkMetadata(map: Readonly<Record<string, string>> | undefined, path: string, labels: boolean, out: SpecIssue[]): void {
  for (const [k, v] of Object.entries(map ?? {})) {
    if (!QUALIFIED_NAME.test(k)) out.push({ path: `${path}.${k}`, message: `"${k}" is not a valid Kubernetes ${labels ? 'label' : 'annotation'} key ([prefix/]name, name 1-63 characters of letters, digits, '-', '_', '.')` });
    else if (k.startsWith('app.kubernetes.io/') && labels) out.push({ path: `${path}.${k}`, message: 'app.kubernetes.io/ labels are set by the renderer (they select pods); use another key' });
    if (labels && (v.length > 63 || !LABEL_VALUE.test(v))) out.push({ path: `${path}.${k}`, message: `label value "${v}" is not valid: at most 63 letters, digits, '-', '_', '.', starting and ending with a letter or digit` });
  }
}

/** A published port binds to an IPv4 address; a database never beyond loopback. */
function checkHostAddress(address: string | undefined, s: ServiceSpec, path: string, out: SpecIssue[]): void {
  if (address === undefined) return;
  if (!IPV4.test(address)) out.push({ path, message: `"${address}" is not an IPv4 address such as "127.0.0.1" or "0.0.0.0"` });
  else if (s.role === 'database' && !address.startsWith('127.')) out.push({ path, message: `a database port is never published beyond loopback; use "127.0.0.1"` });
}

function checkRange(r: { request: number; limit: number } | undefined, path: string, out: SpecIssue[]): void {
  if (!r) return;
  if (r.request <= 0) out.push({ path: `${path}.request`, message: `must be positive, got ${r.request}` });
  if (r.limit < r.request) out.push({ path: `${path}.limit`, message: `limit ${r.limit} is below request ${r.request}` });
}

function findCycles(services: readonly ServiceSpec[]): string[][] {
  const deps = new Map(services.map((s) => [s.name, (s.dependsOn ?? []).map(dependencyName).filter((d) => services.some((o) => o.name === d))]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (n: string): void => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') {
      cycles.push([...stack.slice(stack.indexOf(n)), n]);
      return;
    }
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of deps.get(n) ?? []) visit(d);
    stack.pop();
    state.set(n, 'done');
  };
  for (const s of [...services].sort((a, b) => a.name.localeCompare(b.name))) visit(s.name);
  return cycles;
}

function checkService(s: ServiceSpec, spec: StackSpec, names: Set<string>, out: SpecIssue[]): void {
  const p = `services.${s.name}`;
  const portNames = new Set<string>();
  const portNumbers = new Map<string, string>();
  (s.ports ?? []).forEach((port, i) => {
    const pp = `${p}.ports[${i}]`;
    dnsLabel(port.name, `${pp}.name`, 'port name', out, 15);
    if (portNames.has(port.name)) out.push({ path: `${pp}.name`, message: `duplicate port name "${port.name}"` });
    portNames.add(port.name);
    if (port.port < 1 || port.port > 65535) out.push({ path: `${pp}.port`, message: `port ${port.port} is out of range 1-65535` });
    const key = `${port.port}/${port.protocol ?? 'TCP'}`;
    if (portNumbers.has(key)) out.push({ path: `${pp}.port`, message: `port ${key} clashes with port "${portNumbers.get(key)}" of the same service` });
    portNumbers.set(key, port.name);
    if (port.hostPort !== undefined && (port.hostPort < 1 || port.hostPort > 65535)) {
      out.push({ path: `${pp}.hostPort`, message: `host port ${port.hostPort} is out of range 1-65535` });
    }
  });

  const hasBuild = s.image.build !== undefined;
  const hasRef = s.image.ref !== undefined;
  if (hasBuild === hasRef) out.push({ path: `${p}.image`, message: 'set exactly one of build (built from this repo) or ref (a published image)' });
  if (s.image.ref !== undefined) {
    const floatingIn = Object.entries(spec.environments).filter(([, e]) => !e.allowFloatingTags).map(([n]) => n);
    if (!isPinnedImage(s.image.ref) && floatingIn.length) {
      out.push({ path: `${p}.image.ref`, message: `image "${s.image.ref}" is untagged or :latest, which environments ${floatingIn.map((e) => `"${e}"`).join(', ')} do not allow: pin a version tag or digest` });
    }
  }
  for (const [arg, base] of Object.entries(s.image.build?.baseImages ?? {})) {
    if (!isPinnedImage(base)) out.push({ path: `${p}.image.build.baseImages.${arg}`, message: `base image "${base}" is untagged or :latest: pin a version tag` });
  }

  const byName = new Map(spec.services.map((x) => [x.name, x]));
  (s.dependsOn ?? []).forEach((entry, i) => {
    const d = dependencyName(entry);
    const dp = `${p}.dependsOn[${i}]`;
    if (d === s.name) return void out.push({ path: dp, message: 'a service cannot depend on itself' });
    if (!names.has(d)) return void out.push({ path: dp, message: `unknown service "${d}" (services: ${[...names].join(', ')})` });
    const target = byName.get(d)!;
    const condition = typeof entry === 'string' ? undefined : entry.condition;
    if (target.job?.schedule !== undefined) out.push({ path: dp, message: `"${d}" is a scheduled job, which never finishes once for a dependent to wait on; fix: remove the dependency` });
    else if (condition === 'healthy' && !hasHealthCheck(target)) out.push({ path: `${dp}.condition`, message: `"${d}" has no health check, so "healthy" can never be reached; fix: use "started", or give ${d} a health check` });
    else if (condition === 'completed' && !target.job) out.push({ path: `${dp}.condition`, message: `"${d}" is a long-running service and never completes; fix: use "healthy" or "started"` });
    else if (condition !== undefined && condition !== 'completed' && target.job) out.push({ path: `${dp}.condition`, message: `"${d}" is a job: wait for "completed"` });
  });
  (s.talksTo ?? []).forEach((d, i) => {
    const tp = `${p}.talksTo[${i}]`;
    if (d === s.name) out.push({ path: tp, message: 'a service reaches itself without a network edge' });
    else if (!names.has(d)) out.push({ path: tp, message: `unknown service "${d}" (services: ${[...names].join(', ')})` });
    else if (!(byName.get(d)!.ports ?? []).length) out.push({ path: tp, message: `"${d}" has no ports, so there is nothing to talk to` });
  });

  const h = s.health ?? {};
  checkProbe(h.liveness, `${p}.health.liveness`, portNames, s.name, out);
  checkProbe(h.readiness, `${p}.health.readiness`, portNames, s.name, out);
  checkProbe(h.startup, `${p}.health.startup`, portNames, s.name, out);
  if (h.composeCommand && !h.composeCommand.length) out.push({ path: `${p}.health.composeCommand`, message: 'must name a command; omit it to derive one' });
  if ((h.startup || h.composeCommand) && !hasHealthCheck(s)) out.push({ path: `${p}.health`, message: 'startup and composeCommand refine a liveness or readiness check; add one, or remove them' });

  if (s.entrypoint && !s.entrypoint.length) out.push({ path: `${p}.entrypoint`, message: 'an empty entrypoint would clear the image ENTRYPOINT; omit the field to keep it' });
  if (s.migration?.entrypoint && !s.migration.entrypoint.length) out.push({ path: `${p}.migration.entrypoint`, message: 'an empty entrypoint would clear the image ENTRYPOINT; omit the field to keep it' });

  if (s.job) {
    const jp = `${p}.job`;
    if (s.job.schedule !== undefined && !CRON.test(s.job.schedule.trim())) out.push({ path: `${jp}.schedule`, message: `"${s.job.schedule}" is not a 5-field cron schedule such as "0 3 * * *"` });
    if (s.job.backoffLimit !== undefined && s.job.backoffLimit < 0) out.push({ path: `${jp}.backoffLimit`, message: `must be 0 or more, got ${s.job.backoffLimit}` });
    if (s.job.activeDeadlineSeconds !== undefined && s.job.activeDeadlineSeconds < 1) out.push({ path: `${jp}.activeDeadlineSeconds`, message: `must be at least 1, got ${s.job.activeDeadlineSeconds}` });
    if (s.role === 'database') out.push({ path: `${p}.role`, message: 'a database is long-running; a job cannot have role "database"' });
    for (const f of ['ingressPath', 'replicas', 'migration'] as const) if (s[f] !== undefined) out.push({ path: `${p}.${f}`, message: 'a job runs once to completion; remove this field' });
    if ((s.ports ?? []).length) out.push({ path: `${p}.ports`, message: 'a job serves nothing; remove its ports' });
    if ((s.volumes ?? []).length) out.push({ path: `${p}.volumes`, message: 'a job cannot claim a persistent volume here; use files or writablePaths' });
    if (hasHealthCheck(s)) out.push({ path: `${p}.health`, message: 'a job runs to completion and is not probed; remove its health checks' });
    if (s.restart === 'always') out.push({ path: `${p}.restart`, message: 'a job cannot restart "always"; use "on-failure" or "never"' });
  }

  for (const [name, value] of Object.entries(s.env ?? {})) {
    if (!ENV_NAME.test(name)) out.push({ path: `${p}.env.${name}`, message: 'is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)' });
    if (s.secrets?.[name]) out.push({ path: `${p}.env.${name}`, message: `is also given as a secret (services.${s.name}.secrets.${name}): remove the plain value, secrets must never be plain env` });
    else checkPlainValue(name, value, `${p}.env.${name}`, `move it to services.${s.name}.secrets as a reference to a secret key`, out);
  }
  for (const [name, ref] of Object.entries(s.secrets ?? {})) {
    if (!ENV_NAME.test(name)) out.push({ path: `${p}.secrets.${name}`, message: 'is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)' });
    if (!DNS_SUBDOMAIN.test(ref.secret)) out.push({ path: `${p}.secrets.${name}.secret`, message: `secret name "${ref.secret}" is not a DNS-1123 subdomain` });
  }
  for (const [k, v] of [...Object.entries(s.labels ?? {}), ...Object.entries(s.annotations ?? {})]) {
    const kinds = secretValueKinds(v);
    if (kinds.length) out.push({ path: `${p}.${k in (s.labels ?? {}) ? 'labels' : 'annotations'}.${k}`, message: `the value holds ${kinds.join(' and ')}; labels and annotations are public` });
  }
  checkMetadata(s.labels, `${p}.labels`, true, out);
  checkMetadata(s.annotations, `${p}.annotations`, false, out);

  (s.gateWaivers ?? []).forEach((w, i) => {
    if (!WAIVABLE.has(w.rule)) out.push({ path: `${p}.gateWaivers[${i}].rule`, message: `"${w.rule}" cannot be waived from the spec (waivable: ${[...WAIVABLE].join(', ')})` });
    if (w.reason.trim().length < 10) out.push({ path: `${p}.gateWaivers[${i}].reason`, message: 'say why the rule does not apply (10 characters or more)' });
  });
  const hasKubernetes = Object.values(spec.environments).some((e) => e.target === 'kubernetes');
  if (s.readOnlyRootFilesystem === false && hasKubernetes && !waives(s, 'read-only-root-filesystem')) {
    out.push({ path: `${p}.readOnlyRootFilesystem`, message: 'the policy gate (read-only-root-filesystem) rejects a writable root filesystem; fix: keep it true and list the paths the process writes in writablePaths, or add gateWaivers: [{ rule: "read-only-root-filesystem", reason: "..." }]' });
  }
  if (!s.job && (s.ports ?? []).some((port) => port.hostAddress !== undefined && port.hostPort === undefined)) {
    out.push({ path: `${p}.ports`, message: 'hostAddress is set on a port that is not published; set hostPort too' });
  }
  (s.ports ?? []).forEach((port, i) => checkHostAddress(port.hostAddress, s, `${p}.ports[${i}].hostAddress`, out));

  checkRange(s.resources?.cpuMillis, `${p}.resources.cpuMillis`, out);
  checkRange(s.resources?.memoryMiB, `${p}.resources.memoryMiB`, out);
  if (s.replicas !== undefined && s.replicas < 0) out.push({ path: `${p}.replicas`, message: `must be 0 or more, got ${s.replicas}` });

  const mounts = new Set<string>();
  (s.volumes ?? []).forEach((v, i) => {
    dnsLabel(v.name, `${p}.volumes[${i}].name`, 'volume name', out);
    if (v.storageClass !== undefined && !DNS_SUBDOMAIN.test(v.storageClass)) out.push({ path: `${p}.volumes[${i}].storageClass`, message: `"${v.storageClass}" is not a DNS-1123 subdomain` });
    if (s.role !== 'database' && (v.accessMode ?? 'ReadWriteOnce') === 'ReadWriteOnce') {
      const scaled = [['', s.replicas], ...Object.entries(spec.environments).map(([e, env]) => [e, env.services?.[s.name]?.autoscaling?.maxReplicas ?? env.services?.[s.name]?.replicas])] as [string, number | undefined][];
      for (const [e, n] of scaled) {
        if (n !== undefined && n > 1) {
          out.push({ path: `${p}.volumes[${i}].accessMode`, message: `a ReadWriteOnce volume attaches to one pod, but ${e ? `environment "${e}" runs` : 'the service runs'} up to ${n} replicas of this Deployment; fix: run 1 replica, or use accessMode "ReadWriteMany" with a storage class that offers it` });
          break;
        }
      }
    }
    if (!v.mountPath.startsWith('/')) out.push({ path: `${p}.volumes[${i}].mountPath`, message: `"${v.mountPath}" is not an absolute path` });
    if (mounts.has(v.mountPath)) out.push({ path: `${p}.volumes[${i}].mountPath`, message: `"${v.mountPath}" is mounted twice` });
    mounts.add(v.mountPath);
  });
  const keys = new Set<string>();
  (s.files ?? []).forEach((f, i) => {
    const fp = `${p}.files[${i}]`;
    const kinds = (['content', 'source', 'secret'] as const).filter((k) => f[k] !== undefined);
    if (kinds.length !== 1) out.push({ path: fp, message: `set exactly one of content, source, secret (found ${kinds.length ? kinds.join(', ') : 'none'})` });
    if (!f.path.startsWith('/') || f.path.endsWith('/')) out.push({ path: `${fp}.path`, message: `"${f.path}" is not an absolute file path` });
    if (mounts.has(f.path)) out.push({ path: `${fp}.path`, message: `"${f.path}" is mounted twice` });
    mounts.add(f.path);
    const key = fileKey(f.path);
    if (keys.has(key)) out.push({ path: `${fp}.path`, message: `"${f.path}" maps to the same volume key "${key}" as another file; rename one` });
    keys.add(key);
    if (f.source !== undefined && (f.source.startsWith('/') || f.source.split('/').includes('..'))) out.push({ path: `${fp}.source`, message: `"${f.source}" must be a path inside the repo, relative to its root` });
    if (f.secret && !DNS_SUBDOMAIN.test(f.secret.secret)) out.push({ path: `${fp}.secret.secret`, message: `secret name "${f.secret.secret}" is not a DNS-1123 subdomain` });
    if (!f.secret) checkPlainValue(key, f.content ?? '', fp, `deliver it as a secret file (files[${i}].secret)`, out);
  });
  (s.writablePaths ?? []).forEach((w, i) => {
    if (!w.startsWith('/')) out.push({ path: `${p}.writablePaths[${i}]`, message: `"${w}" is not an absolute path: writable paths become emptyDir/tmpfs mounts and need an absolute path such as "/${w.replace(/^\.?\/*/, '')}"` });
    if (mounts.has(w)) out.push({ path: `${p}.writablePaths[${i}]`, message: `"${w}" is already mounted` });
    mounts.add(w);
  });

  if (s.ingressPath !== undefined && !s.ingressPath.startsWith('/')) out.push({ path: `${p}.ingressPath`, message: `must start with "/", got "${s.ingressPath}"` });
  if (s.ingressPort !== undefined && !portNames.has(s.ingressPort)) out.push({ path: `${p}.ingressPort`, message: `port "${s.ingressPort}" is not declared by service "${s.name}"` });
  if (s.ingressPath !== undefined && portNames.size === 0) out.push({ path: `${p}.ingressPath`, message: 'an exposed service needs at least one port' });
  if (s.role === 'database' && portNames.size === 0) out.push({ path: `${p}.ports`, message: 'a database needs a port: it becomes a StatefulSet with a headless Service' });
  if (s.user && (s.user.uid === 0 || s.user.gid === 0)) out.push({ path: `${p}.user`, message: 'uid and gid must not be 0: every pod runs as non-root' });
  (s.dev?.mounts ?? []).forEach((m, i) => {
    if (!m.target.startsWith('/')) out.push({ path: `${p}.dev.mounts[${i}].target`, message: `"${m.target}" is not an absolute path` });
    if (m.source.startsWith('/')) out.push({ path: `${p}.dev.mounts[${i}].source`, message: `"${m.source}" must be relative to the repo root so the file works on every machine` });
  });
}

function checkEnvironments(spec: StackSpec, names: Set<string>, out: SpecIssue[]): void {
  const hasIngressService = spec.services.some((s) => s.ingressPath !== undefined);
  for (const [envName, env] of Object.entries(spec.environments)) {
    const p = `environments.${envName}`;
    dnsLabel(envName, p, 'environment name', out);
    if (env.namespace !== undefined) dnsLabel(env.namespace, `${p}.namespace`, 'namespace', out);
    if (env.registry !== undefined && /^[a-z]+:\/\//.test(env.registry)) {
      out.push({ path: `${p}.registry`, message: `"${env.registry}" must be a registry prefix without a scheme, e.g. "registry.example.com/team"` });
    }
    if (env.ingress && !hasIngressService) out.push({ path: `${p}.ingress`, message: 'no service sets ingressPath, so the ingress would route nothing' });
    if (env.target === 'compose' && (env.ingress || env.podDisruptionBudgets)) {
      out.push({ path: p, message: 'ingress and podDisruptionBudgets are Kubernetes settings; a compose environment cannot use them' });
    }
    if (env.target === 'kubernetes' && env.allowFloatingTags) {
      out.push({ path: `${p}.allowFloatingTags`, message: 'the policy gate (image-tag) rejects floating tags in Kubernetes output; allow them only in compose environments' });
    }
    for (const f of ['namespace', 'imagePullPolicy'] as const) {
      if (env.target === 'compose' && env[f] !== undefined) out.push({ path: `${p}.${f}`, message: `a Kubernetes setting; compose environment "${envName}" cannot use it` });
    }
    if (env.patches?.compose && env.target !== 'compose') out.push({ path: `${p}.patches.compose`, message: `environment "${envName}" targets ${env.target}; compose patches apply only to compose environments` });
    if (env.patches?.kubernetes && env.target !== 'kubernetes') out.push({ path: `${p}.patches.kubernetes`, message: `environment "${envName}" targets ${env.target}; Kubernetes patches apply only to Kubernetes environments` });
    for (const [svc, extra] of Object.entries(env.patches?.compose ?? {})) {
      if (!names.has(svc)) out.push({ path: `${p}.patches.compose.${svc}`, message: `unknown service "${svc}" (services: ${[...names].join(', ')})` });
      for (const key of Object.keys(extra)) {
        if (HARDENING_KEYS.has(key)) out.push({ path: `${p}.patches.compose.${svc}.${key}`, message: `would undo the hardening every container gets (the gate's rules for Kubernetes output); set it through the spec (user, readOnlyRootFilesystem) or not at all` });
      }
    }
    (env.patches?.kubernetes ?? []).forEach((k, i) => {
      if (!k.patch.length) out.push({ path: `${p}.patches.kubernetes[${i}].patch`, message: 'an empty patch changes nothing; remove it' });
      k.patch.forEach((op, j) => {
        if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && op.value === undefined) out.push({ path: `${p}.patches.kubernetes[${i}].patch[${j}].value`, message: `"${op.op}" needs a value` });
        if ((op.op === 'copy' || op.op === 'move') && op.from === undefined) out.push({ path: `${p}.patches.kubernetes[${i}].patch[${j}].from`, message: `"${op.op}" needs from` });
      });
    });
    const hostPorts = new Map<number, string>();
    for (const s of spec.services) {
      for (const port of s.ports ?? []) {
        if (port.hostPort === undefined || env.target !== 'compose') continue;
        const other = hostPorts.get(port.hostPort);
        if (other) out.push({ path: `services.${s.name}.ports`, message: `host port ${port.hostPort} clashes with service "${other}"` });
        hostPorts.set(port.hostPort, s.name);
      }
    }
    for (const [svc, o] of Object.entries(env.services ?? {})) {
      const sp = `${p}.services.${svc}`;
      if (!names.has(svc)) {
        out.push({ path: sp, message: `unknown service "${svc}" (services: ${[...names].join(', ')})` });
        continue;
      }
      const service = spec.services.find((s) => s.name === svc)!;
      if (o.replicas !== undefined && o.replicas < 0) out.push({ path: `${sp}.replicas`, message: `must be 0 or more, got ${o.replicas}` });
      if (service.job && (o.replicas !== undefined || o.autoscaling)) out.push({ path: sp, message: 'a job runs once; replicas and autoscaling do not apply' });
      if (o.image !== undefined && !env.allowFloatingTags && !isPinnedImage(o.image)) out.push({ path: `${sp}.image`, message: `image "${o.image}" is untagged or :latest, which environment "${envName}" does not allow: pin a version tag or digest` });
      if (o.entrypoint && !o.entrypoint.length) out.push({ path: `${sp}.entrypoint`, message: 'an empty entrypoint would clear the image ENTRYPOINT; omit the field to keep it' });
      checkHostAddress(o.hostAddress, service, `${sp}.hostAddress`, out);
      if (o.hostAddress !== undefined && !(service.ports ?? []).some((port) => port.hostPort !== undefined)) out.push({ path: `${sp}.hostAddress`, message: `service "${svc}" publishes no port (set ports[].hostPort)` });
      checkMetadata(o.labels, `${sp}.labels`, true, out);
      checkMetadata(o.annotations, `${sp}.annotations`, false, out);
      for (const [name, ref] of Object.entries(o.secrets ?? {})) {
        if (!ENV_NAME.test(name)) out.push({ path: `${sp}.secrets.${name}`, message: 'is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)' });
        if (!DNS_SUBDOMAIN.test(ref.secret)) out.push({ path: `${sp}.secrets.${name}.secret`, message: `secret name "${ref.secret}" is not a DNS-1123 subdomain` });
        if (service.env?.[name] !== undefined || o.env?.[name] !== undefined) out.push({ path: `${sp}.secrets.${name}`, message: `is also plain env of service "${svc}": a variable is either plain or a secret` });
      }
      if (o.autoscaling) {
        const a = o.autoscaling;
        if (a.minReplicas < 1) out.push({ path: `${sp}.autoscaling.minReplicas`, message: `must be at least 1, got ${a.minReplicas}` });
        if (a.maxReplicas < a.minReplicas) out.push({ path: `${sp}.autoscaling.maxReplicas`, message: `${a.maxReplicas} is below minReplicas ${a.minReplicas}` });
        if (env.target === 'compose') out.push({ path: `${sp}.autoscaling`, message: 'compose cannot autoscale; set autoscaling only in Kubernetes environments' });
      }
      checkRange(o.resources?.cpuMillis, `${sp}.resources.cpuMillis`, out);
      checkRange(o.resources?.memoryMiB, `${sp}.resources.memoryMiB`, out);
      for (const [name, value] of Object.entries(o.env ?? {})) {
        if (service.secrets?.[name]) out.push({ path: `${sp}.env.${name}`, message: `is a secret of service "${svc}"; it cannot be overridden with a plain value` });
        else checkPlainValue(name, value, `${sp}.env.${name}`, `move it to ${sp}.secrets as a reference to a secret key`, out);
      }
      for (const vol of Object.keys(o.volumeSizeGiB ?? {})) {
        if (!service.volumes?.some((v) => v.name === vol)) out.push({ path: `${sp}.volumeSizeGiB.${vol}`, message: `service "${svc}" has no volume "${vol}"` });
      }
    }
  }
  checkGates(spec, out);
  checkSecretVariables(spec, out);
  for (const [from, to] of Object.entries(spec.imageMirrors ?? {})) {
    if (!isPinnedImage(to)) out.push({ path: `imageMirrors.${from}`, message: `mirror "${to}" is untagged or :latest: pin a version tag` });
  }
}

/** Rules of the policy gate that a spec can break by itself, checked here so a valid spec passes the gate. */
function checkGates(spec: StackSpec, out: SpecIssue[]): void {
  for (const [envName, env] of Object.entries(spec.environments)) {
    if (env.target !== 'kubernetes' || env.podDisruptionBudgets) continue;
    for (const s of spec.services) {
      if (s.job || waives(s, 'pod-disruption-budget')) continue;
      const o = env.services?.[s.name];
      const n = Math.max(o?.autoscaling?.minReplicas ?? 0, o?.replicas ?? s.replicas ?? 1);
      if (n > 1) {
        out.push({ path: `environments.${envName}.podDisruptionBudgets`, message: `service "${s.name}" runs ${n} replicas, and the policy gate (pod-disruption-budget) wants a PodDisruptionBudget for it; fix: set podDisruptionBudgets: true` });
      }
    }
  }
}

/** Compose carries each secret key in one host variable; two keys must never share one. */
function checkSecretVariables(spec: StackSpec, out: SpecIssue[]): void {
  const seen = new Map<string, { ref: string; path: string }>();
  const visit = (ref: { secret: string; key: string }, path: string) => {
    const v = secretVariable(ref);
    const id = `${ref.secret}/${ref.key}`;
    const other = seen.get(v);
    if (!other) seen.set(v, { ref: id, path });
    else if (other.ref !== id) out.push({ path, message: `secret ${id} and secret ${other.ref} (${other.path}) both map to the compose variable ${v}; fix: rename a secret or key so they differ in more than '-' and '_'` });
  };
  for (const s of spec.services) {
    for (const [n, r] of Object.entries(s.secrets ?? {})) visit(r, `services.${s.name}.secrets.${n}`);
    (s.files ?? []).forEach((f, i) => f.secret && visit(f.secret, `services.${s.name}.files[${i}].secret`));
  }
  for (const [e, env] of Object.entries(spec.environments)) {
    for (const [svc, o] of Object.entries(env.services ?? {})) for (const [n, r] of Object.entries(o.secrets ?? {})) visit(r, `environments.${e}.services.${svc}.secrets.${n}`);
  }
}

/** Phase 2: meaning. Assumes the shape is right. */
export function validateMeaning(spec: StackSpec): SpecIssue[] {
  const out: SpecIssue[] = [];
  dnsLabel(spec.name, 'name', 'stack name', out);
  const names = new Set<string>();
  spec.services.forEach((s, i) => {
    dnsLabel(s.name, `services[${i}].name`, 'service name', out);
    if (names.has(s.name)) out.push({ path: `services[${i}].name`, message: `duplicate service name "${s.name}"` });
    names.add(s.name);
  });
  if (spec.services.length === 0) out.push({ path: 'services', message: 'a stack needs at least one service' });
  for (const s of spec.services) checkService(s, spec, names, out);
  for (const cycle of findCycles(spec.services)) {
    out.push({ path: `services.${cycle[0]}.dependsOn`, message: `dependency cycle: ${cycle.join(' -> ')}` });
  }
  checkEnvironments(spec, names, out);
  return out;
}

/** Every problem in the spec, shape first; empty when valid. */
export function validate(spec: unknown): SpecIssue[] {
  const shape = validateShape(spec);
  if (shape.length) return shape;
  return validateMeaning(spec as StackSpec);
}

/** Throws a SpecValidationError listing every problem. */
export function assertValid(spec: unknown): asserts spec is StackSpec {
  const issues = validate(spec);
  if (issues.length) throw new SpecValidationError(issues);
}
