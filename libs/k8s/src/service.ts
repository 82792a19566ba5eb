import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { selectorLabels, serviceLabels } from './labels';

/** A ClusterIP Service (headless for databases, which StatefulSets need for stable pod DNS). */
export function addService(scope: Construct, stack: ResolvedStack, s: ResolvedService): kplus.Service {
  const service = new kplus.Service(scope, 'service', {
    metadata: { name: s.name, labels: serviceLabels(stack, s) },
    type: kplus.ServiceType.CLUSTER_IP,
    clusterIP: s.role === 'database' ? 'None' : undefined,
    ports: s.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol === 'UDP' ? kplus.Protocol.UDP : kplus.Protocol.TCP })),
  });
  for (const [k, v] of Object.entries(selectorLabels(stack, s))) service.selectLabel(k, v);
  return service;
}
