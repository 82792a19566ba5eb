import type { ResolvedStack, TargetWarning } from '@todo/service-spec';
import { composeHealthCommand } from './health';
import { hasComposeHealthcheck } from './service';

/** What compose cannot state of a resolved stack. */
export function composeWarnings(stack: ResolvedStack): TargetWarning[] {
  const out: TargetWarning[] = [];
  const w = (path: string, message: string) => out.push({ target: 'compose', path, message });
  const byName = new Map(stack.services.map((s) => [s.name, s]));
  for (const s of stack.services) {
    const p = `services.${s.name}`;
    if (s.liveness && s.readiness && JSON.stringify(s.liveness) !== JSON.stringify(s.readiness)) {
      w(`${p}.health.liveness`, 'compose has one health check (the readiness check is used); an unhealthy container is reported, not restarted');
    }
    if (!s.job && !s.liveness && !s.readiness) w(`${p}.health`, 'no health check: dependents wait for the container to start, not for it to serve');
    else if (!s.job && !composeHealthCommand(s)) {
      const http = Boolean((s.readiness ?? s.liveness)!.http);
      w(`${p}.health.composeCommand`, `compose runs health checks inside the container, and an image with no known runtime has nothing to make the ${http ? 'HTTP' : 'TCP'} request: no compose health check, dependents wait for start; set runtime${http ? ', health.composeHttpClient (wget, curl or healthprobe in the image)' : ''} or health.composeCommand`);
    }
    for (const d of s.dependsOn) {
      if (d.condition === 'healthy' && !hasComposeHealthcheck(byName.get(d.service)!)) w(`${p}.dependsOn.${d.service}`, `waits for "${d.service}" to start, not to be healthy: compose has no health check for it`);
    }
    w(`${p}.resources.cpuMillis.request`, `compose reserves no CPU: ${s.resources.cpuMillis.request}m is not guaranteed, only the ${s.resources.cpuMillis.limit}m limit (cpus) applies`);
    if (s.replicas > 1) w(`${p}.replicas`, `${s.replicas} replicas: compose runs one container per service`);
    if (s.ingress) w(`${p}.ingressPath`, `no ingress in compose: "${s.ingress.path}" (port ${s.ingress.port}) is served through the published port instead`);
    if (s.startup) w(`${p}.health.startup`, `compose has no startup check: its ${s.startup.periodSeconds}s × ${s.startup.failureThreshold} become the health check's start_period`);
    for (const e of s.externalEgress) w(`${p}.externalEgress`, `egress to ${e.cidr} is not restricted: compose networks cannot limit outbound traffic`);
    for (const v of s.volumes) {
      w(`${p}.volumes.${v.name}.sizeGiB`, `${v.sizeGiB} GiB is not enforced: a named volume grows with the host disk`);
      if (v.storageClass !== undefined) w(`${p}.volumes.${v.name}.storageClass`, `storage class "${v.storageClass}" does not apply: a named volume uses the local driver`);
    }
    if (s.writablePaths.length) w(`${p}.writablePaths`, 'tmpfs mounts have no per-path size limit here (Kubernetes emptyDirs are limited to 256Mi)');
    if (s.job?.schedule !== undefined) {
      w(`${p}.job.schedule`, `compose cannot schedule "${s.job.schedule}": the job is in profile "scheduled-jobs", left out of \`up\`; run it with \`docker-compose run --rm ${s.name}\` (or from the host's cron)`);
    }
    if (s.job?.activeDeadlineSeconds !== undefined) w(`${p}.job.activeDeadlineSeconds`, `no deadline in compose: a run is not stopped after ${s.job.activeDeadlineSeconds}s`);
    if (Object.keys(s.annotations).length) w(`${p}.annotations`, 'compose has no annotations: they are written as container labels');
    if (s.profiles.length && !s.onRequest) {
      w(`${p}.profiles`, `environment "${stack.environment}" enables profile(s) ${s.profiles.filter((x) => stack.profiles.includes(x)).join(', ')}: written without \`profiles:\`, so \`up\` starts it like any other service`);
    }
  }
  for (const [svc, extra] of Object.entries(stack.patches.compose)) {
    w(`environments.${stack.environment}.patches.compose.${svc}`, `escape hatch: keys ${Object.keys(extra).sort().join(', ')} are set on the compose service as written`);
  }
  return out;
}
