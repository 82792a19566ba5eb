import type { PortSpec, ProbeSpec, ServiceRole, ServiceSpec, StackSpec } from '@todo/service-spec';
import { checkImageRef, fileKey, isFlagValue, isPinnedImage, looksSecret } from '@todo/service-spec';
import type { ImportEntry } from './report';
import { deriveReach } from './reach';
import { renamedLine, renameHealthTest, renameReferences, renameWords } from './rename-refs';
import { shareSecrets } from './shared';
import { applyComposeDefaults } from './defaults';
import { keepLiteralText } from './literal';
import { isLabel, renameServices } from './names';
import { interpolateCompose, serviceEnvironment, type ReadFile } from './compose-variables';
import type { Lookup } from './interpolate';
import { buildProblem, isWindowsPath, parseExpose, parsePorts, parseVolume, type ParsedPort } from './compose-parse';
import { ComposeImportError } from './errors';
import { fitConditions, fitJobs } from './jobs';
import { splitLabels } from './labels';
import { fitReplicas, replicaCount } from './replicas';
import { fitWritablePaths } from './writable';
import { imageRefLine } from './image-ref';
import { fitPostgresData } from './postgres';
import { filesSnippet, placeBindFile } from './bind-files';
import { sharedVolumeLine, volumeMounters } from './shared-volumes';
import { resolveExtends } from './extends';
import { includedFiles } from './include';
import { LOGGING } from '@todo/compose';
import { posix } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ImportOptions {
  /** Stack name when the compose file has no top-level `name`. */
  readonly name: string;
  /** Build contexts and bind sources as written (relative to the compose file) -> relative to the repo root, or undefined when outside it. */
  readonly repoPath: (composeRelative: string) => string | undefined;
  /** The variables compose would interpolate with (.env, --env-file, --env); none when not given. */
  readonly variables?: Lookup;
  /** Reads a file the compose file names (env_file), relative to it and inside the repository. */
  readonly readFile?: ReadFile;
}

export interface ImportResult {
  readonly spec: StackSpec;
  readonly report: ImportEntry[];
}

/** Fields of a compose service the importer reads; any other key is reported as unmapped. */
const HANDLED = new Set(['image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'volumes', 'depends_on', 'healthcheck', 'user', 'restart', 'networks', 'container_name', 'secrets', 'configs', 'deploy', 'read_only', 'tmpfs', 'working_dir', 'labels', 'cpus', 'mem_limit', 'mem_reservation', 'logging', 'profiles', 'links', 'extends', 'network_mode']);

/** uid:gid the official images run their process as; the model refuses root. */
const KNOWN_UIDS: [RegExp, number, number, string][] = [
  [/^(docker\.io\/)?(library\/)?postgres:.*alpine/, 70, 70, 'postgres user of the official alpine image'],
  [/^(docker\.io\/)?(library\/)?postgres(:|$)/, 999, 999, 'postgres user of the official Debian image'],
  [/^(docker\.io\/)?(library\/)?(mariadb|mysql)(:|$)/, 999, 999, 'mysql user of the official image'],
  [/^(docker\.io\/)?(library\/)?redis(:|$)/, 999, 1000, 'redis user of the official image'],
  [/^(docker\.io\/)?grafana\/grafana(:|$)/, 472, 0, 'grafana user of the official image'],
  [/^(docker\.io\/)?prom\/prometheus(:|$)/, 65534, 65534, 'nobody, as the official image runs'],
];

function role(name: string, image: string | undefined, published: boolean): ServiceRole {
  const what = `${name} ${image ?? ''}`;
  if (/postgres|mysql|mariadb|mongo|couchdb|cassandra|influxdb/.test(what)) return 'database';
  if (/redis|memcached|valkey/.test(what)) return 'cache';
  if (/worker|queue|celery|sidekiq/.test(what)) return 'worker';
  if (/api|backend/.test(what)) return 'api';
  return published ? 'web' : 'worker';
}

const kebab = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'value';

/**
 * Compose durations (`1m30s`, `10s`, `500ms`) in whole seconds, at least 1. Undefined when the
 * value is not one (`abc`, `5 seconds`) or is negative (`-5s`): compose refuses those too.
 */
export function seconds(v: unknown): number | undefined {
  const exact = exactSeconds(v);
  return exact === undefined ? undefined : Math.max(1, Math.round(exact));
}

/** The same duration in seconds, unrounded (a number is nanoseconds, as compose reads it). */
function exactSeconds(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v / 1e9 : undefined;
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(String(v))) return undefined;
  let total = 0;
  for (const [, n, unit] of String(v).matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(n) * ({ h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 } as Record<string, number>)[unit];
  }
  return total;
}

/** Splits a shell string the way compose does for `command: "a b 'c d'"` (no expansions). */
export function shellWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let any = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      any = true;
    } else if (c === '\\' && i + 1 < s.length) cur += s[++i];
    else if (/\s/.test(c)) {
      if (cur || any) words.push(cur);
      cur = '';
      any = false;
    } else cur += c;
  }
  if (cur || any) words.push(cur);
  return words;
}

const WELL_KNOWN: Record<number, string> = { 80: 'http', 8080: 'http', 8000: 'http', 3000: 'http', 5000: 'http', 443: 'https', 5432: 'postgres', 3306: 'mysql', 6379: 'redis', 27017: 'mongo', 9090: 'http', 33060: 'mysqlx' };

function environment(raw: unknown): Record<string, string | null> {
  if (Array.isArray(raw)) {
    return Object.fromEntries(raw.map((e) => String(e)).map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, null])));
  }
  if (isObj(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]));
  return {};
}

/** Compose byte sizes (`512m`, `1g`, `1024k`, `268435456`) in MiB. */
function mebibytes(v: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kb|m|mb|g|gb)?$/i.exec(String(v).trim());
  if (!m) return undefined;
  const f: Record<string, number> = { '': 1 / 2 ** 20, b: 1 / 2 ** 20, k: 1 / 1024, kb: 1 / 1024, m: 1, mb: 1, g: 1024, gb: 1024 };
  return Math.max(1, Math.round(Number(m[1]) * f[(m[2] ?? '').toLowerCase()]));
}

const DEFAULT_RESOURCES = { cpuMillis: { request: 100, limit: 500 }, memoryMiB: { request: 128, limit: 256 } };

/** deploy.resources: limits and reservations of cpus and memory; each pair completed from the spec defaults. */
function resources(r: Obj, path: string, note: (path: string, status: ImportEntry['status'], message: string) => void, flat: [string, string, 'limit' | 'request', unknown][] = []): Obj | undefined {
  const read = { cpuMillis: {} as Obj, memoryMiB: {} as Obj };
  const fields: [string, string, 'limit' | 'request', unknown][] = [...flat];
  for (const [k, side] of [['limits', 'limit'], ['reservations', 'request']] as const) {
    for (const [f, x] of Object.entries(isObj(r[k]) ? r[k] : {})) fields.push([`${path}.${k}.${f}`, f, side, x]);
  }
  for (const [at, f, side, x] of fields) {
    if (f === 'cpus' && Number.isFinite(Number(x)) && Number(x) > 0) read.cpuMillis[side] = Math.max(1, Math.round(Number(x) * 1000));
    else if (f === 'memory' && mebibytes(x) !== undefined) read.memoryMiB[side] = mebibytes(x);
    else {
      note(at, 'unmapped', `${f} ${JSON.stringify(x)} is not modelled (cpus and memory are)`);
      continue;
    }
    note(at, 'mapped', f === 'cpus' ? `${read.cpuMillis[side]} millicpu ${side}` : `${read.memoryMiB[side]} MiB ${side}`);
  }
  for (const k of Object.keys(r)) if (k !== 'limits' && k !== 'reservations') note(`${path}.${k}`, 'unmapped', 'not a field the spec models');
  const out: Obj = {};
  for (const key of ['cpuMillis', 'memoryMiB'] as const) {
    const got = read[key];
    if (got.limit === undefined && got.request === undefined) continue;
    const d = DEFAULT_RESOURCES[key];
    const limit = got.limit ?? Math.max(got.request, d.limit);
    const request = got.request ?? Math.min(limit, d.request);
    if (got.limit === undefined || got.request === undefined) {
      // At the field compose leaves unset, which is what the import fills in (not at the one it read).
      note(`${path}.${got.limit === undefined ? 'limits' : 'reservations'}.${key === 'cpuMillis' ? 'cpus' : 'memory'}`, 'decision', `${key === 'cpuMillis' ? 'cpus' : 'memory'} ${got.limit === undefined ? 'limit' : 'reservation'} not set in compose; imported as ${key === 'cpuMillis' ? `${got.limit === undefined ? limit : request} millicpu` : `${got.limit === undefined ? limit : request} MiB`}: confirm it`);
    }
    out[key] = { request, limit };
  }
  return Object.keys(out).length ? out : undefined;
}

const CONDITIONS: Record<string, 'healthy' | 'started' | 'completed'> = { service_healthy: 'healthy', service_started: 'started', service_completed_successfully: 'completed' };
const RESTARTS: Record<string, 'always' | 'on-failure' | 'never'> = { always: 'always', 'unless-stopped': 'always', 'on-failure': 'on-failure', no: 'never' };

/** `links:` entries as [service, alias]; `SERVICE:ALIAS` or `SERVICE`. */
function links(raw: unknown): [string, string | undefined][] {
  if (!Array.isArray(raw)) return [];
  return raw.map((l) => {
    const [target, alias] = String(l).split(':', 2);
    return [target, alias];
  });
}

function dependsOn(raw: unknown): [string, string][] {
  if (Array.isArray(raw)) return raw.map((d) => [String(d), 'service_started']);
  if (isObj(raw)) return Object.entries(raw).map(([k, v]) => [k, (isObj(v) && v.condition) || 'service_started']);
  return [];
}

/** `test: ""`, `[CMD-SHELL, ""]`: a shell check with no script (blank text too). */
const emptyShellTest = (test: unknown): boolean =>
  (typeof test === 'string' && !test.trim()) || (Array.isArray(test) && test[0] === 'CMD-SHELL' && test.length > 1 && !test.slice(1).join(' ').trim());

/**
 * The health check as a probe. A timing that is not a duration (or is negative), or retries that
 * are not a whole number of at least 1, is left unset (the spec's default applies) and listed in
 * `bad` with why, for a cannot-map line at that field.
 */
function healthProbe(hc: Obj, lit: (s: string) => string): { probe?: ProbeSpec; problem?: string; bad?: [field: string, why: string][]; changed?: [field: string, why: string][] } {
  if (hc.disable === true) return { problem: 'healthcheck disabled' };
  const test = hc.test;
  let command: string[];
  if (typeof test === 'string') command = ['sh', '-c', lit(test)];
  else if (Array.isArray(test) && test[0] === 'CMD' && test.length > 1) command = test.slice(1).map((t) => lit(String(t)));
  else if (Array.isArray(test) && test[0] === 'CMD-SHELL' && test.length > 1) command = ['sh', '-c', lit(test.slice(1).join(' '))];
  else if (Array.isArray(test) && test[0] === 'NONE') return { problem: 'healthcheck test NONE (disabled)' };
  else return { problem: `healthcheck test ${JSON.stringify(test)} has no CMD or CMD-SHELL form` };
  const probe: Obj = { exec: { command } };
  const bad: [string, string][] = [];
  const changed: [string, string][] = [];
  const SPEC_DEFAULTS: Record<string, string> = { periodSeconds: '10s', timeoutSeconds: '3s', initialDelaySeconds: '0s' };
  for (const [field, key] of [['interval', 'periodSeconds'], ['timeout', 'timeoutSeconds'], ['start_period', 'initialDelaySeconds']] as const) {
    if (hc[field] === undefined) continue;
    const exact = exactSeconds(hc[field]);
    const n = seconds(hc[field]);
    if (exact === 0 && field !== 'start_period') {
      // Docker reads an interval or timeout of 0 as "not set": its default 30s.
      probe[key] = 30;
      changed.push([field, `${JSON.stringify(hc[field])} is 0, which Docker reads as not set (its default 30s): imported as ${key} 30, the same check`]);
    } else if (exact === 0) probe[key] = 0;
    else if (n !== undefined) {
      probe[key] = n;
      if (n !== exact) changed.push([field, `${JSON.stringify(hc[field])} is not a whole number of seconds, which the spec counts in: imported as ${key} ${n} (${n}s on both targets)`]);
    } else bad.push([field, `${JSON.stringify(hc[field])} is not a duration compose accepts (a non-negative number with a unit, e.g. "30s", "1m30s", "500ms"): left unset, so the spec's default ${key} ${SPEC_DEFAULTS[key]} applies; fix the value`]);
  }
  if (hc.retries !== undefined) {
    const n = Number(hc.retries);
    if (typeof hc.retries !== 'boolean' && String(hc.retries).trim() !== '' && Number.isInteger(n) && n >= 1) probe.failureThreshold = n;
    else bad.push(['retries', `${JSON.stringify(hc.retries)} is not a whole number of at least 1 (Docker reads 0 as its default 3): left unset, so the spec's default failureThreshold 3 applies; fix the value`]);
  }
  return { probe: probe as ProbeSpec, ...(bad.length && { bad }), ...(changed.length && { changed }) };
}

/**
 * Compose file (v1.29 `version: "3"` form or the v2 Compose Specification form,
 * as parsed YAML) -> a service spec, and a report of every field: mapped, carried
 * over with a decision to confirm, or not expressible in the spec.
 */
export function importCompose(doc: unknown, options: ImportOptions): ImportResult {
  const report: ImportEntry[] = [];
  const note = (path: string, status: ImportEntry['status'], message: string) => report.push({ path, status, message });
  // Every string as compose reads it: variables interpolated, `$$` unescaped (compose-variables.ts).
  const lookup: Lookup = options.variables ?? (() => undefined);
  const interpolated = interpolateCompose(doc, lookup, note);
  doc = interpolated.doc;
  if (!isObj(doc) || !isObj(doc.services)) throw new ComposeImportError('not a compose file: no top-level "services" map');
  // `extends:` within the file, merged as compose merges it (extends.ts).
  doc = { ...doc, services: resolveExtends(doc.services, note, report) };
  if (!isObj(doc)) throw new ComposeImportError('not a compose file');
  if (doc.version !== undefined) note('version', 'mapped', `compose file format "${doc.version}" (the v1 form); the generated file has no version key and loads in docker-compose 1.29 and Compose v2`);
  const stackName = typeof doc.name === 'string' ? kebab(doc.name) : options.name;
  if (doc.name !== undefined) note('name', 'mapped', `stack name "${stackName}"`);
  for (const key of Object.keys(doc)) {
    if (key === 'volumes') {
      note('volumes', 'mapped', 'named volumes become volumes of the services that mount them');
      for (const [v, def] of Object.entries(isObj(doc.volumes) ? doc.volumes : {})) {
        for (const k of Object.keys(isObj(def) ? def : {})) {
          // driver: local without driver_opts is what compose uses when none is named: nothing changes.
          if (k === 'driver' && (def as Obj).driver === 'local' && (def as Obj).driver_opts === undefined) note(`volumes.${v}.${k}`, 'mapped', 'the local driver, compose\'s default (the generated file names none)');
          else note(`volumes.${v}.${k}`, k === 'external' || k === 'name' ? 'decision' : 'unmapped', k === 'external' || k === 'name' ? `volume ${k} refers to an existing volume; the spec makes a new one named per service` : `volume ${k} is not modelled (a claim of the cluster's default storage class, a local compose volume)`);
        }
      }
    }
    else if (key === 'networks') note('networks', 'decision', 'the spec makes one network per dependency edge: a service reaches only what it depends on; add dependsOn where services talk without one');
    else if (key === 'secrets') note(key, 'decision', 'file secrets become secret files of the services that use them; the spec never reads their value (Kubernetes: a Secret, compose: a host file named by a variable)');
    else if (key === 'configs') note(key, 'mapped', 'config files become files of the services that use them');
    else if (key.startsWith('x-')) note(key, 'mapped', 'extension field: compose ignores it; what services take from it through YAML anchors is read with them');
    else if (key === 'include') {
      // Compose loads each included file as part of the project: its services run. The import reads one file.
      // Each included service gets a line at its own path when its file can be read for the names (include.ts).
      const merge = 'merge the project into one file with `docker compose config > merged.yml` and import that';
      const included = includedFiles(doc.include, options.readFile);
      for (const { file, services: names } of included) for (const n of names ?? []) note(`services.${n}`, 'unmapped', `defined in the included file "${file}", which the import does not read: compose runs it, and it is not imported; ${merge}`);
      const unread = included.filter((f) => f.services === undefined).map((f) => f.file);
      if (unread.length) note(key, 'unmapped', `the included file${unread.length > 1 ? 's' : ''} ${unread.map((f) => `"${f}"`).join(', ')} ${unread.length > 1 ? 'are' : 'is'} not read: compose runs the services ${unread.length > 1 ? 'they define' : 'it defines'}, which are not imported; ${merge}`);
    }
    else if (!['services', 'version', 'name'].includes(key)) note(key, 'unmapped', 'not a field the spec models');
  }

  const names = Object.keys(doc.services);
  const services: ServiceSpec[] = [];
  const usedHostPorts = new Set<number>();
  /** Spec service name -> compose service name, for report paths written after the rename. */
  const composeNames = new Map<string, string>();
  /** Compose name -> spec name of the services renamed below (names.ts): env values that use them as a host follow the rename. */
  const renames = renameServices(names);
  const renamed = new Map([...renames].map(([n, r]) => [n, r.to]));
  /** Named volume -> the compose services that mount it: sharing ends in the spec (shared-volumes.ts). */
  const mounters = volumeMounters(doc);
  /** Spec name -> the report path of each variable that did not come from `environment` (an env_file's): reach.ts reports there. */
  const envPathsOf = new Map<string, Record<string, string>>();
  for (const name of names) {
    const c: Obj = isObj(doc.services[name]) ? doc.services[name] : {};
    const p = `services.${name}`;
    const s: Obj = { name };
    if (!isLabel(name)) {
      s.name = renamed.get(name)!;
      const clash = renames.get(name)!.clash;
      note(p, 'decision', `service name "${name}" is not a DNS-1123 label; imported as "${s.name}"${clash !== undefined ? ` ("${s.name.replace(/-\d+$/, '')}" is services.${clash}, whose name meets this one's once made a label; rename one of them in compose to choose)` : ''} (other services reach it by that name, and the values and command words that use "${name}" as a host are rewritten to it)`);
    }
    composeNames.set(s.name, name);

    // Image: built from this repository, or a published reference.
    if (c.build !== undefined && buildProblem(c.build)) note(`${p}.build`, 'unmapped', buildProblem(c.build)!);
    if (c.build !== undefined && !buildProblem(c.build)) {
      const b: Obj = typeof c.build === 'string' ? { context: c.build } : c.build;
      const context = options.repoPath(b.context ?? '.');
      // Compose and the spec both name the Dockerfile relative to the context (default: Dockerfile).
      const dockerfileRaw: string = b.dockerfile ?? 'Dockerfile';
      const inRepo = options.repoPath(posix.isAbsolute(dockerfileRaw) ? dockerfileRaw : `${b.context ?? '.'}/${dockerfileRaw}`);
      const dockerfile = context !== undefined && inRepo !== undefined ? posix.relative(context, inRepo) : undefined;
      if (context === undefined || dockerfile === undefined) {
        note(`${p}.build`, 'decision', `build context "${b.context}" is outside this repository; imported as a published image "${c.image ?? `${stackName}-${name}:0.1.0`}" to build and push yourself`);
        s.image = { ref: c.image ?? `${stackName}-${name}:0.1.0` };
      } else {
        s.image = { build: { context, ...(dockerfile !== 'Dockerfile' && { dockerfile }) } };
        note(`${p}.build`, 'decision', `built from ${context} with ${inRepo} by the docker-build target (or \`up --build\`): the image is named ${stackName}-${s.name}:<hash of what Docker sends>`);
        if (c.image !== undefined) note(`${p}.image`, 'decision', `the built image is named "${c.image}" in compose; the spec names it ${stackName}-${name}:<content hash>`);
      }
      for (const k of Object.keys(b)) {
        if (k !== 'context' && k !== 'dockerfile') note(`${p}.build.${k}`, 'unmapped', `build ${k} is not modelled (only base images as build args are)`);
      }
    } else if (typeof c.image === 'string') {
      s.image = { ref: c.image };
      // `postgres:${PG:-}`: the tag is a variable that is empty here, which leaves the reference ending in ":".
      const refProblems: { path: string; message: string }[] = [];
      checkImageRef(c.image, `${p}.image`, refProblems);
      if (refProblems.length && !/:(@|$)/.test(c.image)) note(`${p}.image`, 'unmapped', imageRefLine(c.image, refProblems[0].message));
      else if (/:(@|$)/.test(c.image)) note(`${p}.image`, 'decision', `"${c.image}" has an empty tag${interpolated.fields.has(`${p}.image`) ? ': the tag comes from a variable that is empty or unset, or an empty default (the interpolation line at this field names it)' : ''}; compose refuses the reference too ("invalid reference format"): set the variable in .env, --env-file or --env, or write the tag`);
      else if (!isPinnedImage(c.image)) note(`${p}.image`, 'decision', `"${c.image}" is untagged or :latest; pin a version tag or digest (validation refuses floating tags outside environments that allow them)`);
      else note(`${p}.image`, 'mapped', c.image);
    } else {
      note(p, 'unmapped', 'neither image nor build');
      continue;
    }

    // Ports: published ones keep their host port, bound to 127.0.0.1 by the spec.
    const ports: PortSpec[] = [];
    const portNames = new Set<string>();
    const addPort = (pp: ParsedPort, path: string) => {
      if (ports.some((x) => x.port === pp.target && (x.protocol ?? 'TCP') === pp.protocol)) {
        const existing = ports.find((x) => x.port === pp.target && (x.protocol ?? 'TCP') === pp.protocol)! as Obj;
        if (pp.published !== undefined && existing.hostPort === undefined) existing.hostPort = pp.published;
        else if (pp.published !== undefined && existing.hostPort !== pp.published) note(path, 'decision', `container port ${pp.target} is also published on host port ${pp.published} in compose; the spec publishes one host port per container port (${existing.hostPort}): left unpublished`);
        return;
      }
      let pname = WELL_KNOWN[pp.target] ?? `p${pp.target}`;
      if (portNames.has(pname)) pname = `${pname.slice(0, 9)}-${pp.target}`.slice(0, 15);
      portNames.add(pname);
      const port: Obj = { name: pname, port: pp.target };
      if (pp.protocol === 'UDP') port.protocol = 'UDP';
      if (pp.published !== undefined) {
        if (usedHostPorts.has(pp.published)) {
          note(path, 'decision', `host port ${pp.published} is already published by another service; left unpublished`);
        } else {
          port.hostPort = pp.published;
          usedHostPorts.add(pp.published);
          if (pp.hostIp && pp.hostIp !== '127.0.0.1') port.hostAddress = pp.hostIp;
          else if (!pp.hostIp) note(path, 'decision', `published on all interfaces in compose; the spec publishes on 127.0.0.1:${pp.published} unless hostAddress says otherwise (set hostAddress: 0.0.0.0 to keep it public)`);
        }
      }
      ports.push(port as PortSpec);
    };
    // Every short and long form (compose-parse.ts); a range is one port per number.
    (Array.isArray(c.ports) ? c.ports : []).forEach((raw: unknown, i: number) => {
      const parsed = parsePorts(raw);
      if (typeof parsed === 'string') return note(`${p}.ports[${i}]`, 'unmapped', parsed);
      if (isObj(raw)) for (const k of Object.keys(raw)) if (!['target', 'published', 'host_ip', 'protocol'].includes(k)) note(`${p}.ports[${i}].${k}`, 'unmapped', `port ${k} is not modelled`);
      for (const pp of parsed) {
        if (pp.notice) note(`${p}.ports[${i}]`, 'decision', pp.notice);
        addPort(pp, `${p}.ports[${i}]`);
        if (pp.random) note(`${p}.ports[${i}]`, 'decision', `compose publishes container port ${pp.target} on a random host port; the spec does not publish it: set hostPort to publish it on 127.0.0.1`);
        note(`${p}.ports[${i}]`, 'mapped', `container port ${pp.target}${pp.protocol === 'UDP' ? '/udp' : ''}${pp.published !== undefined ? `, host port ${pp.published}` : ''}`);
      }
    });
    (Array.isArray(c.expose) ? c.expose : []).forEach((raw: unknown, i: number) => {
      const parsed = parseExpose(raw);
      if (typeof parsed === 'string') return note(`${p}.expose[${i}]`, 'unmapped', parsed);
      for (const { target, protocol } of parsed) {
        addPort({ target, protocol, random: false }, `${p}.expose[${i}]`);
        note(`${p}.expose[${i}]`, 'mapped', `container port ${target}${protocol === 'UDP' ? '/udp' : ''} (not published)`);
      }
    });
    if (ports.length) s.ports = ports;

    // Environment: secret-looking values become secret references; the value stays only as a local-only default.
    // env_file, then environment over it; variables named without a value from the project variables.
    const given = environment(c.environment);
    const { env, paths: envPaths, secretFed } = serviceEnvironment(c, p, given, lookup, options.readFile, note, interpolated.secretFed);
    envPathsOf.set(s.name, envPaths);
    const plain: Record<string, string> = {};
    const secrets: Obj = {};
    for (const [k, raw] of Object.entries(env)) {
      const at = envPaths[k] ?? `${p}.environment.${k}`;
      // A JavaScript object cannot hold this name as a key: every tool that reads the spec would lose it.
      if (k === '__proto__') {
        note(at, 'unmapped', 'a variable named __proto__ cannot be carried (the spec is read into JavaScript objects, where that key is special): it is not in the output; rename the variable');
        continue;
      }
      // Compose passes any name; the spec (and a Kubernetes env name before 1.32's relaxed validation) takes [A-Za-z_][A-Za-z0-9_]*.
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
        note(at, 'unmapped', `"${k}" is not a variable name the spec takes ([A-Za-z_][A-Za-z0-9_]*; Kubernetes refuses others before 1.32): it is not in the output; rename the variable (e.g. "${k.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1')}") where the program reads it`);
        continue;
      }
      let v = raw;
      if (v !== null && renamed.size) {
        const r = renameReferences(k, v, renamed);
        if (r.rewritten.length) {
          v = r.value;
          note(at, 'decision', renamedLine(r.rewritten, renamed, 'value'));
        }
      }
      if (v === null) {
        note(at, 'unmapped', 'takes its value from the host at `up` time; the spec has no pass-through variable: set a value or a secret');
      } else if (v === '' && !looksSecret(k, v) && !secretFed.has(at)) {
        note(at, 'decision', `empty in compose (the container gets ${k}=""); the spec holds no empty value, so it is left out, and the process sees it unset (most treat the two alike): set a value if it matters`);
      } else if (looksSecret(k, v) || (secretFed.has(at) && !isFlagValue(v))) {
        // By name, or by value (a URL with a password): the judgement validation and the policy gate make.
        // Or built from a variable named like one (`postgres://u:${DB_PASSWORD}@db`). The interpolated value
        // is the local-only default; an empty one (an unset variable) leaves none, so compose requires the variable.
        const localDefault = v === '' ? undefined : v;
        secrets[k] = { secret: `${kebab(stackName)}-${s.name}`, key: kebab(k), ...(localDefault !== undefined && { localDefault }) };
        note(at, 'decision', `looks like a secret: imported as a reference to secret "${stackName}-${s.name}" key "${kebab(k)}"; ${localDefault === undefined ? 'its compose value is empty, so it has no local default: compose output requires the variable, set it (or mark the reference optional: true to start without it)' : 'the compose value is kept as a local-only default, replace it (compose reads a host variable, Kubernetes a Secret)'}`);
      } else {
        plain[k] = v;
        note(at, 'mapped', 'plain value');
      }
    }
    if (Object.keys(plain).length) s.env = plain;
    if (Object.keys(secrets).length) s.secrets = secrets;

    // Command and entrypoint.
    // null keeps the image's default; [] or '' clears it in compose, which an empty command/args cannot say in Kubernetes.
    const words = (v: unknown) => (Array.isArray(v) ? v.map(String) : shellWords(String(v)));
    // A renamed service named in a word (`wait-for web_1:80`, `nc -z web_1 80`) is rewritten to its new name, with a line at the word (rename-refs.ts).
    const renamedWords = (field: 'command' | 'entrypoint'): string[] => {
      const r = renameWords(words(c[field]), renamed);
      for (const [i, olds] of r.changed) {
        note(Array.isArray(c[field]) ? `${p}.${field}[${i}]` : `${p}.${field}`, 'decision', renamedLine(olds, renamed, 'word'));
      }
      return r.words;
    };
    if (c.command === null) note(`${p}.command`, 'mapped', "null: the image's CMD is used");
    else if (c.command !== undefined && !words(c.command).length) note(`${p}.command`, 'decision', "empty: compose runs without the image's CMD, while an empty command in the spec keeps it; write the arguments out");
    else if (c.command !== undefined) {
      s.command = renamedWords('command');
      note(`${p}.command`, 'mapped', `arguments ${JSON.stringify(s.command)} (Kubernetes args; the image's entrypoint is kept)`);
    }
    if (c.entrypoint === null) note(`${p}.entrypoint`, 'mapped', "null: the image's ENTRYPOINT is used");
    else if (c.entrypoint !== undefined && !words(c.entrypoint).length) note(`${p}.entrypoint`, 'decision', "empty: compose runs without the image's ENTRYPOINT, while an empty entrypoint in the spec keeps it; write the command out as entrypoint");
    else if (c.entrypoint !== undefined) {
      s.entrypoint = renamedWords('entrypoint');
      note(`${p}.entrypoint`, 'mapped', `entrypoint ${JSON.stringify(s.entrypoint)} (Kubernetes command)`);
    }

    // Volumes: named volumes -> spec volumes; relative binds -> development mounts.
    const volumes: Obj[] = [];
    const devMounts: Obj[] = [];
    const volumeSources = new Map<string, { mountPath: string; at: string }>();
    const bindFiles = { list: [] as Obj[], keys: new Set<string>(), bytes: 0 };
    (Array.isArray(c.volumes) ? c.volumes : []).forEach((raw: unknown, i: number) => {
      const vp = `${p}.volumes[${i}]`;
      // Every short and long form (compose-parse.ts).
      const parsed = parseVolume(raw);
      if (typeof parsed === 'string') return note(vp, 'unmapped', parsed);
      const { source, target, type, mountOpts } = parsed;
      if (parsed.ignored) note(vp, 'mapped', `mode ${parsed.ignored.join(', ')} is not one compose knows: Compose v2 ignores it (docker-compose 1.29 refuses it), and so does the import`);
      // A bind's ro/rw is modelled (dev.mounts[].readOnly); on a volume, ro is not.
      const unmodelled = mountOpts.filter((o) => o !== 'rw' && !(o === 'ro' && type === 'bind'));
      if (unmodelled.length) note(`${vp}`, 'decision', `mount option${unmodelled.length > 1 ? 's' : ''} ${unmodelled.join(', ')} ${unmodelled.length > 1 ? 'are' : 'is'} not modelled${unmodelled.includes('ro') ? ' (the spec mounts it read-write: a read-only file belongs in files)' : ''}`);
      if (volumes.some((v) => v.mountPath === target) || devMounts.some((m) => m.target === target) || bindFiles.list.some((f) => f.path === target)) {
        return note(vp, 'decision', `"${target}" is mounted twice in compose; only the first mount is kept`);
      }
      if (type === 'volume' && source) {
        // The spec mounts each volume once: a second mount of the same volume cannot be carried.
        const first = volumeSources.get(source);
        if (first) return note(vp, 'unmapped', `named volume "${source}" is already mounted at ${first.mountPath} (${first.at}); the spec mounts a volume once, so ${target} is not mounted and what the service writes there is not kept: mount one directory of the volume, or give ${target} its own volume`);
        // Two compose names with one DNS form (my_data and my-data) are two volumes: the later one gets a suffix.
        let vname = kebab(source);
        for (let n = 2; volumes.some((v) => v.name === vname); n++) vname = `${kebab(source)}-${n}`;
        volumes.push({ name: vname, mountPath: target });
        volumeSources.set(source, { mountPath: target, at: vp });
        const shared = sharedVolumeLine(source, name, s.name, mounters);
        if (shared) note(vp, 'decision', shared);
        note(vp, 'decision', `named volume "${source}" at ${target}${vname !== kebab(source) ? ` as volume "${vname}" ("${kebab(source)}" is another volume of this service)` : ''}; compose names it "${s.name}-${vname}", so data in an existing "${source}" volume is not reused`);
      } else if (type === 'anonymous' || (type === 'volume' && !source)) {
        note(vp, 'decision', `anonymous volume at ${target}: imported as a writable path (emptied on restart)`);
        s.writablePaths = [...(s.writablePaths ?? []), target];
      } else if (type === 'tmpfs') {
        note(vp, 'mapped', `tmpfs at ${target}: a writable path (memory-backed in compose, an emptyDir in Kubernetes)`);
        s.writablePaths = [...(s.writablePaths ?? []), target];
      } else if (type === 'bind' && source) {
        // ~ is the home directory of whoever runs compose: never inside the repository.
        const repoSource = source.startsWith('~') || isWindowsPath(source) ? undefined : options.repoPath(source);
        if (repoSource === undefined) return note(vp, 'unmapped', `bind mount of "${source}" (outside the repository${isWindowsPath(source) ? ': compose reads it as a Windows path' : ''}) has no place in the spec`);
        // A read-only config file from the repository is a file of files on both targets (bind-files.ts).
        const placed = placeBindFile(source, repoSource, target, mountOpts.includes('ro'), options.readFile, bindFiles);
        if (placed.into === 'files') {
          bindFiles.list.push({ path: target, source: repoSource });
          bindFiles.keys.add(fileKey(target));
          bindFiles.bytes += placed.bytes;
          return note(vp, 'decision', `read-only bind mount of the file "${source}" (${placed.bytes} bytes): imported as ${filesSnippet(target, repoSource)}, a ConfigMap mounted read-only in Kubernetes and, in compose, a read-only bind of the copy synth writes under docker/files/: the copy is taken at synth time, so run synth again after editing the file`);
        }
        devMounts.push({ source: repoSource, target, ...(!mountOpts.includes('ro') && { readOnly: false }) });
        note(vp, 'decision', `bind mount of "${source}" is a development mount (docker-compose.dev.yml only); Kubernetes has no host files: ${placed.advice}`);
      } else {
        note(vp, 'unmapped', `${type} mount is not modelled`);
      }
    });
    if (volumes.length) s.volumes = volumes;
    if (devMounts.length) s.dev = { mounts: devMounts };

    // Health.
    if (isObj(c.healthcheck)) {
      for (const k of Object.keys(c.healthcheck)) if (!['test', 'interval', 'timeout', 'retries', 'start_period', 'disable'].includes(k)) note(`${p}.healthcheck.${k}`, 'unmapped', `healthcheck ${k} is not modelled`);
      // A renamed service named in the check (`pg_isready -h pg_main`) is rewritten, with a line at the test (rename-refs.ts).
      const renamedTest = renameHealthTest(c.healthcheck.test, renamed);
      for (const [suffix, olds] of renamedTest.changed) note(`${p}.healthcheck.${suffix}`, 'decision', renamedLine(olds, renamed, 'check'));
      const { probe, problem, bad, changed } = healthProbe({ ...c.healthcheck, test: renamedTest.test }, (t) => t);
      for (const [field, why] of bad ?? []) note(`${p}.healthcheck.${field}`, 'unmapped', why);
      for (const [field, why] of changed ?? []) note(`${p}.healthcheck.${field}`, 'decision', why);
      if (probe) {
        s.health = { liveness: probe };
        note(`${p}.healthcheck`, 'mapped', `exec check ${JSON.stringify((probe.exec as Obj).command)} as liveness (readiness defaults to it)`);
        // `test: ""` (or CMD-SHELL with no script): compose passes ["CMD-SHELL", ""], which Docker runs as `/bin/sh -c ""`.
        if (emptyShellTest(c.healthcheck.test)) note(`${p}.healthcheck.test`, 'mapped', 'an empty shell script: compose runs it as /bin/sh -c "", which exits 0, so the check always passes (the service is healthy as soon as it starts, and service_healthy waits for nothing more); imported as the same check on both targets: write a real test, or `disable: true` for none');
      } else note(`${p}.healthcheck`, 'unmapped', problem!);
    }
    if (!s.health && !isObj(c.healthcheck)) {
      note(`${p}.healthcheck`, 'decision', 'no health check: Kubernetes gets no probes and dependents wait for "started"; add one (http, tcp or exec) if the service has a health endpoint');
    }

    // Dependencies: the spec waits until the dependency is healthy. A link is a dependency
    // too: compose starts the linked service first (as depends_on: service_started).
    const deps = dependsOn(c.depends_on);
    // network_mode "service:X": compose starts X first (its config adds depends_on X: service_started) and runs this container in X's network namespace.
    const shared = typeof c.network_mode === 'string' && /^service:./.test(c.network_mode) ? c.network_mode.slice('service:'.length) : undefined;
    if (shared !== undefined && !deps.some(([d]) => d === shared)) deps.push([shared, 'service_started']);
    if (c.network_mode !== undefined) {
      note(`${p}.network_mode`, 'unmapped', shared !== undefined ? `compose runs it in the network namespace of "${shared}" (it is reached through ${shared}'s ports, and reaches others as ${shared}); the spec gives every service its own network: it listens on its own address, and ${shared}'s published ports do not reach it. Compose starts ${shared} first: imported as dependsOn ${renamed.get(shared) ?? shared} (started)` : `network mode ${JSON.stringify(c.network_mode)} is not modelled: the service joins the networks of its dependsOn and talksTo edges`);
    }
    const linked = links(c.links);
    if (linked.length) {
      const added = linked.map(([t]) => t).filter((t, i, all) => all.indexOf(t) === i && !deps.some(([d]) => d === t));
      for (const t of added) deps.push([t, 'service_started']);
      const order = added.length ? `compose starts ${added.join(', ')} first (a link implies depends_on: service_started): imported as dependsOn (started); ` : '';
      note(`${p}.links`, 'decision', `${order}the link itself is not written: services reach each other by name on both targets`);
      for (const [i, [target, alias]] of linked.entries()) {
        if (alias && alias !== target) note(`${p}.links[${i}]`, 'unmapped', `the alias "${alias}" is a hostname on compose's default network only; neither target gets it: use the service name "${renamed.get(target) ?? target}"`);
      }
    }
    if (deps.length) {
      s.dependsOn = deps.map(([d, cond]) => ({ service: renamed.get(d) ?? d, condition: CONDITIONS[cond] ?? 'started' }));
      for (const [d, cond] of deps) {
        if (CONDITIONS[cond]) note(`${p}.depends_on.${d}`, 'mapped', `waits until ${CONDITIONS[cond]}`);
        else note(`${p}.depends_on.${d}`, 'decision', `condition "${cond}" is unknown; imported as "started"`);
        const opts = isObj(c.depends_on) && isObj(c.depends_on[d]) ? c.depends_on[d] : {};
        if (opts.required === false) note(`${p}.depends_on.${d}.required`, 'decision', 'compose starts the service without it when it is absent; the spec always requires the dependency');
        if (opts.restart !== undefined) note(`${p}.depends_on.${d}.restart`, 'unmapped', 'restarting a dependent when its dependency is updated is compose-only');
        for (const k of Object.keys(opts)) if (!['condition', 'required', 'restart'].includes(k)) note(`${p}.depends_on.${d}.${k}`, 'unmapped', 'not a field the spec models');
      }
    }

    // Who the process runs as.
    if (c.user !== undefined) {
      const [uid, gid = uid] = String(c.user).split(':').map(Number);
      if (Number.isInteger(uid) && Number.isInteger(gid) && uid > 0 && gid > 0) {
        s.user = { uid, gid };
        note(`${p}.user`, 'mapped', `${uid}:${gid}`);
      } else note(`${p}.user`, 'decision', `"${c.user}" is not a non-root numeric uid:gid; the spec runs as 1000:1000 unless you set user`);
    } else {
      const ref = s.image.ref ?? '';
      const known = KNOWN_UIDS.find(([re]) => re.test(ref));
      if (known && known[1] > 0) {
        s.user = { uid: known[1], gid: known[2] > 0 ? known[2] : known[1] };
        note(`${p}.user`, 'decision', `not set in compose; imported as ${s.user.uid}:${s.user.gid}, the ${known[3]}: confirm it`);
      } else {
        note(`${p}.user`, 'decision', "not set in compose (the image's own user, often root); the spec runs every container as non-root 1000:1000: set user to the uid the image expects");
      }
    }

    // Writable root filesystem: compose's default; the spec's default is read-only.
    if (c.read_only === true) note(`${p}.read_only`, 'mapped', 'read-only root filesystem');
    else {
      s.readOnlyRootFilesystem = false;
      s.gateWaivers = [{ rule: 'read-only-root-filesystem', reason: 'imported from compose, which runs a writable root filesystem; list the paths the process writes in writablePaths and remove this waiver' }];
      note(`${p}.read_only`, 'decision', 'compose runs a writable root filesystem; imported as readOnlyRootFilesystem: false with a gate waiver. Prefer true with writablePaths for the directories the process writes');
    }
    if (Array.isArray(c.tmpfs) || typeof c.tmpfs === 'string') {
      // `/run` or `/run:size=64m,mode=1777`: the path is writable; its options are not modelled.
      (Array.isArray(c.tmpfs) ? c.tmpfs : [c.tmpfs]).forEach((t: unknown, i: number) => {
        const at = Array.isArray(c.tmpfs) ? `${p}.tmpfs[${i}]` : `${p}.tmpfs`;
        if (typeof t !== 'string' || !t) return note(at, 'unmapped', `${JSON.stringify(t)} is not a container path`);
        const [path, ...opts] = t.split(':');
        s.writablePaths = [...(s.writablePaths ?? []), path];
        if (opts.length) note(at, 'decision', `tmpfs options ${opts.join(':')} are not modelled (a writable path has no size or mode)`);
      });
      note(`${p}.tmpfs`, 'mapped', 'writable paths');
    }

    if (isObj(c.deploy) && c.deploy.replicas !== undefined) {
      const n = replicaCount(c.deploy.replicas);
      if (typeof n === 'string') note(`${p}.deploy.replicas`, 'unmapped', n);
      else {
        s.replicas = n;
        note(`${p}.deploy.replicas`, 'mapped', `${s.replicas} replicas`);
      }
    }
    if (isObj(c.deploy) && isObj(c.deploy.resources)) {
      const r = resources(c.deploy.resources, `${p}.deploy.resources`, note);
      if (r) s.resources = r;
    }
    // The compose v2 service-level forms of the same limits.
    const flat = ([['cpus', 'cpus', 'limit'], ['mem_limit', 'memory', 'limit'], ['mem_reservation', 'memory', 'request']] as const).filter(([k]) => c[k] !== undefined).map(([k, f, side]) => [`${p}.${k}`, f, side, c[k]] as [string, string, 'limit' | 'request', unknown]);
    if (flat.length) {
      if (s.resources) flat.forEach(([at]) => note(at, 'decision', 'deploy.resources is set too: that one is imported'));
      else {
        const r = resources({}, `${p}.deploy.resources`, note, flat);
        if (r) s.resources = r;
      }
    }
    for (const k of Object.keys(isObj(c.deploy) ? c.deploy : {})) if (k !== 'replicas' && k !== 'resources') note(`${p}.deploy.${k}`, 'unmapped', `deploy ${k} is not modelled (only replicas and resources are)`);
    if (c.restart !== undefined) {
      const policy = RESTARTS[String(c.restart).split(':')[0]];
      if (policy) {
        s.restart = policy;
        if (String(c.restart).includes(':')) note(`${p}.restart`, 'decision', `the retry limit in "${c.restart}" is not modelled: the spec retries without a limit`);
        note(`${p}.restart`, c.restart === 'always' ? 'decision' : 'mapped', c.restart === 'always' ? 'restart "always" becomes the spec\'s "always", which compose writes as unless-stopped (a stopped container stays stopped)' : `restart ${policy}`);
      } else note(`${p}.restart`, 'unmapped', `"${c.restart}" is not a restart policy the spec knows`);
    }
    if (c.networks !== undefined) note(`${p}.networks`, 'decision', 'replaced by one network per dependsOn or talksTo edge');
    if (c.labels !== undefined) {
      // app.kubernetes.io/* labels select pods: the renderers set them from the service name.
      const all = environment(c.labels);
      const own = Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('app.kubernetes.io/')));
      for (const k of Object.keys(all).filter((x) => !(x in own))) note(`${p}.labels.${k}`, 'mapped', 'set by the renderers from the service name');
      // Values Kubernetes refuses as labels become annotations; keys it refuses, cannot-map lines (labels.ts).
      const { labels, annotations } = splitLabels(own, p, note);
      if (Object.keys(annotations).length) s.annotations = annotations;
      if (Object.keys(labels).length) {
        s.labels = labels;
        note(`${p}.labels`, 'mapped', 'labels');
      }
    }
    if (c.container_name !== undefined) note(`${p}.container_name`, 'unmapped', 'fixed container names are compose-only; services are reached by service name');
    const files: Obj[] = [...bindFiles.list];
    (Array.isArray(c.secrets) ? c.secrets : []).forEach((raw: unknown, i: number) => {
      const src = isObj(raw) ? String(raw.source) : String(raw);
      const target = isObj(raw) && raw.target ? (String(raw.target).startsWith('/') ? String(raw.target) : `/run/secrets/${raw.target}`) : `/run/secrets/${src}`;
      files.push({ path: target, secret: { secret: `${kebab(stackName)}-${kebab(src)}`, key: 'value' } });
      if (isObj(raw)) for (const k of Object.keys(raw)) if (!['source', 'target'].includes(k)) note(`${p}.secrets[${i}].${k}`, 'unmapped', `secret file ${k} is not modelled (the spec mounts files read-only, readable by the service's user)`);
      note(`${p}.secrets[${i}]`, 'decision', `secret file ${target} from secret "${stackName}-${kebab(src)}" key "value"; the compose file's source is not read: compose takes the file path from a host variable, Kubernetes from the Secret`);
    });
    (Array.isArray(c.configs) ? c.configs : []).forEach((raw: unknown, i: number) => {
      const src = isObj(raw) ? String(raw.source) : String(raw);
      const def = isObj(doc.configs) ? doc.configs[src] : undefined;
      const target = isObj(raw) && raw.target ? String(raw.target) : `/${src}`;
      const source = isObj(def) && typeof def.file === 'string' ? options.repoPath(def.file) : undefined;
      // Compose v2's inline config (`content:`) is a file with that text: the spec's files[].content.
      if (source === undefined && isObj(def) && typeof def.content === 'string') {
        if (looksSecret(fileKey(target), def.content)) return note(`${p}.configs[${i}]`, 'unmapped', `config "${src}" is inline text whose name or content looks like a secret, which a ConfigMap must not hold: not imported; make it a secret (top-level secrets, or files[].secret in the spec)`);
        files.push({ path: target, content: def.content });
        if (isObj(raw)) for (const k of Object.keys(raw)) if (!['source', 'target'].includes(k)) note(`${p}.configs[${i}].${k}`, 'unmapped', `config file ${k} is not modelled (the spec mounts files read-only, readable by the service's user)`);
        return note(`${p}.configs[${i}]`, 'decision', `config file ${target} with the inline content of configs.${src}: imported as files[].content (a ConfigMap in Kubernetes; in compose a read-only bind of the copy synth writes, where compose mounted its own copy)`);
      }
      if (source === undefined) return note(`${p}.configs[${i}]`, 'unmapped', `config "${src}" is not a file inside this repository`);
      files.push({ path: target, source });
      if (isObj(raw)) for (const k of Object.keys(raw)) if (!['source', 'target'].includes(k)) note(`${p}.configs[${i}].${k}`, 'unmapped', `config file ${k} is not modelled (the spec mounts files read-only, readable by the service's user)`);
      note(`${p}.configs[${i}]`, 'mapped', `config file ${target} from ${source}`);
    });
    if (files.length) s.files = files;
    if (c.working_dir !== undefined) note(`${p}.working_dir`, 'unmapped', 'the image working directory is used');
    if (c.logging !== undefined) {
      // Compose files write option values as strings or numbers alike (max-file: 3).
      const given = isObj(c.logging) ? { ...c.logging, ...(isObj(c.logging.options) && { options: Object.fromEntries(Object.entries(c.logging.options).map(([k, v]) => [k, String(v)])) }) } : c.logging;
      if (isDeepStrictEqual(given, LOGGING)) note(`${p}.logging`, 'mapped', 'the rotated local log driver that synth writes for every service');
      else note(`${p}.logging`, 'decision', `synth writes the ${LOGGING.driver} log driver, rotated at ${LOGGING.options['max-file']} files of ${LOGGING.options['max-size']}, for every service; to keep this logging, set it in environments.<env>.patches.compose.${s.name}.logging`);
    }
    if (Array.isArray(c.profiles) && c.profiles.length) {
      s.profiles = c.profiles.map(String);
      note(`${p}.profiles`, 'mapped', `profiles ${s.profiles.join(', ')}: compose starts it only with --profile; Kubernetes writes it scaled to 0 (a job suspended) unless environments.<env>.profiles enables one`);
    }
    for (const k of Object.keys(c)) if (!HANDLED.has(k)) note(`${p}.${k}`, 'unmapped', 'not a field the spec models');

    s.role = role(s.name, s.image.ref, ports.some((x) => x.hostPort !== undefined));
    if (s.role === 'database' && !ports.length) {
      s.role = 'worker';
      note(`${p}`, 'decision', 'looks like a database but declares no port; imported as a worker (a database needs its port)');
    }
    note(`${p}`, 'decision', `role "${s.role}" inferred from the name and image${s.role === 'database' ? ': a StatefulSet with a volume claim in Kubernetes' : ''}`);
    keepLiteralText(s, c, p, envPaths, note);
    applyComposeDefaults(name, c, s, doc, note);
    services.push(orderKeys(s) as ServiceSpec);
  }

  // A service others wait for with service_completed_successfully runs once: a job.
  for (const c of Object.entries(doc.services as Obj)) {
    for (const [d, cond] of dependsOn((c[1] as Obj)?.depends_on)) {
      const job = (services as Obj[]).find((x) => x.name === (renamed.get(d) ?? d));
      if (cond !== 'service_completed_successfully' || !job || job.job) continue;
      job.job = {};
      report.push({ path: `services.${d}`, status: 'decision', message: `"${c[0]}" waits for it to complete: imported as a one-shot job (a Kubernetes Job, a compose one-shot service)` });
    }
  }
  // What the spec refuses a job, and conditions it refuses (a wait for a job, "healthy" with no check): changed, with a line (jobs.ts).
  fitJobs(services as Obj[], doc, report, (n) => composeNames.get(n) ?? n);
  fitConditions(services as Obj[], doc, report, (n) => composeNames.get(n) ?? n);
  // Writable paths listed twice, on a mounted path or inside one another: one kept, with a line (writable.ts).
  fitWritablePaths(services as Obj[], doc, report, (n) => composeNames.get(n) ?? n);
  // A postgres data volume on Kubernetes is a fresh claim with lost+found at its root: PGDATA one level down (postgres.ts).
  fitPostgresData(services as Obj[], doc, report, (n) => composeNames.get(n) ?? n);

  // Compose puts every service on one network; the spec opens only declared paths. Paths that
  // env values name (DB_HOST=db, REDIS_URL=redis://redis:6379) become talksTo edges, and give a port to a service that has none.
  shareSecrets(services as Obj[], report, stackName);
  deriveReach(services as Obj[], report, { role, composeName: (n) => composeNames.get(n) ?? n, envPath: (n, k) => envPathsOf.get(n)?.[k] });
  services.forEach((s, i) => (services[i] = orderKeys(s as Obj) as ServiceSpec));

  const spec: StackSpec = {
    name: stackName,
    services,
    environments: { local: { target: 'compose', allowFloatingTags: true }, kubernetes: { target: 'kubernetes', namespace: stackName } },
  };
  fitReplicas(spec, doc, report, (n) => composeNames.get(n) ?? n);
  note('environments', 'decision', 'two environments: "local" (compose, floating tags allowed) and "kubernetes"; add registry, ingress and overrides as needed');
  return { spec, report };
}

const ORDER = ['name', 'role', 'runtime', 'image', 'entrypoint', 'command', 'ports', 'env', 'secrets', 'files', 'health', 'resources', 'replicas', 'volumes', 'writablePaths', 'readOnlyRootFilesystem', 'dependsOn', 'talksTo', 'user', 'restart', 'labels', 'annotations', 'gateWaivers', 'externalEgress', 'dev', 'literalInterpolation'];
function orderKeys(s: Obj): Obj {
  return Object.fromEntries(Object.entries(s).sort(([a], [b]) => ORDER.indexOf(a) - ORDER.indexOf(b)));
}
