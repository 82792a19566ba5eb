import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { SpecIssue } from './errors';
import schema from './spec.schema.json';

/**
 * Phase 1: shape. Specs come from JSON, YAML and TypeScript, so the types are
 * checked at run time before any meaning is read from them. The checks are the
 * JSON Schema generated from types.ts (scripts/generate-schema.mjs), so the two
 * cannot drift apart.
 */
export const specSchema: Readonly<Record<string, unknown>> = schema;

let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  // Compiled once per process, on first use: programs that never validate pay nothing.
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(schema);
  return compiled;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** A root-level list of named items (services, ...) is addressed by name once names are unique strings. */
function namedIndex(list: unknown[], i: number): string | undefined {
  const name = isObj(list[i]) ? list[i].name : undefined;
  if (typeof name !== 'string' || !name) return undefined;
  return list.filter((x) => isObj(x) && x.name === name).length === 1 ? name : undefined;
}

/** `/services/2/ports/0/port` -> `services.api.ports[0].port`: the same paths the meaning phase uses. */
export function specPath(pointer: string, spec: unknown): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = '';
  let node: unknown = spec;
  segments.forEach((seg, depth) => {
    if (Array.isArray(node)) {
      const name = depth === 1 ? namedIndex(node, Number(seg)) : undefined;
      path += name !== undefined ? `.${name}` : `[${seg}]`;
      node = node[Number(seg)];
    } else {
      path += /^[A-Za-z_$][\w$-]*$/.test(seg) ? `${path ? '.' : ''}${seg}` : `[${JSON.stringify(seg)}]`;
      node = isObj(node) ? node[seg] : undefined;
    }
  });
  return path.replace(/^\./, '');
}

const INT32_MAX = 2147483647;

/**
 * Kubernetes counts (replicas, ports, seconds, uids, sizes) are 32-bit integers.
 * JSON and YAML carry any size, and a larger one would only fail at apply time.
 */
export function hugeNumbers(data: unknown, spec: unknown = data, pointer = ''): SpecIssue[] {
  if (typeof data === 'number' && Math.abs(data) > INT32_MAX) {
    return [{ path: specPath(pointer, spec), message: `${data} is too large: Kubernetes numbers are 32-bit (at most ${INT32_MAX}); fix: use a realistic value` }];
  }
  if (Array.isArray(data)) return data.flatMap((v, i) => hugeNumbers(v, spec, `${pointer}/${i}`));
  // Patch values are Kubernetes/compose syntax checked after rendering, not spec numbers.
  if (isObj(data)) return Object.entries(data).flatMap(([k, v]) => (k === 'patches' ? [] : hugeNumbers(v, spec, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)));
  return [];
}

function variantName(s: any): string {
  if (s?.$ref) return String(s.$ref).split('/').pop()!;
  if (s?.enum) return s.enum.map((e: unknown) => JSON.stringify(e)).join(' | ');
  return TYPE_WORDS[s?.type] ?? 'a value';
}

function issueFor(e: ErrorObject, spec: unknown): SpecIssue {
  const at = (extra?: string) => {
    const p = specPath(e.instancePath, spec);
    const full = extra === undefined ? p : p ? `${p}.${extra}` : extra;
    return full || '(root)';
  };
  switch (e.keyword) {
    case 'required':
      return { path: at(e.params.missingProperty), message: 'is required' };
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as any)?.properties ?? {}).filter((k) => k !== '$schema');
      return { path: at(e.params.additionalProperty), message: `unknown field; expected one of: ${known.join(', ')}` };
    }
    case 'type': {
      const want = String(e.params.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(' or ');
      // NaN and Infinity (a TypeScript spec can hold them) are named as such, not as JSON's null.
      const got = typeof e.data === 'number' && !Number.isFinite(e.data) ? String(e.data) : typeof e.data === 'number' || typeof e.data === 'string' || typeof e.data === 'boolean' ? JSON.stringify(e.data) : typeName(e.data);
      return { path: at(), message: `must be ${want}, got ${got}` };
    }
    case 'enum':
      return { path: at(), message: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(e.data)}` };
    case 'const':
      return { path: at(), message: `must be ${JSON.stringify(e.params.allowedValue)}, got ${JSON.stringify(e.data)}` };
    case 'minLength':
      return { path: at(), message: 'must be a non-empty string, got an empty string' };
    case 'anyOf':
    case 'oneOf':
      return { path: at(), message: `must be one of these forms: ${((e.schema as any[]) ?? []).map(variantName).join('; ')}` };
    default:
      return { path: at(), message: e.message ?? `fails the schema rule "${e.keyword}"` };
  }
}

/** Reports every shape problem at once; services are named by name where names are usable. */
export function validateShape(spec: unknown): SpecIssue[] {
  const validate = schemaValidator();
  if (validate(spec)) return [];
  const errors = validate.errors ?? [];
  // An anyOf/oneOf mismatch is one problem: drop what each rejected variant said about the
  // value's type. When a variant of the value's type ($ref'd) names deeper problems, those are
  // the precise ones, and the union message goes.
  const unionErrors = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const unions = unionErrors.map((e) => `${e.schemaPath}/`);
  let kept = errors.filter((e) => !unions.some((u) => e.schemaPath.startsWith(u)));
  kept = kept.filter((e) => !(e.keyword === 'type' && unionErrors.some((u) => u.instancePath === e.instancePath)));
  kept = kept.filter((e) => !unionErrors.includes(e) || !kept.some((d) => d !== e && d.instancePath.startsWith(`${e.instancePath}/`)));
  // `role: 3` breaks both the type and the enum rule: the enum's message names the allowed values, so it alone stays.
  kept = kept.filter((e) => !(e.keyword === 'type' && kept.some((x) => x.keyword === 'enum' && x.instancePath === e.instancePath)));
  const seen = new Set<string>();
  const issues: SpecIssue[] = [];
  for (const e of kept) {
    const issue = issueFor(e, spec);
    const key = `${issue.path}\0${issue.message}`;
    if (!seen.has(key)) issues.push(issue);
    seen.add(key);
  }
  return issues;
}
