import { looksSecretVariable, secretValueKinds } from '../../core/secret-patterns';
import type { K8sRule } from '../rule';
import { violation } from '../model';
import { allContainers, containerName } from '../pods';

const id = 'env-secret-ref';

export const envSecretRef: K8sRule = {
  id,
  description: 'secret-looking env vars come from secretKeyRef, never a literal value',
  check: (objects) =>
    allContainers(objects).flatMap((ref) =>
      (Array.isArray(ref.container.env) ? ref.container.env : []).flatMap((env: any, i: number) => {
        const at = `${ref.path}.env[${i}]`;
        const value = typeof env.value === 'string' ? env.value : '';
        if (looksSecretVariable(String(env.name), env.valueFrom ? '' : value) && !env.valueFrom?.secretKeyRef) {
          const source = env.valueFrom ? 'a non-Secret source' : 'a literal value';
          return [violation(id, ref.template.owner, at,
            `container ${containerName(ref)} sets ${env.name} from ${source}; fix: use valueFrom.secretKeyRef`)];
        }
        const kinds = secretValueKinds(value);
        if (kinds.length === 0) return [];
        return [violation(id, ref.template.owner, `${at}.value`,
          `container ${containerName(ref)} env ${env.name} holds ${kinds.join(' and ')}; fix: move it to a Secret and use valueFrom.secretKeyRef`)];
      }),
    ),
};
