import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { findRepoRoot } from '@todo/build-inputs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Output checked against the formats' own schemas: the Kubernetes OpenAPI
 * schema (kubernetes-models' compiled validators, plus a strict-keys pass) and
 * the official Compose Specification. The tests run them on every golden;
 * synth runs them on what an escape-hatch patch touched.
 */
const repoRoot = findRepoRoot();
// Works under jest (CommonJS) and the synth's ESM bundle alike.
const requireFromRoot = createRequire(join(repoRoot, 'package.json'));

export type KubeObject = Record<string, any> & { kind: string; apiVersion: string; metadata: { name: string; namespace?: string } };

const GROUP_NAMES: Record<string, string> = { '': 'Core', apps: 'Apps', 'networking.k8s.io': 'Networking', autoscaling: 'Autoscaling', policy: 'Policy', batch: 'Batch' };

/**
 * Validates an object against the Kubernetes OpenAPI schema (kubernetes-models'
 * compiled validators) and reports unknown keys too: the schemas allow extra
 * properties, so every key the validator never looked at is flagged, except
 * inside maps (labels, data), which the validator enumerates.
 */
export function validateKube(obj: KubeObject): string[] {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const id = `IoK8sApi${String(GROUP_NAMES[group])}${version[0].toUpperCase()}${version.slice(1)}${obj.kind}`;
  const { validate } = requireFromRoot(join(repoRoot, 'node_modules', 'kubernetes-models', '_schemas', `${id}.js`));
  const seen = new Set<string>();
  const enumerated = new Set<string>();
  const track = (o: any, path: string): any =>
    new Proxy(o, {
      get(t, k) {
        if (typeof k !== 'string') return t[k];
        seen.add(`${path}/${k}`);
        const v = t[k];
        return typeof v === 'object' && v !== null ? track(v, `${path}/${k}`) : v;
      },
      has(t, k) {
        if (typeof k === 'string') seen.add(`${path}/${k}`);
        return k in t;
      },
      ownKeys(t) {
        enumerated.add(path);
        return Reflect.ownKeys(t);
      },
    });
  const errors: string[] = [];
  if (!validate(track(obj, ''))) errors.push(...validate.errors.map((e: any) => `${e.instancePath} ${e.message}`));
  const walk = (o: any, path: string) => {
    if (typeof o !== 'object' || o === null) return;
    for (const k of Object.keys(o)) {
      const kp = `${path}/${k}`;
      if (!Array.isArray(o) && !enumerated.has(path) && !seen.has(kp)) errors.push(`${kp}: unknown field`);
      walk(o[k], kp);
    }
  };
  walk(obj, '');
  return errors;
}

let composeValidator: ReturnType<Ajv['compile']> | undefined;

/** Validates against the official Compose Specification schema (vendored in tools/schemas). */
export function validateComposeSchema(doc: unknown): string[] {
  if (!composeValidator) {
    // The schema names its draft-07 meta-schema by an https URL ajv does not know; the schema itself is plain draft-07.
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    addFormats(ajv);
    const schema = JSON.parse(readFileSync(join(repoRoot, 'tools', 'schemas', 'compose-spec.json'), 'utf8'));
    delete schema.$schema;
    composeValidator = ajv.compile(schema);
  }
  return composeValidator(doc) ? [] : (composeValidator.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

