import type { K8sRule } from '../rule';
import { violation } from '../model';
import { allContainers, containerName } from '../pods';

const id = 'pss-seccomp';
const ALLOWED = new Set(['RuntimeDefault', 'Localhost']);

export const seccomp: K8sRule = {
  id,
  description: 'Pod Security restricted: seccompProfile RuntimeDefault or Localhost',
  check: (objects) =>
    allContainers(objects).flatMap((ref) => {
      const own = ref.container.securityContext?.seccompProfile?.type;
      const pod = ref.template.spec.securityContext?.seccompProfile?.type;
      const effective = own ?? pod;
      if (ALLOWED.has(effective)) return [];
      const path = own !== undefined ? `${ref.path}.securityContext.seccompProfile.type` : `${ref.template.specPath}.securityContext.seccompProfile.type`;
      const problem = effective === undefined ? 'has no seccompProfile' : `has seccompProfile ${effective}`;
      return [violation(id, ref.template.owner, path,
        `container ${containerName(ref)} ${problem}; fix: set seccompProfile.type: RuntimeDefault on the pod securityContext`)];
    }),
};
