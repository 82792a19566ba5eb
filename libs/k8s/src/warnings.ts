import type { ResolvedStack, TargetWarning } from '@todo/service-spec';

/** What the Kubernetes manifests cannot state of a resolved stack. */
export function kubernetesWarnings(stack: ResolvedStack): TargetWarning[] {
  const out: TargetWarning[] = [];
  const w = (path: string, message: string) => out.push({ target: 'kubernetes', path, message });
  for (const s of stack.services) {
    const p = `services.${s.name}`;
    s.ports.forEach((port, i) => {
      if (port.hostPort !== undefined) w(`${p}.ports[${i}].hostPort`, `host port ${port.hostPort} is not published: reach "${port.name}" through the Service, the ingress or kubectl port-forward`);
    });
    for (const ref of s.secrets) {
      if (ref.localDefault !== undefined) w(`${p}.secrets.${ref.name}.localDefault`, `never written: create secret "${ref.secret}" key "${ref.key}" in namespace "${stack.namespace}"`);
    }
    if (s.dev.mounts.length || s.dev.command) w(`${p}.dev`, 'development mounts and commands are compose-only');
    if (s.ingress && !stack.ingress) w(`${p}.ingressPath`, `environment "${stack.environment}" has no ingress host: "${s.ingress.path}" is only reachable inside the cluster`);
  }
  return out;
}
