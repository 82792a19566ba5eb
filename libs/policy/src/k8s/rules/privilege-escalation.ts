import type { K8sRule } from '../rule';
import { violation } from '../model';
import { allContainers, containerName } from '../pods';

const id = 'pss-allow-privilege-escalation';

export const privilegeEscalation: K8sRule = {
  id,
  description: 'Pod Security restricted: allowPrivilegeEscalation false on every container',
  check: (objects) =>
    allContainers(objects)
      .filter((ref) => ref.container.securityContext?.allowPrivilegeEscalation !== false)
      .map((ref) =>
        violation(id, ref.template.owner, `${ref.path}.securityContext.allowPrivilegeEscalation`,
          `container ${containerName(ref)} does not set allowPrivilegeEscalation: false; fix: set it to false`),
      ),
};
