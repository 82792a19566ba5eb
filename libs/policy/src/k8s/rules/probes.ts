import type { Violation } from '../../core/types';
import type { K8sRule } from '../rule';
import { violation } from '../model';
import { allContainers, ContainerRef, containerName } from '../pods';

const id = 'probes';

function probePort(probe: any): { field: string; port: unknown } | null {
  for (const field of ['httpGet', 'tcpSocket', 'grpc']) {
    if (probe[field]) return { field, port: probe[field].port };
  }
  return null;
}

function checkProbe(ref: ContainerRef, kind: 'livenessProbe' | 'readinessProbe'): Violation[] {
  const owner = ref.template.owner;
  const probe = ref.container[kind];
  if (!probe) {
    return [violation(id, owner, `${ref.path}.${kind}`,
      `container ${containerName(ref)} has no ${kind}; fix: add an httpGet, tcpSocket or exec ${kind}`)];
  }
  const target = probePort(probe);
  if (!target) return [];
  const ports: any[] = Array.isArray(ref.container.ports) ? ref.container.ports : [];
  const declared = typeof target.port === 'number'
    ? ports.some((p) => p.containerPort === target.port)
    : ports.some((p) => p.name === target.port);
  if (declared) return [];
  return [violation(id, owner, `${ref.path}.${kind}.${target.field}.port`,
    `container ${containerName(ref)} probes port ${JSON.stringify(target.port)} which it does not declare; fix: probe a port listed in ports (by number or name)`)];
}

export const probes: K8sRule = {
  id,
  description: 'liveness and readiness probes on every long-running container, aimed at a declared port',
  check: (objects) =>
    allContainers(objects)
      // Native sidecars (init containers with restartPolicy: Always) run for the pod's life, so they need probes too.
      .filter((ref) => ref.template.longRunning && (!ref.init || ref.container.restartPolicy === 'Always'))
      .flatMap((ref) => [...checkProbe(ref, 'livenessProbe'), ...checkProbe(ref, 'readinessProbe')]),
};
