// The inferred docker-build targets, read back from Nx itself.
import { contextFiles, stackImagePlan } from '@todo/build-inputs';
import { todoStack, type StackSpec } from '@todo/service-spec';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { stringify } from 'yaml';
import { createNodes, projectNameFor } from '../src/plugin';

const repoRoot = join(__dirname, '..', '..', '..');
const nx = (...args: string[]) =>
  execFileSync('npx', ['nx', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' } });
const project = (name: string) => JSON.parse(nx('show', 'project', name, '--json'));

describe('docker-build inference', () => {
  it('gives every built service of the todo stack a target whose inputs are exactly what Docker sends', () => {
    const plan = stackImagePlan(repoRoot, todoStack);
    for (const b of plan.builds) {
      const p = project(projectNameFor(posix.dirname(b.dockerfile)));
      const t = p.targets['docker-build'];
      expect(t.cache).toBe(false);
      expect(t.options.commands).toEqual([`node scripts/docker-build.mjs --spec libs/service-spec/src/stacks/todo.ts ${b.repositories.join(' ')}`]);
      const sent = [b.dockerfile, `${b.dockerfile}.dockerignore`, ...contextFiles(repoRoot, b.context, b.dockerfile).map((f) => posix.join(b.context, f))];
      // What Docker receives (files, and the base images as build args: the spec and the mirrors).
      // Literal paths, glob-special characters turned into `?` (Next.js routes such as [id]).
      const files = [...new Set([...sent, 'libs/service-spec/src/stacks/todo.ts'])].sort().map((f) => `{workspaceRoot}/${f.replace(/[*?[\]{}()!]/g, '?')}`);
      expect(t.inputs).toEqual([...files, { env: 'TODO_IMAGE_MIRRORS' }]);
      // sbom and scan of the same images, each building its Go tool first; a target's own
      // arguments (scan --allow-no-database) reach the script only.
      for (const [kind, tool] of [['sbom', 'syft'], ['scan', 'osv-scanner']]) {
        expect(p.targets[kind].options.commands).toEqual([
          { command: `bash tools/go-tools/build.sh ${tool}`, forwardAllArgs: false },
          `node scripts/image-security.mjs ${kind} --spec libs/service-spec/src/stacks/todo.ts ${b.repositories.join(' ')}`,
        ]);
      }
    }
  });

  it('a spec file alone adds a third image: inferred target, and only it is affected by its context', () => {
    const worker = project('tests-images-fixtures-three-builds-worker');
    expect(worker.tags).toEqual(['type:image', 'stack:three']);
    expect(worker.targets['docker-build'].options.commands).toEqual(['node scripts/docker-build.mjs --spec tests/images/fixtures/three-builds/three.stack.json three-worker']);
    const affected = (file: string) => nx('show', 'projects', '--affected', `--files=${file}`, '-t', 'docker-build').trim().split('\n').filter(Boolean).sort();
    expect(affected('tests/images/fixtures/three-builds/worker/worker.py')).toEqual(['tests-images-fixtures-three-builds-worker']);
    expect(affected('apps/backend/src/todo_api/main.py')).toEqual(['docker-backend']);
    expect(affected('docker/frontend/Dockerfile.dockerignore')).toEqual(['docker-frontend']);
    expect(affected('apps/frontend/app/api/todos/[id]/route.ts')).toEqual(['docker-frontend']);
    // Outside every context: no image is affected.
    expect(affected('apps/backend/tests/conftest.py')).toEqual([]);
    expect(affected('README.md')).toEqual([]);
    // The spec names the bases: editing it affects every image it builds.
    expect(affected('libs/service-spec/src/stacks/todo.ts')).toEqual(['docker-backend', 'docker-frontend']);
  });
});

describe('createNodes', () => {
  let dir: string;
  // Under tmp/ (git-ignored, so never globbed by Nx or seen by git status).
  beforeEach(() => {
    mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
    dir = mkdtempSync(join(repoRoot, 'tmp', 'plugin-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('services that share a build share one target, tagged for each repository', async () => {
    const backend = todoStack.services.find((s) => s.name === 'backend')!;
    const spec: StackSpec = {
      ...todoStack,
      name: 'shared',
      services: ['api', 'worker', 'cron'].map((name) => ({ ...backend, name, dependsOn: [], ingressPath: undefined })),
    };
    const file = posix.join('tmp', posix.basename(dir), 'shared.stack.json');
    writeFileSync(join(repoRoot, file), JSON.stringify(spec));
    const [, fn] = createNodes;
    const results = await fn([file], undefined, { workspaceRoot: repoRoot, nxJsonConfiguration: {} });
    const projects = results.flatMap(([, r]) => Object.values(r.projects ?? {}));
    expect(projects).toHaveLength(1);
    expect(projects[0].root).toBe('docker/backend');
    expect(projects[0].targets!['docker-build'].options.commands).toEqual([`node scripts/docker-build.mjs --spec ${file} shared-api shared-cron shared-worker`]);
  });

  it('two specs building one Dockerfile: one target; the same image is built once, another stack\'s image too', async () => {
    const backend = todoStack.services.find((s) => s.name === 'backend')!;
    const write = (name: string, stack: string) => {
      const file = posix.join('tmp', posix.basename(dir), name);
      writeFileSync(join(repoRoot, file), JSON.stringify({ ...todoStack, name: stack, services: [{ ...backend, dependsOn: [], ingressPath: undefined }] }));
      return file;
    };
    const [a, again, other] = [write('a.stack.json', 'one'), write('b.stack.json', 'one'), write('c.stack.json', 'two')];
    const [, fn] = createNodes;
    const results = await fn([a, again, other], undefined, { workspaceRoot: repoRoot, nxJsonConfiguration: {} });
    const projects = results.flatMap(([, r]) => Object.values(r.projects ?? {}));
    expect(projects).toHaveLength(1);
    expect(projects[0].tags).toEqual(['type:image', 'stack:one', 'stack:two']);
    expect(projects[0].targets!['docker-build'].options.commands).toEqual([`node scripts/docker-build.mjs --spec ${a} one-backend`, `node scripts/docker-build.mjs --spec ${other} two-backend`]);
  });

  it('reads *.stack.yaml and *.stack.yml specs as *.stack.json ones', async () => {
    const backend = todoStack.services.find((s) => s.name === 'backend')!;
    const spec = { ...todoStack, services: [{ ...backend, dependsOn: [], ingressPath: undefined }] };
    const files = ['y.stack.yaml', 'z.stack.yml'].map((name, i) => {
      const file = posix.join('tmp', posix.basename(dir), name);
      writeFileSync(join(repoRoot, file), `# a comment, as init writes\n${stringify({ ...spec, name: `stack${i}` })}`);
      return file;
    });
    const [, fn] = createNodes;
    const results = await fn(files, undefined, { workspaceRoot: repoRoot, nxJsonConfiguration: {} });
    const projects = results.flatMap(([, r]) => Object.values(r.projects ?? {}));
    expect(projects.map((p) => [p.root, p.tags])).toEqual([['docker/backend', ['type:image', 'stack:stack0', 'stack:stack1']]]);
    expect(projects[0].targets!['docker-build'].options.commands).toEqual(files.map((f, i) => `node scripts/docker-build.mjs --spec ${f} stack${i}-backend`));
  });

  it('a spec file that cannot be read gets no targets and a warning naming it; the other specs keep theirs', async () => {
    const broken = posix.join('tmp', posix.basename(dir), 'broken.stack.json');
    writeFileSync(join(repoRoot, broken), '{ "name": ');
    const badYaml = posix.join('tmp', posix.basename(dir), 'bad.stack.yaml');
    writeFileSync(join(repoRoot, badYaml), 'name: x\nservices: [\n');
    const noContext = posix.join('tmp', posix.basename(dir), 'gone.stack.json');
    writeFileSync(join(repoRoot, noContext), JSON.stringify({ name: 'gone', services: [{ name: 'a', role: 'api', image: { build: { context: 'no/such/dir' } } }] }));
    const shapeless = posix.join('tmp', posix.basename(dir), 'shapeless.stack.json');
    writeFileSync(join(repoRoot, shapeless), JSON.stringify({ name: 'x', services: [{ name: 'a' }] }));
    const warnings: string[] = [];
    const warn = jest.spyOn(console, 'warn').mockImplementation((m: string) => void warnings.push(m));
    try {
      const [, fn] = createNodes;
      const results = await fn([broken, badYaml, noContext, shapeless, 'libs/service-spec/src/stacks/todo.ts'], undefined, { workspaceRoot: repoRoot, nxJsonConfiguration: {} });
      const byFile = Object.fromEntries(results.map(([f, r]) => [f, Object.values(r.projects ?? {}).map((p) => p.name)]));
      expect(byFile).toEqual({ [broken]: [], [badYaml]: [], [noContext]: [], [shapeless]: [], 'libs/service-spec/src/stacks/todo.ts': ['docker-backend', 'docker-frontend'] });
    } finally {
      warn.mockRestore();
    }
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toBe(`docker-build targets: ${badYaml} skipped (its images get no docker-build target): spec file "${badYaml}" is not valid YAML: ${warnings[0].split('is not valid YAML: ')[1]}`);
    expect(warnings[0]).toMatch(/line 3/);
    expect(warnings[1]).toContain(`docker-build targets: ${broken} skipped (its images get no docker-build target): spec file "${broken}" is not valid JSON`);
    expect(warnings[2]).toContain(`docker-build targets: ${noContext} skipped`);
    expect(warnings[2]).toContain('no/such/dir');
    // A file that is not a stack spec in shape: the spec's own validation names the field.
    expect(warnings[3]).toContain(`docker-build targets: ${shapeless} skipped (its images get no docker-build target): `);
    expect(warnings[3]).toContain('services.a.image: is required');
  });
});

describe('a broken stack file in the workspace', () => {
  // Inside the workspace and not git-ignored, so Nx globs it; removed afterwards.
  const dir = join(__dirname, `tmp-broken-${process.pid}`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails only its own images: Nx lists every other project, infra:check still runs, stderr names the file', () => {
    mkdirSync(join(dir, 'app'), { recursive: true });
    writeFileSync(join(dir, 'app', 'Dockerfile'), 'FROM alpine:3.22\n');
    const rel = posix.relative(repoRoot, dir);
    writeFileSync(
      join(dir, 'good.stack.yaml'),
      stringify({ name: 'good', services: [{ name: 'app', role: 'worker', image: { build: { context: `${rel}/app` } } }], environments: { local: { target: 'compose' } } }),
    );
    writeFileSync(join(dir, 'broken.stack.json'), '{ "name": ');
    const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
    const r = spawnSync('npx', ['nx', 'show', 'projects', '-t', 'docker-build'], { cwd: repoRoot, encoding: 'utf8', env });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual(['docker-backend', 'docker-frontend', projectNameFor(`${rel}/app`), 'tests-images-fixtures-three-builds-worker'].sort());
    expect(r.stderr).toContain(`docker-build targets: ${rel}/broken.stack.json skipped`);
    const check = spawnSync('npx', ['nx', 'run', 'infra:check'], { cwd: repoRoot, encoding: 'utf8', env });
    expect(check.status).toBe(0);
  });
});
