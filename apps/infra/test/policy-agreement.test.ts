// One rule source: `infra policy` on the files synth wrote gives the verdict synth's own
// gate gave in memory, for every stack and wherever --out points. Synth's gate runs the
// Kubernetes rules with the spec's waivers; on the secrets rules synth wrote nothing they
// may flag (it accepted the spec). The Dockerfiles gate judges the repository's Dockerfiles,
// not synth's output, so it is not part of this comparison.
import { stackImageTags } from '@todo/build-inputs';
import { K8S_RULES, SECRET_RULES } from '@todo/policy';
import { todoStack, type StackSpec } from '@todo/service-spec';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renderOutputs } from '../src/outputs';
import { repoRoot } from './support';

function infra(...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Rule id -> the objects it flagged and the objects it waived, each sorted. */
type Verdict = Record<string, { flagged: string[]; waived: string[] }>;

const K8S_IDS = new Set(K8S_RULES.map((r) => r.id));
const SECRET_IDS = new Set(SECRET_RULES.map((r) => r.id));
/** What a Kubernetes violation names, after its file: `<file>: Kind/namespace/name <field>: ...`. */
const OBJECT = /: ([A-Z][A-Za-z]+\/[a-z0-9-]+\/[a-z0-9.-]+) /;

/** The verdict `infra policy` printed, for the rules in `ids`. */
function printedVerdict(out: string, ids: ReadonlySet<string>): Verdict {
  const verdict: Verdict = {};
  let rule: string | undefined;
  for (const line of out.split('\n')) {
    const head = /^(PASS|FAIL) ([\w-]+): /.exec(line);
    if (head) rule = ids.has(head[2]) ? head[2] : undefined;
    if (!rule) continue;
    const entry = (verdict[rule] ??= { flagged: [], waived: [] });
    if (line.startsWith('  - ')) entry.flagged.push(OBJECT.exec(line)?.[1] ?? line);
    if (line.startsWith('  ~ WAIVED ')) entry.waived.push(OBJECT.exec(line)?.[1] ?? line);
  }
  for (const e of Object.values(verdict)) {
    e.flagged.sort();
    e.waived.sort();
  }
  return verdict;
}

/** The verdict synth's gate gave, summed over the Kubernetes environments. */
function synthVerdict(spec: StackSpec, specPath: string | undefined, out: string): Verdict {
  const { gates } = renderOutputs(spec, stackImageTags(repoRoot, spec), { ...(specPath && { specPath }), outRoot: out, repoRoot });
  const verdict: Verdict = {};
  for (const { result } of gates) {
    for (const o of result.outcomes) {
      const entry = (verdict[o.rule.id] ??= { flagged: [], waived: [] });
      entry.flagged.push(...o.violations.map((v) => v.object));
      entry.waived.push(...o.waived.map((w) => w.violation.object));
    }
  }
  for (const e of Object.values(verdict)) {
    e.flagged.sort();
    e.waived.sort();
  }
  return verdict;
}

const FIXTURES = join(__dirname, 'fixtures');
const STACKS: [string, string | undefined][] = [
  ...readdirSync(FIXTURES, { withFileTypes: true })
    .filter((e) => e.isDirectory() && readdirSync(join(FIXTURES, e.name)).includes('spec.json'))
    .map((e): [string, string] => [e.name, `apps/infra/test/fixtures/${e.name}/spec.json`]),
  ['todo', undefined],
];

const cleanup: string[] = [];
afterEach(() => {
  for (const d of cleanup.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmpOut = (tag: string) => {
  const d = mkdtempSync(join(tmpdir(), `policy-${tag}-`));
  cleanup.push(d);
  return join(d, 'out');
};

describe('infra policy on synth output gives synth gate\'s verdict, for every fixture stack', () => {
  it('covers the fixtures', () => expect(STACKS.length).toBeGreaterThanOrEqual(9));

  it.each(STACKS)('%s', (name, specPath) => {
    const out = tmpOut(name);
    const spec = specPath ? (JSON.parse(readFileSync(join(repoRoot, specPath), 'utf8')) as StackSpec) : todoStack;
    const flags = [...(specPath ? ['--spec', specPath] : []), '--out', out];
    const synth = infra('synth', ...flags);
    expect(synth.err).toBe('');
    expect(synth.code).toBe(0);
    const policy = infra('policy', ...flags);
    expect(policy.err).toBe('');
    const kubernetes = Object.values(spec.environments).some((e) => e.target === 'kubernetes');
    if (kubernetes) expect(printedVerdict(policy.out, K8S_IDS)).toEqual(synthVerdict(spec, specPath, out));
    // Synth accepted the stack: nothing it wrote is a secret the secrets rules may flag, and nothing needs waiving.
    const secrets = printedVerdict(policy.out, SECRET_IDS);
    expect(Object.keys(secrets).sort()).toEqual([...SECRET_IDS].sort());
    expect(Object.entries(secrets).filter(([, v]) => v.flagged.length || v.waived.length)).toEqual([]);
    expect(policy.out).not.toMatch(/^warning: /m);
  }, 60_000);
});

describe('(a) infra policy honours the spec\'s gateWaivers and its health-less services', () => {
  it('a waived read-only root and a service with no health check pass, printed as WAIVED with the spec\'s reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-waivers-'));
    cleanup.push(dir);
    const spec = {
      name: 'waived',
      services: [
        {
          name: 'app',
          role: 'api',
          image: { ref: 'example/app:1.0' },
          ports: [{ name: 'http', port: 8080 }],
          readOnlyRootFilesystem: false,
          gateWaivers: [{ rule: 'read-only-root-filesystem', reason: 'the vendor image writes all over its root' }],
        },
      ],
      environments: { production: { target: 'kubernetes' } },
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const out = join(dir, 'out');
    expect(infra('synth', '--spec', join(dir, 'spec.json'), '--out', out).code).toBe(0);
    const r = infra('policy', '--spec', join(dir, 'spec.json'), '--out', out);
    expect(r.out).toMatch(/^PASS read-only-root-filesystem: .*\(1 waived\)$/m);
    expect(r.out).toContain('(reason: the vendor image writes all over its root)');
    expect(r.out).toMatch(/^PASS probes: .*\(2 waived\)$/m);
    expect(r.out).toContain('(reason: services.app.health is not set: the spec declares no health check)');
    expect(r.out).toMatch(/^k8s: \d+ rules, 0 violations, 3 waived$/m);
    expect(r.code).toBe(0);
  }, 60_000);
});

describe('(b) a ${VAR:-default} is a default, not a literal password', () => {
  it('a stack with local-only defaults for a password and a database URL passes the secrets gate', () => {
    const out = tmpOut('defaults');
    const spec = 'apps/infra/test/fixtures/shop/spec.json';
    expect(infra('synth', '--spec', spec, '--out', out).code).toBe(0);
    const compose = readFileSync(join(out, 'docker', 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('POSTGRES_PASSWORD: ${SHOP_DB_PASSWORD:-local-only}');
    expect(compose).toContain('DATABASE_URL: ${SHOP_API_DATABASE_URL:-postgresql://shop:local-only@db:5432/shop}');
    const r = infra('policy', '--spec', spec, '--out', out);
    expect(r.out).toMatch(/^PASS secrets-yaml-password: /m);
    expect(r.out).toMatch(/^PASS secrets-url-credentials: /m);
    expect(r.out).toMatch(/^secrets: \d+ rules, 0 violations$/m);
  }, 60_000);
});

describe('(c) the same verdict for any --out: allow-list paths are relative to the output root', () => {
  // A hand-written file synth leaves alone, with a literal the allow-list excuses by its path under the output root.
  const allow = () => {
    const file = join(mkdtempSync(join(tmpdir(), 'policy-allow-')), 'allow.json');
    cleanup.push(resolve(file, '..'));
    const entry = { rule: 'secrets-yaml-password', file: 'docker/docker-compose.override.yml', match: 'POSTGRES_PASSWORD: dev-only', reason: 'a developer override that never leaves the laptop' };
    writeFileSync(file, JSON.stringify({ allow: [entry] }));
    return file;
  };
  it.each([
    ['inside the repository (tmp/<x>)', () => {
      const d = join(repoRoot, 'tmp', `policy-out-${process.pid}-${Date.now()}`);
      cleanup.push(d);
      return d;
    }],
    ['outside the repository', () => tmpOut('anywhere')],
  ])('%s', (_name, outDir) => {
    const out = outDir();
    expect(infra('synth', '--out', out).code).toBe(0);
    mkdirSync(join(out, 'docker'), { recursive: true });
    writeFileSync(join(out, 'docker', 'docker-compose.override.yml'), 'services:\n  postgres:\n    environment:\n      POSTGRES_PASSWORD: dev-only\n');
    const r = infra('policy', '--out', out, '--allow', allow());
    expect(r.out).toContain('allowed secrets-yaml-password docker/docker-compose.override.yml: POSTGRES_PASSWORD: dev-only');
    expect(r.out).toMatch(/^secrets: \d+ rules, 0 violations$/m);
    expect(r.code).toBe(0);
  }, 60_000);
});

describe('--waivers and --allow are read from where the user typed the command', () => {
  it('relative to INIT_CWD (npm run), not to the workspace root the gates run from', () => {
    const dir = mkdtempSync(join(repoRoot, 'tmp', 'policy-cwd-'));
    cleanup.push(dir);
    writeFileSync(join(dir, 'my-waivers.json'), JSON.stringify({ waivers: [] }));
    writeFileSync(join(dir, 'my-allow.json'), JSON.stringify({ allow: [] }));
    const out = tmpOut('cwd');
    expect(infra('synth', '--spec', 'apps/infra/test/fixtures/shop/spec.json', '--out', out).code).toBe(0);
    const r = spawnSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', 'policy', '--spec', join(repoRoot, 'apps/infra/test/fixtures/shop/spec.json'), '--out', out, '--waivers', 'my-waivers.json', '--allow', 'my-allow.json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, INIT_CWD: dir },
    });
    expect(r.stderr).not.toMatch(/my-waivers\.json|my-allow\.json/);
    expect(r.status).toBe(0);
  }, 60_000);
});
