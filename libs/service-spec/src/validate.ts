import { SpecIssue, SpecValidationError } from './errors';
import { isPinnedImage } from './images';
import type { ProbeSpec, ServiceSpec, StackSpec } from './types';
import { validateShape } from './validate-shape';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

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

function checkRange(r: { request: number; limit: number } | undefined, path: string, out: SpecIssue[]): void {
  if (!r) return;
  if (r.request <= 0) out.push({ path: `${path}.request`, message: `must be positive, got ${r.request}` });
  if (r.limit < r.request) out.push({ path: `${path}.limit`, message: `limit ${r.limit} is below request ${r.request}` });
}

function findCycles(services: readonly ServiceSpec[]): string[][] {
  const deps = new Map(services.map((s) => [s.name, (s.dependsOn ?? []).filter((d) => services.some((o) => o.name === d))]));
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

  (s.dependsOn ?? []).forEach((d, i) => {
    if (d === s.name) out.push({ path: `${p}.dependsOn[${i}]`, message: 'a service cannot depend on itself' });
    else if (!names.has(d)) out.push({ path: `${p}.dependsOn[${i}]`, message: `unknown service "${d}" (services: ${[...names].join(', ')})` });
  });

  const h = s.health ?? {};
  checkProbe(h.liveness, `${p}.health.liveness`, portNames, s.name, out);
  checkProbe(h.readiness, `${p}.health.readiness`, portNames, s.name, out);
  checkProbe(h.startup, `${p}.health.startup`, portNames, s.name, out);
  if (!h.liveness && !h.readiness) out.push({ path: `${p}.health`, message: 'a long-running service needs a liveness or readiness check' });

  for (const name of Object.keys(s.env ?? {})) {
    if (!ENV_NAME.test(name)) out.push({ path: `${p}.env.${name}`, message: 'is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)' });
    if (s.secrets?.[name]) out.push({ path: `${p}.env.${name}`, message: `is also given as a secret (services.${s.name}.secrets.${name}): remove the plain value, secrets must never be plain env` });
  }
  for (const [name, ref] of Object.entries(s.secrets ?? {})) {
    if (!ENV_NAME.test(name)) out.push({ path: `${p}.secrets.${name}`, message: 'is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)' });
    if (!DNS_SUBDOMAIN.test(ref.secret)) out.push({ path: `${p}.secrets.${name}.secret`, message: `secret name "${ref.secret}" is not a DNS-1123 subdomain` });
  }

  checkRange(s.resources?.cpuMillis, `${p}.resources.cpuMillis`, out);
  checkRange(s.resources?.memoryMiB, `${p}.resources.memoryMiB`, out);
  if (s.replicas !== undefined && s.replicas < 0) out.push({ path: `${p}.replicas`, message: `must be 0 or more, got ${s.replicas}` });

  const mounts = new Set<string>();
  (s.volumes ?? []).forEach((v, i) => {
    dnsLabel(v.name, `${p}.volumes[${i}].name`, 'volume name', out);
    if (!v.mountPath.startsWith('/')) out.push({ path: `${p}.volumes[${i}].mountPath`, message: `"${v.mountPath}" is not an absolute path` });
    if (mounts.has(v.mountPath)) out.push({ path: `${p}.volumes[${i}].mountPath`, message: `"${v.mountPath}" is mounted twice` });
    mounts.add(v.mountPath);
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
      if (o.replicas !== undefined && o.replicas < 0) out.push({ path: `${sp}.replicas`, message: `must be 0 or more, got ${o.replicas}` });
      if (o.autoscaling) {
        const a = o.autoscaling;
        if (a.minReplicas < 1) out.push({ path: `${sp}.autoscaling.minReplicas`, message: `must be at least 1, got ${a.minReplicas}` });
        if (a.maxReplicas < a.minReplicas) out.push({ path: `${sp}.autoscaling.maxReplicas`, message: `${a.maxReplicas} is below minReplicas ${a.minReplicas}` });
        if (env.target === 'compose') out.push({ path: `${sp}.autoscaling`, message: 'compose cannot autoscale; set autoscaling only in Kubernetes environments' });
      }
      checkRange(o.resources?.cpuMillis, `${sp}.resources.cpuMillis`, out);
      checkRange(o.resources?.memoryMiB, `${sp}.resources.memoryMiB`, out);
      const service = spec.services.find((s) => s.name === svc);
      for (const name of Object.keys(o.env ?? {})) {
        if (service?.secrets?.[name]) out.push({ path: `${sp}.env.${name}`, message: `is a secret of service "${svc}"; it cannot be overridden with a plain value` });
      }
      for (const vol of Object.keys(o.volumeSizeGiB ?? {})) {
        if (!service?.volumes?.some((v) => v.name === vol)) out.push({ path: `${sp}.volumeSizeGiB.${vol}`, message: `service "${svc}" has no volume "${vol}"` });
      }
    }
  }
  for (const [from, to] of Object.entries(spec.imageMirrors ?? {})) {
    if (!isPinnedImage(to)) out.push({ path: `imageMirrors.${from}`, message: `mirror "${to}" is untagged or :latest: pin a version tag` });
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
