import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { serviceLabels } from './labels';

/** Plain env as a ConfigMap; secrets never go here. */
export function addConfigMap(scope: Construct, stack: ResolvedStack, s: ResolvedService): kplus.ConfigMap | undefined {
  if (s.env.length === 0) return undefined;
  return new kplus.ConfigMap(scope, 'config', {
    metadata: { name: `${s.name}-env`, labels: serviceLabels(stack, s) },
    data: Object.fromEntries(s.env.map((e) => [e.name, e.value])),
  });
}
