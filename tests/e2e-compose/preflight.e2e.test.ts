// The checks that run before `up`: each bad input names the field and the command that fixes it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComposeStack } from './support/compose';

const dir = mkdtempSync(join(tmpdir(), 'todo-e2e-preflight-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function composeFile(images: Record<string, string>): string {
  const file = join(dir, `compose-${Object.values(images).join('-').replace(/[^a-z0-9-]/gi, '_')}.yml`);
  const services = Object.entries(images).map(([name, image]) => `  ${name}:\n    image: ${image}\n`).join('');
  writeFileSync(file, `services:\n${services}`);
  return file;
}

test('an image the engine does not hold is named with the build command', () => {
  const stack = new ComposeStack('todo-e2e-preflight', composeFile({ web: 'todo-web:0000deadbeef' }));
  expect(() => stack.preflight({})).toThrow(/services\.web\.image todo-web:0000deadbeef is not in the Docker engine: run `npx nx run-many -t docker-build/);
  stack.cleanup();
});

test('a compose file whose tag differs from what the sources build asks for a synth', () => {
  const stack = new ComposeStack('todo-e2e-preflight', composeFile({ api: 'todo-backend:111111111111' }));
  expect(() => stack.preflight({ 'todo-backend': 'todo-backend:222222222222' })).toThrow(
    'services.api.image is todo-backend:111111111111 but the sources build todo-backend:222222222222: run `npx nx run infra:synth`',
  );
  stack.cleanup();
});

test('an unreadable TODO_IMAGE_MIRRORS is named with the expected shape', () => {
  const saved = process.env.TODO_IMAGE_MIRRORS;
  process.env.TODO_IMAGE_MIRRORS = join(dir, 'no-such-mirrors.json');
  try {
    expect(() => new ComposeStack('todo-e2e-preflight', composeFile({ db: 'postgres:16-alpine' }))).toThrow(/TODO_IMAGE_MIRRORS=.*no-such-mirrors\.json: cannot read the mirror map .*scripts\/offline-mirrors\.json/);
  } finally {
    if (saved === undefined) delete process.env.TODO_IMAGE_MIRRORS;
    else process.env.TODO_IMAGE_MIRRORS = saved;
  }
});

test('mirrored images run from the mirror without touching the generated file', () => {
  const mirrors = join(dir, 'mirrors.json');
  writeFileSync(mirrors, JSON.stringify({ 'postgres:16-alpine': 'todo-offline/postgres:15-bookworm' }));
  const saved = process.env.TODO_IMAGE_MIRRORS;
  process.env.TODO_IMAGE_MIRRORS = mirrors;
  try {
    const stack = new ComposeStack('todo-e2e-preflight', composeFile({ db: 'postgres:16-alpine', web: 'todo-web:1' }));
    expect([stack.image('db'), stack.image('web'), stack.spec.services.db.image]).toEqual(['todo-offline/postgres:15-bookworm', 'todo-web:1', 'postgres:16-alpine']);
    stack.cleanup();
  } finally {
    if (saved === undefined) delete process.env.TODO_IMAGE_MIRRORS;
    else process.env.TODO_IMAGE_MIRRORS = saved;
  }
});
