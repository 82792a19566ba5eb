import type { ResolvedStack, TargetWarning } from '@todo/service-spec';
import { workloadKind } from './workload';

/** What the Kubernetes manifests cannot state of a resolved stack. */
export function kubernetesWarnings(stack: ResolvedStack): TargetWarning[] {
  const out: TargetWarning[] = [];
  const w = (path: string, message: string) => out.push({ target: 'kubernetes', path, message });
  for (const s of stack.services) {
    const p = `services.${s.name}`;
    s.ports.forEach((port, i) => {
      if (port.hostPort !== undefined) w(`${p}.ports[${i}].hostPort`, `host port ${port.hostAddress}:${port.hostPort} is not published: reach "${port.name}" through the Service, the ingress or kubectl port-forward`);
    });
    for (const ref of s.secrets) {
      if (ref.localDefault !== undefined) w(`${p}.secrets.${ref.name}.localDefault`, `never written: create secret "${ref.secret}" key "${ref.key}" in namespace "${stack.namespace}"`);
    }
    if (s.dev.mounts.length || s.dev.command || s.dev.env.length) w(`${p}.dev`, `development ${[s.dev.mounts.length && 'mounts', s.dev.command && 'command', s.dev.env.length && 'env'].filter(Boolean).join(', ')} are compose-only`);
    if (s.ingress && !stack.ingress) w(`${p}.ingressPath`, `environment "${stack.environment}" has no ingress host: "${s.ingress.path}" is only reachable inside the cluster`);
    if (!s.job && !s.liveness && !s.readiness) w(`${p}.health`, 'no health check: no probes (the probes gate is waived for it), so traffic is routed as soon as the container starts and a hung process is not restarted');
    if (s.composeHealthCommand) w(`${p}.health.composeCommand`, 'compose-only: Kubernetes runs the probes themselves');
    if (s.composeHttpClient !== 'runtime') w(`${p}.health.composeHttpClient`, `compose-only: Kubernetes runs the probes themselves, not ${s.composeHttpClient}`);
    for (const d of s.dependsOn) {
      w(`${p}.dependsOn.${d.service}`, `Kubernetes has no start order: "${s.name}" starts alongside "${d.service}" instead of waiting for it to be ${d.condition}, and must retry until ${d.condition === 'completed' ? 'its work is done' : 'it answers'}`);
    }
    if (!s.job && s.restart !== 'always') w(`${p}.restart`, `"${s.restart}" does not apply: Kubernetes restarts every container of a ${s.role === 'database' ? 'StatefulSet' : 'Deployment'}`);
    for (const g of s.gateWaivers) w(`${p}.gateWaivers.${g.rule}`, `policy gate rule "${g.rule}" is waived: ${g.reason}`);
    if (s.onRequest) {
      const kind = workloadKind(s);
      const start = s.job
        ? `kubectl -n ${stack.namespace} patch ${kind.toLowerCase()} ${s.name} -p '{"spec":{"suspend":false}}'`
        : `kubectl -n ${stack.namespace} scale ${kind.toLowerCase()} ${s.name} --replicas=1`;
      w(`${p}.profiles`, `runs only with profile(s) ${s.profiles.join(', ')}, which environment "${stack.environment}" does not enable: Kubernetes has no profiles, so the ${kind} is written ${s.job ? 'suspended' : 'with replicas 0'} (compose: \`--profile ${s.profiles[0]}\`); start it with \`${start}\`, or enable the profile in environments.${stack.environment}.profiles`);
    }
  }
  stack.patches.kubernetes.forEach((k, i) => {
    w(`environments.${stack.environment}.patches.kubernetes[${i}]`, `escape hatch: ${k.patch.length} JSON patch operation(s) on ${k.kind} "${k.name}": ${k.patch.map((o) => `${o.op} ${o.path}`).join(', ')}`);
  });
  return out;
}
