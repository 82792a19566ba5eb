import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { loadWaiverFile, today, WaiverFileError } from '../core/waivers';
import { formatJudged, judge, type Finding } from './findings';
import { runKubeScore } from './kube-score';
import { runTrivyConfig } from './trivy';
import { ALL_RULE_IDS } from '../main';

export const FIELD_TOOLS = ['kube-score', 'trivy'] as const;
export const BUILD_COMMAND = 'bash tools/go-tools/build.sh kube-score trivy';

export const USAGE = `usage: scan-config [PATH...] [--waivers FILE] [--verbose]
Runs the field's scanners on deployment files and fails on any finding not waived:
  kube-score (score)                 on each folder of Kubernetes manifests
  trivy config --skip-check-update   on those manifests, Dockerfiles and compose files
Without PATHs: dist/k8s/<env>/, docker/*/Dockerfile, apps/*/Dockerfile, docker/docker-compose*.yml,
and every fixture stack's committed output (apps/infra/test/fixtures/*/expected/).
A PATH is a folder of manifests (every .yaml/.yml in it is one kubectl-apply set), a Dockerfile,
or a compose file.
  --waivers FILE  the waivers file (default libs/policy/waivers.json); entries with "tool"
  --verbose       list every waived finding, not only the count per waiver
The tools are built by \`${BUILD_COMMAND}\` into tmp/go-tools/bin (GO_TOOLS_BIN overrides).`;

export interface Io {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}

interface Targets {
  /** Each a set of manifests applied together. */
  readonly k8sSets: string[][];
  /** Dockerfiles and compose files. */
  readonly files: string[];
}

const YAML = /\.ya?ml$/;
const isCompose = (name: string) => /^(docker-)?compose([.-][^/]*)?\.ya?ml$/.test(name);
const ls = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

function repoRoot(cwd: string): string {
  const r = spawnSync('git', ['-C', cwd, 'rev-parse', '--show-toplevel'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : cwd;
}

/** Folders under `dir` that hold .yaml files directly: dist/k8s/<env>/, expected/k8s/<env>/. */
function manifestFolders(dir: string): string[] {
  if (!isDir(dir)) return [];
  const here = ls(dir).filter((e) => YAML.test(e) && !isDir(join(dir, e)));
  const nested = ls(dir).filter((e) => isDir(join(dir, e))).flatMap((e) => manifestFolders(join(dir, e)));
  return [...(here.length ? [dir] : []), ...nested];
}

const yamlIn = (dir: string) => ls(dir).filter((e) => YAML.test(e)).map((e) => join(dir, e));

export function defaultTargets(root: string): Targets {
  const fixtures = join(root, 'apps/infra/test/fixtures');
  const expected = ls(fixtures).map((s) => join(fixtures, s, 'expected')).filter(isDir);
  const k8sDirs = [...manifestFolders(join(root, 'dist/k8s')), ...expected.flatMap((e) => manifestFolders(join(e, 'k8s')))];
  const dockerfiles = ['docker', 'apps'].flatMap((top) => ls(join(root, top)).map((d) => join(root, top, d, 'Dockerfile'))).filter((f) => existsSync(f));
  const compose = [join(root, 'docker'), ...expected].flatMap((d) => ls(d).filter(isCompose).map((e) => join(d, e)));
  return { k8sSets: k8sDirs.map(yamlIn), files: [...dockerfiles, ...compose] };
}

function targetsOf(paths: readonly string[], cwd: string): Targets {
  const k8sSets: string[][] = [];
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new UsageError(`${p}: not found; fix: pass existing folders of manifests, Dockerfiles or compose files`);
    if (isDir(abs)) {
      const folders = manifestFolders(abs);
      if (folders.length === 0) throw new UsageError(`${p}: no .yaml/.yml files; fix: pass a folder of Kubernetes manifests (synth writes dist/k8s/<env>/)`);
      k8sSets.push(...folders.map(yamlIn));
    } else if (/Dockerfile/.test(basename(abs)) || isCompose(basename(abs))) files.push(abs);
    else if (YAML.test(abs)) k8sSets.push([abs]);
    else throw new UsageError(`${p}: neither a Dockerfile, a compose file nor Kubernetes YAML`);
  }
  return { k8sSets, files };
}

function toolBin(root: string, env: NodeJS.ProcessEnv, tool: string): string {
  const dir = env.GO_TOOLS_BIN ?? join(root, 'tmp/go-tools/bin');
  const bin = join(dir, tool);
  if (!existsSync(bin)) throw new MissingTool(`${tool} is not built (no ${bin}); fix: run \`${BUILD_COMMAND}\` (it builds the pinned versions from the Go module proxy)`);
  return bin;
}

class MissingTool extends Error {}

/** 0: no open finding; 1: open findings or expired waivers; 2: usage, inputs or a tool is missing/failed. */
export function main(argv: readonly string[], io: Io): number {
  const args = [...argv];
  const env = io.env ?? process.env;
  try {
    const wi = args.indexOf('--waivers');
    let waiversArg: string | undefined;
    if (wi !== -1) {
      waiversArg = args[wi + 1];
      if (waiversArg === undefined || waiversArg.startsWith('--')) throw new UsageError('--waivers: needs a file argument');
      args.splice(wi, 2);
    }
    const verbose = args.includes('--verbose');
    if (verbose) args.splice(args.indexOf('--verbose'), 1);
    if (args.includes('--help') || args.includes('-h')) {
      io.out(USAGE);
      return 0;
    }
    const unknown = args.find((a) => a.startsWith('--'));
    if (unknown) throw new UsageError(`unknown option ${unknown}`);
    const root = repoRoot(io.cwd);
    const targets = args.length ? targetsOf(args, io.cwd) : defaultTargets(root);
    if (targets.k8sSets.length + targets.files.length === 0) throw new UsageError('nothing to scan; fix: run synth first (dist/k8s/<env>/), or pass paths');
    const waiverFile = resolve(io.cwd, waiversArg ?? join(root, 'libs/policy/waivers.json'));
    const shownWaivers = relative(io.cwd, waiverFile) || waiverFile;
    const { tools: waivers } = loadWaiverFile(waiverFile, ALL_RULE_IDS, waiversArg !== undefined);
    const display = (f: string) => {
      const rel = relative(root, resolve(root, f));
      return (rel.startsWith('..') || isAbsolute(rel) ? resolve(root, f) : rel).split(sep).join('/');
    };
    const kubeScore = toolBin(root, env, 'kube-score');
    const trivy = toolBin(root, env, 'trivy');
    const findings: Finding[] = [
      ...targets.k8sSets.flatMap((set) => runKubeScore(kubeScore, set.map((f) => relative(root, f) || f), root, display)),
      ...runTrivyConfig(trivy, [...targets.k8sSets.flat(), ...targets.files], display),
    ];
    const counts = Object.fromEntries(FIELD_TOOLS.map((t) => [t, findings.filter((f) => f.tool === t).length]));
    const judged = judge(findings, waivers, FIELD_TOOLS, today(env));
    io.out(`scanned ${targets.k8sSets.length} manifest sets (${targets.k8sSets.flat().length} files) and ${targets.files.length} Dockerfiles/compose files`);
    io.out(formatJudged(judged, shownWaivers, counts, verbose));
    return judged.open.length > 0 || judged.expired.length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`scan-config: ${e.message}\n${USAGE}`);
      return 2;
    }
    if (e instanceof WaiverFileError || e instanceof MissingTool) {
      io.err(`scan-config: ${e.message}`);
      return 2;
    }
    if (e instanceof Error && /^(kube-score|trivy config) failed/.test(e.message)) {
      io.err(`scan-config: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
