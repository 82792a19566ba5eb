import type { ResolvedStack } from '@todo/service-spec';
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { addIngress } from './ingress';
import { stackLabels } from './labels';
import { addNetworkPolicies } from './network';
import { applyKubernetesPatches } from './patches';
import { addAutoscaler } from './autoscaling';
import { addDisruptionBudget } from './disruption-budget';
import { addConfigMap } from './env-config';
import { addHeadlessService, addService } from './service';
import { addWorkload, drainServingPods } from './workload';

/** One output file: its name in dist/k8s/<env>/ and its objects in apply order. */
export interface ManifestFile {
  readonly name: string;
  readonly objects: readonly Record<string, unknown>[];
}

/**
 * The stack as Kubernetes objects, one file per concern, numbered so that
 * `kubectl apply -f dir` creates the namespace first and dependencies before
 * their dependents. Pure: nothing is written.
 */
export function renderKubernetes(stack: ResolvedStack): ManifestFile[] {
  if (stack.target !== 'kubernetes') throw new Error(`environment "${stack.environment}" targets ${stack.target}, not kubernetes`);
  const charts: [string, Chart][] = [];
  // One App per chart: Chart.toJson() resolves and validates its whole App, so
  // a shared App would make synthesis quadratic in the number of services.
  // No object refers across files, so nothing is lost by keeping them apart.
  const chart = (file: string, namespaced = true) => {
    const c = new Chart(new App({ outdir: '/nonexistent' }), file, { namespace: namespaced ? stack.namespace : undefined, disableResourceNameHashes: true });
    charts.push([`${file}.yaml`, c]);
    return c;
  };

  // Zero-padded to one width, so any number of services sorts in apply order.
  const width = Math.max(2, String(20 + stack.services.length * 10).length);
  const prefix = (n: number) => String(n).padStart(width, '0');
  const ns = chart(`${prefix(0)}-namespace`, false);
  new k8s.KubeNamespace(ns, 'namespace', {
    metadata: {
      name: stack.namespace,
      labels: {
        ...stackLabels(stack),
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  });
  addNetworkPolicies(chart(`${prefix(10)}-network-policies`), stack);

  stack.services.forEach((s, i) => {
    const c = chart(`${prefix(20 + i * 10)}-${s.name}`);
    const configMap = addConfigMap(c, stack, s);
    // A Service needs ports; a worker without any is reached by nobody.
    if (s.ports.length) addService(c, stack, s);
    // A StatefulSet (a database) is governed by a headless Service of its own.
    const headless = s.ports.length && s.role === 'database' && !s.job ? addHeadlessService(c, stack, s) : undefined;
    addWorkload(c, stack, s, configMap, headless);
    addAutoscaler(c, stack, s);
    addDisruptionBudget(c, stack, s);
  });
  if (stack.ingress) addIngress(chart(`${prefix(20 + stack.services.length * 10)}-ingress`), stack);

  const files = charts.map(([name, c]) => ({ name, objects: c.toJson() }));
  for (const f of files) drainServingPods(stack, f.objects);
  return applyKubernetesPatches(stack, files);
}
