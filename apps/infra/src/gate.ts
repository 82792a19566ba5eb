import { K8S_RULES, runRules, toK8sObject, type RunResult, type Violation, type Waiver } from '@todo/policy';
import { SpecValidationError, type ResolvedStack, type SpecIssue } from '@todo/service-spec';

/** The spec field a gate rule's violation comes from. */
const FIELD: Record<string, string> = {
  'read-only-root-filesystem': 'readOnlyRootFilesystem',
  probes: 'health',
  'pod-disruption-budget': 'replicas',
  resources: 'resources',
  'pss-run-as-user': 'user',
  'pss-run-as-non-root': 'user',
  'image-tag': 'image',
  'configmap-no-secrets': 'env',
  'env-secret-ref': 'secrets',
};

const objectName = (ref: string) => ref.split('/').pop()!;

/**
 * Waivers the spec itself states: each service's gateWaivers, and the probes
 * rule for a long-running service that declares no health check (the spec
 * makes health optional; the parity report names every such service).
 */
export function specWaivers(stack: ResolvedStack, kindOf: (name: string) => string): Waiver[] {
  const out: Waiver[] = [];
  for (const s of stack.services) {
    const object = `${kindOf(s.name)}/${stack.namespace}/${s.name}`;
    for (const w of s.gateWaivers) out.push({ rule: w.rule, object, reason: w.reason });
    if (!s.job && !s.liveness && !s.readiness) out.push({ rule: 'probes', object, reason: `services.${s.name}.health is not set: the spec declares no health check` });
  }
  return out;
}

/** The spec path that a violation on a rendered object traces back to. */
function specPath(stack: ResolvedStack, v: Violation): string {
  const name = objectName(v.object);
  const patched = stack.patches.kubernetes.findIndex((p) => v.object.startsWith(`${p.kind}/`) && p.name === name);
  if (patched >= 0) return `environments.${stack.environment}.patches.kubernetes[${patched}]`;
  // Exact names first, then the longest `<service>-` prefix (`app-worker` is not a part of `app`).
  const s =
    stack.services.find((x) => name === x.name || name === `allow-${x.name}`) ??
    [...stack.services].sort((a, b) => b.name.length - a.name.length).find((x) => name.startsWith(`${x.name}-`));
  if (!s) return `environments.${stack.environment}`;
  return `services.${s.name}${FIELD[v.rule] ? `.${FIELD[v.rule]}` : ''}`;
}

/**
 * Runs the policy gate on one environment's rendered manifests, in memory,
 * before anything is written: a spec that synthesizes passes the gate, and a
 * violation names the spec field that caused it. Returns what it found (the waived
 * violations too), which `infra policy` must find again in the written files.
 */
export function gateKubernetes(stack: ResolvedStack, files: readonly { path: string; objects: readonly object[] }[]): RunResult {
  // The objects the YAML is written from: parsing the YAML back cost most of a large synth.
  // `infra:policy` gates the written files themselves.
  const manifests = files.flatMap((f) => f.objects.map((o) => toK8sObject(f.path, o as Record<string, unknown>)));
  const kindOf = (name: string) => manifests.find((m) => m.name === name && ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(m.kind))?.kind ?? 'Deployment';
  const result = runRules(K8S_RULES, manifests, specWaivers(stack, kindOf));
  const issues: SpecIssue[] = result.outcomes.flatMap((o) =>
    o.violations.map((v) => ({ path: specPath(stack, v), message: `the policy gate rejects environment "${stack.environment}" (${v.rule}): ${v.message}` })),
  );
  if (issues.length) throw new SpecValidationError(issues);
  return result;
}
