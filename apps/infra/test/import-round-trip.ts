import { isPinnedImage } from '@todo/service-spec';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { shellWords } from '../src/import/compose-import';
import { repoRoot } from './support';

/** Compose as the scripts detect it (`docker compose` v2, else `docker-compose` v1.29). */
let composeCommand: string[] | undefined;
function detectCompose(): { command: string[] } {
  if (!composeCommand) {
    const r = spawnSync(process.execPath, ['scripts/docker-tools.cjs', 'describe'], { cwd: repoRoot, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`no compose: ${r.stderr}`);
    composeCommand = JSON.parse(r.stdout).compose.command as string[];
  }
  return { command: composeCommand };
}

type Obj = Record<string, any>;

export function infra(...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** `docker compose config` (v2) or `docker-compose config` (v1.29): the file as compose itself reads it. */
export function composeConfig(file: string, env: Readonly<Record<string, string>> = {}): Obj {
  const [cmd, ...pre] = detectCompose().command;
  const r = spawnSync(cmd, [...pre, '-f', basename(file), 'config'], { cwd: dirname(file), encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`compose config ${file} failed: ${r.stderr}`);
  return parse(r.stdout);
}

/**
 * The original as compose reads it; when the installed compose refuses it (a v2-only
 * key under docker-compose 1.29, or a file compose itself rejects), the file as written,
 * with relative paths made absolute as compose would.
 */
export function originalConfig(file: string, env: Readonly<Record<string, string>> = {}): { doc: Obj; via: string } {
  try {
    return { doc: composeConfig(file, env), via: 'compose config' };
  } catch (e) {
    const doc = parse(readFileSync(file, 'utf8')) as Obj;
    const abs = (p: string) => (p.startsWith('/') ? p : join(dirname(file), p));
    for (const c of Object.values(doc.services as Obj)) {
      if (c.build) c.build = { context: abs(typeof c.build === 'string' ? c.build : (c.build.context ?? '.')) };
      c.volumes = (c.volumes ?? []).map((v: unknown) => (typeof v === 'string' && /^[./~]/.test(v) ? `${abs(v.split(':')[0])}:${v.split(':').slice(1).join(':')}` : v));
    }
    return { doc, via: `the file as written (${(e as Error).message.split('\n')[0].slice(0, 200)})` };
  }
}

export interface ReportLine {
  readonly status: 'mapped' | 'decision' | 'unmapped';
  readonly path: string;
  readonly message: string;
}

export function readReport(markdown: string): ReportLine[] {
  const lines: ReportLine[] = [];
  let status: ReportLine['status'] = 'mapped';
  for (const l of markdown.split('\n')) {
    if (l === '## Needs a decision') status = 'decision';
    else if (l === '## Cannot map') status = 'unmapped';
    else if (l === '## Mapped') status = 'mapped';
    const m = /^- `([^`]+)`: (.*)$/.exec(l);
    if (m) lines.push({ status, path: m[1], message: m[2] });
  }
  return lines;
}

function ports(list: unknown): string[] {
  return ((list as unknown[]) ?? [])
    .map((p) => {
      if (typeof p === 'object' && p) {
        const o = p as Obj;
        return `${o.host_ip ? `${o.host_ip}:` : ''}${o.published ?? ''}:${o.target}/${o.protocol ?? 'tcp'}`;
      }
      const [spec, proto = 'tcp'] = String(p).split('/');
      const parts = spec.split(':');
      const target = parts.pop();
      const published = parts.pop() ?? '';
      return `${parts.length ? `${parts.join(':')}:` : ''}${published}:${target}/${proto}`;
    })
    .sort();
}

function volumes(list: unknown): string[] {
  return ((list as unknown[]) ?? [])
    .map((v) => (typeof v === 'object' && v ? `${(v as Obj).type}:${(v as Obj).source ?? ''}->${(v as Obj).target}` : (() => {
      const [source, target] = String(v).split(':');
      return `${/^[./~]/.test(source) ? 'bind' : 'volume'}:${source}->${target}`;
    })()))
    .sort();
}

function deps(d: unknown): Record<string, string> {
  if (Array.isArray(d)) return Object.fromEntries(d.map((x) => [x, 'service_started']));
  return Object.fromEntries(Object.entries((d as Obj) ?? {}).map(([k, v]) => [k, (v as Obj)?.condition ?? 'service_started']));
}

const command = (c: unknown) => (c === undefined ? undefined : JSON.stringify(Array.isArray(c) ? c.map(String) : shellWords(String(c))));
const env = (e: unknown) => (Array.isArray(e) ? Object.fromEntries(e.map((x) => String(x).split(/=(.*)/s).slice(0, 2))) : ((e as Obj) ?? {}));

export interface Difference {
  readonly service: string;
  /** Report path prefixes, any of which names this difference. */
  readonly fields: string[];
  readonly what: string;
}

/** The facts the round trip must keep: images, ports, env, volumes, dependencies and commands. */
export function differences(original: Obj, generated: Obj): Difference[] {
  const out: Difference[] = [];
  for (const [name, o] of Object.entries(original.services as Obj)) {
    const g = (generated.services as Obj)[name];
    const at = (f: string) => `services.${name}.${f}`;
    if (!g) {
      out.push({ service: name, fields: [`services.${name}`], what: 'service missing' });
      continue;
    }
    const image = o.build ? `build:${o.build.context}` : o.image;
    if (image !== g.image) out.push({ service: name, fields: [at('image'), at('build')], what: `image ${image} -> ${g.image}` });
    const [po, pg] = [ports([...(o.ports ?? []), ...(o.expose ?? []).map((x: unknown) => `${x}`.replace(/^(\d+)$/, '$1'))].filter(() => true)), ports(g.ports)];
    const exposed = new Set((o.expose ?? []).map((x: unknown) => `:${x}/tcp`));
    const publishedOriginal = po.filter((p) => !exposed.has(p));
    if (JSON.stringify(publishedOriginal) !== JSON.stringify(pg)) out.push({ service: name, fields: [at('ports'), at('expose')], what: `ports ${publishedOriginal} -> ${pg}` });
    const [eo, eg] = [env(o.environment), env(g.environment)];
    for (const k of new Set([...Object.keys(eo), ...Object.keys(eg)])) {
      if (eo[k] !== eg[k]) out.push({ service: name, fields: [at(`environment.${k}`), at('env_file')], what: `env ${k}: ${eo[k]} -> ${eg[k]}` });
    }
    const [vo, vg] = [volumes(o.volumes), volumes(g.volumes)];
    if (JSON.stringify(vo) !== JSON.stringify(vg)) out.push({ service: name, fields: [at('volumes'), at('tmpfs'), at('secrets'), at('configs')], what: `volumes ${vo} -> ${vg}` });
    const [d0, dg] = [deps(o.depends_on), deps(g.depends_on)];
    for (const k of new Set([...Object.keys(d0), ...Object.keys(dg)])) {
      if (d0[k] !== dg[k]) out.push({ service: name, fields: [at(`depends_on.${k}`), at('depends_on')], what: `depends_on ${k}: ${d0[k]} -> ${dg[k]}` });
    }
    if (command(o.command) !== command(g.command) || command(o.entrypoint) !== command(g.entrypoint)) {
      out.push({ service: name, fields: [at('command'), at('entrypoint')], what: `command ${command(o.entrypoint)} ${command(o.command)} -> ${command(g.entrypoint)} ${command(g.command)}` });
    }
  }
  return out;
}

/** Differences no "needs a decision" or "cannot map" line of the report names. */
export function unexplained(diffs: readonly Difference[], report: readonly ReportLine[]): Difference[] {
  const named = (d: Difference) => report.some((l) => l.status !== 'mapped' && d.fields.some((f) => l.path === f || l.path.startsWith(`${f}.`) || l.path.startsWith(`${f}[`)));
  return diffs.filter((d) => !named(d));
}

export interface RoundTrip {
  readonly importCode: number | null;
  readonly synth: { code: number | null; err: string };
  readonly report: ReportLine[];
  readonly differences: Difference[];
  /** Differences the report does not name as a decision or as unmappable. */
  readonly unexplained: Difference[];
  readonly work: string;
}

/** import -> (decisions: pin floating tags) -> synth -> compose config, against the original's compose config. */
export function roundTrip(composeFile: string): RoundTrip {
  mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
  const work = mkdtempSync(join(repoRoot, 'tmp', 'import-rt-'));
  cpSync(dirname(composeFile), work, { recursive: true });
  const compose = join(work, basename(composeFile));
  // Build contexts the public file's repository holds but this fixture does not ship: a stub Dockerfile.
  for (const c of Object.values((parse(readFileSync(compose, 'utf8')) as Obj).services as Obj)) {
    if (!c?.build) continue;
    const b = typeof c.build === 'string' ? { context: c.build } : c.build;
    const file = join(work, b.context ?? '.', b.dockerfile ?? 'Dockerfile');
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, 'FROM alpine:3.22\n');
    }
  }
  // Variables the source requires (${VAR:?...}) are given, to import (--env) and to compose config alike;
  // secret files need a file path, so every one is the path of a file holding a value.
  writeFileSync(join(work, 'secret-value'), 'imported\n');
  const sourceRequired = Object.fromEntries([...readFileSync(compose, 'utf8').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => [m[1], join(work, 'secret-value')]));
  const imported = infra('import', compose, '--out', join(work, 'spec.yaml'), '--report', join(work, 'report.md'), ...Object.entries(sourceRequired).flatMap(([k, v]) => ['--env', `${k}=${v}`]));
  const report = readReport(readFileSync(join(work, 'report.md'), 'utf8'));
  // The decision the report asks for that synth needs: pinned tags.
  const spec = parse(readFileSync(join(work, 'spec.yaml'), 'utf8'));
  for (const s of spec.services) if (s.image.ref && !isPinnedImage(s.image.ref)) s.image.ref = `${s.image.ref.replace(/:latest$/, '')}:1.0.0`;
  writeFileSync(join(work, 'spec.json'), JSON.stringify(spec));
  const synth = infra('synth', '--spec', join(work, 'spec.json'), '--out', join(work, 'out'));
  if (synth.code !== 0) return { importCode: imported.code, synth: { code: synth.code, err: synth.err }, report, differences: [], unexplained: [], work };
  // The decision the header of the generated file asks for: every required host variable set
  // (secret files point at a file holding the value).
  const generated = join(work, 'out', 'docker', 'docker-compose.yml');
  // build: contexts are relative to the compose file as if it were the repository's docker/: synth
  // does not pass its --out root to the renderer yet (build-context.test.ts). Compose checks that a
  // context exists, so one that does not resolve from here is resolved as from <repo>/docker.
  const text = readFileSync(generated, 'utf8').replace(/^(\s+context: )(\S+)$/gm, (line, key: string, context: string) =>
    existsSync(resolve(dirname(generated), context)) ? line : `${key}${resolve(repoRoot, 'docker', context)}`,
  );
  writeFileSync(generated, text);
  writeFileSync(join(work, 'secret-value'), 'imported\n');
  const required = Object.fromEntries([...readFileSync(generated, 'utf8').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):\?/g)].map((m) => [m[1], join(work, 'secret-value')]));
  const diffs = differences(originalConfig(compose, sourceRequired).doc, composeConfig(generated, required));
  return { importCode: imported.code, synth: { code: synth.code, err: synth.err }, report, differences: diffs, unexplained: unexplained(diffs, report), work };
}
