// The postgres image in use (official, or the offline stand-in via the mirror
// map) honours the official entrypoint contract the stack relies on.
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInputs, docker, removeContainers, run, unique, waitHealthy, DOCKER } from './docker';

const image = buildInputs('mirror', 'postgres:16-alpine');

async function waitReady(c: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (run(DOCKER, ['exec', c, 'pg_isready', '-q', '-h', '127.0.0.1', '-U', 'todo']).status === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${c} never became ready: ${run(DOCKER, ['logs', c]).stderr}`);
}

describe(`postgres image ${image}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pg-contract-'));
  const c = unique('todo-img-pg');
  const net = unique('todo-img-pg-net');
  afterAll(() => {
    removeContainers(c);
    run(DOCKER, ['network', 'rm', net]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates user and database from *_FILE secrets, runs init scripts, runs as uid 70', async () => {
    writeFileSync(join(dir, 'password'), 'file-secret-pw\n');
    writeFileSync(join(dir, '10-table.sql'), 'CREATE TABLE planted_by_init (id int);\n');
    chmodSync(dir, 0o755);
    docker('network', 'create', net);
    docker('run', '-d', '--name', c, '--network', net, '-e', 'POSTGRES_USER=todo', '-e', 'POSTGRES_DB=todo',
      '-e', 'POSTGRES_PASSWORD_FILE=/secrets/password', '-e', 'PGDATA=/var/lib/postgresql/data/pgdata',
      '-v', `${join(dir, 'password')}:/secrets/password:ro`, '-v', `${join(dir, '10-table.sql')}:/docker-entrypoint-initdb.d/10-table.sql:ro`,
      image);
    await waitReady(c);
    // From another container, as the backend connects (inside, 127.0.0.1 is trusted, as in the official image).
    const q = (sql: string, password: string) =>
      run(DOCKER, ['run', '--rm', '--network', net, '-e', `PGPASSWORD=${password}`, '--entrypoint', 'psql', image,
        '-h', c, '-U', 'todo', '-d', 'todo', '-Atc', sql]);
    // Ready during init is only the unix socket; the network answers once init is done.
    for (let i = 0; i < 30 && q('select 1', 'file-secret-pw').status !== 0; i++) await new Promise((r) => setTimeout(r, 1000));
    expect(q("select to_regclass('planted_by_init') is not null", 'file-secret-pw').stdout.trim()).toBe('t');
    expect(q('select 1', 'wrong-password').status).not.toBe(0);
    expect(docker('exec', c, 'sh', '-c', 'id -u; stat -c %u "$PGDATA"')).toBe('70\n70');
    if (docker('image', 'inspect', '-f', '{{if .Config.Healthcheck}}yes{{end}}', image) === 'yes') await waitHealthy(c);
  });

  it('refuses to initialise without a password, naming the variable', () => {
    const r = run(DOCKER, ['run', '--rm', '-e', 'POSTGRES_USER=todo', image]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('POSTGRES_PASSWORD');
  });
});
