import { validate, type StackSpec } from '@todo/service-spec';
import { parse } from 'yaml';
import { importCompose } from '../src/import/compose-import';
import type { ReadFile } from '../src/import/compose-variables';
import type { ImportEntry } from '../src/import/report';
import { renderOutputs } from '../src/outputs';

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
