/**
 * Compose interpolation in `infra import` (issue 19): every field is interpolated
 * as compose does before it is mapped, with .env, --env-file and --env (never the
 * process environment), and env_file is read into the service environment.
 */
import { validate } from '@todo/service-spec';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { importCompose } from '../src/import/compose-import';
import { parseDotenv } from '../src/import/dotenv';
import { interpolate, type Lookup } from '../src/import/interpolate';
import { projectVariables } from '../src/import/variables';
import { Sandbox } from './fuzz/harness';

const repoPath = (p: string) => p.replace(/^\.\//, '');
const vars = (o: Record<string, string>): Lookup => (n) => (n in o ? { value: o[n], from: '.env' } : undefined);
const none: Lookup = () => undefined;
const value = (t: string, o: Record<string, string> = {}) => interpolate(t, vars(o)).value;

describe('interpolate: the Compose Specification forms', () => {
  it('direct substitution, $$ escape, and unset as ""', () => {
    expect(value('$A/${A}', { A: 'x' })).toBe('x/x');
    expect(value('cost $$5 and $${A}', { A: 'x' })).toBe('cost $5 and ${A}');
    expect(value('[${NOPE}] [$NOPE]')).toBe('[] []');
    expect(interpolate('${NOPE}', none).uses).toEqual([{ name: 'NOPE', how: 'unset' }]);
  });
  it('$$ inside a default is an escape, not the start of a nested ${: the first } closes the default', () => {
    // compose-go (the Compose Specification) skips "$$" when it finds the closing brace and then
    // interpolates the default, so "$$" becomes "$". docker-compose 1.29 closes at the same brace
    // ("$${" and "x$${By}" in its `config`) but leaves the default unescaped; the specification wins.
    expect(value('${A:-$${}')).toBe('${');
    expect(value('${A:-x$${B}y}', { B: 'b' })).toBe('x${By}');
    expect(value('${A:-x$${B}y}', { A: 'a', B: 'b' })).toBe('ay}');
  });
  it(':- and - defaults: empty counts as unset only with the colon', () => {
    expect([value('${A:-d}'), value('${A:-d}', { A: '' }), value('${A:-d}', { A: 'v' })]).toEqual(['d', 'd', 'v']);
    expect([value('${A-d}'), value('${A-d}', { A: '' }), value('${A-d}', { A: 'v' })]).toEqual(['d', '', 'v']);
  });
  it(':+ and + alternatives', () => {
    expect([value('${A:+alt}'), value('${A:+alt}', { A: '' }), value('${A:+alt}', { A: 'v' })]).toEqual(['', '', 'alt']);
    expect([value('${A+alt}'), value('${A+alt}', { A: '' }), value('${A+alt}', { A: 'v' })]).toEqual(['', 'alt', 'alt']);
  });
  it(':? and ? stop with compose\'s message', () => {
    expect(() => value('${A:?set A}')).toThrow('required variable A is not set: set A');
    expect(() => value('${A:?set A}', { A: '' })).toThrow('required variable A is empty: set A');
    expect(value('${A?set A}', { A: '' })).toBe('');
    expect(() => value('${A?}')).toThrow(/required variable A is not set \(compose refuses the file: "required variable A is missing a value"\)/);
    expect(value('${A:?x}', { A: 'v' })).toBe('v');
  });
  it('nested defaults, alternatives and messages', () => {
    expect(value('${A:-${B:-x}}')).toBe('x');
    expect(value('${A:-${B:-x}}', { B: 'b' })).toBe('b');
    expect(value('${A:-${B:-x}}/y', { A: 'a' })).toBe('a/y');
    expect(value('${A:+${B}-on}', { A: '1', B: 'b' })).toBe('b-on');
    expect(() => value('${A:?${B:-no} value}')).toThrow('required variable A is not set: no value');
    expect(value('${A:-{x}}')).toBe('{x}');
  });
  it('refuses what compose refuses: a $ before anything else, an unclosed ${, a bad operator', () => {
    for (const t of ['echo $(date)', 'price 5$', '${A', '${A:x}', '${}', '${1A}', '$ x']) expect(() => value(t)).toThrow(/Invalid template.*fix: write "\$\$" for a literal "\$"/);
  });
});

describe('.env syntax (compose\'s dotenv)', () => {
  const env = (text: string, lookup: Lookup = none) => Object.fromEntries([...parseDotenv(text, lookup, '.env')].map(([k, e]) => [k, e.value]));
  it('comments, export, quotes, escapes, empty values, interpolation, YAML style', () => {
    const text = [
      '# a comment',
      '',
      'export EXPORTED=1',
      'PLAIN=a b # inline comment',
      'HASH=a#b',
      "SINGLE='no $X or \\n here'",
      'DOUBLE="tab\\there \\"q\\" \\$5 ${PLAIN}"',
      'EMPTY=',
      'EMPTY_QUOTED=""',
      'MULTI="line1',
      'line2"',
      'REF=${PLAIN:-x}-$$',
      'YAML: style',
      '  SPACED = v  ',
      'INHERITED',
      'INHERITED_MISSING',
    ].join('\n');
    expect(env(text, (n) => (n === 'INHERITED' ? { value: 'from --env', from: '--env' } : undefined))).toEqual({
      EXPORTED: '1',
      PLAIN: 'a b',
      HASH: 'a#b',
      SINGLE: 'no $X or \\n here',
      DOUBLE: 'tab\there "q" $5 a b',
      EMPTY: '',
      EMPTY_QUOTED: '',
      MULTI: 'line1\nline2',
      REF: 'a b-$',
      YAML: 'style',
      SPACED: 'v',
      INHERITED: 'from --env',
    });
  });
  it('names the line of a broken entry', () => {
    expect(() => env('A=1\nB="open')).toThrow('line 2: the double-quoted value of B is not closed');
    expect(() => env('A=1\n\nbad key=1')).toThrow(/line 3: unexpected character " " in variable name "bad"|line 3: unexpected character "k"/);
    expect(() => env('A=${B:?needed}')).toThrow(/line 1: required variable B is not set: needed/);
  });
  it('precedence: --env over --env-file (a later file wins), which replaces .env', () => {
    const dotenv = { from: '.env', text: 'A=dotenv\nB=dotenv\n' };
    expect(Object.fromEntries([...projectVariables({ dotenv, envFiles: [], env: [] })].map(([k, v]) => [k, v.value]))).toEqual({ A: 'dotenv', B: 'dotenv' });
    const both = projectVariables({ dotenv, envFiles: [{ from: '--env-file one', text: 'A=one\nC=one' }, { from: '--env-file two', text: 'C=two\nD=${A}' }], env: ['D=cli', 'E=x=y'] });
    expect(Object.fromEntries([...both].map(([k, v]) => [k, `${v.value} (${v.from})`]))).toEqual({ A: 'one (--env-file one)', C: 'two (--env-file two)', D: 'cli (--env)', E: 'x=y (--env)' });
    expect(() => projectVariables({ envFiles: [], env: ['NOVALUE'] })).toThrow('--env NOVALUE: give KEY=VALUE');
  });
});

describe('import: the issue\'s interpolation defects', () => {
  const one = (service: Record<string, unknown>, variables: Lookup = none) => importCompose({ services: { app: { image: 'example/app:1', ...service } } }, { name: 'demo', repoPath, variables });
  const at = (report: { path: string; status: string; message: string }[], path: string) => report.filter((e) => e.path === path);

  it('image: postgres:${PG_VERSION:-latest} is the default image, reported with where the tag came from', () => {
    const { spec, report } = importCompose({ services: { db: { image: 'postgres:${PG_VERSION:-latest}' } } }, { name: 'demo', repoPath });
    expect(spec.services[0].image).toEqual({ ref: 'postgres:latest' });
    // A decision: compose reads PG_VERSION at each `up`, the spec holds "latest" (the round trip sets it on the host and sees the difference).
    expect(at(report, 'services.db.image')).toContainEqual({ path: 'services.db.image', status: 'decision', message: 'interpolated: PG_VERSION from its default "latest"; the spec holds this value, so PG_VERSION set on the host no longer changes it (compose reads it at each `up`): edit the spec to change it' });
    const pinned = importCompose({ services: { db: { image: 'postgres:${PG_VERSION:-latest}' } } }, { name: 'demo', repoPath, variables: vars({ PG_VERSION: '16.4' }) });
    expect(pinned.spec.services[0].image).toEqual({ ref: 'postgres:16.4' });
    expect(at(pinned.report, 'services.db.image')[0].message).toMatch(/^interpolated: PG_VERSION from \.env; the spec holds this value/);
  });
  it('a variable named without a value (environment: [POSTGRES_USER]) takes .env\'s value, with a decision: compose passes the host\'s value at each `up`, the spec holds this one', () => {
    const { spec, report } = one({ environment: ['POSTGRES_USER'] }, vars({ POSTGRES_USER: 'app' }));
    expect(spec.services[0].env).toEqual({ POSTGRES_USER: 'app' });
    expect(at(report, 'services.app.environment.POSTGRES_USER').filter((e) => e.message.startsWith('named without a value'))).toEqual([
      { path: 'services.app.environment.POSTGRES_USER', status: 'decision', message: 'named without a value: compose passes POSTGRES_USER from .env; the spec holds this value, so POSTGRES_USER set on the host no longer changes it: edit the spec to change it' },
    ]);
  });
  it('LOG_LEVEL: ${LOG_LEVEL:-info} is "info", not the literal text', () => {
    const { spec } = one({ environment: { LOG_LEVEL: '${LOG_LEVEL:-info}' } });
    expect(spec.services[0].env).toEqual({ LOG_LEVEL: 'info' });
  });
  it('"${HTTP_PORT:-8080}:80" is container port 80 on host port 8080, not a range', () => {
    const { spec, report } = one({ ports: ['${HTTP_PORT:-8080}:80'] });
    expect(spec.services[0].ports).toEqual([{ name: 'http', port: 80, hostPort: 8080 }]);
    expect(at(report, 'services.app.ports[0]').map((e) => e.status)).not.toContain('unmapped');
  });
  it('${DATA_DIR:-.}/data:/data is a bind of ./data at /data', () => {
    const { spec } = one({ volumes: ['${DATA_DIR:-.}/data:/data'] });
    expect(spec.services[0].dev).toEqual({ mounts: [{ source: 'data', target: '/data', readOnly: false }] });
  });
  it('${X:-} gives no empty localDefault (nor empty env): the spec validates', () => {
    const { spec, report } = one({ environment: { API_TOKEN: '${API_TOKEN:-}', MODE: '${MODE:-}', OTHER: 'x' } });
    expect(spec.services[0].secrets).toEqual({ API_TOKEN: { secret: 'demo-app', key: 'api-token' } });
    expect(spec.services[0].env).toEqual({ OTHER: 'x' });
    expect(at(report, 'services.app.environment.MODE').map((e) => e.status)).toContain('decision');
    expect(validate(spec).filter((i) => /\.(env|secrets)\b/.test(i.path))).toEqual([]);
  });
  it('a variable with no value and no default is "" with a decision naming it and how to set it', () => {
    const { spec, report } = one({ command: ['serve', '--name=${APP_NAME}'] });
    expect(spec.services[0].command).toEqual(['serve', '--name=']);
    expect(at(report, 'services.app.command[1]')).toEqual([expect.objectContaining({ status: 'decision', message: expect.stringMatching(/APP_NAME.*not set.*--env APP_NAME=VALUE/) })]);
  });
  it('a value built from a secret-looking variable is a secret, whatever the key is called', () => {
    const { spec } = one({ environment: { CONN: 'postgres://app:${DB_PASSWORD:-local}@db:5432/app', PLAIN: 'http://${API_HOST:-api}:8000' } });
    expect(Object.keys(spec.services[0].secrets ?? {})).toEqual(['CONN']);
    expect(spec.services[0].env).toEqual({ PLAIN: 'http://api:8000' });
  });
  it('${VAR:?err} unset is an error naming the field, the variable and compose\'s message', () => {
    expect(() => one({ environment: { SECRET_KEY: '${SECRET_KEY:?set it}' } })).toThrow(/^services\.app\.environment\.SECRET_KEY: required variable SECRET_KEY is not set: set it .*fix: set it in \.env/);
  });
  it('every string field is interpolated: healthcheck, entrypoint, labels, tmpfs, depends_on-free fields; x- extensions are left alone', () => {
    const { spec } = importCompose(
      {
        'x-tpl': { bad: '$(not a template)' },
        services: { app: { image: 'example/app:${TAG:-1}', entrypoint: '/bin/${SHELL_NAME:-sh} -c', healthcheck: { test: ['CMD-SHELL', 'curl -f http://localhost:${PORT:-80}/ || exit 1'] }, labels: ['team=${TEAM:-a}'], tmpfs: ['${TMP:-/tmp}'], read_only: '${RO:-true}' } },
      },
      { name: 'demo', repoPath },
    );
    const s = spec.services[0];
    expect([s.image.ref, s.entrypoint, s.health?.liveness?.exec?.command, s.labels, s.writablePaths, s.readOnlyRootFilesystem]).toEqual(['example/app:1', ['/bin/sh', '-c'], ['sh', '-c', 'curl -f http://localhost:80/ || exit 1'], { team: 'a' }, ['/tmp'], undefined]);
  });
});

describe('infra import: .env, --env-file, --env and env_file from disk', () => {
  let box: Sandbox;
  beforeEach(() => (box = new Sandbox('infra-import-env-')));
  afterEach(() => box.dispose());
  const specOf = (rel: string) => parse(readFileSync(join(box.root, rel), 'utf8'));

  it('reads .env beside the compose file (not the process environment); --env-file replaces it; --env wins', () => {
    box.write('app/compose.yaml', 'services:\n  web:\n    image: "nginx:${TAG:-1.27}"\n    environment:\n      LOG_LEVEL: ${LOG_LEVEL:-info}\n      FROM_ENV_FILE: ${ONLY_IN_FILE:-none}\n');
    box.write('app/.env', '# local settings\nTAG=1.26\nLOG_LEVEL="debug"\n');
    box.write('ci.env', 'ONLY_IN_FILE=yes\n');
    process.env.LOG_LEVEL = 'from-process';
    try {
      const a = box.run(['import', 'app/compose.yaml', '--out', 'a.yaml']);
      expect(a.err).toBe('');
      expect(specOf('a.yaml').services[0]).toMatchObject({ image: { ref: 'nginx:1.26' }, env: { LOG_LEVEL: 'debug', FROM_ENV_FILE: 'none' } });
      expect(a.out).toContain('- `services.web.environment.LOG_LEVEL`: interpolated: LOG_LEVEL from .env;');
      const b = box.run(['import', 'app/compose.yaml', '--out', 'b.yaml', '--env-file', 'ci.env', '--env', 'TAG=1.25', '--env', 'LOG_LEVEL=warn']);
      expect(b.err).toBe('');
      expect(specOf('b.yaml').services[0]).toMatchObject({ image: { ref: 'nginx:1.25' }, env: { LOG_LEVEL: 'warn', FROM_ENV_FILE: 'yes' } });
      expect(b.out).toContain('FROM_ENV_FILE`: interpolated: ONLY_IN_FILE from --env-file ci.env;');
    } finally {
      delete process.env.LOG_LEVEL;
    }
  });

  it('${VAR:?err} without a value: exit 1 naming the file, field, variable and message; nothing written', () => {
    box.write('compose.yaml', 'services:\n  web:\n    image: nginx:1.27\n    environment:\n      SECRET_KEY: ${SECRET_KEY:?set SECRET_KEY first}\n');
    const r = box.run(['import', 'compose.yaml', '--out', 'x.yaml']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/compose\.yaml: services\.web\.environment\.SECRET_KEY: required variable SECRET_KEY is not set: set SECRET_KEY first .*--env SECRET_KEY=VALUE/);
    expect(existsSync(join(box.root, 'x.yaml'))).toBe(false);
    expect(box.run(['import', 'compose.yaml', '--out', 'x.yaml', '--env', 'SECRET_KEY=s3cret']).code).toBe(0);
  });

  it('a broken .env or --env is refused with its line, not a trace', () => {
    box.write('compose.yaml', 'services:\n  web:\n    image: nginx:1.27\n');
    box.write('.env', 'OK=1\nBROKEN="never closed\n');
    const r = box.run(['import', 'compose.yaml', '--out', 'x.yaml']);
    expect([r.code, r.err.split('\n')[0]]).toEqual([1, '.env: line 2: the double-quoted value of BROKEN is not closed']);
    const u = box.run(['import', 'compose.yaml', '--out', 'x.yaml', '--env-file', 'missing.env']);
    expect([u.code, u.err]).toEqual([2, expect.stringContaining('--env-file: missing.env does not exist')]);
    expect(box.run(['import', 'compose.yaml', '--out', 'x.yaml', '--env', '1=x']).code).toBe(2);
  });

  it('env_file: string, list and long form; environment wins; secret-looking values become secrets; optional missing file is mapped', () => {
    box.write(
      'compose.yaml',
      [
        'services:',
        '  api:',
        '    image: example/api:1',
        '    env_file: api.env',
        '    environment:',
        '      MODE: from-environment',
        '  worker:',
        '    image: example/worker:1',
        '    env_file: [common.env, { path: worker.env, required: true }, { path: local.env, required: false }]',
        '',
      ].join('\n'),
    );
    box.write('api.env', 'MODE=from-file\nAPI_TOKEN=abc\nDATABASE_URL=postgres://u:pw@db/x\nGREETING="hi ${NAME:-you}"\n');
    box.write('common.env', 'SHARED=1\nLEVEL=common\n');
    box.write('worker.env', 'LEVEL=worker\n');
    const r = box.run(['import', 'compose.yaml', '--out', 's.yaml']);
    expect(r.err).toBe('');
    const [api, worker] = specOf('s.yaml').services;
    expect(api.env).toEqual({ MODE: 'from-environment', GREETING: 'hi you' });
    expect(Object.keys(api.secrets).sort()).toEqual(['API_TOKEN', 'DATABASE_URL']);
    expect(worker.env).toEqual({ SHARED: '1', LEVEL: 'worker' });
    expect(r.out).toContain('- `services.worker.env_file[2]`: env file "local.env" does not exist and is optional');
    expect(r.out).toContain('- `services.api.env_file.API_TOKEN`: looks like a secret');
    expect(r.out).toContain('- `services.worker.env_file[1].LEVEL`: plain value');
  });

  it('env_file: a missing required file and a file outside the repository are errors naming file and field', () => {
    box.write('compose.yaml', 'services:\n  api:\n    image: example/api:1\n    env_file: [missing.env]\n');
    const r = box.run(['import', 'compose.yaml', '--out', 's.yaml']);
    expect([r.code, r.err]).toEqual([1, expect.stringContaining('compose.yaml: services.api.env_file[0]: env file "missing.env" does not exist')]);
    box.write('compose.yaml', 'services:\n  api:\n    image: example/api:1\n    env_file: ../../../etc/hostname\n');
    const o = box.run(['import', 'compose.yaml', '--out', 's.yaml']);
    expect([o.code, o.err]).toEqual([1, expect.stringContaining('services.api.env_file: env file "../../../etc/hostname" resolves to')]);
    expect(existsSync(join(box.root, 's.yaml'))).toBe(false);
  });

  it('environment: [NAME] without a value takes it from .env, as compose does', () => {
    box.write('compose.yaml', 'services:\n  api:\n    image: example/api:1\n    environment: [REGION, UNKNOWN]\n');
    box.write('.env', 'REGION=eu-west-1\n');
    const r = box.run(['import', 'compose.yaml', '--out', 's.yaml']);
    expect(specOf('s.yaml').services[0].env).toEqual({ REGION: 'eu-west-1' });
    expect(r.out).toContain('- `services.api.environment.UNKNOWN`: takes its value from the host');
  });
});

/** docker-compose 1.29 (no Docker engine needed for `config`): its interpolation and ours agree on a sample. */
const DOCKER_COMPOSE = '/usr/bin/docker-compose';
(existsSync(DOCKER_COMPOSE) ? describe : describe.skip)('agrees with docker-compose config', () => {
  it('on the forms docker-compose 1.29 knows ($VAR, ${VAR}, :-, -, :?, ?, $$) and its .env', () => {
    const box = new Sandbox('infra-import-agree-');
    try {
      const compose = [
        'services:',
        '  web:',
        '    image: "nginx:${TAG:-1.27}"',
        '    command: ["serve", "--port=$PORT", "--cost=$$5", "${UNSET_X-dflt}", "${EMPTY-keep}", "${EMPTY:-fill}"]',
        '    environment:',
        '      A: "${A}"',
        '      B: "${B:?needed}"',
        '      C: "${C?needed}"',
        '      D: "pre-${QUOTED}-post"',
        '      E: "${NOT_SET}"',
        '      F: "$${LITERAL}"',
        '    ports: ["${HTTP_PORT:-8080}:80"]',
        '',
      ].join('\n');
      box.write('compose.yaml', compose);
      box.write('.env', 'TAG=1.25\nPORT=8000\nA=a value\nB=b\nC=\nEMPTY=\nexport QUOTED="q v"\n# HTTP_PORT=1\n');
      const r = spawnSync(DOCKER_COMPOSE, ['-f', 'compose.yaml', 'config'], { cwd: box.root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      expect(r.stderr).not.toMatch(/ERROR|Invalid/);
      const theirs = parse(r.stdout).services.web;
      // config writes a literal $ as $$.
      const un = (s: unknown) => String(s).replace(/\$\$/g, '$');
      expect(box.run(['import', 'compose.yaml', '--out', 's.yaml']).err).toBe('');
      const ours = importCompose(parse(compose), { name: 'x', repoPath, variables: (n) => projectVariables({ dotenv: { from: '.env', text: readFileSync(join(box.root, '.env'), 'utf8') }, envFiles: [], env: [] }).get(n) });
      const s = ours.spec.services[0];
      expect(s.image.ref).toBe(theirs.image);
      expect(s.command).toEqual(theirs.command.map(un));
      const env = { ...s.env, ...Object.fromEntries(Object.entries(s.secrets ?? {}).map(([k, v]) => [k, v.localDefault])) };
      for (const k of ['A', 'B', 'D', 'F']) expect([k, env[k]]).toEqual([k, un(theirs.environment[k])]);
      // C and E are "" in compose: the spec holds no empty value, and says so.
      expect([un(theirs.environment.C), un(theirs.environment.E), env.C, env.E]).toEqual(['', '', undefined, undefined]);
      expect(s.ports).toEqual([{ name: 'http', port: Number(theirs.ports[0].target), hostPort: Number(theirs.ports[0].published) }]);
    } finally {
      box.dispose();
    }
  });
});

describe('infra import: an internal error is never passed off as a problem in the file', () => {
  let box: Sandbox;
  beforeEach(() => (box = new Sandbox('infra-import-yaml-')));
  afterEach(() => box.dispose());
  it('an alias without its anchor is invalid YAML naming the file (was a wrapped ReferenceError message)', () => {
    box.write('compose.yaml', 'services:\n  web: *missing\n');
    const r = box.run(['import', 'compose.yaml', '--out', 'x.yaml']);
    expect([r.code, r.err]).toEqual([1, expect.stringMatching(/^compose\.yaml: invalid YAML: /)]);
  });
});
