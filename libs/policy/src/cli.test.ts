import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main';

const GOOD_K8S = join(__dirname, 'k8s', '__fixtures__', 'good');
const GOOD_DOCKERFILE = join(__dirname, 'dockerfile', '__fixtures__', 'good.Dockerfile');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'policy-cli-'));
  cpSync(GOOD_K8S, join(dir, 'k8s'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { cwd: dir, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const breakBackend = () => {
  const file = join(dir, 'k8s', 'backend.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('image: todo-backend:3f9c2a1b', 'image: todo-backend:latest'));
};

it('k8s: prints one PASS line per rule and the summary, exit 0', () => {
  const r = run('k8s', 'k8s');
  expect(r.code).toBe(0);
  const lines = r.out.split('\n');
  expect(lines.filter((l) => l.startsWith('PASS '))).toHaveLength(11);
  expect(lines[lines.length - 1]).toBe('k8s: 11 rules, 0 violations');
});

it('k8s: a violation fails its rule, is listed under it, exit 1', () => {
  breakBackend();
  const r = run('k8s', 'k8s');
  expect(r.code).toBe(1);
  expect(r.out).toContain([
    'FAIL image-tag: every image has a tag or digest, never :latest',
    '  - k8s/backend.yaml: Deployment/todo/backend spec.template.spec.containers[0].image: container "api" uses todo-backend:latest; fix: pin a version tag or @sha256 digest',
  ].join('\n'));
  expect(r.out.split('\n').pop()).toBe('k8s: 11 rules, 1 violations');
});

it('honours and prints waivers, warns about unused ones', () => {
  breakBackend();
  writeFileSync(join(dir, 'w.json'), JSON.stringify({ waivers: [
    { rule: 'image-tag', object: 'Deployment/todo/backend', reason: 'demo image rebuilt on every commit' },
    { rule: 'probes', object: 'Deployment/todo/gone', reason: 'object was removed long ago' },
  ] }));
  const r = run('k8s', 'k8s', '--waivers', 'w.json');
  expect(r.code).toBe(0);
  expect(r.out).toContain('PASS image-tag: every image has a tag or digest, never :latest (1 waived)\n  ~ WAIVED k8s/backend.yaml: Deployment/todo/backend spec.template.spec.containers[0].image: container "api" uses todo-backend:latest; fix: pin a version tag or @sha256 digest (reason: demo image rebuilt on every commit)');
  expect(r.out).toContain('warning: waiver probes Deployment/todo/gone matched nothing; fix: remove it from the waivers file');
  expect(r.out.split('\n').pop()).toBe('k8s: 11 rules, 0 violations, 1 waived');
});

it('an expired waiver waives nothing and fails the gate, naming it; one expiring today still applies', () => {
  breakBackend();
  const today = new Date().toISOString().slice(0, 10);
  const waive = (expires: string) =>
    writeFileSync(join(dir, 'w.json'), JSON.stringify({ waivers: [{ rule: 'image-tag', object: 'Deployment/todo/backend', reason: 'demo image rebuilt on every commit', expires }] }));
  waive('2020-01-31');
  const r = run('k8s', 'k8s', '--waivers', 'w.json');
  expect(r.code).toBe(1);
  expect(r.out).toContain('FAIL image-tag: every image has a tag or digest, never :latest\n  - k8s/backend.yaml: Deployment/todo/backend');
  expect(r.out).toContain('FAIL waiver image-tag Deployment/todo/backend expired on 2020-01-31 (reason was: demo image rebuilt on every commit); fix: fix the violation, or renew "expires" in w.json with a reason that still holds');
  waive(today);
  expect(run('k8s', 'k8s', '--waivers', 'w.json').code).toBe(0);
});

it('rejects a malformed waivers file naming each field, exit 2', () => {
  writeFileSync(join(dir, 'w.json'), JSON.stringify({ waivers: [{ rule: 'nope', object: '', reason: 'x', extra: 1 }] }));
  const r = run('k8s', 'k8s', '--waivers', 'w.json');
  expect(r.code).toBe(2);
  expect(r.err).toBe([
    'policy: ' + join(dir, 'w.json') + ': waivers[0].rule: "nope" is not a rule id; fix: use one of the ids the CLI prints, or add "tool" for a field tool\'s rule',
    join(dir, 'w.json') + ': waivers[0].object: missing; fix: name the object as printed (Kind/namespace/name or a file path)',
    join(dir, 'w.json') + ': waivers[0].reason: missing or shorter than 10 characters; fix: say why the rule does not apply',
    join(dir, 'w.json') + ': waivers[0].extra: unknown field; fix: remove it',
  ].join('\n'));
});

it('an empty or missing manifest directory is an error, not a pass', () => {
  expect(run('k8s', 'nothing-here')).toMatchObject({ code: 2, err: 'policy: nothing-here: not found; fix: run the synth (nx run infra:synth) or pass an existing directory' });
  rmSync(join(dir, 'k8s'), { recursive: true });
  cpSync(GOOD_DOCKERFILE, join(dir, 'k8s', 'Dockerfile'), { recursive: true });
  expect(run('k8s', 'k8s')).toMatchObject({ code: 2, err: 'policy: k8s: no .yaml/.yml files; fix: run the synth (nx run infra:synth) first' });
});

it('invalid YAML names the file and document', () => {
  writeFileSync(join(dir, 'k8s', 'broken.yaml'), 'kind: Service\n---\na: [\n');
  const r = run('k8s', 'k8s');
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/^policy: k8s\/broken\.yaml: document 1: not a Kubernetes object; fix: every document needs apiVersion and kind\nk8s\/broken\.yaml: document 2: /);
});

it('usage errors exit 2 with the usage text', () => {
  expect(run()).toMatchObject({ code: 2 });
  expect(run('helm', 'x').err).toMatch(/^policy: unknown gate "helm"; fix: use k8s, dockerfiles or secrets\nusage:/);
  expect(run('k8s').err).toMatch(/^policy: k8s: no paths given/);
  expect(run('dockerfiles', 'missing/Dockerfile').err).toMatch(/^policy: missing\/Dockerfile: not found; fix: pass existing Dockerfiles/);
});

it('dockerfiles: reports per file and line', () => {
  cpSync(GOOD_DOCKERFILE, join(dir, 'good.Dockerfile'));
  writeFileSync(join(dir, 'bad.Dockerfile'), 'FROM node\nCMD node server.js\n');
  const r = run('dockerfiles', 'good.Dockerfile', 'bad.Dockerfile');
  expect(r.code).toBe(1);
  expect(r.out).toContain('FAIL dockerfile-base-pinned: every FROM is pinned to a tag or digest (ARG defaults resolved), never latest\n  - bad.Dockerfile:1: FROM node has no tag; fix: pin a version tag or @sha256 digest');
  expect(r.out.split('\n').pop()).toBe('dockerfiles: 6 rules, 4 violations');
});

it('secrets: scans the directories, honours the allow-list file, checks .env ignores in the repository', () => {
  spawnSync('git', ['init', '-q'], { cwd: dir });
  writeFileSync(join(dir, '.gitignore'), '.env\n');
  expect(run('secrets', 'k8s').out.split('\n').pop()).toBe('secrets: 6 rules, 0 violations');
  writeFileSync(join(dir, 'k8s', 'compose.yml'), 'x: postgresql://todo:todo@db/todo\n');
  const failing = run('secrets', 'k8s');
  expect(failing.code).toBe(1);
  expect(failing.out).toContain('  - k8s/compose.yml:1: URL with a literal password (postgresql://todo:***@)');
  writeFileSync(join(dir, 'allow.json'), JSON.stringify({ allow: [
    { rule: 'secrets-url-credentials', file: 'k8s/compose.yml', match: 'postgresql://todo:todo@db/todo', reason: 'local-only compose default' },
  ] }));
  const allowed = run('secrets', 'k8s', '--allow', 'allow.json');
  expect(allowed.code).toBe(0);
  expect(allowed.out).toContain('allowed secrets-url-credentials k8s/compose.yml: postgresql://todo:todo@db/todo (reason: local-only compose default)');
  writeFileSync(join(dir, 'k8s', 'compose.yml'), 'x: 1\n');
  expect(run('secrets', 'k8s', '--allow', 'allow.json').out).toContain(
    'warning: allow-list entry secrets-url-credentials k8s/compose.yml matched nothing; fix: remove it from the allow-list');
});

describe('what a caller adds (infra policy on synth output)', () => {
  const runWith = (context: Parameters<typeof main>[2], ...argv: string[]) => {
    const out: string[] = [];
    const code = main(argv, { cwd: dir, out: (l) => out.push(l), err: () => undefined }, context);
    return { code, out: out.join('\n') };
  };

  it('waivers given by the caller count as the waivers file does', () => {
    breakBackend();
    const r = runWith({ waivers: [{ rule: 'image-tag', object: 'Deployment/todo/backend', reason: 'stated by the spec itself' }] }, 'k8s', 'k8s');
    expect(r.code).toBe(0);
    expect(r.out).toContain('(reason: stated by the spec itself)');
  });

  it('allow-list files are matched relative to allowRoot, and printed relative to the working directory', () => {
    spawnSync('git', ['init', '-q', dir]);
    writeFileSync(join(dir, '.gitignore'), '.env\n');
    cpSync(join(dir, 'k8s'), join(dir, 'out', 'dist'), { recursive: true });
    writeFileSync(join(dir, 'out', 'dist', 'extra.yml'), 'POSTGRES_PASSWORD: dev-only\n');
    writeFileSync(join(dir, 'allow.json'), JSON.stringify({ allow: [{ rule: 'secrets-yaml-password', file: 'dist/extra.yml', match: 'dev-only', reason: 'a literal under the output root' }] }));
    const relativeToCwd = runWith({}, 'secrets', 'out/dist', '--allow', 'allow.json');
    expect(relativeToCwd.code).toBe(1);
    expect(relativeToCwd.out).toContain('  - out/dist/extra.yml:1: POSTGRES_PASSWORD has a literal value');
    const relativeToRoot = runWith({ allowRoot: join(dir, 'out') }, 'secrets', 'out/dist', '--allow', 'allow.json');
    expect(relativeToRoot.out).toContain('allowed secrets-yaml-password dist/extra.yml: dev-only');
    expect(relativeToRoot.code).toBe(0);
  });
});
