import { validate, type StackSpec } from '@todo/service-spec';
import { parse } from 'yaml';
import { importCompose } from '../src/import/compose-import';
import type { ImportEntry } from '../src/import/report';
import { renderOutputs } from '../src/outputs';

/** Issue 19: a service renamed for a DNS label (web_1 -> web-1-2) is reached by its new name wherever another service names it as a host. */
const repoPath = (p: string) => p.replace(/^\.\//, '');
const imported = (services: Record<string, unknown>) => importCompose({ services }, { name: 'demo', repoPath });
const svc = (spec: StackSpec, name: string) => spec.services.find((s) => s.name === name)!;
const at = (report: ImportEntry[], path: string) => report.filter((e) => e.path === path);
const rewrote = (report: ImportEntry[], path: string, from: string, to: string) =>
  expect(at(report, path)).toContainEqual({ path, status: 'decision', message: expect.stringContaining(`"${from}" rewritten to "${to}"`) });

describe('import: a renamed service named in another service\'s command, entrypoint or env text', () => {
  const source = {
    web_1: { image: 'example/web:1.0', ports: ['8080:80'] },
    'web-1': { image: 'example/other:1.0', expose: ['9000'] },
    my_db: { image: 'postgres:16', expose: ['5432'] },
    app: {
      image: 'example/app:1.0',
      entrypoint: 'sh -c "until nc -z web_1 80; do sleep 1; done; exec app"',
      command: ['wait-for', 'web_1:80', '--', 'run', '--upstream=http://web_1', '--host', 'web_1', '-d', 'my_db', '--dbname=my_db', '/data/web_1/cache'],
      environment: { HOSTS: 'web_1,web-1', OPTS: '--host web_1 --port 80', PGDATABASE: 'my_db', CONN: 'postgres://u@my_db/my_db' },
    },
  };

  it('the word, the shell script and the env text name the new name, each with a line at its compose path', () => {
    const { spec, report } = imported(source);
    const app = svc(spec, 'app');
    expect(app.entrypoint).toEqual(['sh', '-c', 'until nc -z web-1-2 80; do sleep 1; done; exec app']);
    expect(app.command).toEqual(['wait-for', 'web-1-2:80', '--', 'run', '--upstream=http://web-1-2', '--host', 'web-1-2', '-d', 'my_db', '--dbname=my_db', '/data/web_1/cache']);
    expect(app.env).toMatchObject({ HOSTS: 'web-1-2,web-1', OPTS: '--host web-1-2 --port 80', PGDATABASE: 'my_db' });
    expect(app.env?.CONN ?? app.secrets?.CONN?.localDefault).toBe('postgres://u@my-db/my_db');
    rewrote(report, 'services.app.entrypoint', 'web_1', 'web-1-2');
    for (const i of [1, 4, 6]) rewrote(report, `services.app.command[${i}]`, 'web_1', 'web-1-2');
    rewrote(report, 'services.app.environment.HOSTS', 'web_1', 'web-1-2');
    rewrote(report, 'services.app.environment.OPTS', 'web_1', 'web-1-2');
    rewrote(report, 'services.app.environment.CONN', 'my_db', 'my-db');
    // A database name, a path segment: something else called like the service, left as it is and without a line.
    for (const path of ['services.app.command[8]', 'services.app.command[9]', 'services.app.command[10]', 'services.app.environment.PGDATABASE']) {
      expect(at(report, path).map((e) => e.message).join('\n')).not.toContain('rewritten');
    }
    expect(validate(spec).filter((i) => /^services\.app\./.test(i.path))).toEqual([]);
  });

  it('the generated compose file runs the commands against the service names it defines', () => {
    const { spec } = imported(source);
    const { files } = renderOutputs({ ...spec, environments: { local: spec.environments.local } }, {});
    const compose = parse(files.find((f) => f.path === 'docker/docker-compose.yml')!.content);
    expect(Object.keys(compose.services)).toContain('web-1-2');
    expect(Object.keys(compose.services)).not.toContain('web_1');
    const words = [...compose.services.app.entrypoint, ...compose.services.app.command].join(' ');
    expect(words).not.toMatch(/(^|[\s:/=])web_1([\s:]|$)/);
    expect(words).toContain('nc -z web-1-2 80');
  });

  it('a string command is read as its words: the line is at the field', () => {
    const { spec, report } = imported({ Api: { image: 'example/api:1.0', expose: ['8000'] }, api: { image: 'example/api:1.0' }, cron: { image: 'example/cron:1.0', command: 'curl -fsS http://Api:8000/tick' } });
    expect(svc(spec, 'cron').command).toEqual(['curl', '-fsS', 'http://api-2:8000/tick']);
    rewrote(report, 'services.cron.command', 'Api', 'api-2');
  });
});

describe('import: a renamed service named in a health check', () => {
  it('pg_isready -h pg_main (CMD words) and a CMD-SHELL script name the new name; the database name after -d stays', () => {
    const { spec, report } = imported({
      pg_main: { image: 'postgres:16', expose: ['5432'], healthcheck: { test: ['CMD', 'pg_isready', '-h', 'pg_main', '-U', 'app', '-d', 'pg_main'] } },
      api: { image: 'example/api:1.0', healthcheck: { test: ['CMD-SHELL', 'nc -z pg_main 5432 && curl -f http://localhost/'] } },
      cron: { image: 'example/cron:1.0', healthcheck: { test: 'wget -q -O- http://pg_main:5432/ || exit 1' } },
    });
    expect(svc(spec, 'pg-main').health?.liveness?.exec?.command).toEqual(['pg_isready', '-h', 'pg-main', '-U', 'app', '-d', 'pg_main']);
    expect(svc(spec, 'api').health?.liveness?.exec?.command).toEqual(['sh', '-c', 'nc -z pg-main 5432 && curl -f http://localhost/']);
    expect(svc(spec, 'cron').health?.liveness?.exec?.command).toEqual(['sh', '-c', 'wget -q -O- http://pg-main:5432/ || exit 1']);
    rewrote(report, 'services.pg_main.healthcheck.test[3]', 'pg_main', 'pg-main');
    rewrote(report, 'services.api.healthcheck.test[1]', 'pg_main', 'pg-main');
    rewrote(report, 'services.cron.healthcheck.test', 'pg_main', 'pg-main');
    expect(at(report, 'services.pg_main.healthcheck.test[7]')).toEqual([]);
  });
});

describe('import: the first word of a command is the program, not a host', () => {
  it('command: my_app serve --peer my_app keeps the program name and rewrites the peer', () => {
    const { spec, report } = imported({ my_app: { image: 'example/app:1.0', expose: ['8000'], command: ['my_app', 'serve', '--peer', 'my_app'], entrypoint: ['my_app'] } });
    expect(svc(spec, 'my-app').command).toEqual(['my_app', 'serve', '--peer', 'my-app']);
    expect(svc(spec, 'my-app').entrypoint).toEqual(['my_app']);
    expect(at(report, 'services.my_app.command[0]')).toEqual([]);
    expect(at(report, 'services.my_app.entrypoint')).toEqual(expect.not.arrayContaining([expect.objectContaining({ message: expect.stringContaining('rewritten') })]));
    rewrote(report, 'services.my_app.command[3]', 'my_app', 'my-app');
  });
});
