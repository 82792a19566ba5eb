import { repoPathIssues } from '@todo/build-inputs';
import { MAX_SPEC_BYTES, SpecValidationError, todoStack, validate, type SpecIssue, type StackSpec } from '@todo/service-spec';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ProblemError, shown, UsageError } from './args';

/** A spec file that cannot be read as data: the message names file, line and column. */
export class SpecParseError extends ProblemError {}

function lineColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}

/** Fails only where the prefix itself is wrong, not merely cut short. */
function failsBeforeEnd(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (e) {
    const msg = (e as Error).message;
    if (/end of JSON input|Unterminated string/.test(msg)) return false;
    const pos = /at position (\d+)/.exec(msg);
    return !pos || Number(pos[1]) < prefix.length;
  }
}

/**
 * JSON.parse's messages and positions differ between Node versions, so the error
 * offset is found directly: the shortest prefix that is wrong (not just unfinished).
 */
function jsonErrorOffset(text: string): number {
  let lo = 1;
  let hi = text.length;
  if (!failsBeforeEnd(text)) return text.trimEnd().length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsBeforeEnd(text.slice(0, mid))) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

function parseJson(file: string, text: string): unknown {
  try {
    const data: unknown = JSON.parse(text);
    // JSON.parse keeps the last of two equal keys and drops the first without a word; JSON is YAML, whose parser refuses them.
    const dup = parseDocument(text, { prettyErrors: false, uniqueKeys: true }).errors.find((e) => e.code === 'DUPLICATE_KEY');
    if (dup) {
      const at = dup.linePos?.[0] ?? lineColumn(text, dup.pos[0]);
      const key = /^"((?:[^"\\]|\\.)*)"/.exec(text.slice(dup.pos[0]))?.[1];
      throw new SpecParseError(`${file}:${at.line}:${at.col}: invalid JSON: key ${key === undefined ? '' : `"${key}" `}appears twice in one object, and only the last would count; fix: keep one`);
    }
    return data;
  } catch (e) {
    if (e instanceof SpecParseError) throw e;
    const at = lineColumn(text, jsonErrorOffset(text));
    const reason = (e as Error).message
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/ in JSON at position \d+/, '')
      .replace(/, (\.\.\.)?".*" is not valid JSON$/s, '');
    throw new SpecParseError(`${file}:${at.line}:${at.col}: invalid JSON: ${reason}`);
  }
}

/** Aliases a spec may expand: merge keys and shared blocks use a few; a "billion laughs" file needs thousands. */
const MAX_ALIAS_COUNT = 100;

function parseYaml(file: string, text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, merge: true });
  const first = doc.errors[0];
  if (first) {
    const at = first.linePos?.[0] ?? lineColumn(text, first.pos[0]);
    throw new SpecParseError(`${file}:${at.line}:${at.col}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // The yaml package throws a ReferenceError when aliases would expand the data exponentially.
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      throw new SpecParseError(`${file}: invalid YAML: too many alias expansions (aliases that expand aliases, more than ${MAX_ALIAS_COUNT}), which would blow the data up exponentially; fix: write the values out, or share fewer nested anchors`);
    }
    throw new SpecParseError(`${file}: invalid YAML: ${(e as Error).message}`);
  }
}

/** A spec is a description, not data: a file over the cap is refused before it is read. */
function checkSize(display: string, bytes: number, what = 'the spec file'): void {
  if (bytes > MAX_SPEC_BYTES) throw new SpecParseError(`${display}: ${what} is ${bytes} bytes, over the ${MAX_SPEC_BYTES}-byte (1 MiB) limit for a spec; fix: keep large content in repo files (files[].source) or the image`);
}

/**
 * A `.ts` spec runs through tools/run-ts.mjs (esbuild, cached): a generated entry
 * imports it and prints its `default` (or `spec`) export as JSON.
 */
function loadTs(file: string, repoRoot: string, display: string): unknown {
  const dir = join(repoRoot, 'tmp', 'spec-ts');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, `${createHash('sha256').update(file).digest('hex').slice(0, 16)}.ts`);
  const code = [
    `import * as m from ${JSON.stringify(file.replace(/\.ts$/, ''))};`,
    'const spec = (m as any).default ?? (m as any).spec;',
    "if (spec === undefined) { console.error('exports neither a default nor a `spec`'); process.exit(3); }",
    'process.stdout.write(JSON.stringify(spec));',
    '',
  ].join('\n');
  if (!existsSync(entry) || readFileSync(entry, 'utf8') !== code) writeFileSync(entry, code);
  const r = spawnSync(process.execPath, [join(repoRoot, 'tools', 'run-ts.mjs'), entry], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status === 3) throw new SpecParseError(`${file}: the module exports neither a default nor a \`spec\`; fix: \`export default spec\``);
  if (r.status !== 0) {
    const detail = r.stderr.split('\n').filter((l) => l.trim() && !l.includes(entry)).slice(0, 6).join('\n  ');
    throw new SpecParseError(`${file}: cannot load the TypeScript spec:\n  ${detail}`);
  }
  checkSize(display, Buffer.byteLength(r.stdout), 'the spec it exports');
  return JSON.parse(r.stdout);
}

/** Reads a spec file (any supported format) as plain data; nothing is validated yet. */
export function readSpecData(file: string, repoRoot: string, cwd: string = process.cwd()): unknown {
  if (!file) throw new UsageError('--spec: the file name is empty; give a .json, .yaml, .yml or .ts file');
  const path = resolve(cwd, file);
  const display = shown(path, cwd);
  if (!existsSync(path)) throw new UsageError(`--spec: ${file} does not exist`);
  if (statSync(path).isDirectory()) throw new UsageError(`--spec: ${file} is a directory; give the spec file inside it`);
  checkSize(display, statSync(path).size);
  if (path.endsWith('.ts')) return checkDepth(display, loadTs(path, repoRoot, display));
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.json')) return checkDepth(display, parseJson(display, text));
  if (/\.ya?ml$/.test(path)) return checkDepth(display, parseYaml(display, text));
  throw new UsageError(`--spec: ${file}: use a .json, .yaml, .yml or .ts file`);
}

/** A spec is a few levels deep; far deeper data is a mistake or an attack, and would exhaust the validators' stack. */
export const MAX_SPEC_DEPTH = 32;

function checkDepth(file: string, data: unknown): unknown {
  const stack: [unknown, number][] = [[data, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_SPEC_DEPTH) throw new SpecParseError(`${file}: the data is nested more than ${MAX_SPEC_DEPTH} levels deep; a spec needs far fewer: fix the brackets or indentation`);
    for (const c of Object.values(v)) stack.push([c, depth + 1]);
  }
  return data;
}

/**
 * Every problem of a spec, as `infra validate` reports them: shape and meaning
 * (pure: nothing in the spec is executed or read), then what needs the repo on
 * disk: build contexts and Dockerfiles exist, and contexts, file sources and dev
 * mounts stay inside the repository after symlinks are followed.
 */
export function validateSpec(data: unknown, repoRoot: string): SpecIssue[] {
  const issues = validate(data);
  return issues.length ? issues : repoPathIssues(data as StackSpec, repoRoot);
}

/** The spec to work on: the file given, validated in both phases, or the todo stack. */
export function loadSpec(file: string | undefined, repoRoot: string, cwd?: string): StackSpec {
  if (file === undefined) {
    const repo = repoPathIssues(todoStack, repoRoot);
    if (repo.length) throw new SpecValidationError(repo);
    return todoStack;
  }
  const data = readSpecData(file, repoRoot, cwd);
  const issues = validateSpec(data, repoRoot);
  if (issues.length) throw new SpecValidationError(issues);
  // `$schema` is for editors; the model never sees it.
  if (data && typeof data === 'object' && '$schema' in data) delete (data as Record<string, unknown>).$schema;
  return data as StackSpec;
}
