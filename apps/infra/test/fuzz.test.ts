/**
 * No user input reaches a stack trace: 10,000+ generated specs, compose files and
 * command lines, each answered with exit 0, or exit 1/2 and a message
 * (apps/infra/test/fuzz/harness.ts). FUZZ_SEED picks another sequence; FUZZ_SCALE
 * multiplies the counts for a longer hunt.
 */
import { todoStack } from '@todo/service-spec';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { describeFailures, fuzz, HOSTILE_FILES, HOSTILE_STRINGS, mutate, pick, Sandbox, serialise, type Rand } from './fuzz/harness';

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const fixtures = join(__dirname, 'fixtures');

const specSeeds: unknown[] = [
  JSON.parse(JSON.stringify(todoStack)),
  ...readdirSync(fixtures)
    .filter((d) => {
      try {
        return readdirSync(join(fixtures, d)).includes('spec.json');
      } catch {
        return false;
      }
    })
    .map((d) => JSON.parse(readFileSync(join(fixtures, d, 'spec.json'), 'utf8')) as unknown),
];

/** Names the seeds use, so mutations also make references that almost resolve. */
const names = [...new Set(specSeeds.flatMap((s) => ((s as { services?: { name?: string }[] }).services ?? []).map((x) => String(x.name))))];

const composeSeeds: unknown[] = [
  ...['v1-web-worker/docker-compose.yml', 'v2-proxy-app-db/compose.yaml'].map((f) => readFileSync(join(fixtures, 'import', f), 'utf8')),
  `services:
  web:
    image: "nginx:\${NGINX_TAG:-1.27}"
    ports: ["\${HTTP_PORT:-8080}:80", "127.0.0.1:8443:443/tcp"]
    environment:
      REDIS_URL: redis://cache:6379
      SECRET_KEY: \${SECRET_KEY:?set it}
      PLAIN: "$$literal"
    volumes: ["./html:/usr/share/nginx/html:ro", "data:/data", "/tmp"]
    depends_on: { cache: { condition: service_healthy } }
    healthcheck: { test: ["CMD", "wget", "-q", "-O-", "http://localhost"], interval: 30s, timeout: 5s, retries: 3 }
    profiles: [web]
  cache:
    image: redis:7-alpine
    healthcheck: { test: "redis-cli ping", interval: 10s }
    tmpfs: [/run]
  worker:
    build: { context: ./worker, dockerfile: Dockerfile.dev, args: { A: "1" } }
    command: ["celery", "-A", "app", "worker"]
    env_file: [.env, worker.env]
    expose: ["5555"]
    user: "1000:1000"
    restart: unless-stopped
    deploy: { resources: { limits: { memory: 512M, cpus: "0.5" } }, replicas: 2 }
volumes: { data: {} }
`,
  // Interpolation in every kind of field, env_file in each form, and every port, volume and health check form.
  `name: \${STACK:-shop}
services:
  api:
    image: "example/api:\${TAG:-1.0.0}"
    command: ["serve", "--port=\${PORT:-8000}", "--name=$NAME", "--cost=$$5", "\${MODE:+--mode=\${MODE}}"]
    entrypoint: "/bin/\${SHELL_NAME-sh} -c"
    env_file: [app.env, { path: worker.env, required: false }, { path: missing.env, required: false }]
    environment:
      - LOG_LEVEL=\${LOG_LEVEL:-info}
      - DATABASE_URL=postgres://app:\${DB_PASSWORD:-pw}@db:5432/app
      - EMPTY=\${EMPTY:-}
      - FROM_DOTENV
    ports: ["\${HTTP_PORT:-8080}:8000", "8001-8002:8001-8002", "[::1]:9000:9000", "::1:9001:9001", "127.0.0.1::9002", "5353:5353/udp", "9100-9200:9003",
      { target: 9004, published: "\${ADMIN_PORT:-9004}", host_ip: "127.0.0.1", protocol: tcp }]
    expose: ["7000-7001", "7002/udp", 7003]
    volumes: ["\${DATA_DIR:-.}/data:/data", "/cache", "logs:/logs:ro,z", "./src:/app:rw", "~/cfg:/cfg:ro", "/etc/ssl:/ssl:Z",
      { type: volume, source: vol, target: /vol, read_only: true, volume: { nocopy: true } }, { type: bind, source: ./x, target: /x, bind: { create_host_path: true } },
      { type: tmpfs, target: /run, tmpfs: { size: 1000 } }]
    tmpfs: ["/tmp:size=64m", /scratch]
    read_only: \${RO:-false}
    healthcheck: { test: ["CMD-SHELL", "curl -f http://localhost:\${PORT:-8000}/ || exit 1"], interval: 10s }
    depends_on: { db: { condition: service_healthy } }
  db:
    image: postgres:\${PG_VERSION:-16}
    env_file: db.env
    environment: { POSTGRES_PASSWORD: "\${DB_PASSWORD:?set DB_PASSWORD}" }
    expose: [5432]
    healthcheck: { test: "pg_isready -U \${POSTGRES_USER:-postgres}" }
  once:
    image: example/api:1.0.0
    healthcheck: { disable: true }
  none:
    image: example/api:1.0.0
    healthcheck: { test: [NONE] }
volumes: { logs: {}, vol: {} }
`,
].map((t) => JSON.parse(JSON.stringify(parseYaml(t))) as unknown);

/** .env and env_file texts: good ones (giving the required variables), and the ways users break them. */
const DOTENV_TEXTS = [
  'TAG=1.27\nHTTP_PORT=8081\nSECRET_KEY=s3cret\nDB_PASSWORD=pw\n',
  'SECRET_KEY=s3cret\nDB_PASSWORD="p w"\nexport MODE=fast\nFROM_DOTENV\n',
  "# only a comment\nSECRET_KEY='lit $x'\nDB_PASSWORD=x # inline\n",
  '',
  'A=1\nB="unterminated',
  'bad key=1',
  '=x',
  'A=${B:?needed}',
  'A=$',
  'A="a\\',
  'A: b\nC',
  'SECRET_KEY=\nDB_PASSWORD=\n',
  'MULTI="line1\nline2"\nSECRET_KEY=${MULTI}\nDB_PASSWORD=${SECRET_KEY:-x}\n',
];
const ENV_ARGS = ['SECRET_KEY=x', 'DB_PASSWORD=', 'A=', 'NOVALUE', '1=x', 'TAG=${X}', 'PORT=notaport', 'HTTP_PORT=70000', 'DATA_DIR=/etc', 'DATA_DIR=~', 'RO=true'];

/** The variable files of a compose case directory, and flags that read them (or break the command line). */
function variableFiles(r: Rand, box: Sandbox, dir: string): string[] {
  for (const f of ['.env', 'app.env', 'worker.env', 'db.env', 'ci.env']) box.write(`${dir}/${f}`, pick(r, DOTENV_TEXTS));
  const args: string[] = [];
  if (r() < 0.25) args.push('--env-file', pick(r, [`${dir}/ci.env`, `${dir}/app.env`, `${dir}/nope.env`, dir]));
  while (r() < 0.3) args.push('--env', pick(r, ENV_ARGS));
  return args;
}

function specCase(r: Rand, box: Sandbox, i: number) {
  const ext = pick(r, ['.json', '.yaml', '.yml']);
  const file = `specs/case-${i % 50}${ext}`;
  const hostileFile = r() < 0.04;
  const content = hostileFile ? pick(r, HOSTILE_FILES) : serialise(mutate(pick(r, specSeeds), r, names), r, ext);
  box.write(file, content);
  const label = hostileFile ? `hostile file #${HOSTILE_FILES.indexOf(content)}` : `mutated spec ${file}`;
  // What validate passes, synth must write or refuse in words.
  return { label, argv: ['validate', '--spec', file], then: { label: `${label} through synth`, argv: ['synth', '--spec', file, '--out', `validated/out-${i}`] } };
}

/** The seeds with published images only: a sandbox has no build contexts, and synth should get past the tags. */
const publishedSeeds = specSeeds.map((seed) => {
  const copy = structuredClone(seed) as { services?: { image?: Record<string, unknown> }[] };
  for (const s of copy.services ?? []) if (s.image?.build) s.image = { ref: 'nginx:1.27' };
  return copy;
});

function synthCase(r: Rand, box: Sandbox, i: number) {
  const file = `synth/case-${i % 20}.yaml`;
  box.write(file, serialise(mutate(pick(r, publishedSeeds), r, names), r, '.yaml'));
  return { label: `mutated spec ${file} through synth`, argv: ['synth', '--spec', file, '--out', `synth/out-${i}`] };
}

/** Import, then synth what import wrote: what validate passes must synthesize or be refused in words. */
function importSynthCase(r: Rand, box: Sandbox, i: number) {
  const dir = `roundtrip/c${i % 10}`;
  // The build contexts the seeds name, so synth can hash them.
  box.write(`${dir}/web/Dockerfile`, 'FROM python:3.13-slim\nUSER 1000\n');
  box.write(`${dir}/worker/Dockerfile.dev`, 'FROM python:3.13-slim\nUSER 1000\n');
  box.write(`${dir}/docker-compose.yml`, stringify(mutate(pick(r, composeSeeds), r, ['web', 'cache', 'worker', 'db', 'app'])));
  const imported = box.run(['import', `${dir}/docker-compose.yml`, '--out', `${dir}/stack.yaml`, '--force', ...variableFiles(r, box, dir)]);
  if (imported.code !== 0) return { label: `compose ${dir} (import refused it)`, argv: ['validate', '--spec', `${dir}/docker-compose.yml`] };
  return { label: `imported ${dir}/stack.yaml through synth`, argv: ['synth', '--spec', `${dir}/stack.yaml`, '--out', `${dir}/out-${i}`] };
}

function importCase(r: Rand, box: Sandbox, i: number) {
  const dir = `compose/c${i % 50}`;
  const file = `${dir}/docker-compose.yml`;
  const hostileFile = r() < 0.04;
  const content = hostileFile ? pick(r, HOSTILE_FILES) : stringify(mutate(pick(r, composeSeeds), r, ['web', 'cache', 'worker', 'db', 'app', 'api', 'app.env', 'db.env', '${TAG:-1}', '${NOPE}']));
  box.write(file, content);
  return { label: hostileFile ? `hostile compose #${HOSTILE_FILES.indexOf(content)}` : `mutated compose ${file}`, argv: ['import', file, '--out', `imported/s${i % 50}.yaml`, '--force', ...variableFiles(r, box, dir)] };
}

const SUBCOMMANDS = ['synth', 'check', 'policy', 'images', 'validate', 'init', 'import', 'schema', 'help', 'nope', '', '--help'];
const FLAGS = ['--spec', '--out', '--force', '--name', '--report', '--help', '-h', '--', '--spec=', '--out=', '--unknown', '-x', '--spec=specs/case-1.json'];
/** Paths the command line may name: all inside the sandbox (cwd is a/b, two levels down). */
const PATHS = ['specs/case-1.json', '../../specs/case-2.yaml', '../../compose/c1/docker-compose.yml', 'out', '../../out2', 'new.yaml', 'x.json', 'missing.yaml', '.', '..', '', ' ', 'a\u0000b', 'dir/', 'k8s', 'dockerfiles', 'secrets'];

function argvCase(r: Rand) {
  const argv: string[] = [pick(r, SUBCOMMANDS)];
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const roll = r();
    argv.push(roll < 0.45 ? pick(r, FLAGS) : roll < 0.85 ? pick(r, PATHS) : pick(r, HOSTILE_STRINGS.filter((s) => !s.startsWith('/') && !s.startsWith('~') && !s.includes('..'))));
  }
  return { label: 'command line', argv, cwd: 'a/b' };
}

describe('no input reaches a stack trace (fuzz)', () => {
  let box: Sandbox;
  beforeAll(() => {
    box = new Sandbox();
    box.write('a/b/.keep', '');
    // The cases above name these; the first runs create the rest.
    box.write('specs/case-1.json', JSON.stringify(specSeeds[1] ?? specSeeds[0]));
    box.write('specs/case-2.yaml', stringify(specSeeds[0]));
  });
  afterAll(() => box.dispose());

  it.each([
    ['specs through validate', 6000, specCase, 1],
    ['compose files through import', 3000, importCase, 2],
    ['command lines', 1500, argvCase, 3],
    ['specs through synth', 400, synthCase, 4],
    ['compose files through import and synth', 300, importSynthCase, 5],
  ] as const)('%s', (name, count, make, offset) => {
    const { failures, codes } = fuzz(SEED + offset, Math.round(count * SCALE), box, make);
    // The generator must reach both answers: refusals, and inputs that pass (so the deep paths run too).
    expect(codes[1] ?? 0).toBeGreaterThan(0);
    if (name !== 'command lines') expect(codes[0] ?? 0).toBeGreaterThan(count / 50);
    process.stdout.write(`${name}: ${JSON.stringify(codes)}\n`);
    if (failures.length) throw new Error(`${failures.length} of ${count} cases answered with the wrong form:\n${describeFailures(failures)}`);
  });

});
