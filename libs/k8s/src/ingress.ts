import type { ResolvedStack } from '@todo/service-spec';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { stackLabels } from './labels';

/** One Ingress for the stack: every exposed service at its path, longest prefix first. */
export function addIngress(scope: Construct, stack: ResolvedStack): void {
  if (!stack.ingress) return;
  const exposed = stack.services
    .filter((s) => s.ingress)
    .sort((a, b) => b.ingress!.path.length - a.ingress!.path.length || a.name.localeCompare(b.name));
  new k8s.KubeIngress(scope, 'ingress', {
    metadata: { name: stack.name, labels: stackLabels(stack) },
    spec: {
      ingressClassName: stack.ingress.className,
      ...(stack.ingress.tlsSecret && { tls: [{ hosts: [stack.ingress.host], secretName: stack.ingress.tlsSecret }] }),
      rules: [
        {
          host: stack.ingress.host,
          http: {
            paths: exposed.map((s) => ({
              path: s.ingress!.path,
              pathType: 'Prefix',
              backend: { service: { name: s.name, port: { number: s.ingress!.portNumber } } },
            })),
          },
        },
      ],
    },
  });
}
