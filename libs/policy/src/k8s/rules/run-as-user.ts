import type { Violation } from '../../core/types';
import type { K8sRule } from '../rule';
import { violation } from '../model';
import { containers, containerName, podTemplates } from '../pods';

const id = 'pss-run-as-user';
const FIX = 'fix: use a non-zero uid (the image USER, e.g. 1000)';

export const runAsUser: K8sRule = {
  id,
  description: 'Pod Security restricted: runAsUser is never 0',
  check: (objects) =>
    podTemplates(objects).flatMap((t) => {
      const out: Violation[] = [];
      if (t.spec.securityContext?.runAsUser === 0) {
        out.push(violation(id, t.owner, `${t.specPath}.securityContext.runAsUser`, `pod runs as uid 0; ${FIX}`));
      }
      for (const ref of containers(t)) {
        if (ref.container.securityContext?.runAsUser === 0) {
          out.push(violation(id, t.owner, `${ref.path}.securityContext.runAsUser`,
            `container ${containerName(ref)} runs as uid 0; ${FIX}`));
        }
      }
      return out;
    }),
};
