import { BACKEND, good, messages, withChange, withExtra, without } from './__fixtures__/harness';
import { toK8sObject } from './model';
import { networkPolicyDefaultDeny } from './rules/network-policy-default-deny';
import { podDisruptionBudget } from './rules/pod-disruption-budget';

describe('NetworkPolicy', () => {
  it('requires a default-deny in every namespace, reported on the Namespace object', () => {
    expect(messages(networkPolicyDefaultDeny, without('NetworkPolicy/todo/default-deny'))).toEqual([
      'namespace.yaml: Namespace/-/todo metadata.name: namespace todo has no default-deny NetworkPolicy; fix: add one with podSelector: {}, policyTypes: [Ingress] and no ingress rules',
    ]);
  });

  it('a select-all policy that allows ingress is not a default-deny', () => {
    const objs = withChange('NetworkPolicy/todo/default-deny', (d) => (d.spec.ingress = [{}]), without('Namespace/-/todo'));
    expect(messages(networkPolicyDefaultDeny, objs)).toEqual([
      'backend.yaml: Deployment/todo/backend metadata.namespace: namespace todo has no default-deny NetworkPolicy; fix: add one with podSelector: {}, policyTypes: [Ingress] and no ingress rules',
    ]);
  });
});

describe('PodDisruptionBudget', () => {
  it('requires one for a workload with replicas > 1', () => {
    expect(messages(podDisruptionBudget, without('PodDisruptionBudget/todo/backend'))).toEqual([
      'backend.yaml: Deployment/todo/backend spec.replicas: runs more than one replica but no PodDisruptionBudget selects its pods; fix: add a PodDisruptionBudget (e.g. maxUnavailable: 1) whose selector matches the pod labels',
    ]);
  });

  it('counts an HPA minReplicas > 1 as more than one replica', () => {
    const hpa = `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: postgres, namespace: todo }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: StatefulSet, name: postgres }
  minReplicas: 2
  maxReplicas: 3
`;
    expect(messages(podDisruptionBudget, withExtra('hpa.yaml', hpa))).toEqual([
      'postgres.yaml: StatefulSet/todo/postgres spec.replicas: runs more than one replica but no PodDisruptionBudget selects its pods; fix: add a PodDisruptionBudget (e.g. maxUnavailable: 1) whose selector matches the pod labels',
    ]);
  });

  it('never lets one manifest directory satisfy or trigger another (dist/k8s/<env>)', () => {
    const hpa = 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: postgres, namespace: todo }\n' +
      'spec: { scaleTargetRef: { kind: StatefulSet, name: postgres }, minReplicas: 2, maxReplicas: 3 }\n';
    const env = (name: string) => good().map((o) => toK8sObject(`${name}/${o.file}`, o.doc));
    const objs = [...env('minikube'), ...withExtra('production/hpa.yaml', hpa, env('production'))];
    expect(messages(podDisruptionBudget, objs).map((m) => m.split(':')[0])).toEqual(['production/postgres.yaml']);
    const noDeny = [...env('minikube'), ...without('NetworkPolicy/todo/default-deny', env('production'))];
    expect(messages(networkPolicyDefaultDeny, noDeny).map((m) => m.split(':')[0])).toEqual(['production/namespace.yaml']);
  });

  it('single-replica workloads and Jobs need none', () => {
    const objs = withChange(BACKEND, (d) => (d.spec.replicas = 1), without('PodDisruptionBudget/todo/backend'));
    expect(messages(podDisruptionBudget, objs)).toEqual([]);
  });
});
