import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { contextFiles, ignoreFileFor } from './context-files';
import { findRepoRoot } from './repo-root';
import { loadSpecFile } from './load-spec';
import { machineMirrors, stackImagePlan, stackImageTags } from './stack-images';
import { sourceHash } from './tag';
import { todoStack, type StackSpec } from '@todo/service-spec';

const imageTag = sourceHash;

let root: string;
const write = (path: string, content = path) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
};
const inputs = { context: '.', dockerfile: 'docker/app/Dockerfile' };

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'build-inputs-'));
  write('nx.json', '{}');
  write('docker/app/Dockerfile', 'FROM scratch\nCOPY apps/app/src /src\n');
  write('docker/app/Dockerfile.dockerignore', '*\n**\n!apps/app\n**/node_modules\n**/.env\n**/tests\n');
  write('apps/app/src/main.py', 'print(1)\n');
  write('apps/app/tests/test_main.py', 'assert True\n');
  write('apps/app/node_modules/pkg/index.js', 'x');
  write('apps/app/.env', 'SECRET=1');
  write('apps/other/src/x.py', 'other');
  write('README.md', 'readme');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('contextFiles', () => {
  it('applies the Dockerfile-specific ignore file the way Docker does', () => {
    expect(ignoreFileFor(root, '.', inputs.dockerfile)).toBe('docker/app/Dockerfile.dockerignore');
    expect(contextFiles(root, '.', inputs.dockerfile)).toEqual(['apps/app/src/main.py']);
  });

  it('falls back to <context>/.dockerignore, and to nothing', () => {
    rmSync(join(root, 'docker/app/Dockerfile.dockerignore'));
    expect(ignoreFileFor(root, '.', inputs.dockerfile)).toBeUndefined();
    expect(contextFiles(root, '.', inputs.dockerfile)).toContain('README.md');
    write('.dockerignore', '**\n!README.md\n');
    expect(ignoreFileFor(root, '.', inputs.dockerfile)).toBe('.dockerignore');
    expect(contextFiles(root, '.', inputs.dockerfile)).toEqual(['README.md']);
  });

  it('prefers <Dockerfile>.dockerignore when <context>/.dockerignore exists too, as BuildKit does', () => {
    write('.dockerignore', '**\n!README.md\n');
    expect(ignoreFileFor(root, '.', inputs.dockerfile)).toBe('docker/app/Dockerfile.dockerignore');
    expect(contextFiles(root, '.', inputs.dockerfile)).toEqual(['apps/app/src/main.py']);
  });

  it('matches patterns case-sensitively, as Docker on Linux does', () => {
    write('docker/app/Dockerfile.dockerignore', 'readme.md\napps/APP\nNX.json\n');
    expect(contextFiles(root, '.', inputs.dockerfile)).toEqual(expect.arrayContaining(['README.md', 'apps/app/src/main.py', 'nx.json']));
  });

  it('enters an ignored directory when a wildcard exception could re-include a file below it', () => {
    write('docker/app/Dockerfile.dockerignore', '**\n!**/*.py\n');
    expect(contextFiles(root, '.', inputs.dockerfile)).toEqual(['apps/app/src/main.py', 'apps/app/tests/test_main.py', 'apps/other/src/x.py']);
  });
});

describe('sourceHash', () => {
  it('is a sha256 and stable', () => {
    const tag = imageTag(root, inputs);
    expect(tag).toMatch(/^[0-9a-f]{64}$/);
    expect(imageTag(root, inputs)).toBe(tag);
  });

  it.each([
    ['a kept source file', () => write('apps/app/src/main.py', 'print(2)\n')],
    ['a new kept file', () => write('apps/app/src/util.py', 'x')],
    ['the Dockerfile', () => write('docker/app/Dockerfile', 'FROM scratch\n')],
    ['the ignore file', () => write('docker/app/Dockerfile.dockerignore', '*\n**\n!apps/app\n')],
    ['the executable bit of a kept file', () => chmodSync(join(root, 'apps/app/src/main.py'), 0o755)],
  ])('changes with %s', (_, change) => {
    const before = imageTag(root, inputs);
    change();
    expect(imageTag(root, inputs)).not.toBe(before);
  });

  it.each([
    ['an ignored test', () => write('apps/app/tests/test_main.py', 'assert False\n')],
    ['node_modules', () => write('apps/app/node_modules/pkg/index.js', 'y')],
    ['a .env file', () => write('apps/app/.env', 'SECRET=2')],
    ['a file outside the allow-list', () => write('apps/other/src/x.py', 'changed')],
  ])('ignores %s', (_, change) => {
    const before = imageTag(root, inputs);
    change();
    expect(imageTag(root, inputs)).toBe(before);
  });
});

describe('stack helpers', () => {
  it('finds the workspace root from a nested directory, and fails clearly outside one', () => {
    expect(findRepoRoot(join(root, 'apps/app/src'))).toBe(root);
    expect(() => findRepoRoot(tmpdir())).toThrow('no nx.json found');
  });

  it('names built images <stack>-<service>:<tag>; services with one build share one image', () => {
    const repo = findRepoRoot(__dirname);
    const plan = stackImagePlan(repo, todoStack);
    expect(plan.services.backend.ref).toMatch(/^todo-backend:[0-9a-f]{12}$/);
    expect(plan.services.postgres).toBeUndefined();
    expect(stackImageTags(repo, todoStack)).toEqual({ backend: plan.services.backend.tag, frontend: plan.services.frontend.tag });
    const shared: StackSpec = {
      ...todoStack,
      services: [...todoStack.services, { ...todoStack.services.find((s) => s.name === 'backend')!, name: 'worker', ingressPath: undefined }],
    };
    const sharedPlan = stackImagePlan(repo, shared);
    expect(sharedPlan.builds).toHaveLength(2);
    expect(sharedPlan.builds[0]).toMatchObject({ services: ['backend', 'worker'], repositories: ['todo-backend', 'todo-worker'] });
    expect(sharedPlan.services.worker.tag).toBe(sharedPlan.services.backend.tag);
  });

  it('machine mirrors change the build args and the tag, never the official plan', () => {
    const repo = findRepoRoot(__dirname);
    const file = join(root, 'mirrors.json');
    writeFileSync(file, JSON.stringify({ 'python:3.13-slim': 'local/python:3.11' }));
    const official = stackImagePlan(repo, todoStack);
    const local = stackImagePlan(repo, todoStack, machineMirrors({ TODO_IMAGE_MIRRORS: file }));
    const backend = (p: typeof official) => p.builds[p.services.backend.build];
    expect(backend(local).buildArgs).toEqual({ PYTHON_IMAGE: 'local/python:3.11' });
    expect(backend(local).mirroredArgs).toEqual(['PYTHON_IMAGE']);
    expect(backend(official)).toMatchObject({ buildArgs: { PYTHON_IMAGE: 'python:3.13-slim' }, mirroredArgs: [] });
    expect(backend(local).sourceHash).toBe(backend(official).sourceHash);
    expect(local.services.backend.tag).not.toBe(official.services.backend.tag);
    expect(local.services.frontend.tag).toBe(official.services.frontend.tag);
  });

  it('reports bad TODO_IMAGE_MIRRORS files clearly', () => {
    const file = join(root, 'mirrors.json');
    expect(() => machineMirrors({ TODO_IMAGE_MIRRORS: join(root, 'missing.json') })).toThrow('TODO_IMAGE_MIRRORS: file');
    writeFileSync(file, '["x"]');
    expect(() => machineMirrors({ TODO_IMAGE_MIRRORS: file })).toThrow('must hold one JSON object of strings');
    writeFileSync(file, '{nope');
    expect(() => machineMirrors({ TODO_IMAGE_MIRRORS: file })).toThrow('is not valid JSON');
  });
});

describe('loadSpecFile', () => {
  it('loads JSON and TypeScript specs, and names a broken file', () => {
    const repo = findRepoRoot(__dirname);
    expect(loadSpecFile('libs/service-spec/src/stacks/todo.ts', repo)).toEqual(todoStack);
    write('a.stack.json', JSON.stringify({ name: 'a', services: [] }));
    expect(loadSpecFile(join(root, 'a.stack.json'), repo)).toEqual({ name: 'a', services: [] });
    write('b.stack.json', '{ "name": ');
    expect(() => loadSpecFile(join(root, 'b.stack.json'), repo)).toThrow(/spec file ".*b.stack.json" is not valid JSON/);
    expect(() => loadSpecFile(join(root, 'none.json'), repo)).toThrow('does not exist');
  });

  it('loads YAML specs (as `init` writes them), and names the line of a broken one', () => {
    const repo = findRepoRoot(__dirname);
    write('c.stack.yaml', '# comment\nname: c\nbase: &b { role: api }\nservices:\n  - { name: a, <<: *b }\n');
    expect(loadSpecFile(join(root, 'c.stack.yaml'), repo)).toEqual({ name: 'c', base: { role: 'api' }, services: [{ name: 'a', role: 'api' }] });
    write('d.stack.yml', 'name: d\nservices: []\n');
    expect(loadSpecFile(join(root, 'd.stack.yml'), repo)).toEqual({ name: 'd', services: [] });
    write('e.stack.yaml', 'name: e\nname: again\n');
    expect(() => loadSpecFile(join(root, 'e.stack.yaml'), repo)).toThrow(/spec file ".*e.stack.yaml" is not valid YAML: line 2, column 1: /);
  });

  it('refuses a spec file over 1 MiB before parsing it, as the CLI does', () => {
    const repo = findRepoRoot(__dirname);
    write('big.stack.json', JSON.stringify({ name: 'big', services: [], pad: 'x'.repeat(1024 * 1024) }));
    expect(() => loadSpecFile(join(root, 'big.stack.json'), repo)).toThrow(/spec file ".*big.stack.json" is \d+ bytes; a spec is at most 1048576 \(1 MiB\)/);
  });
});
