import type { K8sRule } from '../rule';
import { violation } from '../model';
import { allContainers, containerName } from '../pods';

const id = 'resources';

export const resources: K8sRule = {
  id,
  description: 'cpu and memory requests and limits on every container',
  check: (objects) =>
    allContainers(objects).flatMap((ref) =>
      (['requests', 'limits'] as const).flatMap((bucket) =>
        (['cpu', 'memory'] as const)
          .filter((res) => ref.container.resources?.[bucket]?.[res] === undefined)
          .map((res) => violation(id, ref.template.owner, `${ref.path}.resources.${bucket}.${res}`,
            `container ${containerName(ref)} has no ${res} ${bucket.slice(0, -1)}; fix: set resources.${bucket}.${res}`)),
      ),
    ),
};
