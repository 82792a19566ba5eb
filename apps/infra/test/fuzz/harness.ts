/**
 * A mutation fuzzer for the CLI: it takes valid inputs (specs, compose files,
 * command lines), breaks them in the ways users and attackers do, runs the real
 * `run()` of apps/infra/src/cli.ts in process, and checks the answer's form:
 * exit 0, 1 or 2; a message whenever it is not 0; never a stack trace.
 *
 * Every case runs in a sandbox workspace (its own nx.json, outside the real
 * repository), so whatever the CLI writes lands there. Cases come from a
 * seeded generator: a failure prints the seed and the case, and re-runs alike.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { run } from '../../src/cli';

/** mulberry32: small, fast, and the same sequence on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { [`k${i % 3}`]: v };
  return v;
}

/** Strings users and attackers put where a name, path, image, port or value belongs. */
export const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', '.', '..', '../..', '../../../etc/passwd', '/', '/etc/passwd', '/var/run/docker.sock', '/proc', '/sys/kernel',
  'a\u0000b', 'line\nbreak', 'tab\there', '\r\n', '\u202eevil', '🙂', 'ÅÄÖ', 'UPPER_case', '-leading', 'trailing-', 'a'.repeat(64), 'x'.repeat(300),
  '${X', '${X:-default}', '${X:?required}', '$$', '$(PORT)', '$$(PORT)', '$PORT', '{{ .Values.x }}', '%s%n', '<script>', "'; DROP TABLE x; --",
  'kube-system', 'default', 'kube-public', '*.evil..com', '*.example.com', 'a..b', '/../../x', '//double', '/a/./b', 'C:\\Windows', '~', '~/x',
  'nginx:latest', 'nginx@sha256:abc', 'UPPER/Image:tag', 'image:tag:tag', 'registry:5000/a/b:1', 'a'.repeat(300) + ':1', '127.0.0.1:80:80/udp', '8080-8090:80',
  '[::1]:80:80', '80:80/sctp', '65536', '0', '-1', '1e9', '0x10', '08', 'true', 'null', 'NaN', '100Mi', '0.5', '-5Gi', '999999999999999999999',
  'CMD-SHELL', 'NONE', 'ro', 'rw,z', './data:/data:ro', '/:/host', '/var/run/docker.sock:/var/run/docker.sock', 'named:/var/lib', 'tmpfs',
  // Compose interpolation, and the port and volume forms it feeds.
  '${A:-${B:-x}}', '${A:+alt}', '${A+alt}', '${A-d}', '${A?err}', '${A:?}', '$', '${', '${}', '${A', '${A:x}', '${1A}', 'a$', '$$${A}', '${A:-$$}', '${A:-${B:?nested}}',
  '${HTTP_PORT:-8080}:80', '${DATA_DIR:-.}/data:/data', 'postgres:${PG_VERSION:-latest}', '${NOPE}', '$NOPE/x', '${SECRET_KEY}', 'postgres://u:${DB_PASSWORD:-pw}@db/x',
  '8000-8002:8000-8002', '8000-9000:80', '8000-8002:8000-8001', '1-65535', '::1:8080:80', '[::1]:8080:80', '[::]:80:80', '127.0.0.1::80', '53:53/udp', '3000-3001/udp',
  '~/x:/x', '/data', 'data:/data:ro,z', 'data:/data:Z', 'data:/data:nocopy', './x:/x:rw', 'a:b:c:d', ':/x', 'C:\\data:/data', '/tmp:size=64m',
  '.env', 'missing.env', 'app.env', '../outside.env',
];

export const HOSTILE_VALUES: readonly unknown[] = [
  null, true, false, 0, -1, -5, 1.5, 1e9, 2 ** 53 + 1, -0, 65536, 70000, [], {}, [[]], [null], { '': '' }, { __proto__x: 1 },
  { constructor: 'x' }, { 'a.b': 1 }, deep(60), Array.from({ length: 50 }, (_, i) => `item${i}`),
];

export function hostile(r: Rand): unknown {
  // A copy: a mutation that later edits inside the value must not change the list.
  return r() < 0.65 ? pick(r, HOSTILE_STRINGS) : structuredClone(pick(r, HOSTILE_VALUES));
}

type Path = (string | number)[];

/** Every path to a value or key in a JSON-like tree, breadth first, capped. */
function paths(root: unknown, cap = 4000): Path[] {
  const out: Path[] = [];
  const queue: [unknown, Path][] = [[root, []]];
  while (queue.length && out.length < cap) {
    const [v, p] = queue.shift()!;
    if (p.length) out.push(p);
    if (Array.isArray(v)) v.forEach((c, i) => queue.push([c, [...p, i]]));
    else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) queue.push([c, [...p, k]]);
  }
  return out;
}

function parentOf(root: unknown, p: Path): Record<string | number, unknown> | unknown[] | undefined {
  let v: unknown = root;
  for (const k of p.slice(0, -1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v && typeof v === 'object' ? (v as Record<string | number, unknown>) : undefined;
}

/**
 * One to three mutations of a copy of `seed`: replace a value, delete a key or
 * element, rename a key, duplicate an element (a second service of the same
 * name), add an unknown key, or swap a value with one from elsewhere in the tree.
 */
export function mutate(seed: unknown, r: Rand, extraStrings: readonly string[] = []): unknown {
  const doc = structuredClone(seed);
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const all = paths(doc);
    if (!all.length) return hostile(r);
    const p = pick(r, all);
    const parent = parentOf(doc, p);
    if (!parent) continue;
    const key = p[p.length - 1];
    const value = () => (extraStrings.length && r() < 0.3 ? pick(r, extraStrings) : hostile(r));
    const op = r();
    if (op < 0.45) (parent as Record<string | number, unknown>)[key] = value();
    else if (op < 0.6) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, unknown>)[key];
    } else if (op < 0.7 && !Array.isArray(parent)) {
      const v = (parent as Record<string, unknown>)[key];
      delete (parent as Record<string, unknown>)[key];
      (parent as Record<string, unknown>)[String(pick(r, HOSTILE_STRINGS))] = v;
    } else if (op < 0.8 && Array.isArray(parent)) {
      // A near-copy: equal but for one string field, so names repeat where paths differ (and the reverse).
      const copy = structuredClone(parent[key as number]);
      if (copy && typeof copy === 'object' && !Array.isArray(copy) && r() < 0.6) {
        const strings = Object.entries(copy).filter(([, v]) => typeof v === 'string');
        if (strings.length) {
          const [k, v] = pick(r, strings);
          (copy as Record<string, unknown>)[k] = `${v as string}${pick(r, ['2', '-b', '/b'])}`;
        }
      }
      parent.push(copy);
    }
    else if (op < 0.9) {
      const target = (parent as Record<string | number, unknown>)[key];
      if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[pick(r, ['extra', 'hostPath', 'privileged', 'x-y', 'replicas'])] = value();
      else (parent as Record<string | number, unknown>)[key] = [target, value()];
    } else {
      const other = pick(r, all);
      const from = parentOf(doc, other);
      if (from) (parent as Record<string | number, unknown>)[key] = structuredClone((from as Record<string | number, unknown>)[other[other.length - 1]]);
    }
  }
  return doc;
}

/** Texts no tree mutation reaches: YAML-level attacks and broken encodings. */
export const HOSTILE_FILES: readonly (string | Buffer)[] = [
  '',
  '# only a comment\n',
  '---\n---\n',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n',
  'name: x\nname: y\n',
  'services: !!binary aGVsbG8=\n',
  'when: 2001-12-14t21:59:43.10-05:00\nservices: []\n',
  'a: !!js/function "function(){}"\n',
  'x: *undefined_alias\n',
  '\t- tab indented\n',
  '{"a": 1, "a": 2}',
  '{"unterminated": ',
  '[1, 2, 3]',
  '"just a string"',
  '42',
  'null',
  '\ufeffname: bom\n',
  Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28]),
  'a:\r\n  b: 1\r\n',
  `${'['.repeat(2000)}${']'.repeat(2000)}`,
  `services:\n${Array.from({ length: 300 }, (_, i) => `  - name: s${i}\n    image: nginx:1`).join('\n')}\n`,
];

/** Serialises a tree as a user might write it: JSON, or YAML of either style. */
export function serialise(doc: unknown, r: Rand, ext: string): string {
  if (ext === '.json') return JSON.stringify(doc, null, r() < 0.5 ? 2 : 0);
  return stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
}

export interface Answer {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** A sandbox workspace: an nx.json of its own, so the CLI writes nowhere else. */
export class Sandbox {
  readonly root: string;
  constructor(prefix = 'infra-fuzz-') {
    this.root = mkdtempSync(join(tmpdir(), prefix));
    writeFileSync(join(this.root, 'nx.json'), '{}\n');
  }
  write(rel: string, content: string | Buffer): string {
    const file = join(this.root, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content);
    return file;
  }
  /** Runs the CLI in process from `cwd` (relative to the sandbox). */
  run(argv: readonly string[], cwd = '.'): Answer {
    let out = '';
    let err = '';
    const code = run(argv, { cwd: join(this.root, cwd), out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    return { code, out, err };
  }
  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

const TRACE = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;

/** The form every answer must have; returns what is wrong, or undefined. */
export function badAnswer(a: Answer): string | undefined {
  if (![0, 1, 2].includes(a.code)) return `exit ${a.code}, not 0, 1 or 2`;
  if (a.code !== 0 && !a.err.trim()) return `exit ${a.code} with nothing on stderr`;
  const text = `${a.out}\n${a.err}`;
  if (TRACE.test(text)) return 'a stack trace';
  if (/^infra \S+ failed: /m.test(text)) return 'an unexpected internal error';
  if (/\b(TypeError|ReferenceError|RangeError|SyntaxError): /.test(a.err) && !/invalid (JSON|YAML)/.test(a.err)) return 'a JavaScript error name in the message';
  return undefined;
}

export interface FuzzCase {
  /** What the case was, to reproduce it. */
  readonly label: string;
  readonly argv: readonly string[];
  readonly cwd?: string;
  /** A next step when this one exits 0 (e.g. synth what validate passed); checked alike. */
  readonly then?: FuzzCase;
}

export interface FuzzFailure {
  readonly seed: number;
  readonly label: string;
  readonly argv: readonly string[];
  readonly problem: string;
  readonly answer: Answer;
}

/**
 * Runs `count` cases from `make(r, sandbox, i)` and collects every answer of the wrong form.
 * A case that throws out of run() is a failure too.
 */
export function fuzz(seed: number, count: number, sandbox: Sandbox, make: (r: Rand, sandbox: Sandbox, i: number) => FuzzCase): { failures: FuzzFailure[]; codes: Record<number, number> } {
  const r = rng(seed);
  const failures: FuzzFailure[] = [];
  const codes: Record<number, number> = {};
  for (let i = 0; i < count; i++) {
    for (let c: FuzzCase | undefined = make(r, sandbox, i), first = true; c; first = false) {
      let answer: Answer;
      try {
        answer = sandbox.run(c.argv, c.cwd);
      } catch (e) {
        answer = { code: -1, out: '', err: (e as Error).stack ?? String(e) };
      }
      if (first) codes[answer.code] = (codes[answer.code] ?? 0) + 1;
      const problem = badAnswer(answer);
      if (problem) failures.push({ seed, label: c.label, argv: c.argv, problem, answer });
      c = answer.code === 0 ? c.then : undefined;
    }
  }
  return { failures, codes };
}

/** A readable report: one example per distinct first line of the answer (the kind of failure). */
export function describeFailures(failures: readonly FuzzFailure[], limit = 12): string {
  const kinds = new Map<string, { first: FuzzFailure; count: number }>();
  for (const f of failures) {
    const key = `${f.problem}: ${(f.answer.err || f.answer.out).split('\n')[0].replace(/\/tmp\/\S+/g, '<sandbox>').replace(/\d+/g, 'N').slice(0, 160)}`;
    const k = kinds.get(key);
    if (k) k.count++;
    else kinds.set(key, { first: f, count: 1 });
  }
  return [...kinds.values()]
    .slice(0, limit)
    .map(({ first: f, count }) => `- ${count} x ${f.problem} (seed ${f.seed}, ${f.label})\n  argv: ${JSON.stringify(f.argv)}\n  exit ${f.answer.code}\n  ${(f.answer.err || f.answer.out).split('\n').slice(0, 4).join('\n  ')}`)
    .join('\n');
}
