import { looksSecretVariable, secretValueKinds } from '../../core/secret-patterns';
import type { K8sRule } from '../rule';
import { violation } from '../model';

const id = 'configmap-no-secrets';

export const configMapSecrets: K8sRule = {
  id,
  description: 'ConfigMaps hold no secret-looking keys or values',
  check: (objects) =>
    objects
      .filter((o) => o.kind === 'ConfigMap')
      .flatMap((cm) =>
        Object.entries(cm.doc.data ?? {}).flatMap(([key, value]) => {
          if (looksSecretVariable(key, String(value))) {
            return [violation(id, cm, `data.${key}`, 'key looks like a secret; fix: move it to a Secret and reference it with secretKeyRef')];
          }
          const kinds = secretValueKinds(String(value));
          return kinds.length === 0 ? [] : [violation(id, cm, `data.${key}`,
            `value holds ${kinds.join(' and ')}; fix: move it to a Secret and reference it with secretKeyRef`)];
        }),
      ),
};
