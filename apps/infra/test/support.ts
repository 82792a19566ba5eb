import { todoStack, validate, type StackSpec } from '@todo/service-spec';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderOutputs, type OutputFile } from '../src/outputs';

export const repoRoot = join(__dirname, '..', '..', '..');

/** Fixed tags so golden files do not change with every source edit. */
export function fixtureTags(spec: StackSpec): Record<string, string> {
  return Object.fromEntries(spec.services.filter((s) => s.image.build).map((s) => [s.name, 'fixture00000']));
}

export function loadCase(name: string): StackSpec {
  if (name === 'todo') return todoStack;
  const spec = JSON.parse(readFileSync(join(__dirname, 'fixtures', name, 'spec.json'), 'utf8'));
  const issues = validate(spec);
  if (issues.length) throw new Error(`fixture ${name} is invalid: ${JSON.stringify(issues)}`);
  return spec;
}

export function renderCase(name: string): OutputFile[] {
  const spec = loadCase(name);
  return renderOutputs(spec, fixtureTags(spec)).files;
}

export type KubeObject = Record<string, any> & { kind: string; apiVersion: string; metadata: { name: string; namespace?: string } };

export function kubeObjects(files: readonly OutputFile[]): { file: string; object: KubeObject }[] {
  return files
    .filter((f) => f.path.startsWith('dist/k8s/'))
    .flatMap((f) => parseAllDocuments(f.content).map((d) => ({ file: f.path, object: d.toJS() as KubeObject })));
}

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
  const { validate } = require(join(repoRoot, 'node_modules', 'kubernetes-models', '_schemas', `${id}.js`));
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

/** Runs the real docker-compose (v1.29 here) on files; returns its normalised config. */
export function dockerComposeConfig(files: Record<string, string>, args: string[] = [], env: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'compose-'));
  try {
    const flags: string[] = [];
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(dir, name), content);
      flags.push('-f', join(dir, name));
    }
    return execFileSync('docker-compose', [...flags, '--project-directory', dir, 'config', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
