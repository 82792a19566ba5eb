import { relative, resolve, sep } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { formatResult, runRules } from './core/run';
import type { Rule } from './core/types';
import { isExpired, loadWaivers, today, WaiverFileError, type Waiver } from './core/waivers';
import { readDockerfile } from './dockerfile/model';
import { DOCKERFILE_LIST_RULES } from './dockerfile/rules';
import { loadManifests, ManifestError } from './k8s/load';
import { K8S_RULES } from './k8s/rules';
import { loadTextFiles, parseAllowList, ScanInputError } from './secrets/load';
import { SECRET_RULES } from './secrets/rules';
import type { SecretScan } from './secrets/model';

export const USAGE = `usage: policy <gate> <path...> [--waivers FILE] [--allow FILE]
  k8s <dir...>           Kubernetes manifests (every .yaml/.yml under the dirs)
  dockerfiles <file...>  Dockerfiles
  secrets <dir...>       secret values in files, and .env ignored by git
  --waivers FILE  accepted exceptions (default libs/policy/waivers.json)
  --allow FILE    secrets allow-list (default libs/policy/secret-allowlist.json)`;

export interface Io {
  readonly cwd: string;
  out(line: string): void;
  err(line: string): void;
}

/** What a caller that knows the output's origin adds (`infra policy` on synth's output). */
export interface GateContext {
  /** Waivers besides the waivers file: the spec's own (its gateWaivers, its health-less services). */
  readonly waivers?: readonly Waiver[];
  /** The folder allow-list `file` paths are relative to (the output root). @default the working directory */
  readonly allowRoot?: string;
}

export const ALL_RULE_IDS = new Set([...K8S_RULES, ...DOCKERFILE_LIST_RULES, ...SECRET_RULES].map((r) => r.id));

function takeOption(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name}: needs a file argument`);
  args.splice(i, 2);
  return value;
}

class UsageError extends Error {}

function repoRoot(cwd: string): string {
  const r = spawnSync('git', ['-C', cwd, 'rev-parse', '--show-toplevel'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : cwd;
}

interface GateInput {
  readonly rules: ReadonlyArray<Rule<any>>;
  readonly input: unknown;
  /** Lines printed after the rules: the exceptions in force, so none is silent. */
  readonly notes?: string[];
}

function allowNotes(scan: SecretScan): string[] {
  return scan.allow.map((a) => {
    const file = scan.files.find((f) => (f.allowPath ?? f.path) === a.file);
    const used = file !== undefined && file.text.includes(a.match);
    return used
      ? `allowed ${a.rule} ${a.file}: ${a.match} (reason: ${a.reason})`
      : `warning: allow-list entry ${a.rule} ${a.file} matched nothing; fix: remove it from the allow-list`;
  });
}

function inputFor(gate: string, paths: string[], cwd: string, allowFile: string | undefined, allowRoot: string | undefined): GateInput {
  switch (gate) {
    case 'k8s':
      return { rules: K8S_RULES, input: loadManifests(paths, cwd) };
    case 'dockerfiles':
      return {
        rules: DOCKERFILE_LIST_RULES,
        input: paths.map((p) => {
          if (!existsSync(resolve(cwd, p))) throw new UsageError(`${p}: not found; fix: pass existing Dockerfiles`);
          return { ...readDockerfile(resolve(cwd, p)), file: p };
        }),
      };
    case 'secrets': {
      const file = resolve(cwd, allowFile ?? 'libs/policy/secret-allowlist.json');
      if (allowFile !== undefined && !existsSync(file)) throw new UsageError(`${allowFile}: not found; fix: pass an existing --allow file`);
      const known = new Set(SECRET_RULES.map((r) => r.id));
      const allow = existsSync(file) ? parseAllowList(readFileSync(file, 'utf8'), allowFile ?? 'libs/policy/secret-allowlist.json', known) : [];
      const files = loadTextFiles(paths, cwd).map((f) => (allowRoot === undefined ? f : { ...f, allowPath: relative(allowRoot, resolve(cwd, f.path)).split(sep).join('/') }));
      const scan: SecretScan = { files, repoRoot: repoRoot(cwd), allow };
      return { rules: SECRET_RULES, input: scan, notes: allowNotes(scan) };
    }
    default:
      throw new UsageError(`unknown gate ${JSON.stringify(gate)}; fix: use k8s, dockerfiles or secrets`);
  }
}

/** 0: all rules pass; 1: violations; 2: the command or its inputs are wrong (nothing was checked). */
export function main(argv: readonly string[], io: Io, context: GateContext = {}): number {
  const args = [...argv];
  try {
    const waiversArg = takeOption(args, '--waivers');
    const allowArg = takeOption(args, '--allow');
    const [gate, ...paths] = args;
    if (!gate || gate === '--help' || gate === '-h') {
      io.err(USAGE);
      return 2;
    }
    if (paths.length === 0) throw new UsageError(`${gate}: no paths given`);
    const { rules, input, notes = [] } = inputFor(gate, paths, io.cwd, allowArg, context.allowRoot);
    const waiverFile = resolve(io.cwd, waiversArg ?? 'libs/policy/waivers.json');
    const fileWaivers = loadWaivers(waiverFile, ALL_RULE_IDS, waiversArg !== undefined);
    // An expired waiver waives nothing and fails the gate (only those of this gate's rules).
    const on = today();
    const ids = new Set(rules.map((r) => r.id));
    const expired = fileWaivers.filter((w) => isExpired(w, on) && ids.has(w.rule));
    const waivers = [...fileWaivers.filter((w) => !isExpired(w, on)), ...(context.waivers ?? [])];
    const result = runRules(rules, input, waivers);
    const report = formatResult(gate, result).split('\n');
    const expiredLines = expired.map((w) => `FAIL waiver ${w.rule} ${w.object} expired on ${w.expires} (reason was: ${w.reason}); fix: fix the violation, or renew "expires" in ${waiversArg ?? 'libs/policy/waivers.json'} with a reason that still holds`);
    io.out([...report.slice(0, -1), ...notes, ...expiredLines, ...report.slice(-1)].join('\n'));
    return result.violationCount > 0 || expired.length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`policy: ${e.message}\n${USAGE}`);
      return 2;
    }
    if (e instanceof ManifestError || e instanceof WaiverFileError || e instanceof ScanInputError) {
      io.err(`policy: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
