import type { SpecIssue } from './errors';
import { isPinnedImage } from './images';
import { dependencyName, fileKey, hasHealthCheck } from './resolve-helpers';
import { secretValueKinds } from './secret-looking';
import type { ServiceSpec, StackSpec } from './types';
import { checkImageRef, checkReplicas, checkRepository, checkSize, checkUrlPath } from './validate-limits';
import { checkHostAddress, checkMetadata, checkPlainValue, checkProbe, checkRange, CRON, DNS_SUBDOMAIN, dnsLabel, ENV_NAME, WAIVABLE, waives } from './validate-rules';

export function findCycles(services: readonly ServiceSpec[]): string[][] {
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
export function checkService(s: ServiceSpec, spec: StackSpec, names: Set<string>, out: SpecIssue[]): void {
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
  if (s.image.ref !== undefined) checkImageRef(s.image.ref, `${p}.image.ref`, out);
  if (s.image.repository !== undefined) checkRepository(s.image.repository, `${p}.image.repository`, out);
  if (s.image.ref !== undefined) {
    const floatingIn = Object.entries(spec.environments).filter(([, e]) => !e.allowFloatingTags).map(([n]) => n);
    if (!isPinnedImage(s.image.ref) && floatingIn.length) {
      out.push({ path: `${p}.image.ref`, message: `image "${s.image.ref}" is untagged or :latest, which environments ${floatingIn.map((e) => `"${e}"`).join(', ')} do not allow: pin a version tag or digest` });
    }
  }
  // Docker receives the whole context: it stays inside the repo (symlinks, and the Dockerfile, are checked against the disk by the repo checks).
  const context = s.image.build?.context;
  if (context !== undefined && (context.startsWith('/') || context.split(/[\\/]/).includes('..'))) out.push({ path: `${p}.image.build.context`, message: `"${context}" must be a path inside the repo, relative to its root (no "..", not absolute)` });
  for (const [arg, base] of Object.entries(s.image.build?.baseImages ?? {})) {
    checkImageRef(base, `${p}.image.build.baseImages.${arg}`, out);
    if (!isPinnedImage(base)) out.push({ path: `${p}.image.build.baseImages.${arg}`, message: `base image "${base}" is untagged or :latest: pin a version tag` });
  }

  const byName = new Map(spec.services.map((x) => [x.name, x]));
  const hasKubernetes = Object.values(spec.environments).some((e) => e.target === 'kubernetes');
  // Kubernetes reaches a service through its Service, which needs a port; compose's network needs none.
  const noService = (d: string) => `Kubernetes gets no Service for "${d}", so its name does not resolve there; fix: add the port "${d}" listens on to services.${d}.ports`;
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
    else if (hasKubernetes && !target.job && !(target.ports ?? []).length) out.push({ path: dp, message: `"${s.name}" depends on "${d}", which declares no port: ${noService(d)}, or remove the dependency (Kubernetes has no start order)` });
  });
  (s.talksTo ?? []).forEach((d, i) => {
    const tp = `${p}.talksTo[${i}]`;
    if (d === s.name) out.push({ path: tp, message: 'a service reaches itself without a network edge' });
    else if (!names.has(d)) out.push({ path: tp, message: `unknown service "${d}" (services: ${[...names].join(', ')})` });
    else if (!(byName.get(d)!.ports ?? []).length) out.push({ path: tp, message: `"${s.name}" talks to "${d}", which declares no port, so there is nothing to open: ${noService(d)}, or remove "${d}" from talksTo` });
  });

  const h = s.health ?? {};
  checkProbe(h.liveness, `${p}.health.liveness`, portNames, s.name, out);
  checkProbe(h.readiness, `${p}.health.readiness`, portNames, s.name, out);
  checkProbe(h.startup, `${p}.health.startup`, portNames, s.name, out);
  if (h.composeCommand && !h.composeCommand.length) out.push({ path: `${p}.health.composeCommand`, message: 'must name a command; omit it to derive one' });
  if ((h.startup || h.composeCommand) && !hasHealthCheck(s)) out.push({ path: `${p}.health`, message: 'startup and composeCommand refine a liveness or readiness check; add one, or remove them' });
  if (h.composeHttpClient !== undefined && h.composeHttpClient !== 'runtime') {
    const cp = `${p}.health.composeHttpClient`;
    if (h.composeCommand) out.push({ path: cp, message: 'composeCommand already says what compose runs; remove one of the two' });
    else if (!h.readiness && !h.liveness) out.push({ path: cp, message: `${h.composeHttpClient} runs an HTTP check, and ${s.name} has no liveness or readiness probe; fix: add an http one, or remove composeHttpClient` });
    else if (!(h.readiness ?? h.liveness)!.http) out.push({ path: cp, message: `${h.composeHttpClient} only runs HTTP checks, and compose checks ${s.name} with its ${h.readiness ? 'readiness' : 'liveness'} probe, which is not HTTP; fix: remove composeHttpClient or make that probe http` });
  }

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
    // An object key the renderers cannot hold: assigning it changes the object's prototype instead.
    else if (name === '__proto__') out.push({ path: `${p}.env.${name}`, message: 'is a name this tool cannot carry (a JavaScript object cannot hold the key __proto__); fix: rename the variable' });
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
  if (s.readOnlyRootFilesystem === false && hasKubernetes && !waives(s, 'read-only-root-filesystem')) {
    out.push({ path: `${p}.readOnlyRootFilesystem`, message: 'the policy gate (read-only-root-filesystem) rejects a writable root filesystem; fix: keep it true and list the paths the process writes in writablePaths, or add gateWaivers: [{ rule: "read-only-root-filesystem", reason: "..." }]' });
  }
  if (!s.job && (s.ports ?? []).some((port) => port.hostAddress !== undefined && port.hostPort === undefined)) {
    out.push({ path: `${p}.ports`, message: 'hostAddress is set on a port that is not published; set hostPort too' });
  }
  (s.ports ?? []).forEach((port, i) => checkHostAddress(port.hostAddress, s, `${p}.ports[${i}].hostAddress`, out));

  checkRange(s.resources?.cpuMillis, `${p}.resources.cpuMillis`, out);
  checkRange(s.resources?.memoryMiB, `${p}.resources.memoryMiB`, out);
  checkReplicas(s.replicas, `${p}.replicas`, out);

  const mounts = new Set<string>();
  const volumeNames = new Map<string, number>();
  (s.volumes ?? []).forEach((v, i) => {
    dnsLabel(v.name, `${p}.volumes[${i}].name`, 'volume name', out);
    // One claim (Kubernetes) and one named volume (compose) per name: two would be one disk, or a clash.
    if (volumeNames.has(v.name)) out.push({ path: `${p}.volumes[${i}].name`, message: `"${v.name}" is also the name of volumes[${volumeNames.get(v.name)}]; fix: give each volume its own name` });
    else volumeNames.set(v.name, i);
    checkSize(v.sizeGiB, `${p}.volumes[${i}].sizeGiB`, out);
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
  const writable = new Map<string, string>();
  (s.writablePaths ?? []).forEach((w, i) => {
    const wp = `${p}.writablePaths[${i}]`;
    if (!w.startsWith('/')) out.push({ path: wp, message: `"${w}" is not an absolute path: writable paths become emptyDir/tmpfs mounts and need an absolute path such as "/${w.replace(/^\.?\/*/, '')}"` });
    else if (w.replace(/\/+$/, '') === '') out.push({ path: wp, message: 'the whole filesystem cannot be a writable mount (it would hide the image); list the directories the process writes, e.g. "/tmp"' });
    else if (checkUrlPath(w.replace(/\/+$/, ''), wp, out)) {
      // Kubernetes names each emptyDir after its path's letters and digits (libs/k8s writableVolumeName): paths equal
      // but for case or punctuation would be one volume, and a path inside another is already writable.
      const key = w.replace(/^\/+/, '').replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
      const nested = [...writable.keys()].find((o) => `${w}/`.startsWith(`${o.replace(/\/+$/, '')}/`) || `${o}/`.startsWith(`${w.replace(/\/+$/, '')}/`));
      const clash = [...writable.entries()].find(([, k]) => k === key);
      if (nested !== undefined) out.push({ path: wp, message: `"${w}" overlaps writable path "${nested}" (one holds the other); fix: keep only the outer one` });
      else if (clash) out.push({ path: wp, message: `"${w}" and writable path "${clash[0]}" differ only in case or punctuation, and would get the same volume name; fix: keep one` });
      writable.set(w, key);
    }
    if (mounts.has(w)) out.push({ path: wp, message: `"${w}" is already mounted` });
    mounts.add(w);
  });

  if (s.ingressPath !== undefined && !s.ingressPath.startsWith('/')) out.push({ path: `${p}.ingressPath`, message: `must start with "/", got "${s.ingressPath}"` });
  else if (s.ingressPath !== undefined && /[\s?#]/.test(s.ingressPath)) out.push({ path: `${p}.ingressPath`, message: `an ingress path is a plain URL path without spaces, "?" or "#", got ${JSON.stringify(s.ingressPath)}` });
  else if (s.ingressPath !== undefined) checkUrlPath(s.ingressPath, `${p}.ingressPath`, out);
  if (s.ingressPort !== undefined && !portNames.has(s.ingressPort)) out.push({ path: `${p}.ingressPort`, message: `port "${s.ingressPort}" is not declared by service "${s.name}"` });
  if (s.ingressPath !== undefined && portNames.size === 0) out.push({ path: `${p}.ingressPath`, message: 'an exposed service needs at least one port' });
  if (s.role === 'database' && portNames.size === 0) out.push({ path: `${p}.ports`, message: 'a database needs a port: it becomes a StatefulSet, reached through its Service (and governed by a headless one)' });
  if (s.user && (s.user.uid === 0 || s.user.gid === 0)) out.push({ path: `${p}.user`, message: 'uid and gid must not be 0: every pod runs as non-root' });
  (s.dev?.mounts ?? []).forEach((m, i) => {
    if (!m.target.startsWith('/')) out.push({ path: `${p}.dev.mounts[${i}].target`, message: `"${m.target}" is not an absolute path` });
    if (m.source.startsWith('/')) out.push({ path: `${p}.dev.mounts[${i}].source`, message: `"${m.source}" must be relative to the repo root so the file works on every machine` });
    else if (m.source.split(/[\\/]/).includes('..')) out.push({ path: `${p}.dev.mounts[${i}].source`, message: `"${m.source}" must be a path inside the repo (no "..")` });
  });
}
