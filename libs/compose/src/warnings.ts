import type { ResolvedStack, TargetWarning } from '@todo/service-spec';

/** What compose cannot state of a resolved stack. */
export function composeWarnings(stack: ResolvedStack): TargetWarning[] {
  const out: TargetWarning[] = [];
  const w = (path: string, message: string) => out.push({ target: 'compose', path, message });
  for (const s of stack.services) {
    const p = `services.${s.name}`;
    if (s.liveness && s.readiness && JSON.stringify(s.liveness) !== JSON.stringify(s.readiness)) {
      w(`${p}.health.liveness`, 'compose has one health check (the readiness check is used); an unhealthy container is reported, not restarted');
    }
    if (s.replicas > 1) w(`${p}.replicas`, `${s.replicas} replicas: compose runs one container per service`);
    if (s.ingress) w(`${p}.ingressPath`, `no ingress in compose: "${s.ingress.path}" is served through the published port instead`);
    for (const e of s.externalEgress) w(`${p}.externalEgress`, `egress to ${e.cidr} is not restricted: compose networks cannot limit outbound traffic`);
    for (const v of s.volumes) w(`${p}.volumes.${v.name}.sizeGiB`, `${v.sizeGiB} GiB is not enforced: a named volume grows with the host disk`);
    if (s.writablePaths.length) w(`${p}.writablePaths`, 'tmpfs mounts have no per-path size limit here (Kubernetes emptyDirs are limited to 256Mi)');
  }
  return out;
}
