// A stack of the import corpus (apps/infra/test/fixtures/import/<name>/) made ready to run on both
// targets, as a user gets there: `infra import` of its compose file, the user's answers to the
// report (the fixture's decisions.ts, and the answers a run needs beyond the round trip's, each
// at the report line it answers), `infra synth` into a directory of its own. The images this
// machine has no copy of are the stand-ins of scripts/offline-mirrors.json; application images
// and builds whose sources the fixture does not ship are the reach probe
// (docker/standins/reach-probe), which says whether each peer its environment names answers.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
/* eslint-disable @nx/enforce-module-boundaries -- test code: the import corpus and its answer helpers (apps/infra/test), shared, not a library */
import { service, type Answer } from '../../../apps/infra/test/import-decisions';

type Obj = Record<string, any>;

export const repoRoot = join(__dirname, '..', '..', '..');
export const CORPUS = join(repoRoot, 'apps', 'infra', 'test', 'fixtures', 'import');
/** The stand-in that application images and unshipped builds become. */
export const PROBE_IMAGE = 'todo-offline/reach-probe:1-bookworm';

export interface Edge {
  /** The service reached. */
  readonly to: string;
  /** Its ports (the spec's), each of which the NetworkPolicies open on this edge. */
  readonly ports: number[];
}

export interface CorpusStack {
  readonly fixture: string;
  /** The imported stack's name: the Kubernetes namespace and the compose project. */
  readonly name: string;
  /** The working copy under tmp/ (removed by the suite). */
  readonly work: string;
  /** The answered spec, relative to the repository root (what docker-build and load-images take). */
  readonly specFile: string;
  readonly spec: Obj;
  /** synth's output: docker/docker-compose.yml and dist/k8s/kubernetes/. */
  readonly out: string;
  readonly composeFile: string;
  readonly manifests: string;
  /** Services built from the spec (docker-build). */
  readonly built: string[];
  /** Services that run the reach probe (built on it, or mirrored to it). */
  readonly probes: string[];
  /** Who reaches whom: dependsOn and talksTo of the spec. */
  readonly edges: Record<string, Edge[]>;
  /** The Secrets the parity report says to create, with the compose values (the spec's localDefault). */
  readonly secrets: { secret: string; key: string; value: string }[];
  /** Host ports the compose file publishes, by service (free ports of this machine). */
  readonly hostPorts: Record<string, number>;
  /** What `infra import` and `infra synth` took, seconds. */
  readonly timings: Record<string, number>;
}

function infra(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The paths of the report's "Needs a decision" lines. */
function decisionPaths(markdown: string): Set<string> {
  const paths = new Set<string>();
  let inDecisions = false;
  for (const l of markdown.split('\n')) {
    if (l.startsWith('## ')) inDecisions = l === '## Needs a decision';
    const m = /^- `([^`]+)`: /.exec(l);
    if (inDecisions && m) paths.add(m[1]);
  }
  return paths;
}

/** A port no process of this machine listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const mirrors = (): Record<string, string> => {
  const file = process.env.TODO_IMAGE_MIRRORS;
  return file ? (JSON.parse(readFileSync(resolve(repoRoot, file), 'utf8')) as Record<string, string>) : {};
};

/**
 * A config file the compose file bind-mounts (a development mount to the import: "Kubernetes has
 * no host files: bake the files into the image"), answered as a file of the spec, which both
 * targets mount (a ConfigMap in Kubernetes): the user's answer to that line.
 */
export const configFile = (name: string, volumeIndex: number, source: string, target: string, append = ''): Answer => ({
  path: `services.${name}.volumes[${volumeIndex}]`,
  apply: (spec) => {
    const s = service(spec, name);
    const mounts = (s.dev?.mounts ?? []) as Obj[];
    const mount = mounts.find((m) => m.target === target);
    if (!mount) throw new Error(`services.${name} has no dev mount at ${target} to answer`);
    s.dev.mounts = mounts.filter((m) => m !== mount);
    if (!s.dev.mounts.length) delete s.dev.mounts;
    if (!Object.keys(s.dev).length) delete s.dev;
    s.files = [...(s.files ?? []), { path: target, content: readFileSync(source, 'utf8') + append }];
  },
});

/**
 * postgres's data in a subdirectory of its volume (PGDATA), as the todo stack keeps it: the answer
 * to the line on how Kubernetes claims that volume. A claim's root directory belongs to root on
 * hostPath-backed storage (the local cluster's local-path provisioner makes it 0777), and
 * postgres, run as the uid the import set, must own its data directory.
 */
export const dataSubdirectory = (name: string, volumeIndex: number, mountPath: string): Answer => ({
  path: `services.${name}.volumes[${volumeIndex}]`,
  apply: (spec) => {
    const s = service(spec, name);
    s.env = { ...(s.env ?? {}), PGDATA: `${mountPath}/pgdata` };
  },
});

/**
 * import -> answers -> synth for the corpus fixture `fixture`, in tmp/ under the repository (the
 * build plan and load-images take paths relative to it). `answers`: the ones a run needs that the
 * round trip's decisions.ts does not give (each must be asked by the report).
 */
export async function prepareCorpusStack(fixture: string, name: string, answers: (work: string) => Answer[] = () => []): Promise<CorpusStack> {
  mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
  const work = mkdtempSync(join(repoRoot, 'tmp', `e2e-corpus-${fixture}-`));
  cpSync(join(CORPUS, fixture), work, { recursive: true });
  // Env files are committed under other names (see import-round-trip.ts): docker.dotenv -> docker.env.
  for (const f of readdirSync(work)) {
    const real = f.replace(/^dotenv/, '.env').replace(/\.dotenv$/, '.env');
    if (real !== f) renameSync(join(work, f), join(work, real));
  }
  const composeSource = join(work, readdirSync(work).find((f) => /^(docker-)?compose\.ya?ml$/.test(f))!);
  // A build whose application the fixture does not ship is built on the reach probe: its
  // sources are copied in, and the probe stands in for the program.
  for (const c of Object.values((parse(readFileSync(composeSource, 'utf8')) as Obj).services as Obj)) {
    if (!c?.build) continue;
    const b = typeof c.build === 'string' ? { context: c.build } : c.build;
    writeFileSync(join(work, b.context ?? '.', b.dockerfile ?? 'Dockerfile'), `# Written by the corpus test: the application is not shipped, the reach probe stands in for it.\nFROM ${PROBE_IMAGE}\nCOPY . /app\n`);
  }

  const timings: Record<string, number> = {};
  let started = Date.now();
  const imported = infra('import', composeSource, '--name', name, '--out', join(work, 'spec.yaml'), '--report', join(work, 'report.md'));
  if (imported.code !== 0) throw new Error(`infra import ${fixture} exited ${imported.code}: ${imported.err}`);
  timings.import = (Date.now() - started) / 1000;
  const asked = decisionPaths(readFileSync(join(work, 'report.md'), 'utf8'));
  const spec = parse(readFileSync(join(work, 'spec.yaml'), 'utf8')) as Obj;
  const decisions = join(CORPUS, fixture, 'decisions.ts');
  const all: Answer[] = [...(existsSync(decisions) ? (require(decisions).answers as Answer[]) : []), ...answers(work)];
  for (const a of all) {
    if (!asked.has(a.path)) throw new Error(`${fixture}: the answer to "${a.path}" answers nothing the import report asks now: update it`);
    a.apply(spec);
  }
  // The engine is shared: host ports are free ports of this machine, not the source's fixed ones.
  const hostPorts: Record<string, number> = {};
  for (const s of spec.services as Obj[]) {
    for (const p of (s.ports ?? []) as Obj[]) {
      if (p.hostPort === undefined) continue;
      p.hostPort = await freePort();
      hostPorts[s.name] ??= p.hostPort;
    }
  }
  writeFileSync(join(work, 'spec.json'), JSON.stringify(spec, null, 2));
  const out = join(work, 'out');
  started = Date.now();
  const synth = infra('synth', '--spec', join(work, 'spec.json'), '--out', out);
  if (synth.code !== 0) throw new Error(`infra synth ${fixture} exited ${synth.code}: ${synth.err}${synth.out}`);
  timings.synth = (Date.now() - started) / 1000;

  const byName = new Map((spec.services as Obj[]).map((s) => [s.name as string, s]));
  const edges: Record<string, Edge[]> = {};
  for (const s of spec.services as Obj[]) {
    const targets = new Set<string>([...((s.dependsOn ?? []) as Obj[]).map((d) => d.service as string), ...((s.talksTo ?? []) as string[])]);
    edges[s.name] = [...targets].sort().map((to) => ({ to, ports: ((byName.get(to)?.ports ?? []) as Obj[]).map((p) => p.port as number) }));
  }
  const map = mirrors();
  const built = (spec.services as Obj[]).filter((s) => s.image.build).map((s) => s.name as string);
  const probes = (spec.services as Obj[]).filter((s) => s.image.build || map[s.image.ref] === PROBE_IMAGE).map((s) => s.name as string);

  // "never written: create secret "X" key "K" in namespace "N"" under the Kubernetes section.
  const secrets = new Map<string, { secret: string; key: string; value: string }>();
  const parity = readFileSync(join(out, 'dist', 'parity-report.md'), 'utf8');
  for (const m of parity.matchAll(/^- `services\.([^.]+)\.secrets\.([^.`]+)\.localDefault`: never written: create secret "([^"]+)" key "([^"]+)" in namespace "([^"]+)"/gm)) {
    const [, svc, variable, secret, key] = m;
    const value = byName.get(svc)?.secrets?.[variable]?.localDefault;
    if (typeof value !== 'string') throw new Error(`${fixture}: services.${svc}.secrets.${variable} has no local value to create secret ${secret}/${key} from`);
    secrets.set(`${secret}/${key}`, { secret, key, value });
  }

  return {
    fixture,
    name,
    work,
    specFile: relative(repoRoot, join(work, 'spec.json')),
    spec,
    out,
    composeFile: join(out, 'docker', 'docker-compose.yml'),
    manifests: join(out, 'dist', 'k8s', 'kubernetes'),
    built,
    probes,
    edges,
    secrets: [...secrets.values()],
    hostPorts,
    timings,
  };
}

/** Runs argv in the container of a service: the target's exec (docker exec, kubectl exec). */
export type Exec = (service: string, argv: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface ReachResult {
  readonly host: string;
  readonly port: number;
  readonly tcp: string;
  readonly answer?: string;
  readonly ok: boolean;
}

/** `reach-check` in a probe container: the peers its environment names, each checked now. */
export async function reachCheck(exec: Exec, svc: string, ...targets: string[]): Promise<{ ok: boolean; peers: ReachResult[] }> {
  const r = await exec(svc, ['reach-check', ...targets]);
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`reach-check in ${svc} exited ${r.code} without its JSON: ${r.stdout}${r.stderr}`);
  }
}

/** A TCP connection from the service's container (bash's /dev/tcp: every stand-in has bash). */
export async function tcpFrom(exec: Exec, svc: string, host: string, port: number): Promise<boolean> {
  const r = await exec(svc, ['timeout', '5', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', host, String(port)]);
  return r.code === 0;
}

/**
 * From every service, each service it should reach (its dependsOn and talksTo edges, on each
 * of the target's ports), and from each probe, the peers its environment names: the same set,
 * each answering. Returns what failed, one line each (empty: all reached).
 */
export async function unreached(stack: CorpusStack, exec: Exec, host: (to: string) => string = (to) => to): Promise<string[]> {
  const failed: string[] = [];
  for (const [from, edges] of Object.entries(stack.edges)) {
    for (const e of edges) {
      for (const port of e.ports) if (!(await tcpFrom(exec, from, host(e.to), port))) failed.push(`${from} -> ${e.to}:${port}: no TCP connection`);
      if (!e.ports.length) failed.push(`${from} -> ${e.to}: the spec gives ${e.to} no port`);
    }
  }
  for (const probe of stack.probes) {
    const r = await reachCheck(exec, probe);
    const named = [...new Set(r.peers.map((p) => p.host))].sort();
    const expected = stack.edges[probe].map((e) => e.to).sort();
    if (JSON.stringify(named) !== JSON.stringify(expected)) failed.push(`${probe}: its environment names ${named.join(', ') || 'no peer'}, its edges are ${expected.join(', ') || 'none'}`);
    for (const p of r.peers.filter((x) => !x.ok)) failed.push(`${probe} -> ${p.host}:${p.port}: ${p.tcp}${p.answer ? ` (${p.answer})` : ''}`);
  }
  return failed;
}

/**
 * The two corpus stacks run on both targets: v1-web-worker (a web app and a worker built from
 * ./web, with redis) and outline (the application image, redis with its config file, postgres).
 */
export const BOTH_TARGETS: readonly { fixture: string; answers: (work: string) => Answer[] }[] = [
  { fixture: 'v1-web-worker', answers: () => [] },
  // redis runs `redis-server /redis.conf` from a bind mount, which Kubernetes does not have. The
  // fixture's file binds 0.0.0.0 but keeps protected mode, with which redis 7.0 (the stand-in:
  // Debian's 7.0.15) answers other hosts only "-DENIED": the file also turns it off.
  { fixture: 'outline', answers: (work) => [configFile('redis', 0, join(work, 'redis.conf'), '/redis.conf', 'protected-mode no\n'), dataSubdirectory('postgres', 0, '/var/lib/postgresql/data')] },
];
