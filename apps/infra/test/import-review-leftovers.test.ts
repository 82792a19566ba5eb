import { looksSecretVariable } from '@todo/policy';
import { looksSecret, validate, type StackSpec } from '@todo/service-spec';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { importCompose } from '../src/import/compose-import';
import type { ReadFile } from '../src/import/compose-variables';
import { renameReferences } from '../src/import/rename-refs';
import type { ImportEntry } from '../src/import/report';
import { renderOutputs } from '../src/outputs';
import { repoRoot } from './support';

/** Issue 19: what an adversarial review of the importer left open. */
const repoPath = (p: string) => p.replace(/^\.\//, '');
const imported = (services: Record<string, unknown>, files: Record<string, string> = {}) => {
  const readFile: ReadFile = (p) => (repoPath(p) in files ? { state: 'inside', text: files[repoPath(p)] } : { state: 'missing' });
  return importCompose({ services }, { name: 'demo', repoPath, readFile });
};
const svc = (spec: StackSpec, name: string) => spec.services.find((s) => s.name === name)!;
const at = (report: ImportEntry[], path: string) => report.filter((e) => e.path === path);
const composeOf = (spec: StackSpec) => parse(renderOutputs({ ...spec, environments: { local: spec.environments.local } }, {}).files.find((f) => f.path === 'docker/docker-compose.yml')!.content);

describe('import: a service reached from a value that came from an env_file is reported at the env_file', () => {
  it('REDIS_URL in app.env: the port and talksTo lines name services.web.env_file[0].REDIS_URL, not environment', () => {
    const { spec, report } = imported(
      { web: { image: 'example/web:1.0', env_file: ['app.env'], environment: { CACHE_HOST: 'memo' } }, redis: { image: 'redis:7.4' }, memo: { image: 'memcached:1.6', expose: ['11211'] } },
      { 'app.env': 'REDIS_URL=redis://redis:6379/0\n' },
    );
    expect(svc(spec, 'redis').ports).toEqual([{ name: 'redis', port: 6379 }]);
    expect(at(report, 'services.redis.expose')).toContainEqual(expect.objectContaining({ status: 'decision', message: expect.stringContaining('services.web.env_file[0].REDIS_URL: redis://…redis:6379') }));
    expect(at(report, 'services.web.env_file[0].REDIS_URL')).toContainEqual(expect.objectContaining({ status: 'decision', message: expect.stringMatching(/^names service "redis" on port 6379: imported as talksTo/) }));
    expect(report.filter((e) => e.path === 'services.web.environment.REDIS_URL')).toEqual([]);
    // A variable set in environment is still reported there.
    expect(at(report, 'services.web.environment.CACHE_HOST')).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/^names service "memo"/) }));
  });

  it('a single env_file string: services.web.env_file.KEY', () => {
    const { report } = imported({ web: { image: 'example/web:1.0', env_file: 'app.env' }, db: { image: 'postgres:16', expose: ['5432'] } }, { 'app.env': 'DB_HOST=db\n' });
    expect(at(report, 'services.web.env_file.DB_HOST')).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/^names service "db": imported as talksTo/) }));
  });
});

describe('import: container paths as compose cleans them', () => {
  it('/data/, /a//b and /a/./c are /data, /a/b and /a/c (what `docker compose config` writes), with no line of their own', () => {
    const { spec, report } = imported({
      web: {
        image: 'example/web:1.0',
        volumes: ['data:/data/', 'cache:/a//b', { type: 'volume', source: 'logs', target: '/a/./c/' }, '/tmp//x/', { type: 'tmpfs', target: '/t/' }],
      },
    });
    const web = svc(spec, 'web');
    expect(web.volumes?.map((v) => v.mountPath)).toEqual(['/data', '/a/b', '/a/c']);
    expect(web.writablePaths).toEqual(['/tmp/x', '/t']);
    expect(validate(spec)).toEqual([]);
    const compose = composeOf(spec).services.web;
    expect(JSON.stringify(compose.volumes)).not.toMatch(/\/\/|\/\.\/|\/"/);
    expect(report.filter((e) => /\/data\/|\/a\/\/b|\/a\/\.\/c/.test(e.message))).toEqual([]);
  });

  it('the same path written two ways is one mount, as in compose', () => {
    const { spec, report } = imported({ web: { image: 'example/web:1.0', volumes: ['data:/data', 'other:/data/'] } });
    expect(svc(spec, 'web').volumes?.map((v) => v.mountPath)).toEqual(['/data']);
    expect(at(report, 'services.web.volumes[1]')).toContainEqual(expect.objectContaining({ message: expect.stringContaining('"/data" is mounted twice') }));
  });
});

describe('import: a flag named like a secret is a plain value, and validation and `infra policy` agree', () => {
  const flags = { MARIADB_RANDOM_ROOT_PASSWORD: '1', MYSQL_ALLOW_EMPTY_PASSWORD: 'yes', MYSQL_RANDOM_ROOT_PASSWORD: 'true', POSTGRES_HOST_AUTH_METHOD: 'trust', REDIS_PASSWORD_ENABLED: 'false', DISABLE_TOKEN_AUTH: '0' };

  it('the one judgement: yes/no/1/0/true/false/trust/on/off are no secret; a password still is', () => {
    for (const [k, v] of Object.entries(flags)) {
      expect([k, looksSecret(k, v)]).toEqual([k, false]);
      expect([k, looksSecretVariable(k, v)]).toEqual([k, false]);
    }
    for (const [k, v] of [['MYSQL_ROOT_PASSWORD', 'yes-really'], ['DB_PASSWORD', 'hunter2'], ['API_TOKEN', '10']]) {
      expect([k, looksSecret(k, v), looksSecretVariable(k, v)]).toEqual([k, true, true]);
    }
  });

  it('imported as plain env; the spec validates; synth and `infra policy` pass it on both targets', () => {
    const { spec, report } = imported({ db: { image: 'mariadb:11.4', expose: ['3306'], environment: { ...flags, MARIADB_USER: 'app', MARIADB_PASSWORD: 'app-pass' } } });
    const db = svc(spec, 'db');
    expect(db.env).toMatchObject(flags);
    expect(Object.keys(db.secrets ?? {})).toEqual(['MARIADB_PASSWORD']);
    for (const k of Object.keys(flags)) expect(at(report, `services.db.environment.${k}`)).toEqual([{ path: `services.db.environment.${k}`, status: 'mapped', message: 'plain value' }]);
    expect(validate(spec)).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'import-flags-'));
    try {
      writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
      const run = (...args: string[]) => spawnSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
      const synth = run('synth', '--spec', join(dir, 'spec.json'), '--out', join(dir, 'out'));
      expect([synth.status, synth.stderr]).toEqual([0, '']);
      const policy = run('policy', '--spec', join(dir, 'spec.json'), '--out', join(dir, 'out'));
      expect(policy.stdout).toMatch(/^secrets: \d+ rules, 0 violations$/m);
      expect(policy.stdout).toMatch(/^PASS secrets-yaml-password: /m);
      expect(policy.stdout).toMatch(/^PASS configmap-no-secrets: /m);
      expect(policy.stdout).toMatch(/^PASS env-secret-ref: /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('import: healthcheck test "" (compose: ["CMD-SHELL", ""], which Docker runs as /bin/sh -c "")', () => {
  it.each([[''], ['   '], [['CMD-SHELL', '']]])('%j: the same always-passing check on both targets, with a line at the test saying so', (test) => {
    const { spec, report } = imported({ web: { image: 'example/web:1.0', healthcheck: { test } } });
    expect(svc(spec, 'web').health?.liveness?.exec?.command).toEqual(['sh', '-c', Array.isArray(test) ? '' : test]);
    expect(at(report, 'services.web.healthcheck.test')).toContainEqual({ path: 'services.web.healthcheck.test', status: 'mapped', message: expect.stringContaining('the check always passes') });
  });

  it('a real script gets no such line', () => {
    const { report } = imported({ web: { image: 'example/web:1.0', healthcheck: { test: 'curl -f http://localhost/' } } });
    expect(at(report, 'services.web.healthcheck.test')).toEqual([]);
  });
});

describe('import: a renamed service is rewritten where a text uses it as a host, and nowhere else', () => {
  const renamed = new Map([['web_1', 'web-1']]);
  const rename = (text: string, key?: string, prev?: string) => renameReferences(key, text, renamed, prev).value;

  it.each([
    ['http://web_1:8080/x', 'http://web-1:8080/x'],
    ['web_1:8080', 'web-1:8080'],
    ['web_1', 'web-1'],
    ['--host web_1 --port 80', '--host web-1 --port 80'],
    ['-h web_1', '-h web-1'],
    ['-H web_1', '-H web-1'],
    ['--hostname=web_1', '--hostname=web-1'],
    ['--server web_1', '--server web-1'],
    ['-e DB_HOST=web_1 run', '-e DB_HOST=web-1 run'],
    ['until nc -z web_1 80; do sleep 1; done', 'until nc -z web-1 80; do sleep 1; done'],
    ['web_1,db', 'web-1,db'],
    ['db:5432,web_1:8080', 'db:5432,web-1:8080'],
  ])('host: %j -> %j', (text, out) => expect(rename(text)).toBe(out));

  it.each([
    ['echo starting web_1 now'],
    ['echo "web_1"'],
    ['the web_1 cache is warm'],
    ['log to (web_1) please'],
    ['psql -d web_1'],
    ['--dbname=web_1'],
    ['/data/web_1/cache'],
  ])('not a host, left as it is: %j', (text) => expect(renameReferences(undefined, text, renamed)).toEqual({ value: text, rewritten: [] }));

  it('in an env value and a command: prose keeps the old name and gets no line; the host is rewritten with one', () => {
    const { spec, report } = imported({
      web_1: { image: 'example/web:1.0', expose: ['80'] },
      app: { image: 'example/app:1.0', environment: { BANNER: 'served by web_1 today', UPSTREAM: '--host web_1' }, command: ['sh', '-c', 'echo waiting for web_1; until nc -z web_1 80; do sleep 1; done'] },
    });
    const app = svc(spec, 'app');
    expect(app.env).toMatchObject({ BANNER: 'served by web_1 today', UPSTREAM: '--host web-1' });
    expect(app.command).toEqual(['sh', '-c', 'echo waiting for web_1; until nc -z web-1 80; do sleep 1; done']);
    expect(at(report, 'services.app.environment.BANNER').map((e) => e.message).join('\n')).not.toContain('rewritten');
    expect(at(report, 'services.app.environment.UPSTREAM')).toContainEqual(expect.objectContaining({ status: 'decision', message: expect.stringContaining('"web_1" rewritten to "web-1"') }));
    expect(at(report, 'services.app.command[2]')).toContainEqual(expect.objectContaining({ status: 'decision', message: expect.stringContaining('"web_1" rewritten to "web-1"') }));
  });
});
