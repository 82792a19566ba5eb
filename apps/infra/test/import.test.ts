import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { importCompose, seconds, shellWords } from '../src/import/compose-import';
import { differences, roundTrip, unexplained } from './import-round-trip';
import { repoRoot } from './support';

const FIXTURES = join(__dirname, 'fixtures', 'import');
/** Public compose files are fetched into tmp/import-public/<case>/ (see fixtures/import/SOURCES.md); not committed. */
const PUBLIC = join(repoRoot, 'tmp', 'import-public');

function composeFileIn(dir: string): string {
  const f = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'].map((n) => join(dir, n)).find(existsSync);
  if (!f) throw new Error(`no compose file in ${dir}`);
  return f;
}

const cases = [
  ...readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => [e.name, composeFileIn(join(FIXTURES, e.name))]),
  // The compose files synth writes for the public-stack fixtures (their specs describe real public stacks):
  // compose -> spec -> compose must agree on these as well, with every difference named.
  ...['express-bull', 'nginx-flask-mysql', 'prometheus-grafana', 'gitea-postgres', 'nextcloud', 'voting-app'].map((n) => [
    `public-stack-output/${n}`,
    join(__dirname, 'fixtures', n, 'expected', 'docker-compose.yml'),
  ]),
  ...(existsSync(PUBLIC) ? readdirSync(PUBLIC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => [`public/${e.name}`, composeFileIn(join(PUBLIC, e.name))]) : []),
];

describe('import: compose -> spec -> synth -> compose config agrees, or the report names each difference', () => {
  it.each(cases)('%s', (_name, file) => {
    const r = roundTrip(file);
    try {
      expect(r.importCode).toBe(0);
      expect(r.synth.err).toBe('');
      expect(r.synth.code).toBe(0);
      expect(r.unexplained).toEqual([]);
      // The comparison is not vacuous: every case here differs somewhere (127.0.0.1 binds, volume names, ...).
      expect(r.differences.length).toBeGreaterThan(0);
    } finally {
      rmSync(r.work, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('import: field by field', () => {
  const repoPath = (p: string) => p.replace(/^\.\//, '');
  it('reads the v1.29 form: version key, list depends_on, string command, env map', () => {
    const { spec, report } = importCompose(
      { version: '3.7', services: { web: { image: 'example/web:1.2', command: 'serve --port "8 0"', depends_on: ['db'], environment: { A: '1' } }, db: { image: 'postgres:16-alpine', expose: [5432] } } },
      { name: 'demo', repoPath },
    );
    const web = spec.services.find((s) => s.name === 'web')!;
    expect(web.command).toEqual(['serve', '--port', '8 0']);
    expect(web.dependsOn).toEqual([{ service: 'db', condition: 'started' }]);
    expect(report).toContainEqual({ path: 'services.web.depends_on.db', status: 'mapped', message: 'waits until started' });
    expect(spec.services.find((s) => s.name === 'db')).toMatchObject({ role: 'database', user: { uid: 70, gid: 70 } });
  });

  it('asks for decisions on a floating tag, a missing health check and a missing uid', () => {
    const { report } = importCompose({ services: { app: { image: 'example/app:latest' } } }, { name: 'demo', repoPath });
    const decisions = report.filter((e) => e.status === 'decision').map((e) => e.path);
    expect(decisions).toEqual(expect.arrayContaining(['services.app.image', 'services.app.healthcheck', 'services.app.user']));
  });

  it('names what it cannot map, and turns secret-looking values into secret references', () => {
    const { spec, report } = importCompose(
      { services: { app: { image: 'example/app:1', environment: ['DB_PASSWORD=hunter2', 'FROM_HOST'], logging: { driver: 'none' }, working_dir: '/x' } } },
      { name: 'demo', repoPath },
    );
    expect(spec.services[0].secrets).toEqual({ DB_PASSWORD: { secret: 'demo-app', key: 'db-password', localDefault: 'hunter2' } });
    expect(spec.services[0].env).toBeUndefined();
    const unmapped = report.filter((e) => e.status === 'unmapped').map((e) => e.path);
    expect(unmapped).toEqual(expect.arrayContaining(['services.app.environment.FROM_HOST', 'services.app.logging', 'services.app.working_dir']));
  });

  it('maps entrypoint and command apart, file secrets, dependency conditions, one-shot jobs and talks-to edges', () => {
    const { spec } = importCompose(
      {
        services: {
          app: { image: 'a:1', entrypoint: ['/init'], command: ['serve'], secrets: ['db-pass'], environment: { CACHE_URL: 'redis://cache:6379' }, depends_on: { migrate: { condition: 'service_completed_successfully' } } },
          migrate: { image: 'a:1', command: ['migrate'] },
          cache: { image: 'redis:7.2', expose: [6379] },
        },
        secrets: { 'db-pass': { file: './pass.txt' } },
      },
      { name: 'demo', repoPath },
    );
    const app = spec.services.find((s) => s.name === 'app')!;
    expect(app).toMatchObject({ entrypoint: ['/init'], command: ['serve'], files: [{ path: '/run/secrets/db-pass', secret: { secret: 'demo-db-pass', key: 'value' } }], dependsOn: [{ service: 'migrate', condition: 'completed' }], talksTo: ['cache'] });
    expect(spec.services.find((s) => s.name === 'migrate')!.job).toEqual({});
  });

  it('unescapes $$ and reports interpolations', () => {
    const { spec, report } = importCompose({ services: { app: { image: 'a:1', environment: { P: 'cost $$5', Q: '${HOME}/x' } } } }, { name: 'demo', repoPath });
    expect(spec.services[0].env).toEqual({ P: 'cost $5', Q: '${HOME}/x' });
    expect(report).toContainEqual(expect.objectContaining({ path: 'services.app.environment.Q', status: 'decision' }));
  });

  it('parses compose durations and shell words', () => {
    expect([seconds('1m30s'), seconds('500ms'), seconds('10s')]).toEqual([90, 1, 10]);
    expect(shellWords(`a "b c" 'd e' f\\ g`)).toEqual(['a', 'b c', 'd e', 'f g']);
  });
});

describe('the round-trip comparison itself', () => {
  const original = { services: { api: { image: 'a:1', ports: ['8080:80'], environment: { A: '1', B: '2' }, depends_on: ['db'], command: 'serve --x' } } };
  it('finds a dropped env var, a changed port, a changed command and a changed dependency condition', () => {
    const generated = { services: { api: { image: 'a:1', ports: ['127.0.0.1:8080:80'], environment: { A: '1' }, depends_on: { db: { condition: 'service_healthy' } }, command: ['serve'] } } };
    expect(differences(original, generated).map((d) => d.what.split(' ')[0])).toEqual(['ports', 'env', 'depends_on', 'command']);
  });
  it('a difference counts as explained only by a decision or cannot-map line on that field', () => {
    const diffs = differences(original, { services: { api: { ...original.services.api, environment: { A: '1' } } } });
    expect(unexplained(diffs, [{ status: 'mapped', path: 'services.api.environment.B', message: '' }])).toHaveLength(1);
    expect(unexplained(diffs, [{ status: 'decision', path: 'services.api.environment.A', message: '' }])).toHaveLength(1);
    expect(unexplained(diffs, [{ status: 'unmapped', path: 'services.api.environment.B', message: '' }])).toHaveLength(0);
  });
});
