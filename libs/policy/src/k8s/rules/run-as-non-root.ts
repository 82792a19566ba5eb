import type { K8sRule } from '../rule';
import { violation } from '../model';
import { allContainers, containerName } from '../pods';

const id = 'pss-run-as-non-root';

export const runAsNonRoot: K8sRule = {
  id,
  description: 'Pod Security restricted: runAsNonRoot true at pod or container level',
  check: (objects) =>
    allContainers(objects)
      .filter(({ template, container }) => {
        const own = container.securityContext?.runAsNonRoot;
        return own === undefined ? template.spec.securityContext?.runAsNonRoot !== true : own !== true;
      })
      .map((ref) =>
        violation(id, ref.template.owner, `${ref.path}.securityContext.runAsNonRoot`,
          `container ${containerName(ref)} may run as root; fix: set runAsNonRoot: true on the container or pod securityContext`),
      ),
};
