import type { ImportEntry } from './report';

type Obj = Record<string, any>;

/**
 * Who reaches whom, read from what compose leaves implicit. Inside a compose network every
 * container reaches every other on any port, so a service others use often declares no port at
 * all (`REDIS_URL: redis://redis:6379` and a redis with no `ports`/`expose`). Kubernetes reaches a
 * service only through a Service, which needs a port: so the port is found where the service is
 * reached (a URL, `host:port`, `DB_HOST=db` with `DB_PORT=5432`, a scheme's default port), or the
 * report asks for it, naming the service and who reaches it. The same references become talksTo.
 */

/** Ports a URL scheme's clients use when the URL names none. */
const SCHEME_PORTS: Record<string, number> = {
  http: 80, https: 443, ws: 80, wss: 443, redis: 6379, rediss: 6379, postgres: 5432, postgresql: 5432, mysql: 3306, mariadb: 3306,
  mongodb: 27017, amqp: 5672, amqps: 5671, nats: 4222, memcached: 11211, ldap: 389, ldaps: 636, smtp: 25, kafka: 9092, mqtt: 1883, clickhouse: 8123,
};

/** The port an official image usually listens on: only a hint in a decision, never imported by itself. */
const IMAGE_PORTS: [RegExp, number][] = [
  [/^(redis|valkey|keydb)$/, 6379], [/^(postgres|postgis|timescaledb.*|pgvector)$/, 5432], [/^(mysql|mariadb|percona)$/, 3306], [/^mongo$/, 27017],
  [/^memcached$/, 11211], [/^rabbitmq$/, 5672], [/^(elasticsearch|opensearch)$/, 9200], [/^clickhouse-server$/, 8123], [/^minio$/, 9000],
  [/^(nginx|httpd|caddy|traefik)$/, 80], [/^nats$/, 4222], [/^(kafka|cp-kafka)$/, 9092], [/^zookeeper$/, 2181], [/^influxdb$/, 8086],
  [/^grafana$/, 3000], [/^prometheus$/, 9090], [/^meilisearch$/, 7700], [/^typesense$/, 8108], [/^qdrant$/, 6333], [/^(mailhog|mailpit)$/, 1025],
];

export function imagePort(ref: string | undefined): number | undefined {
  if (!ref) return undefined;
  const name = ref.split('@')[0].replace(/:[^/:]*$/, '').split('/').pop()!;
  return IMAGE_PORTS.find(([re]) => re.test(name))?.[1];
}

/** One place a service is reached: `services.<from>.environment.<key>`, with the port it names if any. */
export interface Reference {
  readonly from: string;
  readonly key: string;
  /** The compose field it is in when not an environment variable: `command`, `entrypoint`. */
  readonly field?: string;
  readonly target: string;
  readonly port?: number;
  /** How the port was found, for the report. */
  readonly how?: string;
}

const validPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

/** Values longer than this are not read for references: a URL or host:port is far shorter; a longer value is a certificate, a key or a blob, and scanning it would cost time for nothing. */
export const MAX_REFERENCE_VALUE = 8 * 1024;

/**
 * The services (of `names`) that `value` names, with a port where it says one. `env` is the service's other variables (DB_HOST + DB_PORT).
 * A value over MAX_REFERENCE_VALUE characters names none (it is not scanned).
 */
export function referencesIn(key: string, value: string, env: Readonly<Record<string, string>>, names: readonly string[]): { target: string; port?: number; how?: string }[] {
  const out: { target: string; port?: number; how?: string }[] = [];
  if (value.length > MAX_REFERENCE_VALUE) return out;
  const known = new Set(names);
  let rest = value;
  // URLs, with a host list as mongodb:// and redis-sentinel use it: scheme://[user[:password]@]host[:port][,host[:port]][/...]
  for (const m of value.matchAll(/([A-Za-z][A-Za-z0-9+.-]{0,63}):\/\/(?:[^@/\s?#]*@)?([^/\s?#]+)/g)) {
    rest = rest.replace(m[0], ' ');
    const scheme = m[1].toLowerCase().split('+')[0];
    for (const hostPort of m[2].split(',')) {
      const hp = /^([A-Za-z0-9_.-]+)(?::(\d+))?$/.exec(hostPort);
      if (!hp || !known.has(hp[1])) continue;
      const port = hp[2] !== undefined ? Number(hp[2]) : SCHEME_PORTS[scheme];
      out.push({ target: hp[1], ...(port !== undefined && validPort(port) && { port, how: hp[2] !== undefined ? `${m[1]}://…${hp[1]}:${hp[2]}` : `${m[1]}:// without a port: its default ${port}` }) });
    }
  }
  // host:port anywhere else (`cache:11211`, `--broker kafka:9092`).
  for (const m of rest.matchAll(/(?:^|[\s,;=(])([A-Za-z0-9_.-]+):(\d{1,5})(?=$|[\s,;/)])/g)) {
    if (known.has(m[1]) && validPort(Number(m[2]))) {
      out.push({ target: m[1], port: Number(m[2]), how: `${m[1]}:${m[2]}` });
      rest = rest.replace(`${m[1]}:${m[2]}`, ' ');
    }
  }
  // The whole value is a host name: DB_HOST=db, with its port in DB_PORT=5432 beside it.
  if (known.has(value.trim())) {
    const prefix = key.replace(/_?(HOST|HOSTNAME|SERVER|ADDR|ADDRESS|SERVICE|HOST_NAME)$/i, '');
    const portKey = [`${prefix}_PORT`, `${prefix}PORT`].find((k) => k !== key && env[k] !== undefined && validPort(Number(env[k])));
    out.push({ target: value.trim(), ...(portKey && { port: Number(env[portKey]), how: `${key}=${value.trim()} with ${portKey}=${env[portKey]}` }) });
    return out;
  }
  // Any other mention of a service name as a word (`db`, `tcp://db`, `db/0`), as a reference without a port.
  for (const name of names) {
    if (out.some((r) => r.target === name)) continue;
    if (new RegExp(`(^|[/@:,=\\s])${name.replace(/[-.]/g, '\\$&')}([:/,\\s]|$)`).test(rest)) out.push({ target: name });
  }
  return out;
}

const WELL_KNOWN_NAMES: Record<number, string> = { 80: 'http', 8080: 'http', 8000: 'http', 3000: 'http', 5000: 'http', 443: 'https', 5432: 'postgres', 3306: 'mysql', 6379: 'redis', 27017: 'mongo', 9090: 'http', 33060: 'mysqlx', 5672: 'amqp', 11211: 'memcached', 9200: 'http', 4222: 'nats', 9092: 'kafka' };

function portName(port: number, taken: readonly string[]): string {
  const base = WELL_KNOWN_NAMES[port] ?? `p${port}`;
  return taken.includes(base) ? `${base.slice(0, 9)}-${port}`.slice(0, 15) : base;
}

export interface ReachOptions {
  /** Re-infers a service's role once it has a port (a database without one was imported as a worker). */
  readonly role: (name: string, image: string | undefined, published: boolean) => string;
  /** The compose name of a spec service (a name that is not a DNS label was renamed): report paths are compose paths. */
  readonly composeName?: (specName: string) => string;
  /**
   * The report path of a spec service's variable when it is not `services.<s>.environment.<KEY>`:
   * a value read from an env_file is reported at `services.<s>.env_file[<i>].<KEY>` (compose-variables.ts).
   */
  readonly envPath?: (specName: string, key: string) => string | undefined;
}

/**
 * Finds the ports of reached services, adds talksTo edges, and reports each choice at the compose
 * path it came from. Mutates `services` (spec services under construction) and appends to `report`.
 */
export function deriveReach(services: Obj[], report: ImportEntry[], options: ReachOptions): void {
  const note = (path: string, status: ImportEntry['status'], message: string) => report.push({ path, status, message });
  const names = services.map((s) => s.name as string);
  const byName = new Map(services.map((s) => [s.name as string, s]));
  // A renamed service is matched by its compose name too (a value the import kept, `PGDATABASE=my_db`, `-h my_db`).
  const specName = new Map(names.flatMap((n) => [[n, n], [options.composeName?.(n) ?? n, n]] as [string, string][]));
  const refs: Reference[] = [];
  for (const s of services) {
    const env: Record<string, string> = { ...(s.env ?? {}), ...Object.fromEntries(Object.entries(s.secrets ?? {}).map(([n, r]) => [n, (r as Obj).localDefault ?? ''])) };
    const others = [...specName.keys()].filter((n) => specName.get(n) !== s.name);
    for (const [key, value] of Object.entries(env)) {
      for (const r of referencesIn(key, String(value), env, others)) {
        const target = specName.get(r.target)!;
        if (!refs.some((x) => x.from === s.name && x.key === key && x.target === target && x.port === r.port)) refs.push({ from: s.name, key, ...r, target });
      }
    }
    // The command and entrypoint name services too (`wait-for db:5432`, `--broker kafka:9092`), word by word.
    for (const field of ['entrypoint', 'command'] as const) {
      for (const word of (s[field] ?? []) as string[]) {
        for (const r of referencesIn(field, String(word), env, others)) {
          const target = specName.get(r.target)!;
          if (!refs.some((x) => x.from === s.name && x.key === field && x.target === target && x.port === r.port)) refs.push({ from: s.name, key: field, field, ...r, target });
        }
      }
    }
  }
  const at = (specName: string) => `services.${options.composeName?.(specName) ?? specName}`;
  const where = (r: Reference) => (r.field ? `${at(r.from)}.${r.field}` : (options.envPath?.(r.from, r.key) ?? `${at(r.from)}.environment.${r.key}`));

  // The reached service's ports.
  for (const t of services) {
    if (t.job) continue;
    const toT = refs.filter((r) => r.target === t.name);
    const waiters = services.filter((s) => (s.dependsOn ?? []).some((d: Obj) => d.service === t.name)).map((s) => s.name as string);
    if (!toT.length && !waiters.length) continue;
    const declared: Obj[] = t.ports ?? [];
    const found = [...new Set(toT.filter((r) => r.port !== undefined).map((r) => r.port!))].sort((a, b) => a - b);
    const missing = found.filter((n) => !declared.some((p) => p.port === n && (p.protocol ?? 'TCP') === 'TCP'));
    if (missing.length) {
      const added = [...declared];
      for (const port of missing) added.push({ name: portName(port, added.map((p) => p.name)), port });
      t.ports = added;
      const sources = missing.map((n) => `${n} (${toT.filter((r) => r.port === n).map((r) => `${where(r)}: ${r.how}`).join('; ')})`).join(', ');
      note(`${at(t.name)}.expose`, 'decision', declared.length
        ? `port${missing.length > 1 ? 's' : ''} ${sources} ${missing.length > 1 ? 'are' : 'is'} reached but not declared in ports/expose; imported as a port too, opened to the services that reach it: confirm ${t.name} listens there`
        : `no ports or expose in compose (its network needs none); imported as port${missing.length > 1 ? 's' : ''} ${sources}, so Kubernetes gets a Service "${t.name}": confirm it is the port ${t.name} listens on`);
      const demoted = report.findIndex((e) => e.path === at(t.name) && e.message.startsWith('looks like a database but declares no port'));
      if (demoted >= 0 && options.role(t.name, t.image?.ref, false) === 'database') {
        t.role = 'database';
        report.splice(demoted, 1);
        const line = report.findIndex((e) => e.path === at(t.name) && e.message.startsWith('role "worker" inferred'));
        if (line >= 0) report[line] = { ...report[line], message: 'role "database" inferred from the name and image: a StatefulSet with a volume claim in Kubernetes' };
      }
    } else if (!declared.length) {
      const hint = imagePort(t.image?.ref);
      const waiting = waiters.filter((w) => !toT.some((r) => r.from === w)).map((w) => `${at(w)}.depends_on.${options.composeName?.(t.name) ?? t.name}`);
      const who = [toT.length && `reached by ${toT.map(where).join(', ')}`, waiting.length && `waited for by ${waiting.join(', ')}`].filter(Boolean).join(' and ');
      note(`${at(t.name)}.expose`, 'decision', `${who}, but declares no port and none is named where it is reached: Kubernetes gets no Service "${t.name}", so that name does not resolve there (validation refuses the dependency for Kubernetes); add the port it listens on to services.${t.name}.ports${hint ? ` (the image usually listens on ${hint})` : ''} and talksTo: [${t.name}] on the services that reach it, or remove the dependency`);
    }
  }

  // talksTo: a network path without start order, to each service named that has a port.
  for (const s of services) {
    const deps = new Set((s.dependsOn ?? []).map((d: Obj) => d.service));
    const talks = new Set<string>();
    for (const r of refs.filter((x) => x.from === s.name)) {
      const t = byName.get(r.target)!;
      if (deps.has(t.name) || talks.has(t.name) || t.job) continue;
      if (!(t.ports ?? []).length) {
        note(where(r), 'decision', `names service "${t.name}", which declares no port (compose needs none): no talksTo until it has one (see ${at(t.name)}.expose)`);
        continue;
      }
      talks.add(t.name);
      note(where(r), 'decision', `names service "${t.name}"${r.port !== undefined ? ` on port ${r.port}` : ''}: imported as talksTo: [${t.name}] (a network path without start order)`);
    }
    if (talks.size) s.talksTo = [...talks].sort();
  }
  for (const s of services) {
    const edges = [...(s.dependsOn ?? []).map((d: Obj) => d.service), ...(s.talksTo ?? [])];
    const reached = services.some((o) => (o.dependsOn ?? []).some((d: Obj) => d.service === s.name) || (o.talksTo ?? []).includes(s.name));
    if (!edges.length && !reached && !refs.some((r) => r.from === s.name || r.target === s.name) && services.length > 1) {
      note(at(s.name), 'decision', 'depends on nothing, names no other service and none names it: it gets no network path to the others; add talksTo if it connects to one');
    }
  }
}

/** Keys whose whole value is a name other than a host: a database, user, schema, queue... */
const NOT_A_HOST = /(DB|DATABASE|DBNAME)$|(^|_)(NAME|USER|USERNAME|SCHEMA|BUCKET|QUEUE|TOPIC|INDEX|PREFIX|PROJECT|REALM|TABLE|VHOST|KEYSPACE|COLLECTION)$/i;

/**
 * Rewrites references to renamed services (compose name -> spec name) where `value` uses them as a host:
 * a URL's host (and each host of a URL's host list), `name:port`, or the whole value. A name elsewhere
 * (a database called like its service, `POSTGRES_DB=my_db`, `postgres://db/my_db`) is left as it is. Returns the new value and
 * the compose names rewritten.
 */
export function renameHosts(key: string, value: string, renamed: ReadonlyMap<string, string>): { value: string; rewritten: string[] } {
  const rewritten = new Set<string>();
  const to = (host: string) => {
    const n = renamed.get(host);
    if (n === undefined) return host;
    rewritten.add(host);
    return n;
  };
  // The whole value: a host (DATABASE_HOST=my_db), unless the key names something else called like the service (POSTGRES_DB=my_db).
  if (renamed.has(value.trim()) && !NOT_A_HOST.test(key)) {
    const name = value.trim();
    return { value: value.replace(name, to(name)), rewritten: [name] };
  }
  let out = value.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/\s?#]*@)?)([^/\s?#]+)/g, (_m, head: string, hosts: string) =>
    `${head}${hosts.split(',').map((hp) => hp.replace(/^([A-Za-z0-9_.-]+)(?=(?::\d+)?$)/, (h) => to(h))).join(',')}`);
  out = out.replace(/(^|[\s,;=(])([A-Za-z0-9_.-]+):(\d{1,5})(?=$|[\s,;/)])/g, (m, lead: string, host: string, port: string) => (renamed.has(host) ? `${lead}${to(host)}:${port}` : m));
  return { value: out, rewritten: [...rewritten] };
}
