import { isPinnedImage } from '@todo/service-spec';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { shellWords } from '../src/import/compose-import';
import type { Answer } from './import-decisions';
import { repoRoot } from './support';

/** Compose as the scripts detect it (`docker compose` v2, else `docker-compose` v1.29). */
/** Compose as the scripts detect it ($COMPOSE, else `docker compose` v2, else `docker-compose` v1.29); only Compose itself is run. */
let composeCommand: { command: string[]; version: string } | undefined;
export function detectCompose(): { command: string[]; version: string } {
  composeCommand ??= require(join(repoRoot, 'scripts', 'docker-tools.cjs')).detectCompose() as { command: string[]; version: string };
  return composeCommand;
}

/** docker-compose 1.29, which refuses some Compose Specification keys (top-level name, long-form host_ip, ...). */
export function composeIsV1(): boolean {
  const c = detectCompose();
  return c.version === 'v1' || (c.version === 'custom' && basename(c.command[0]) === 'docker-compose');
}

type Obj = Record<string, any>;

export function infra(...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** `docker compose config` (v2) or `docker-compose config` (v1.29): the file as compose itself reads it. */
export function composeConfig(file: string, env: Readonly<Record<string, string>> = {}): Obj {
  const [cmd, ...pre] = detectCompose().command;
  const r = spawnSync(cmd, [...pre, '-f', basename(file), '--profile', '*', 'config'], { cwd: dirname(file), encoding: 'utf8', env: { ...process.env, ...env } });
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

/** Build contexts the public project holds but a fixture does not ship: a stub Dockerfile in each. */
function stubBuildContexts(work: string, services: Obj): void {
  for (const c of Object.values(services)) {
    if (!c?.build) continue;
    const b = typeof c.build === 'string' ? { context: c.build } : c.build;
    const file = join(work, b.context ?? '.', b.dockerfile ?? 'Dockerfile');
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, 'FROM alpine:3.22\n');
    }
  }
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

/**
 * The decisions the report asks for that synth needs, taken as a user would: pinned tags, and the
 * port of a service that others wait for or reach but that declares none (the image's usual port
 * the report names), so Kubernetes gets its Service.
 */
export function applyDecisions(spec: Obj, report: readonly ReportLine[]): Obj {
  for (const s of spec.services) if (s.image.ref && !isPinnedImage(s.image.ref)) s.image.ref = `${s.image.ref.replace(/:latest$/, '')}:1.0.0`;
  for (const l of report) {
    const m = /^services\.([^.]+)\.expose$/.exec(l.path);
    const port = / usually listens on (\d+)/.exec(l.message);
    const s = m && port && spec.services.find((x: Obj) => x.name === m[1]);
    if (s && !(s.ports ?? []).length) s.ports = [{ name: `p${port[1]}`, port: Number(port[1]) }];
  }
  return spec;
}

/** import -> (the report's decisions synth needs: applyDecisions) -> synth -> compose config, against the original's compose config. */
export function roundTrip(composeFile: string): RoundTrip {
  mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
  const work = mkdtempSync(join(repoRoot, 'tmp', 'import-rt-'));
  cpSync(dirname(composeFile), work, { recursive: true });
  const compose = join(work, basename(composeFile));
  stubBuildContexts(work, (parse(readFileSync(compose, 'utf8')) as Obj).services as Obj);
  // Variables the source requires (${VAR:?...}) are given, to import (--env) and to compose config alike;
  // secret files need a file path, so every one is the path of a file holding a value.
  writeFileSync(join(work, 'secret-value'), 'imported\n');
  const sourceRequired = Object.fromEntries([...readFileSync(compose, 'utf8').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => [m[1], join(work, 'secret-value')]));
  const imported = infra('import', compose, '--out', join(work, 'spec.yaml'), '--report', join(work, 'report.md'), ...Object.entries(sourceRequired).flatMap(([k, v]) => ['--env', `${k}=${v}`]));
  const report = readReport(readFileSync(join(work, 'report.md'), 'utf8'));
  const spec = applyDecisions(parse(readFileSync(join(work, 'spec.yaml'), 'utf8')), report);
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

// ---------------------------------------------------------------------------------------------
// The semantic round trip (issue 19, item 9): the acceptance test of `infra import`.
//
//   import -> the user's answers to the report's decisions (decisions.ts beside the fixture)
//   -> synth --out <tmp> -> both files through compose config -> compare service by service.
//
// Two-way rule: every difference is named by a "needs a decision" or "cannot map" line of the
// import report, or by a line of the parity report's compose section, at its compose path; and
// every "needs a decision" or "cannot map" line of the import report names a difference, unless
// it is one of the few EXEMPT_LINES below (Kubernetes-only matters, and network paths, which
// the comparison does not look at).
// ---------------------------------------------------------------------------------------------

/** A parity report line: spec path, and the target section it is under. */
export interface ParityLine {
  readonly environment: string;
  readonly target: 'compose' | 'kubernetes';
  readonly path: string;
  readonly message: string;
}

export function readParity(markdown: string): ParityLine[] {
  const out: ParityLine[] = [];
  let section: { environment: string; target: 'compose' | 'kubernetes' } | undefined;
  for (const l of markdown.split('\n')) {
    const h = /^## (\S+) \((compose|kubernetes)\)$/.exec(l);
    if (h) section = { environment: h[1], target: h[2] as 'compose' | 'kubernetes' };
    const m = /^- `([^`]+)`: (.*)$/.exec(l);
    if (m && section) out.push({ ...section, path: m[1], message: m[2] });
  }
  return out;
}

/**
 * Report lines that need no difference in the compose round trip. Each names the matter and
 * why compose cannot show it. Keep this list small: a line not matched here and naming no
 * difference fails the round trip (the report says something changed when nothing did).
 */
export const EXEMPT_LINES: readonly { readonly kind: 'kubernetes-only' | 'not-compared'; readonly path: RegExp; readonly message: RegExp; readonly why: string }[] = [
  { kind: 'kubernetes-only', path: /^services\.[^.]+$/, message: /^(role "[a-z]+" inferred|looks like a database but declares no port)/, why: 'the role picks the Kubernetes workload kind (Deployment, StatefulSet); compose only labels it' },
  { kind: 'kubernetes-only', path: /^services\.[^.]+\.(environment\.[^.]+|env_file(\[\d+\])?\.[^.]+|command|entrypoint)$/, message: /which declares no port \(compose needs none\)/, why: 'a Kubernetes Service needs the port; compose reaches the service without one' },
  { kind: 'kubernetes-only', path: /^services\.[^.]+\.expose$/, message: /^(no ports or expose in compose \(its network needs none\); imported as ports? .*, so Kubernetes gets a Service|.*declares no port and none is named where it is reached: Kubernetes gets no Service)/, why: 'the port a Kubernetes Service needs (found where others reach the service, or asked); compose reaches the service without one, and expose changes nothing inside its network' },
  { kind: 'kubernetes-only', path: /^services\.[^.]+$/, message: /imported as a one-shot job/, why: 'a Kubernetes Job; in compose the service stays a service that others wait for' },
  { kind: 'kubernetes-only', path: /^environments$/, message: /./, why: 'the spec environments name the targets' },
  { kind: 'kubernetes-only', path: /^services\.[^.]+\.read_only$/, message: /^compose runs a writable root filesystem/, why: 'compose keeps its writable root; the waiver is for the Kubernetes policy gate' },
  { kind: 'kubernetes-only', path: /^services\.[^.]+\.healthcheck$/, message: /^no health check: Kubernetes gets no probes/, why: 'neither file has a health check; Kubernetes gets no probes' },
  { kind: 'kubernetes-only', path: /^services\.[^.]+\.(environment|env_file(\[\d+\])?)\.[^.]+$/, message: /^(looks like a secret|a secret: imported as a reference to one secret)/, why: 'a Kubernetes Secret; compose passes the same value (where the value changes, the line names that difference too)' },
  { kind: 'kubernetes-only', path: /^services\.[^.]+\.restart$/, message: /; Kubernetes restarts every container of a Deployment anyway/, why: 'compose keeps restart "no"; a Deployment restarts its containers whatever the spec says (the parity report\'s Kubernetes section says so)' },
  { kind: 'kubernetes-only', path: /^services\.[^.]+\.volumes\[\d+\]$/, message: /^bind mount of "[^"]+" is a development mount \(docker-compose\.dev\.yml only\); Kubernetes has no host files/, why: 'compose keeps the bind mount (the dev override is part of the compared output); Kubernetes has no host files' },
  { kind: 'not-compared', path: /^(networks|services\.[^.]+\.networks)$/, message: /./, why: 'network paths are not compared: the output opens only declared paths on both targets' },
  { kind: 'not-compared', path: /^services\.[^.]+$/, message: /^depends on nothing, names no other service/, why: 'network paths are not compared (see above)' },
  { kind: 'not-compared', path: /^services\.[^.]+\.(environment\.[^.]+|env_file(\[\d+\])?\.[^.]+|command|entrypoint)$/, message: /^names service "[^"]+"( on port \d+)?: imported as talksTo/, why: 'network paths are not compared (see above)' },
];

export function exempt(line: ReportLine): (typeof EXEMPT_LINES)[number] | undefined {
  return EXEMPT_LINES.find((r) => r.path.test(line.path) && r.message.test(line.message));
}

const segments = (p: string) => p.split(/\.|(?=\[)/).length;

/**
 * A report line at `line` names a difference at `field` when it is the same path, a path below it
 * (`services.web.volumes[0]` names `services.web.volumes`), or a field-level path above it
 * (`services.web.healthcheck` names `services.web.healthcheck.interval`; `services.web` alone names
 * only a whole-service difference).
 */
export function names(line: string, field: string): boolean {
  const under = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  return under(line, field) || (segments(line) >= 3 && under(field, line));
}

/** The compose paths a parity line's spec path is about (spec field -> compose field). */
export function parityComposePaths(specPath: string, rename: ReadonlyMap<string, string> = new Map()): string[] {
  const m = /^services\.([^.[]+)(?:\.(.*))?$/.exec(specPath);
  if (!m) return [specPath];
  const svc = `services.${rename.get(m[1]) ?? m[1]}`;
  const rest = m[2] ?? '';
  const table: [RegExp, (x: RegExpExecArray) => string[]][] = [
    [/^$/, () => [svc]],
    [/^health(\..*)?$/, () => [`${svc}.healthcheck`]],
    [/^resources\.cpuMillis\.request/, () => [`${svc}.deploy.resources.reservations.cpus`]],
    [/^resources\.cpuMillis\.limit/, () => [`${svc}.deploy.resources.limits.cpus`, `${svc}.cpus`]],
    [/^resources\.memoryMiB\.request/, () => [`${svc}.deploy.resources.reservations.memory`, `${svc}.mem_reservation`]],
    [/^resources\.memoryMiB\.limit/, () => [`${svc}.deploy.resources.limits.memory`, `${svc}.mem_limit`]],
    [/^resources/, () => [`${svc}.deploy.resources`]],
    [/^dependsOn\.([^.]+)/, (x) => [`${svc}.depends_on.${x[1]}`]],
    [/^(ports|ingressPath)/, () => [`${svc}.ports`]],
    [/^(volumes|files|dev)/, () => [`${svc}.volumes`]],
    [/^writablePaths/, () => [`${svc}.tmpfs`]],
    [/^(env|secrets)\.([^.]+)/, (x) => [`${svc}.environment.${x[2]}`]],
    [/^replicas/, () => [`${svc}.deploy.replicas`]],
    [/^(user|restart|image|command|entrypoint|labels|profiles)/, (x) => [`${svc}.${x[1]}`]],
  ];
  for (const [re, f] of table) {
    const x = re.exec(rest);
    if (x) return f(x);
  }
  return [`${svc}.${rest}`];
}

// --- normalising compose config output (docker-compose 1.29 and Compose v2 alike) ---

interface PortEntry {
  readonly key: string; // target/proto
  readonly bind: string; // host_ip:published ('' for all interfaces; published '' for a random host port)
}

function portEntries(list: unknown): PortEntry[] {
  return ((list as unknown[]) ?? []).map((p) => {
    if (typeof p === 'object' && p) {
      const o = p as Obj;
      return { key: `${o.target}/${o.protocol ?? 'tcp'}`, bind: `${o.host_ip ?? ''}:${o.published ?? ''}` };
    }
    const [spec, proto = 'tcp'] = String(p).split('/');
    const parts = spec.split(':');
    const target = parts.pop();
    const published = parts.pop() ?? '';
    return { key: `${target}/${proto}`, bind: `${parts.join(':')}:${published}` };
  });
}

interface MountEntry {
  readonly target: string;
  readonly what: string;
}

/** A service's mounts by target: volumes, tmpfs, file secrets and configs (compose bind-mounts those read-only). */
function mounts(c: Obj, doc: Obj, dir: string): MountEntry[] {
  const out: MountEntry[] = [];
  const volumeName = (n: string) => {
    const def = (doc.volumes ?? {})[n] as Obj | undefined;
    return def?.external ? `external:${def.name ?? n}` : n;
  };
  for (const v of (c.volumes ?? []) as unknown[]) {
    if (typeof v === 'object' && v) {
      const o = v as Obj;
      const opts = [o.read_only ? 'ro' : '', o.bind?.selinux ?? '', o.volume?.nocopy ? 'nocopy' : ''].filter(Boolean).sort();
      const source = o.type === 'volume' && o.source ? volumeName(o.source) : o.type === 'bind' ? resolve(dir, o.source) : '';
      out.push({ target: o.target, what: `${o.type}:${source}${opts.length ? `:${opts.join(',')}` : ''}` });
      continue;
    }
    const parts = String(v).split(':');
    if (parts.length === 1) {
      out.push({ target: parts[0], what: 'volume:' });
      continue;
    }
    const [source, target, options = ''] = parts;
    const opts = options.split(',').filter((x) => x && x !== 'rw').sort();
    const bind = /^[./~]/.test(source);
    out.push({ target, what: `${bind ? 'bind' : 'volume'}:${bind ? resolve(dir, source) : volumeName(source)}${opts.length ? `:${opts.join(',')}` : ''}` });
  }
  for (const t of (Array.isArray(c.tmpfs) ? c.tmpfs : c.tmpfs ? [c.tmpfs] : []) as string[]) out.push({ target: String(t).split(':')[0], what: 'tmpfs:' });
  for (const [kind, base] of [['secrets', '/run/secrets/'], ['configs', '/']] as const) {
    for (const s of (c[kind] ?? []) as unknown[]) {
      const src = typeof s === 'object' && s ? String((s as Obj).source) : String(s);
      const t = typeof s === 'object' && s && (s as Obj).target ? String((s as Obj).target) : src;
      const file = ((doc[kind] ?? {})[src] as Obj | undefined)?.file;
      out.push({ target: t.startsWith('/') ? t : `${base}${t}`, what: `bind:${file ? resolve(dir, file) : `${kind}:${src}`}:ro` });
    }
  }
  return out;
}

function healthTest(h: Obj | undefined): string | undefined {
  if (!h) return undefined;
  if (h.disable === true) return 'disabled';
  const t = h.test;
  if (t === undefined) return undefined;
  if (typeof t === 'string') return JSON.stringify(['sh', '-c', t]);
  if (t[0] === 'NONE') return 'disabled';
  if (t[0] === 'CMD-SHELL') return JSON.stringify(['sh', '-c', t.slice(1).join(' ')]);
  return JSON.stringify(t.slice(1).map(String));
}

/** Compose durations in seconds; compose's health defaults: 30s interval and timeout, 3 retries, 0s start period. */
function secondsOf(v: unknown, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') return v / 1e9;
  let total = 0;
  for (const [, n, unit] of String(v).matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)) total += Number(n) * ({ h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 } as Record<string, number>)[unit];
  return total;
}

function bytesOf(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(String(v).trim());
  if (!m) return Number.NaN;
  return Number(m[1]) * ({ '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2].toLowerCase()];
}

const words = (c: unknown) => (c === undefined || c === null ? undefined : JSON.stringify(Array.isArray(c) ? c.map(String) : shellWords(String(c))));
const envOf = (e: unknown): Record<string, string | null> => (Array.isArray(e) ? Object.fromEntries(e.map((x) => { const s = String(x); const i = s.indexOf('='); return i < 0 ? [s, null] : [s.slice(0, i), s.slice(i + 1)]; })) : Object.fromEntries(Object.entries((e as Obj) ?? {}).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)])));
const kebabName = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'value';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Service keys compared one by one below, and keys compared nowhere (with the reason). */
const COMPARED = new Set(['image', 'build', 'entrypoint', 'command', 'environment', 'env_file', 'ports', 'expose', 'volumes', 'tmpfs', 'secrets', 'configs', 'healthcheck', 'depends_on', 'user', 'restart', 'profiles', 'deploy', 'cpus', 'mem_limit', 'mem_reservation', 'labels']);
/** networks: network paths are not compared (see EXEMPT_LINES); expose: no effect inside a compose network. */
const NOT_COMPARED = new Set(['networks']);
/** A key's value that means the same as the key being absent. */
const ABSENT: Record<string, unknown> = { read_only: false, privileged: false, init: false, stdin_open: false, tty: false };

export interface SemanticInput {
  /** compose config of the source, and of the generated files (base + dev override). */
  readonly source: Obj;
  readonly generated: Obj;
  /** The source file as written (merge keys applied): list indexes for report paths. */
  readonly raw: Obj;
  /**
   * The source as compose reads it before interpolation (sourceView): each service with its
   * `extends` merged, and its env_file list and environment keys as compose merges them. Where a
   * variable came from (environment or which env_file) is read here, so a value a service inherits
   * through extends is named at the env_file it came from. Absent: the raw file's.
   */
  readonly merged?: Obj;
  readonly sourceDir: string;
  readonly generatedDir: string;
}

/**
 * Service by service: image, entrypoint, command, resolved environment, ports, mounts, health
 * test and timings, depends_on conditions, user, restart, profiles, resources, and every other
 * service key the source or the output has (cap_drop, logging, stop_grace_period, ...).
 * Each difference carries the compose paths of the source that a report line must name.
 */
export function semanticDifferences({ source, generated, raw, merged, sourceDir, generatedDir }: SemanticInput): Difference[] {
  const out: Difference[] = [];
  const gServices = (generated.services ?? {}) as Obj;
  const rename = new Map(Object.keys(source.services as Obj).map((n) => [n, n in gServices || DNS_LABEL.test(n) ? n : kebabName(n)]));
  const seen = new Set<string>();
  for (const [name, o] of Object.entries(source.services as Obj)) {
    const gname = rename.get(name)!;
    const g = gServices[gname] as Obj | undefined;
    const r = ((raw.services ?? {})[name] ?? {}) as Obj;
    const at = (f: string) => `services.${name}.${f}`;
    const diff = (fields: string[], what: string) => out.push({ service: name, fields, what });
    if (!g) {
      diff([`services.${name}`], 'service missing');
      continue;
    }
    seen.add(gname);
    if (gname !== name) diff([`services.${name}`], `renamed to "${gname}"`);

    // Image, or what compose builds.
    if ((o.image ?? '') !== (g.image ?? '')) diff([at('image'), at('build')], `image ${o.image} -> ${g.image}`);
    const build = (c: Obj, dir: string) => (c.build ? JSON.stringify({ context: resolve(dir, c.build.context ?? '.'), dockerfile: c.build.dockerfile ?? 'Dockerfile', target: c.build.target, args: c.build.args }) : undefined);
    if (build(o, sourceDir) !== build(g, generatedDir)) diff([at('build')], `build ${build(o, sourceDir)} -> ${build(g, generatedDir)}`);

    for (const k of ['entrypoint', 'command'] as const) if (words(o[k]) !== words(g[k])) diff([at(k)], `${k} ${words(o[k])} -> ${words(g[k])}`);

    // Environment, resolved (.env, env_file and interpolation applied by compose).
    const [eo, eg] = [envOf(o.environment), envOf(g.environment)];
    // Where each variable came from, with extends merged as compose merges it (an inherited env_file is this service's too).
    const m = (((merged?.services ?? {}) as Obj)[name] ?? r) as Obj;
    const rawEnv = envOf(m.environment);
    const envFiles = (Array.isArray(m.env_file) ? m.env_file : m.env_file ? [m.env_file] : []) as unknown[];
    for (const k of new Set([...Object.keys(eo), ...Object.keys(eg)])) {
      if (eo[k] === eg[k]) continue;
      const fields = [at(`environment.${k}`)];
      if (!(k in rawEnv) && envFiles.length) fields.push(at(`env_file.${k}`), ...envFiles.map((_, i) => at(`env_file[${i}].${k}`)));
      diff(fields, `environment ${k}: ${JSON.stringify(eo[k])} -> ${JSON.stringify(eg[k])}`);
    }

    // Published ports, by container port (expose has no effect inside a compose network).
    const [po, pg] = [portEntries(o.ports), portEntries(g.ports)];
    const rawPorts = portEntries(r.ports);
    for (const key of new Set([...po, ...pg].map((p) => p.key))) {
      const [a, b] = [po.filter((p) => p.key === key).map((p) => p.bind).sort(), pg.filter((p) => p.key === key).map((p) => p.bind).sort()];
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      const idx = rawPorts.map((p, i) => (p.key === key || rawPorts.length === po.length && po[i]?.key === key ? i : -1)).filter((i) => i >= 0);
      const exposed = ((r.expose ?? []) as unknown[]).map((x, i) => (`${x}`.replace(/\/.*/, '') === key.split('/')[0] ? i : -1)).filter((i) => i >= 0);
      diff(idx.length ? idx.map((i) => at(`ports[${i}]`)) : [at('ports'), ...exposed.map((i) => at(`expose[${i}]`))], `ports ${key}: [${a}] -> [${b}]`);
    }

    // Mounts, by target.
    const [mo, mg] = [mounts(o, source, sourceDir), mounts(g, generated, generatedDir)];
    const rawMounts = mounts(r, raw, sourceDir);
    for (const target of new Set([...mo, ...mg].map((m) => m.target))) {
      const [a, b] = [mo.filter((m) => m.target === target).map((m) => m.what).sort(), mg.filter((m) => m.target === target).map((m) => m.what).sort()];
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      const fields: string[] = [];
      ((r.volumes ?? []) as unknown[]).forEach((v, i) => {
        if (rawMounts[i]?.target !== target) return;
        fields.push(at(`volumes[${i}]`));
        // A named volume is also defined at the top level (external, name): what is mounted changes there too.
        const source = typeof v === 'object' && v ? (v as Obj).type === 'volume' && (v as Obj).source : rawMounts[i].what.startsWith('volume:') && String(v).split(':')[0];
        if (source && ((raw.volumes ?? {}) as Obj)[source] !== undefined) fields.push(`volumes.${source}`);
      });
      (['secrets', 'configs'] as const).forEach((kind) => ((r[kind] ?? []) as unknown[]).forEach((s, i) => mounts({ [kind]: [s] }, raw, sourceDir)[0]?.target === target && fields.push(at(`${kind}[${i}]`))));
      if (mo.some((m) => m.target === target && m.what === 'tmpfs:') || mg.some((m) => m.target === target && m.what === 'tmpfs:')) fields.push(at('tmpfs'));
      if (!fields.length) fields.push(at('volumes'));
      diff(fields, `mount ${target}: [${a}] -> [${b}]`);
    }

    // Health: the test, and the timings compose applies (its defaults where unset).
    const [ho, hg] = [healthTest(o.healthcheck), healthTest(g.healthcheck)];
    if (ho !== hg) diff([at('healthcheck.test')], `healthcheck test ${ho} -> ${hg}`);
    if (ho && hg && ho !== 'disabled' && hg !== 'disabled') {
      for (const [k, d] of [['interval', 30], ['timeout', 30], ['start_period', 0]] as const) {
        const [a, b] = [secondsOf(o.healthcheck[k], d), secondsOf(g.healthcheck[k], d)];
        if (a !== b) diff([at(`healthcheck.${k}`)], `healthcheck ${k} ${a}s -> ${b}s`);
      }
      const [a, b] = [Number(o.healthcheck.retries ?? 3), Number(g.healthcheck.retries ?? 3)];
      if (a !== b) diff([at('healthcheck.retries')], `healthcheck retries ${a} -> ${b}`);
    }

    // depends_on conditions (service names through the rename).
    const [d0, dg] = [deps(o.depends_on), deps(g.depends_on)];
    const d0r = Object.fromEntries(Object.entries(d0).map(([k, v]) => [rename.get(k) ?? k, [k, v]]));
    for (const k of new Set([...Object.keys(d0r), ...Object.keys(dg)])) {
      if (d0r[k]?.[1] !== dg[k]) diff([at(`depends_on.${d0r[k]?.[0] ?? k}`)], `depends_on ${k}: ${d0r[k]?.[1]} -> ${dg[k]}`);
    }

    const userOf = (c: Obj) => (c.user === undefined ? undefined : String(c.user));
    if (userOf(o) !== userOf(g)) diff([at('user')], `user ${userOf(o)} -> ${userOf(g)}`);
    const restartOf = (c: Obj) => String(c.restart ?? 'no');
    if (restartOf(o) !== restartOf(g)) diff([at('restart')], `restart ${restartOf(o)} -> ${restartOf(g)}`);
    const profilesOf = (c: Obj) => JSON.stringify([...((c.profiles ?? []) as string[])].sort());
    if (profilesOf(o) !== profilesOf(g)) diff([at('profiles')], `profiles ${profilesOf(o)} -> ${profilesOf(g)}`);

    // Resources: compose's service-level and deploy forms alike.
    const res = (c: Obj) => ({
      'limits.cpus': c.cpus ?? c.deploy?.resources?.limits?.cpus,
      'reservations.cpus': c.deploy?.resources?.reservations?.cpus,
      'limits.memory': bytesOf(c.mem_limit ?? c.deploy?.resources?.limits?.memory),
      'reservations.memory': bytesOf(c.mem_reservation ?? c.deploy?.resources?.reservations?.memory),
    });
    const [ro, rg] = [res(o), res(g)];
    const flat: Record<string, string> = { 'limits.cpus': 'cpus', 'limits.memory': 'mem_limit', 'reservations.memory': 'mem_reservation' };
    for (const k of Object.keys(ro) as (keyof typeof ro)[]) {
      const [a, b] = [ro[k] === undefined ? undefined : Number(ro[k]), rg[k] === undefined ? undefined : Number(rg[k])];
      if (a !== b) diff([at(`deploy.resources.${k}`), ...(flat[k] ? [at(flat[k])] : [])], `resources ${k} ${a} -> ${b}`);
    }
    for (const k of new Set([...Object.keys(o.deploy ?? {}), ...Object.keys(g.deploy ?? {})])) {
      if (k === 'resources') continue;
      if (JSON.stringify(o.deploy?.[k]) !== JSON.stringify(g.deploy?.[k])) diff([at(`deploy.${k}`)], `deploy.${k} ${JSON.stringify(o.deploy?.[k])} -> ${JSON.stringify(g.deploy?.[k])}`);
    }

    // Labels other than the ones the renderers set to select pods.
    const labels = (c: Obj) => JSON.stringify(Object.fromEntries(Object.entries(envOf(c.labels)).filter(([k]) => !k.startsWith('app.kubernetes.io/')).sort()));
    if (labels(o) !== labels(g)) diff([at('labels')], `labels ${labels(o)} -> ${labels(g)}`);

    // Every other key, either side: what the output adds (cap_drop, logging, ...) or drops (container_name, ...).
    const norm = (k: string, v: unknown) => (v === undefined || JSON.stringify(v) === JSON.stringify(ABSENT[k]) ? undefined : JSON.stringify(v));
    for (const k of new Set([...Object.keys(o), ...Object.keys(g)])) {
      if (COMPARED.has(k) || NOT_COMPARED.has(k)) continue;
      if (norm(k, o[k]) !== norm(k, g[k])) diff([at(k)], `${k} ${norm(k, o[k])} -> ${norm(k, g[k])}`);
    }
  }
  for (const g of Object.keys(gServices)) if (!seen.has(g)) out.push({ service: g, fields: [`services.${g}`], what: 'service added' });
  return out;
}

export interface Matching {
  /** Differences no decision/cannot-map import line and no compose parity line names. */
  readonly unexplained: Difference[];
  /** Decision/cannot-map import lines that name no difference and are not exempt. */
  readonly unmatched: ReportLine[];
  /** Exempt lines that named no difference. */
  readonly exempted: ReportLine[];
}

export function matchReport(diffs: readonly Difference[], report: readonly ReportLine[], parity: readonly ParityLine[], rename: ReadonlyMap<string, string> = new Map()): Matching {
  const open = report.filter((l) => l.status !== 'mapped');
  const parityPaths = parity.filter((l) => l.target === 'compose').flatMap((l) => parityComposePaths(l.path, rename));
  const unexplained = diffs.filter((d) => !d.fields.some((f) => open.some((l) => names(l.path, f)) || parityPaths.some((p) => names(p, f))));
  const lonely = open.filter((l) => !diffs.some((d) => d.fields.some((f) => names(l.path, f))));
  return { unexplained, unmatched: lonely.filter((l) => !exempt(l)), exempted: lonely.filter((l) => exempt(l)) };
}

export interface CorpusRun {
  readonly name: string;
  readonly work: string;
  /** Services in the source. */
  readonly services: number;
  /** Whatever stopped the round trip before the comparison (import or synth failed, compose refused a file, a stale answer). */
  readonly problems: string[];
  readonly report: ReportLine[];
  readonly parity: ParityLine[];
  readonly decisionsAsked: number;
  readonly answersApplied: number;
  readonly differences: Difference[];
  readonly matching: Matching;
}

const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
export function composeFileIn(dir: string): string {
  const f = COMPOSE_FILES.map((n) => join(dir, n)).find(existsSync);
  if (!f) throw new Error(`no compose file in ${dir}`);
  return f;
}

/** `compose config` of one or more files, with only the given variables on the host (no leak from the test's environment). */
export function composeConfigOf(files: readonly string[], env: Readonly<Record<string, string>>): { doc?: Obj; error?: string } {
  const [cmd, ...pre] = detectCompose().command;
  const r = spawnSync(cmd, [...pre, ...files.flatMap((f) => ['-f', basename(f)]), '--profile', '*', 'config'], {
    cwd: dirname(files[0]),
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...(process.env.DOCKER_CONFIG && { DOCKER_CONFIG: process.env.DOCKER_CONFIG }), ...env },
  });
  if (r.status !== 0) return { error: `compose config ${files.map((f) => basename(f)).join(' + ')}: ${(r.stderr || r.stdout).trim().slice(0, 600)}` };
  return { doc: parse(r.stdout) as Obj };
}

/**
 * The source as compose merges it before interpolating: `extends` resolved, env_file lists kept (an
 * interpolated `compose config` reads env_file into environment and drops the list). Only the
 * services' environment keys and env_file lists are read from it: uninterpolated, compose cannot
 * split a short volume or port with `${...}` in it. Undefined when compose refuses the flags.
 */
export function sourceView(file: string): Obj | undefined {
  const [cmd, ...pre] = detectCompose().command;
  const r = spawnSync(cmd, [...pre, '-f', basename(file), '--profile', '*', 'config', '--no-interpolate', '--no-normalize', '--no-path-resolution', '--no-consistency', '--format', 'json'], {
    cwd: dirname(file),
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...(process.env.DOCKER_CONFIG && { DOCKER_CONFIG: process.env.DOCKER_CONFIG }) },
  });
  return r.status === 0 ? (JSON.parse(r.stdout) as Obj) : undefined;
}

/** The host variables a compose file reads (`$VAR`, `${VAR...}`; `$$` is an escape), with the value each has from .env or its default. */
export function hostVariables(text: string, dotEnv: Readonly<Record<string, string>>): Map<string, string> {
  const vars = new Map<string, string>();
  for (const m of text.replace(/\$\$/g, '').matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}$]*))?|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    const v = m[1] ?? m[3];
    if (!vars.has(v) || (vars.get(v) === '' && m[2])) vars.set(v, dotEnv[v] ?? m[2] ?? '');
  }
  return vars;
}

/** A value of the same shape (a number, a path, a word) that no file holds: set on the host, it shows who reads the variable. */
function probeValue(current: string, i: number): string {
  if (/^\d+$/.test(current)) return String(40000 + i);
  if (/^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/.test(current)) return `${101 + i}s`;
  if (/^(\.|\/)/.test(current)) return `${current.replace(/\/+$/, '')}/probe${i}`;
  return `${current}probe${i}`;
}

function readDotEnv(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trim().startsWith('#')) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/**
 * The host variables the generated file requires, as the user sets them after reading its header:
 * a secret's value is the value the source gave that variable; a secret file is the file the
 * source mounted at the same path (else a file holding a placeholder).
 */
function requiredVariables(generatedTexts: readonly string[], source: Obj, work: string, rename: ReadonlyMap<string, string>): Record<string, string> {
  const doc = { services: Object.assign({}, ...generatedTexts.map((t) => (parse(t) as Obj).services ?? {})) } as Obj;
  const generatedText = generatedTexts.join('\n');
  const back = new Map([...rename].map(([a, b]) => [b, a]));
  const vars: Record<string, string> = {};
  const placeholder = join(work, 'secret-file-placeholder');
  writeFileSync(placeholder, 'placeholder\n');
  for (const [gname, g] of Object.entries((doc.services ?? {}) as Obj)) {
    const o = ((source.services ?? {}) as Obj)[back.get(gname) ?? gname] as Obj | undefined;
    for (const [k, v] of Object.entries(envOf(g.environment))) {
      const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*):\?set \1 to the value of secret/.exec(String(v));
      if (m) vars[m[1]] = envOf(o?.environment)[k] ?? `unset-${m[1]}`;
    }
    for (const v of (g.volumes ?? []) as Obj[]) {
      const m = typeof v === 'object' ? /^\$\{([A-Za-z_][A-Za-z0-9_]*):\?/.exec(String(v.source)) : null;
      if (!m) continue;
      const same = o ? mounts(o, source, work).find((x) => x.target === v.target && x.what.startsWith('bind:/')) : undefined;
      vars[m[1]] = same ? same.what.replace(/^bind:/, '').replace(/:ro$/, '') : placeholder;
    }
  }
  for (const m of generatedText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):\?/g)) vars[m[1]] ??= `unset-${m[1]}`;
  return vars;
}

/**
 * The round trip of one corpus fixture: <dir>/<compose file> (with .env and env files beside it)
 * and <dir>/decisions.ts (the user's answers).
 */
export function corpusRoundTrip(dir: string): CorpusRun {
  const name = basename(dir);
  mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
  const work = mkdtempSync(join(repoRoot, 'tmp', `import-corpus-${name}-`));
  cpSync(dir, work, { recursive: true });
  // Env files are committed under other names (the policy gate refuses a tracked .env or *.env):
  // dotenv -> .env, dotenv.production -> .env.production, docker.dotenv -> docker.env.
  for (const f of readdirSync(work)) {
    const real = f.replace(/^dotenv/, '.env').replace(/\.dotenv$/, '.env');
    if (real !== f) renameSync(join(work, f), join(work, real));
  }
  const compose = composeFileIn(work);
  const problems: string[] = [];
  const empty: Matching = { unexplained: [], unmatched: [], exempted: [] };
  const result = (rest: Partial<CorpusRun>): CorpusRun => ({ name, work, services: Object.keys(raw.services ?? {}).length, problems, report: [], parity: [], decisionsAsked: 0, answersApplied: 0, differences: [], matching: empty, ...rest });
  const text = readFileSync(compose, 'utf8');
  const raw = parse(text, { merge: true }) as Obj;
  stubBuildContexts(work, raw.services as Obj);

  // The source as compose reads it: with the fixture's .env only, and with every variable it reads set on the host.
  const dotEnv = readDotEnv(join(work, '.env'));
  const vars = hostVariables(text, dotEnv);
  // A variable named without a value in environment (`- POSTGRES_PASSWORD`, `SENTRY_MAIL_HOST:`) is read from the host too.
  for (const c of Object.values((raw.services ?? {}) as Obj)) {
    for (const [k, v] of Object.entries(envOf((c as Obj)?.environment))) if (v === null && !vars.has(k)) vars.set(k, dotEnv[k] ?? '');
  }
  const probes = Object.fromEntries([...vars].map(([v, current], i) => [v, probeValue(current, i)]));
  const source1 = composeConfigOf([compose], {});
  const source2 = composeConfigOf([compose], probes);
  if (!source1.doc || !source2.doc) return result({ problems: [`the fixture itself: ${source1.error ?? source2.error}`] });

  const imported = infra('import', compose, '--name', name, '--out', join(work, 'spec.yaml'), '--report', join(work, 'report.md'));
  if (imported.code !== 0 || !existsSync(join(work, 'report.md'))) return result({ problems: [`import exited ${imported.code}: ${imported.err.trim().slice(0, 600)}`] });
  const report = readReport(readFileSync(join(work, 'report.md'), 'utf8'));

  // The user's answers to the report's decisions.
  const asked = new Set(report.filter((l) => l.status === 'decision').map((l) => l.path));
  const spec = parse(readFileSync(join(work, 'spec.yaml'), 'utf8')) as Obj;
  const decisionsFile = join(dir, 'decisions.ts');
  const answers: readonly Answer[] = existsSync(decisionsFile) ? require(decisionsFile).answers : [];
  for (const a of answers) {
    if (!asked.has(a.path)) problems.push(`decisions.ts answers "${a.path}", which the report no longer asks: update the answers`);
    else a.apply(spec);
  }
  writeFileSync(join(work, 'spec.json'), JSON.stringify(spec, null, 2));
  const decisionsAsked = report.filter((l) => l.status === 'decision').length;
  const synth = infra('synth', '--spec', join(work, 'spec.json'), '--out', join(work, 'out'));
  if (synth.code !== 0) return result({ problems: [...problems, `synth exited ${synth.code}: ${(synth.err || synth.out).trim().slice(0, 1500)}`], report, decisionsAsked, answersApplied: answers.length });
  const parity = readParity(readFileSync(join(work, 'out', 'dist', 'parity-report.md'), 'utf8'));

  const generatedDir = join(work, 'out', 'docker');
  const files = ['docker-compose.yml', 'docker-compose.dev.yml'].map((f) => join(generatedDir, f)).filter(existsSync);
  const gServices = Object.keys((parse(readFileSync(files[0], 'utf8')) as Obj).services ?? {});
  const rename = new Map(Object.keys(source1.doc.services as Obj).map((n) => [n, gServices.includes(n) || DNS_LABEL.test(n) ? n : kebabName(n)]));
  const generatedTexts = files.map((f) => readFileSync(f, 'utf8'));
  const differences: Difference[] = [];
  // The user sets the variables the output's header asks for once, to the values the source had; then
  // changes the source's variables on the host (the second run): a renamed variable no longer reaches.
  const required = requiredVariables(generatedTexts, source1.doc, work, rename);
  const merged = sourceView(compose);
  for (const [run, source, env] of [['', source1.doc, {}], [' (with the variables the source reads set on the host)', source2.doc, probes]] as const) {
    const generated = composeConfigOf(files, { ...env, ...required });
    if (!generated.doc) {
      problems.push(`our output: ${generated.error}`);
      break;
    }
    for (const d of semanticDifferences({ source, generated: generated.doc, raw, merged, sourceDir: work, generatedDir })) {
      // The same field differing in both runs is one difference.
      if (!differences.some((x) => x.service === d.service && x.fields.join() === d.fields.join())) differences.push(run ? { ...d, what: d.what + run } : d);
    }
  }
  // Parity lines name spec services; the comparison names the source's.
  const back = new Map([...rename].map(([a, b]) => [b, a]));
  return result({ problems, report, parity, decisionsAsked, answersApplied: answers.length, differences, matching: matchReport(differences, report, parity, back) });
}
