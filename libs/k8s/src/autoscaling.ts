import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { serviceLabels } from './labels';
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
