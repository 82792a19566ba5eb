import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import { ApiObject, JsonPatch, type ApiObjectMetadata } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { serviceLabels } from './labels';

/** Keys an object already has: cdk8s-plus's ConfigMap refuses them as "already used" (`key in data`). */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * A ConfigMap holding exactly `entries`. An entry named like an Object property
 * (`constructor`, `toString`, `__proto__`: all valid variable and file names) is
 * added to the rendered object by a JSON patch, past cdk8s-plus's key check.
 */
export function configMapOf(scope: Construct, id: string, metadata: ApiObjectMetadata, entries: readonly (readonly [string, string])[]): kplus.ConfigMap {
  const cm = new kplus.ConfigMap(scope, id, { metadata, data: Object.fromEntries(entries.filter(([k]) => !INHERITED.has(k))) });
  const inherited = entries.filter(([k]) => INHERITED.has(k));
  if (inherited.length && inherited.length === entries.length) ApiObject.of(cm).addJsonPatch(JsonPatch.add('/data', {}));
  for (const [k, v] of inherited) ApiObject.of(cm).addJsonPatch(JsonPatch.add(`/data/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, v));
  return cm;
}

/** Plain env as a ConfigMap; secrets never go here. */
export function addConfigMap(scope: Construct, stack: ResolvedStack, s: ResolvedService): kplus.ConfigMap | undefined {
  if (s.env.length === 0) return undefined;
  return configMapOf(scope, 'config', { name: `${s.name}-env`, labels: serviceLabels(stack, s) }, s.env.map((e) => [e.name, e.value] as const));
}
