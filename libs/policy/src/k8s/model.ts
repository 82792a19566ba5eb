import { dirname } from 'node:path';
import type { Violation } from '../core/types';

/** One document from a manifest file, with where it came from for messages. */
export interface K8sObject {
  readonly file: string;
  /** Directory of the file: one directory is one `kubectl apply -f` set (dist/k8s/<env>), never mixed with another. */
  readonly scope: string;
  readonly kind: string;
  readonly name: string;
  /** `-` for cluster-scoped kinds; `default` when a namespaced object omits it, as kubectl would. */
  readonly namespace: string;
  readonly doc: Record<string, any>;
}

const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume',
  'StorageClass', 'PriorityClass', 'IngressClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
]);

export function toK8sObject(file: string, doc: Record<string, any>): K8sObject {
  const kind = String(doc.kind);
  const namespace = CLUSTER_SCOPED.has(kind) ? '-' : String(doc.metadata?.namespace ?? 'default');
  return { file, scope: dirname(file), kind, name: String(doc.metadata?.name ?? '<unnamed>'), namespace, doc };
}

/** Same namespace of the same deployment set: the only objects that can select or guard each other. */
export function sameNamespace(a: K8sObject, b: K8sObject): boolean {
  return a.namespace === b.namespace && a.scope === b.scope;
}

export function objectRef(o: K8sObject): string {
  return `${o.kind}/${o.namespace}/${o.name}`;
}

export function violation(rule: string, o: K8sObject, path: string, problem: string): Violation {
  return { rule, object: objectRef(o), message: `${o.file}: ${objectRef(o)} ${path}: ${problem}` };
}
