import type { K8sRule } from '../rule';
import { violation } from '../model';
import { allContainers, containerName } from '../pods';

const id = 'pss-host-ports';

export const hostPorts: K8sRule = {
  id,
  description: 'Pod Security restricted: no hostPort',
  check: (objects) =>
    allContainers(objects).flatMap((ref) =>
      (Array.isArray(ref.container.ports) ? ref.container.ports : [])
        .map((p: any, i: number) => ({ p, i }))
        .filter(({ p }) => p.hostPort !== undefined && p.hostPort !== 0)
        .map(({ p, i }) => violation(id, ref.template.owner, `${ref.path}.ports[${i}].hostPort`,
          `container ${containerName(ref)} binds node port ${p.hostPort}; fix: remove hostPort and expose it with a Service`)),
    ),
};
