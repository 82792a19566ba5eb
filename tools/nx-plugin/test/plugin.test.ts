// The inferred docker-build targets, read back from Nx itself.
import { contextFiles, stackImagePlan } from '@todo/build-inputs';
import { todoStack, type StackSpec } from '@todo/service-spec';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
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

  it('names the spec file that cannot be read', async () => {
    const file = posix.join('tmp', posix.basename(dir), 'broken.stack.json');
    writeFileSync(join(repoRoot, file), '{ "name": ');
    const [, fn] = createNodes;
    await expect(async () => fn([file], undefined, { workspaceRoot: repoRoot, nxJsonConfiguration: {} })).rejects.toThrow(`docker-build targets: spec file "${file}" is not valid JSON`);
  });
});
