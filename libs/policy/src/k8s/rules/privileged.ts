import type { K8sRule } from '../rule';
import { violation } from '../model';
import { allContainers, containerName } from '../pods';

const id = 'pss-privileged';

export const privileged: K8sRule = {
  id,
  description: 'Pod Security restricted: no privileged containers',
  check: (objects) =>
    allContainers(objects)
      .filter((ref) => ref.container.securityContext?.privileged === true)
      .map((ref) =>
        violation(id, ref.template.owner, `${ref.path}.securityContext.privileged`,
          `container ${containerName(ref)} is privileged; fix: remove privileged: true`),
      ),
};
