import type { Violation } from '../core/types';

/** One document from a manifest file, with where it came from for messages. */
export interface K8sObject {
  readonly file: string;
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
  return { file, kind, name: String(doc.metadata?.name ?? '<unnamed>'), namespace, doc };
}

export function objectRef(o: K8sObject): string {
  return `${o.kind}/${o.namespace}/${o.name}`;
}

export function violation(rule: string, o: K8sObject, path: string, problem: string): Violation {
  return { rule, object: objectRef(o), message: `${o.file}: ${objectRef(o)} ${path}: ${problem}` };
}
