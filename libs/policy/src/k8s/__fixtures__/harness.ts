import { join } from 'node:path';
import { parse } from 'yaml';
import { loadManifests } from '../load';
import { K8sObject, toK8sObject } from '../model';
import type { K8sRule } from '../rule';

export const GOOD_DIR = join(__dirname, 'good');

/** The realistic passing set, file names relative to it (e.g. `backend.yaml`). */
export function good(): K8sObject[] {
  return loadManifests(['.'], GOOD_DIR);
}

/** The good set with one object changed: a failing fixture differs from a passing one by exactly that change. */
export function withChange(ref: string, change: (doc: any) => void, objects = good()): K8sObject[] {
  let found = false;
  const out = objects.map((o) => {
    if (`${o.kind}/${o.namespace}/${o.name}` !== ref) return o;
    found = true;
    const doc = structuredClone(o.doc);
    change(doc);
    return toK8sObject(o.file, doc);
  });
  if (!found) throw new Error(`fixture has no ${ref}`);
  return out;
}

export function withExtra(file: string, yaml: string, objects = good()): K8sObject[] {
  return [...objects, toK8sObject(file, parse(yaml))];
}

export function without(ref: string, objects = good()): K8sObject[] {
  return objects.filter((o) => `${o.kind}/${o.namespace}/${o.name}` !== ref);
}

export function messages(rule: K8sRule, objects: readonly K8sObject[]): string[] {
  return rule.check(objects).map((v) => v.message);
}

export const BACKEND = 'Deployment/todo/backend';
export const POSTGRES = 'StatefulSet/todo/postgres';
export const MIGRATE = 'Job/todo/backend-migrate';
export const api = (doc: any) => doc.spec.template.spec.containers[0];
