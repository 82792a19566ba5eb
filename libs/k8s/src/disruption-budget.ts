import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { selectorLabels, serviceLabels } from './labels';

/** Keeps all but one replica up through voluntary disruptions (node drains, upgrades). */
export function addDisruptionBudget(scope: Construct, stack: ResolvedStack, s: ResolvedService): void {
  if (!s.podDisruptionBudget) return;
  new k8s.KubePodDisruptionBudget(scope, 'pdb', {
    metadata: { name: s.name, labels: serviceLabels(stack, s) },
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selectorLabels(stack, s) } },
  });
}
