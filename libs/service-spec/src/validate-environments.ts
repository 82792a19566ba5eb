import type { SpecIssue } from './errors';
import { isPinnedImage } from './images';
import { secretVariable } from './secret-variables';
import type { StackSpec } from './types';
import { checkPatchHostAccess } from './validate-host-access';
import { checkImageRef, checkIngressHost, checkRegistry, checkReplicas, checkSize, SYSTEM_NAMESPACES } from './validate-limits';
import { checkHostAddress, checkMetadata, checkPlainValue, checkRange, DNS_SUBDOMAIN, dnsLabel, ENV_NAME, HARDENING_KEYS, waives } from './validate-rules';

export function checkEnvironments(spec: StackSpec, names: Set<string>, out: SpecIssue[]): void {
  const hasIngressService = spec.services.some((s) => s.ingressPath !== undefined);
  for (const [envName, env] of Object.entries(spec.environments)) {
    const p = `environments.${envName}`;
    dnsLabel(envName, p, 'environment name', out);
    if (env.namespace !== undefined) dnsLabel(env.namespace, `${p}.namespace`, 'namespace', out);
    const namespace = env.namespace ?? spec.name;
    if (env.target === 'kubernetes' && SYSTEM_NAMESPACES.has(namespace) && !env.allowSystemNamespace) {
      const given = env.namespace !== undefined ? `"${namespace}"` : `"${namespace}" (the stack name, used when namespace is not set)`;
      out.push({ path: `${p}.namespace`, message: `${given} is a Kubernetes system namespace (${[...SYSTEM_NAMESPACES].join(', ')}); the stack's objects and NetworkPolicies would mix with the cluster's own; fix: set namespace to the stack's own, or set allowSystemNamespace: true if you mean it` });
    }
    if (env.allowSystemNamespace !== undefined && env.target !== 'kubernetes') out.push({ path: `${p}.allowSystemNamespace`, message: `a Kubernetes setting; compose environment "${envName}" cannot use it` });
    if (env.registry !== undefined && /^[a-z]+:\/\//.test(env.registry)) {
      out.push({ path: `${p}.registry`, message: `"${env.registry}" must be a registry prefix without a scheme, e.g. "registry.example.com/team"` });
    } else if (env.registry !== undefined) checkRegistry(env.registry, `${p}.registry`, out);
    if (env.ingress) checkIngressHost(env.ingress.host, `${p}.ingress.host`, out);
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
    const hostAccess = checkPatchHostAccess(env.patches, p, out);
    for (const [svc, extra] of Object.entries(env.patches?.compose ?? {})) {
      if (!names.has(svc)) out.push({ path: `${p}.patches.compose.${svc}`, message: `unknown service "${svc}" (services: ${[...names].join(', ')})` });
      for (const key of Object.keys(extra)) {
        if (key === 'extends') out.push({ path: `${p}.patches.compose.${svc}.${key}`, message: 'would take settings from another service or file, past every check of the spec; fix: set the keys you need here' });
        else if (HARDENING_KEYS.has(key) && !hostAccess.has(`${svc}.${key}`)) out.push({ path: `${p}.patches.compose.${svc}.${key}`, message: `would undo the hardening every container gets (the gate's rules for Kubernetes output); set it through the spec (user, readOnlyRootFilesystem) or not at all` });
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
      checkReplicas(o.replicas, `${sp}.replicas`, out);
      if (service.job && (o.replicas !== undefined || o.autoscaling)) out.push({ path: sp, message: 'a job runs once; replicas and autoscaling do not apply' });
      if (o.image !== undefined) checkImageRef(o.image, `${sp}.image`, out);
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
        checkReplicas(a.minReplicas, `${sp}.autoscaling.minReplicas`, out, 1);
        checkReplicas(a.maxReplicas, `${sp}.autoscaling.maxReplicas`, out, 1);
        if (a.maxReplicas < a.minReplicas) out.push({ path: `${sp}.autoscaling.maxReplicas`, message: `${a.maxReplicas} is below minReplicas ${a.minReplicas}` });
        if (env.target === 'compose') out.push({ path: `${sp}.autoscaling`, message: 'compose cannot autoscale; set autoscaling only in Kubernetes environments' });
      }
      checkRange(o.resources?.cpuMillis, `${sp}.resources.cpuMillis`, out);
      checkRange(o.resources?.memoryMiB, `${sp}.resources.memoryMiB`, out);
      for (const [name, value] of Object.entries(o.env ?? {})) {
        if (service.secrets?.[name]) out.push({ path: `${sp}.env.${name}`, message: `is a secret of service "${svc}"; it cannot be overridden with a plain value` });
        else checkPlainValue(name, value, `${sp}.env.${name}`, `move it to ${sp}.secrets as a reference to a secret key`, out);
      }
      for (const [vol, size] of Object.entries(o.volumeSizeGiB ?? {})) {
        checkSize(size, `${sp}.volumeSizeGiB.${vol}`, out);
        if (!service.volumes?.some((v) => v.name === vol)) out.push({ path: `${sp}.volumeSizeGiB.${vol}`, message: `service "${svc}" has no volume "${vol}"` });
      }
    }
  }
  checkGates(spec, out);
  checkSecretVariables(spec, out);
  for (const [from, to] of Object.entries(spec.imageMirrors ?? {})) {
    checkImageRef(from, `imageMirrors.${from}`, out);
    checkImageRef(to, `imageMirrors.${from}`, out);
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
  // A secret file travels as the path of a host file: `<VARIABLE>_FILE`, which must not clash either.
  const visit = (ref: { secret: string; key: string; localDefault?: string }, path: string, asFile = false) => {
    // Compose reads `${VAR:-default}` up to the first `}` and has no escape for it: the rest would become part of the value.
    if (ref.localDefault?.includes('}')) out.push({ path: `${path}.localDefault`, message: 'contains "}", which compose cannot carry in a default value (it ends the default early); fix: use a local default without "}"' });
    const v = `${secretVariable(ref)}${asFile ? '_FILE' : ''}`;
    const id = `${ref.secret}/${ref.key}${asFile ? ' (as a file)' : ''}`;
    const other = seen.get(v);
    if (!other) seen.set(v, { ref: id, path });
    else if (other.ref !== id) out.push({ path, message: `secret ${id} and secret ${other.ref} (${other.path}) both map to the compose variable ${v}; fix: rename a secret or key so they differ in more than '-' and '_'` });
  };
  for (const s of spec.services) {
    for (const [n, r] of Object.entries(s.secrets ?? {})) visit(r, `services.${s.name}.secrets.${n}`);
    (s.files ?? []).forEach((f, i) => f.secret && visit(f.secret, `services.${s.name}.files[${i}].secret`, true));
  }
  for (const [e, env] of Object.entries(spec.environments)) {
    for (const [svc, o] of Object.entries(env.services ?? {})) for (const [n, r] of Object.entries(o.secrets ?? {})) visit(r, `environments.${e}.services.${svc}.secrets.${n}`);
  }
}
