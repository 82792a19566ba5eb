import { validate } from '@todo/service-spec';
import { importCompose } from '../src/import/compose-import';
import type { ImportEntry } from '../src/import/report';

/**
 * Issue 19, found importing a stack whose worker `extends:` its api service (as n8n's and immich's
 * older files did): the worker was left out as "neither image nor build", while compose runs it with
 * the api's image, environment and volumes merged under its own fields.
 */
const repoPath = (p: string) => p.replace(/^\.\//, '');
const lines = (report: ImportEntry[], path: string) => report.filter((e) => e.path === path).map((e) => `${e.status}: ${e.message}`);

describe('import: extends within the file is merged as compose merges it', () => {
  const { spec, report } = importCompose(
    {
      services: {
        api: {
          image: 'example/api:2.1.0',
          command: ['serve'],
          environment: { LOG_LEVEL: 'info', MODE: 'api' },
          labels: ['team=core'],
          ports: ['8080:8080'],
          volumes: ['data:/var/lib/api', 'cache:/cache'],
          depends_on: ['db'],
          healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost:8080/'], interval: '15s' },
        },
        worker: { extends: 'api', command: 'worker --concurrency 4', environment: ['MODE=worker'], volumes: ['scratch:/cache'], healthcheck: { test: ['CMD', 'true'] } },
        cron: { extends: { service: 'worker' }, environment: { SCHEDULE: '@hourly' } },
        db: { image: 'postgres:16', expose: ['5432'] },
      },
    },
    { name: 'demo', repoPath },
  );
  const svc = (n: string) => spec.services.find((s) => s.name === n)!;

  it('the extending service is imported with the base\'s fields under its own', () => {
    expect(svc('worker')).toMatchObject({
      image: { ref: 'example/api:2.1.0' },
      command: ['worker', '--concurrency', '4'],
      env: { LOG_LEVEL: 'info', MODE: 'worker' },
      dependsOn: [{ service: 'db' }],
      labels: { team: 'core' },
      health: { liveness: { exec: { command: ['true'] }, periodSeconds: 15 } },
    });
    // Volumes: one per container path, the extending service's winning.
    expect(svc('worker').volumes).toEqual([{ name: 'data', mountPath: '/var/lib/api' }, { name: 'scratch', mountPath: '/cache' }]);
    expect(lines(report, 'services.worker.extends')).toEqual([expect.stringMatching(/^mapped: merged over services\.api as compose merges it/)]);
    expect(lines(report, 'services.worker').join('\n')).not.toContain('neither image nor build');
  });

  it('a chain (cron extends worker extends api) is resolved base first', () => {
    expect(svc('cron')).toMatchObject({ image: { ref: 'example/api:2.1.0' }, command: ['worker', '--concurrency', '4'], env: { LOG_LEVEL: 'info', MODE: 'worker', SCHEDULE: '@hourly' } });
    expect(validate(spec).filter((i) => /^services\.(worker|cron)\.(image|env|command|volumes)/.test(i.path))).toEqual([]);
  });

  it('extends from another file, a missing base and a cycle are cannot-map lines at services.<s>.extends, not a crash', () => {
    const r = importCompose(
      { services: { a: { extends: { file: 'common.yml', service: 'base' } }, b: { extends: 'nowhere' }, c: { extends: 'd', image: 'x/c:1' }, d: { extends: 'c', image: 'x/d:1' } } },
      { name: 'demo', repoPath },
    );
    expect(lines(r.report, 'services.a.extends')).toEqual([expect.stringMatching(/^unmapped: extends a service of another file \("common\.yml"\), which the import does not read/)]);
    expect(lines(r.report, 'services.b.extends')).toEqual([expect.stringMatching(/^unmapped: extends "nowhere", which is no service of this file/)]);
    expect(r.report.some((e) => /extends it back/.test(e.message))).toBe(true);
  });

  it('the lines written for the base\'s interpolated fields are written for the extending service\'s inherited fields too', () => {
    const r = importCompose(
      { services: { api: { image: 'example/api:${TAG:-2.1.0}', user: '${UID:-1000}:1000', environment: { A: '${A:-1}', B: '${B:-2}' } }, worker: { extends: 'api', user: '1001:1001', environment: { B: 'x' } } } },
      { name: 'demo', repoPath },
    );
    const interpolated = (path: string) => lines(r.report, path).filter((l) => l.includes('interpolated'));
    expect(interpolated('services.worker.image')).toHaveLength(1);
    expect(interpolated('services.worker.environment.A')).toHaveLength(1);
    // Fields the worker sets itself are its own: no line from the base.
    expect(interpolated('services.worker.user')).toEqual([]);
    expect(interpolated('services.worker.environment.B')).toEqual([]);
  });
});
