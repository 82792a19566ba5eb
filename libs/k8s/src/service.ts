import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { selectorLabels, serviceLabels } from './labels';

/**
 * The Service clients reach a service by: a ClusterIP Service, whose virtual IP kube-proxy points
 * at the ready pods. A database gets it too, not only the headless Service its StatefulSet needs:
 * a headless name resolves to the pod's own address, which a replaced pod changes, and resolvers
 * keep the old one for the DNS TTL (30 s in upstream's and kubeadm's CoreDNS), so every client
 * would wait that long after each database restart.
 */
export function addService(scope: Construct, stack: ResolvedStack, s: ResolvedService): kplus.Service {
  return service(scope, 'service', s.name, stack, s, false);
}

/** The headless Service that governs a StatefulSet (stable pod DNS): `<name>-headless`. */
export function addHeadlessService(scope: Construct, stack: ResolvedStack, s: ResolvedService): kplus.Service {
  return service(scope, 'headless', `${s.name}-headless`, stack, s, true);
}

function service(scope: Construct, id: string, name: string, stack: ResolvedStack, s: ResolvedService, headless: boolean): kplus.Service {
  const svc = new kplus.Service(scope, id, {
    metadata: { name, labels: serviceLabels(stack, s) },
    type: kplus.ServiceType.CLUSTER_IP,
    clusterIP: headless ? 'None' : undefined,
    ports: s.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol === 'UDP' ? kplus.Protocol.UDP : kplus.Protocol.TCP })),
  });
  for (const [k, v] of Object.entries(selectorLabels(stack, s))) svc.selectLabel(k, v);
  return svc;
}
