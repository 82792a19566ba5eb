import { SpecValidationError, type JsonPatchOperation, type ResolvedStack, type SpecIssue } from '@todo/service-spec';
import type { ManifestFile } from './render';

const unescape = (t: string) => t.replace(/~1/g, '/').replace(/~0/g, '~');

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`"${path}" is not a JSON pointer (it must start with "/")`);
  return path.slice(1).split('/').map(unescape);
}

function parentOf(doc: unknown, tokens: string[], path: string): [any, string] {
  let node: any = doc;
  for (const t of tokens.slice(0, -1)) {
    if (node === null || typeof node !== 'object' || !(t in node)) throw new Error(`"${path}" does not exist in the rendered object`);
    node = node[t];
  }
  if (node === null || typeof node !== 'object') throw new Error(`"${path}" does not exist in the rendered object`);
  return [node, tokens[tokens.length - 1]];
}

function get(doc: unknown, path: string): unknown {
  const tokens = pointer(path);
  if (!tokens.length) return doc;
  const [parent, key] = parentOf(doc, tokens, path);
  if (!(key in parent)) throw new Error(`"${path}" does not exist in the rendered object`);
  return parent[key];
}

function add(doc: unknown, path: string, value: unknown): void {
  const [parent, key] = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new Error(`"${path}": index ${key} is outside the array`);
    parent.splice(i, 0, value);
  } else parent[key] = value;
}

function remove(doc: unknown, path: string): void {
  const [parent, key] = parentOf(doc, pointer(path), path);
  if (!(key in parent)) throw new Error(`"${path}" does not exist in the rendered object`);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
}

/** One RFC 6902 operation, strictly: a path that is not there is an error, never a silent no-op. */
export function applyOperation(doc: Record<string, unknown>, op: JsonPatchOperation): void {
  const clone = (v: unknown) => JSON.parse(JSON.stringify(v));
  switch (op.op) {
    case 'add':
      return add(doc, op.path, clone(op.value));
    case 'remove':
      return remove(doc, op.path);
    case 'replace':
      remove(doc, op.path);
      return add(doc, op.path, clone(op.value));
    case 'copy':
      return add(doc, op.path, clone(get(doc, op.from!)));
    case 'move': {
      const v = get(doc, op.from!);
      remove(doc, op.from!);
      return add(doc, op.path, v);
    }
    case 'test':
      if (JSON.stringify(get(doc, op.path)) !== JSON.stringify(op.value)) throw new Error(`test failed: "${op.path}" is not ${JSON.stringify(op.value)}`);
  }
}

/**
 * The escape hatch: the environment's JSON patches, applied to the rendered
 * objects by kind and name. A patch whose object or path no longer exists fails
 * with the spec path of the patch, so a spec change never leaves it silently unused.
 */
export function applyKubernetesPatches(stack: ResolvedStack, files: ManifestFile[]): ManifestFile[] {
  const problems: SpecIssue[] = [];
  const out = files.map((f) => ({ name: f.name, objects: f.objects.map((o) => JSON.parse(JSON.stringify(o)) as Record<string, any>) }));
  stack.patches.kubernetes.forEach((p, i) => {
    const at = `environments.${stack.environment}.patches.kubernetes[${i}]`;
    const target = out.flatMap((f) => f.objects).find((o) => o.kind === p.kind && o.metadata?.name === p.name);
    if (!target) return void problems.push({ path: at, message: `no ${p.kind} named "${p.name}" is rendered for environment "${stack.environment}"` });
    p.patch.forEach((op, j) => {
      try {
        applyOperation(target, op);
      } catch (e) {
        problems.push({ path: `${at}.patch[${j}]`, message: `${op.op} ${op.path} no longer applies: ${(e as Error).message}` });
      }
    });
  });
  if (problems.length) throw new SpecValidationError(problems);
  return out;
}
