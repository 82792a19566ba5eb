import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { selectorLabels, stackLabels } from './labels';

type Port = k8s.NetworkPolicyPort;
const tcp = (port: number, protocol = 'TCP'): Port => ({ port: k8s.IntOrString.fromNumber(port), protocol });
const portsOf = (s: ResolvedService): Port[] => s.ports.map((p) => tcp(p.port, p.protocol));

/**
 * Default deny for the namespace, DNS for every pod, then one policy per
 * service that opens exactly the network edges (dependencies and talksTo) (plus the
 * ingress controller for exposed services and declared external egress).
 */
export function addNetworkPolicies(scope: Construct, stack: ResolvedStack): void {
  const labels = stackLabels(stack);
  new k8s.KubeNetworkPolicy(scope, 'default-deny', {
    metadata: { name: 'default-deny-all', labels },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  new k8s.KubeNetworkPolicy(scope, 'dns', {
    metadata: { name: 'allow-dns', labels },
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [tcp(53, 'UDP'), tcp(53)],
        },
      ],
    },
  });

  const byName = new Map(stack.services.map((s) => [s.name, s]));
  for (const s of stack.services) {
    const ingress: k8s.NetworkPolicyIngressRule[] = s.connectedFrom.map((d) => ({
      from: [{ podSelector: { matchLabels: selectorLabels(stack, byName.get(d)!) } }],
      ports: portsOf(s),
    }));
    if (s.ingress && stack.ingress) {
      ingress.push({
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': stack.ingress.controllerNamespace } } }],
        ports: [tcp(s.ingress.portNumber)],
      });
    }
    const egress: k8s.NetworkPolicyEgressRule[] = s.connectsTo.map((d) => ({
      to: [{ podSelector: { matchLabels: selectorLabels(stack, byName.get(d)!) } }],
      ports: portsOf(byName.get(d)!),
    }));
    // No ports: a rule without ports matches every port.
    for (const e of s.externalEgress) egress.push({ to: [{ ipBlock: { cidr: e.cidr } }], ...(e.ports.length && { ports: e.ports.map((p) => tcp(p)) }) });

    new k8s.KubeNetworkPolicy(scope, `allow-${s.name}`, {
      metadata: {
        name: `allow-${s.name}`,
        labels,
        ...(s.externalEgress.length && { annotations: { 'todo.dev/external-egress': s.externalEgress.map((e) => `${e.cidr}:${e.ports.length ? e.ports.join(',') : 'all ports'} for ${e.reason}`).join('; ') } }),
      },
      spec: {
        podSelector: { matchLabels: selectorLabels(stack, s) },
        policyTypes: ['Ingress', 'Egress'],
        ...(ingress.length && { ingress }),
        ...(egress.length && { egress }),
      },
    });
  }
}
