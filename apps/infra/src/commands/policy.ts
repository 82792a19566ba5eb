import { findRepoRoot } from '@todo/build-inputs';
import { main as policyMain } from '@todo/policy';
import { dockerfilePath } from '@todo/service-spec';
import { join, resolve as resolvePath } from 'node:path';
import { OUT_OPTION, parse, shown, SPEC_HELP, SPEC_OPTION, UsageError } from '../args';
import { loadSpec } from '../spec-file';
import type { Command } from './command';

const GATES = ['k8s', 'dockerfiles', 'secrets'];

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
  --out DIR       output root holding dist/ and docker/ (default: the workspace root)
  --waivers FILE  accepted exceptions (default libs/policy/waivers.json)
  --allow FILE    secrets allow-list (default libs/policy/secret-allowlist.json)
  -h, --help      this text`,
  run(argv, io) {
    const { values, positionals } = parse(argv, { ...SPEC_OPTION, ...OUT_OPTION, waivers: { type: 'string' }, allow: { type: 'string' } }, Infinity);
    if (values.help) {
      io.out(this.help);
      return 0;
    }
    const extra = [...(values.waivers ? ['--waivers', values.waivers as string] : []), ...(values.allow ? ['--allow', values.allow as string] : [])];
    const [gate, ...paths] = positionals;
    const runGate = (g: string, p: string[], cwd: string) => policyMain([g, ...p, ...extra], { cwd, out: (l) => io.out(l), err: (l) => io.err(l) });
    if (gate !== undefined) {
      if (!GATES.includes(gate)) throw new UsageError(`unknown gate "${gate}"; use ${GATES.join(', ')}, or no gate for all three`);
      if (values.spec !== undefined || values.out !== undefined) throw new UsageError('--spec and --out apply only when no gate is named');
      if (!paths.length) throw new UsageError(`${gate}: no paths given`);
      return runGate(gate, paths, io.cwd);
    }
    const repoRoot = findRepoRoot(io.cwd);
    const spec = loadSpec(values.spec as string | undefined, repoRoot, io.cwd);
    const out = resolvePath(io.cwd, (values.out as string | undefined) ?? repoRoot);
    const show = (p: string) => shown(p, repoRoot);
    const dockerfiles = [...new Set(spec.services.flatMap((s) => (s.image.build ? [dockerfilePath(s.image.build)] : [])))].sort();
    const codes = [
      runGate('k8s', [show(join(out, 'dist', 'k8s'))], repoRoot),
      ...(dockerfiles.length ? [runGate('dockerfiles', dockerfiles, repoRoot)] : []),
      runGate('secrets', [show(join(out, 'dist')), show(join(out, 'docker'))], repoRoot),
    ];
    // Usage (2) outranks problems (1) outranks ok (0).
    return Math.max(...codes);
  },
};
