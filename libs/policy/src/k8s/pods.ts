import type { K8sObject } from './model';

export interface PodTemplate {
  readonly owner: K8sObject;
  /** Path of the pod spec inside the owner, e.g. `spec.template.spec`. */
  readonly specPath: string;
  readonly spec: Record<string, any>;
  readonly labels: Record<string, string>;
  /** Jobs and CronJobs run to completion: no probes expected. */
  readonly longRunning: boolean;
}

export interface ContainerRef {
  readonly template: PodTemplate;
  readonly path: string;
  readonly container: Record<string, any>;
  readonly init: boolean;
}

const TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

export const WORKLOAD_KINDS = Object.keys(TEMPLATE_PATHS);

export function podTemplates(objects: readonly K8sObject[]): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const owner of objects) {
    const path = TEMPLATE_PATHS[owner.kind];
    if (!path) continue;
    const template = path.reduce<any>((node, key) => node?.[key], owner.doc);
    out.push({
      owner,
      specPath: [...path, 'spec'].join('.'),
      spec: template?.spec ?? {},
      labels: template?.metadata?.labels ?? {},
      longRunning: owner.kind !== 'Job' && owner.kind !== 'CronJob',
    });
  }
  return out;
}

export function containers(template: PodTemplate): ContainerRef[] {
  const refs: ContainerRef[] = [];
  for (const field of ['initContainers', 'containers'] as const) {
    const list = template.spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((container, i) =>
      refs.push({ template, path: `${template.specPath}.${field}[${i}]`, container, init: field === 'initContainers' }),
    );
  }
  return refs;
}

export function allContainers(objects: readonly K8sObject[]): ContainerRef[] {
  return podTemplates(objects).flatMap(containers);
}

export function containerName(ref: ContainerRef): string {
  return JSON.stringify(String(ref.container.name ?? '<unnamed>'));
}
