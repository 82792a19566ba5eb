import type { K8sRule } from '../rule';
import { violation } from '../model';
import { podTemplates } from '../pods';

const id = 'pss-host-namespaces';

export const hostNamespaces: K8sRule = {
  id,
  description: 'Pod Security restricted: no hostNetwork, hostPID or hostIPC',
  check: (objects) =>
    podTemplates(objects).flatMap((t) =>
      (['hostNetwork', 'hostPID', 'hostIPC'] as const)
        .filter((field) => t.spec[field] === true)
        .map((field) => violation(id, t.owner, `${t.specPath}.${field}`,
          `pod shares the node's namespace; fix: remove ${field}: true`)),
    ),
};
