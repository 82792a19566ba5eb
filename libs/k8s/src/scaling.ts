import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { selectorLabels, serviceLabels } from './labels';
import { workloadKind } from './workload';

/** HPA on CPU utilisation; the Deployment leaves replicas to it. */
export function addAutoscaler(scope: Construct, stack: ResolvedStack, s: ResolvedService): void {
  if (!s.autoscaling) return;
  new k8s.KubeHorizontalPodAutoscalerV2(scope, 'hpa', {
    metadata: { name: s.name, labels: serviceLabels(stack, s) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: workloadKind(s), name: s.name },
      minReplicas: s.autoscaling.minReplicas,
      maxReplicas: s.autoscaling.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: s.autoscaling.cpuUtilization } } }],
    },
  });
}

/** Keeps all but one replica up through voluntary disruptions (node drains, upgrades). */
export function addDisruptionBudget(scope: Construct, stack: ResolvedStack, s: ResolvedService): void {
  if (!s.podDisruptionBudget) return;
  new k8s.KubePodDisruptionBudget(scope, 'pdb', {
    metadata: { name: s.name, labels: serviceLabels(stack, s) },
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selectorLabels(stack, s) } },
  });
}
