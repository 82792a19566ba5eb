import { stackImageTags } from '@todo/build-inputs';
import { workloadKind } from '@todo/k8s';
import { loadManifests, loadTextFiles, main as policyMain, type GateContext, type Waiver } from '@todo/policy';
import { dockerfilePath, resolve, type StackSpec } from '@todo/service-spec';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { OUT_OPTION, parse, ProblemError, shown, SPEC_HELP, SPEC_OPTION, UsageError, workspaceRoot } from '../args';
import { specWaivers } from '../gate';
import { loadSpec } from '../spec-file';
import type { Command } from './command';
import { defaultOutputRoot, outputRoot, sameFlags } from './synth';

const GATES = ['k8s', 'dockerfiles', 'secrets'];

function hasFile(path: string, match: RegExp): boolean {
  if (!statSync(path).isDirectory()) return match.test(path);
  return readdirSync(path).some((e) => hasFile(join(path, e), match));
}

/**
 * A gate given nothing to look at would pass with "0 violations": that is not a
 * pass. Returns why nothing would be checked; a path that does not exist, or a
 * file the gate cannot read, is left to the gate, which names it.
 */
function nothingToCheck(gate: string, paths: readonly string[], cwd: string): string | undefined {
  if (paths.some((p) => !existsSync(resolvePath(cwd, p)))) return undefined;
  const all = paths.join(' ');
  if (gate === 'k8s') {
    if (!paths.some((p) => hasFile(resolvePath(cwd, p), /\.ya?ml$/))) return `${all}: no .yaml/.yml files`;
    try {
      if (loadManifests(paths, cwd).length === 0) return `${all}: no Kubernetes objects in the .yaml/.yml files`;
    } catch {
      return undefined;
    }
  }
  if (gate === 'secrets' && loadTextFiles(paths, cwd).length === 0) return `${all}: no text files`;
  if (gate === 'dockerfiles') {
    const dir = paths.find((p) => statSync(resolvePath(cwd, p)).isDirectory());
    if (dir !== undefined) throw new UsageError(`dockerfiles: ${dir} is a directory; give the Dockerfiles themselves`);
  }
  return undefined;
}

/**
 * The waivers synth's gate applies, from the spec itself: each service's gateWaivers and
 * the probes rule for a service with no health check, per Kubernetes environment (the
 * workload's kind and namespace as synth renders them). One rule source: the written
 * output passes here exactly when it passed synth.
 */
function waiversOfSpec(spec: StackSpec, repoRoot: string): Waiver[] {
  const imageTags = stackImageTags(repoRoot, spec);
  const readRepoFile = (p: string) => readFileSync(join(repoRoot, p), 'utf8');
  const seen = new Map<string, Waiver>();
  for (const [env, e] of Object.entries(spec.environments)) {
    if (e.target !== 'kubernetes') continue;
    const stack = resolve(spec, env, { imageTags, readRepoFile });
    const kindOf = (name: string) => workloadKind(stack.services.find((s) => s.name === name)!);
    for (const w of specWaivers(stack, kindOf)) if (!seen.has(`${w.rule} ${w.object}`)) seen.set(`${w.rule} ${w.object}`, w);
  }
  return [...seen.values()];
}

export const policyCommand: Command = {
  name: 'policy',
  summary: 'run the policy gates (Kubernetes, Dockerfiles, secrets) on the generated output',
  help: `usage: infra policy [--spec FILE] [--out DIR] [--waivers FILE] [--allow FILE]
       infra policy <k8s|dockerfiles|secrets> PATH... [--waivers FILE] [--allow FILE]

Without a gate, runs all three on the output under DIR: k8s on dist/k8s, dockerfiles
on every Dockerfile the spec builds, secrets on dist/ and docker/.
With a gate, runs that gate on the paths given:
  k8s PATH...          Kubernetes manifests (every .yaml/.yml under the dirs)
  dockerfiles FILE...  Dockerfiles
  secrets PATH...      secret values in files, and .env files not ignored by git

${SPEC_HELP}
  --out DIR       output root holding dist/ and docker/ (default: as synth: the workspace
                  root for the todo stack, dist/stacks/<stack name>/ for a --spec)
  --waivers FILE  accepted exceptions (default libs/policy/waivers.json)
  --allow FILE    secrets allow-list (default libs/policy/secret-allowlist.json)
  -h, --help      this text`,
  run(argv, io) {
    const { values, positionals } = parse(argv, { ...SPEC_OPTION, ...OUT_OPTION, waivers: { type: 'string' }, allow: { type: 'string' } }, Infinity);
    if (values.help) {
      io.out(this.help);
      return 0;
    }
    // The files are the user's, relative to where they typed the command: every gate below runs
    // from the workspace root.
    const extra = [...(values.waivers ? ['--waivers', resolvePath(io.cwd, values.waivers as string)] : []), ...(values.allow ? ['--allow', resolvePath(io.cwd, values.allow as string)] : [])];
    const [gate, ...paths] = positionals;
    const runGate = (g: string, p: string[], cwd: string, context: GateContext = {}) => policyMain([g, ...p, ...extra], { cwd, out: (l) => io.out(l), err: (l) => io.err(l) }, context);
    if (gate !== undefined) {
      if (!GATES.includes(gate)) throw new UsageError(`unknown gate "${gate}"; use ${GATES.join(', ')}, or no gate for all three`);
      if (values.spec !== undefined || values.out !== undefined) throw new UsageError('--spec and --out apply only when no gate is named');
      if (!paths.length) throw new UsageError(`${gate}: no paths given`);
      const nothing = nothingToCheck(gate, paths, io.cwd);
      if (nothing) throw new ProblemError(`policy ${gate}: nothing was checked: ${nothing}; fix: pass the files to check${gate === 'k8s' ? ' (synth writes them to dist/k8s/<env>/)' : ''}`);
      return runGate(gate, paths, io.cwd);
    }
    const repoRoot = workspaceRoot(io);
    const spec = loadSpec(values.spec as string | undefined, repoRoot, io.cwd);
    const out = outputRoot(io, values.out as string | undefined, defaultOutputRoot(values.spec !== undefined, spec.name, repoRoot));
    const again = `npm run infra -- synth${sameFlags(values)}`;
    if (!existsSync(join(out, 'dist'))) throw new ProblemError(`policy: ${resolvePath(out) === resolvePath(io.cwd) ? '.' : shown(out, io.cwd)} holds no output (no dist/): nothing to check.\nfix: write it with \`${again}\`, or give --out the folder synth wrote`);
    const show = (p: string) => shown(p, repoRoot);
    const dockerfiles = [...new Set(spec.services.flatMap((s) => (s.image.build ? [dockerfilePath(s.image.build)] : [])))].sort();
    const kubernetes = Object.values(spec.environments).some((e) => e.target === 'kubernetes');
    const codes = [
      ...(kubernetes ? [runGate('k8s', [show(join(out, 'dist', 'k8s'))], repoRoot, { waivers: waiversOfSpec(spec, repoRoot) })] : []),
      ...(dockerfiles.length ? [runGate('dockerfiles', dockerfiles, repoRoot)] : []),
      // Allow-list entries name files as they lie under the output root (docker/docker-compose.yml), wherever --out points.
      runGate('secrets', ['dist', 'docker'].filter((d) => existsSync(join(out, d))).map((d) => show(join(out, d))), repoRoot, { allowRoot: out }),
    ];
    // Usage (2) outranks problems (1) outranks ok (0).
    return Math.max(...codes);
  },
};
