import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadTextFiles, parseAllowList, ScanInputError } from './load';
import { AllowEntry, SecretRule, SecretScan } from './model';
import { SECRET_RULES } from './rules';
import { envIgnored } from './rules/env-ignored';
import { urlCredentials } from './rules/url-credentials';
import { awsKey, openAiKey, privateKey } from './rules/value-patterns';
import { yamlPassword } from './rules/yaml-password';

// Secret-shaped fixtures are assembled at run time so this file never trips a scanner itself.
const OPENAI = 'sk-' + 'proj-' + 'A1b2C3d4E5f6G7h8I9j0K1';
const PEM = '-----BEGIN ' + 'RSA PRIVATE KEY-----';
const AWS = 'AKIA' + 'ABCDEFGHIJKLMNOP';

let dir: string;
const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
};
const scan = (allow: AllowEntry[] = []): SecretScan => ({ files: loadTextFiles(['dist', 'docker'], dir), repoRoot: dir, allow });
const messages = (rule: SecretRule, s: SecretScan) => rule.check(s).map((v) => v.message);
const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'pipe' });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'policy-secrets-'));
  git('init', '-q');
  write('.gitignore', '.env\n.env.*\n!.env.example\n');
  write('dist/k8s/minikube/backend.yaml', 'env:\n  - name: DATABASE_URL\n    valueFrom: { secretKeyRef: { name: db, key: url } }\n');
  write('docker/docker-compose.yml', 'services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}\n      POSTGRES_PASSWORD_FILE: /run/secrets/db\n');
  write('docker/backend/Dockerfile', 'FROM python:3.13-slim\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('a clean tree passes every secrets rule', () => {
  const s = scan();
  for (const rule of SECRET_RULES) expect([rule.id, rule.check(s)]).toEqual([rule.id, []]);
});

it('finds OpenAI keys, private keys and AWS keys with file and line, never printing the value', () => {
  write('dist/k8s/production/leak.yaml', `a: 1\nkey: ${OPENAI}\n`);
  write('docker/certs/key.pem', `${PEM}\nMIIB\n`);
  write('docker/aws.env.example', `X=1\nAWS_ACCESS_KEY_ID=${AWS}\n`);
  const s = scan();
  expect(messages(openAiKey, s)).toEqual([
    'dist/k8s/production/leak.yaml:2: an OpenAI-style API key (sk-pro***); fix: remove it from the file, rotate it, and reference a Secret instead',
  ]);
  expect(messages(privateKey, s)).toEqual([
    'docker/certs/key.pem:1: a PEM private key (-----B***); fix: remove it from the file, rotate it, and reference a Secret instead',
  ]);
  expect(messages(awsKey, s)).toEqual([
    'docker/aws.env.example:2: an AWS access key id (AKIAAB***); fix: remove it from the file, rotate it, and reference a Secret instead',
  ]);
});

it('the marker comment does not excuse real key material', () => {
  write('docker/x.yml', `# policy-allow: local-only-default\nkey: ${OPENAI}\n`);
  expect(messages(openAiKey, scan())).toHaveLength(1);
});

describe('credentials in URLs', () => {
  it('flags a literal password, not an interpolated one', () => {
    write('docker/docker-compose.yml', 'x:\n  A: postgresql://todo:hunter2@db:5432/todo\n  B: postgresql://todo:${PW}@db/todo\n  C: http://example.com/a:b@c\n');
    expect(messages(urlCredentials, scan())).toEqual([
      'docker/docker-compose.yml:2: URL with a literal password (postgresql://todo:***@); fix: interpolate it (${DB_PASSWORD}) or, for a local-only default, mark the line "# policy-allow: local-only-default"',
    ]);
  });

  it('a URL with a password as the default of ${VAR:-default} is a default; written literally, or escaped with $$, it is flagged', () => {
    write('docker/docker-compose.yml', [
      'A: ${DATABASE_URL:-postgresql://shop:local-only@db:5432/shop}',
      'B: ${DATABASE_URL:-${FALLBACK_URL:-postgresql://shop:local-only@db/shop}}',
      'C: postgresql://shop:literal@db/shop ${DATABASE_URL:-postgresql://shop:local-only@db/shop}',
      'D: $${DATABASE_URL:-postgresql://shop:escaped@db/shop}',
    ].join('\n'));
    expect(messages(urlCredentials, scan()).map((m) => m.split(' (')[0] + ' ' + /\((.*?)\)/.exec(m)![1])).toEqual([
      'docker/docker-compose.yml:3: URL with a literal password postgresql://shop:***@',
      'docker/docker-compose.yml:4: URL with a literal password postgresql://shop:***@',
    ]);
  });

  it('honours the marker on the line or the line above, and the configured allow-list', () => {
    write('docker/docker-compose.yml', [
      'a: postgresql://todo:todo@db/todo # policy-allow: local-only-default',
      '# policy-allow: local-only-default',
      'b: postgresql://todo:todo@db/todo',
      'c: postgresql://dev:dev@localhost/dev',
      'd: postgresql://other:other@localhost/dev',
    ].join('\n'));
    const allow = [{ rule: 'secrets-url-credentials', file: 'docker/docker-compose.yml', match: 'postgresql://dev:dev@', reason: 'local-only default of the dev compose file' }];
    expect(messages(urlCredentials, scan(allow))).toEqual([
      'docker/docker-compose.yml:5: URL with a literal password (postgresql://other:***@); fix: interpolate it (${DB_PASSWORD}) or, for a local-only default, mark the line "# policy-allow: local-only-default"',
    ]);
  });
});

describe('YAML passwords', () => {
  it('flags literal password values in mappings and KEY=value lists', () => {
    write('docker/docker-compose.dev.yml', 'services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD=todo\n      - "DB_PASSWD=${X}"\n  x:\n    password: "s3cr3t-value" # comment\n    DB_PASSWORD: pre-${DB_PASSWORD:-dev-default}\n    B_PASSWORD: ${B_PASSWORD:?set B_PASSWORD}\n    C_PASSWORD: ${C_PASSWORD:-}\n');
    expect(messages(yamlPassword, scan())).toEqual([
      'docker/docker-compose.dev.yml:4: POSTGRES_PASSWORD has a literal value (***); fix: use ${VAR:?} interpolation, a *_FILE secret or secretKeyRef; a local-only default needs "# policy-allow: local-only-default"',
      'docker/docker-compose.dev.yml:7: password has a literal value ("s3cr3***); fix: use ${VAR:?} interpolation, a *_FILE secret or secretKeyRef; a local-only default needs "# policy-allow: local-only-default"',
      'docker/docker-compose.dev.yml:8: DB_PASSWORD has a literal value (pre-${***); fix: use ${VAR:?} interpolation, a *_FILE secret or secretKeyRef; a local-only default needs "# policy-allow: local-only-default"',
    ]);
  });

  it('a ${VAR:-default} is a default the variable overrides, not a literal password; $$ is a literal $', () => {
    write('docker/docker-compose.yml', [
      'services:',
      '  db:',
      '    environment:',
      '      POSTGRES_PASSWORD: ${DB_PASSWORD:-local-only}',
      '      - "MYSQL_PASSWORD=${MYSQL_PASSWORD-dev}"',
      '      NESTED_PASSWORD: ${A_PASSWORD:-${B_PASSWORD:-dev}}',
      '      QUOTED_PASSWORD: "${Q_PASSWORD:-pre${Q}post}"',
      '      ESCAPED_PASSWORD: $${NOT_A_VARIABLE:-dev}',
    ].join('\n'));
    expect(messages(yamlPassword, scan())).toEqual([
      'docker/docker-compose.yml:8: ESCAPED_PASSWORD has a literal value ($${NOT***); fix: use ${VAR:?} interpolation, a *_FILE secret or secretKeyRef; a local-only default needs "# policy-allow: local-only-default"',
    ]);
  });

  it('a flag named like a password (yes/no/1/0/true/false/trust) holds no password; a password that starts like one still does', () => {
    write('docker/docker-compose.yml', [
      'services:',
      '  db:',
      '    environment:',
      "      MARIADB_RANDOM_ROOT_PASSWORD: '1'",
      '      MYSQL_ALLOW_EMPTY_PASSWORD: "yes"',
      '      MYSQL_RANDOM_ROOT_PASSWORD: true',
      '      - REDIS_PASSWORD_ENABLED=false',
      '      DB_PASSWORD: yes-really',
    ].join('\n'));
    expect(messages(yamlPassword, scan())).toEqual([
      'docker/docker-compose.yml:8: DB_PASSWORD has a literal value (yes-re***); fix: use ${VAR:?} interpolation, a *_FILE secret or secretKeyRef; a local-only default needs "# policy-allow: local-only-default"',
    ]);
  });

  it('ignores non-YAML files and marked local defaults', () => {
    write('docker/notes.txt', 'password: hunter2\n');
    write('docker/dev.yml', 'POSTGRES_PASSWORD: todo # policy-allow: local-only-default\n');
    expect(messages(yamlPassword, scan())).toEqual([]);
  });
});

describe('.env files and git', () => {
  it('reports each .env path git does not ignore', () => {
    write('.gitignore', 'apps/backend/.env\n');
    expect(messages(envIgnored, scan())).toEqual([
      '.env: not ignored by git; fix: add ".env" to the root .gitignore',
      'apps/frontend/.env: not ignored by git; fix: add ".env" to the root .gitignore',
    ]);
  });

  it('reports a tracked .env file even though .gitignore covers it', () => {
    write('apps/backend/.env', 'OPENAI_API_KEY=x\n');
    write('apps/backend/.env.example', 'OPENAI_API_KEY=\n');
    git('add', '-f', 'apps/backend/.env', 'apps/backend/.env.example');
    expect(messages(envIgnored, scan())).toEqual([
      'apps/backend/.env: is tracked by git; fix: git rm --cached apps/backend/.env, rotate what it held, keep a .env.example instead',
    ]);
  });

  it('reports a directory that is not a git repository', () => {
    rmSync(join(dir, '.git'), { recursive: true });
    const s = { ...scan(), repoRoot: mkdtempSync(join(tmpdir(), 'policy-nogit-')) };
    expect(messages(envIgnored, s)[0]).toMatch(/^\.env: git check-ignore failed \(fatal: not a git repository.*\); fix: run inside the repository$/);
  });
});

describe('inputs', () => {
  it('skips binary files and rejects missing directories', () => {
    writeFileSync(join(dir, 'docker', 'blob.bin'), Buffer.from([0, 1, 2, ...Buffer.from(OPENAI)]));
    expect(messages(openAiKey, scan())).toEqual([]);
    expect(() => loadTextFiles(['nope'], dir)).toThrow(new ScanInputError('nope: not found; fix: pass directories that exist (e.g. dist docker)'));
  });

  it('a link to a folder, or to nothing, among the files is skipped, not an EISDIR / ENOENT trace', () => {
    mkdirSync(join(dir, 'elsewhere'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'dist', 'k8s', 'linked'));
    symlinkSync(join(dir, 'gone'), join(dir, 'docker', 'dangling.yml'));
    expect(scan().files.map((f) => f.path).sort()).toEqual(['dist/k8s/minikube/backend.yaml', 'docker/backend/Dockerfile', 'docker/docker-compose.yml']);
  });

  it('validates the allow-list with the field and the fix', () => {
    const known = new Set(SECRET_RULES.map((r) => r.id));
    expect(() => parseAllowList('{"allow":[{"rule":"x","file":"f","reason":"short"}]}', 'allow.json', known)).toThrow(
      ['allow.json: allow[0].rule: "x" is not a secrets rule id; fix: use one the CLI prints',
        'allow.json: allow[0].match: missing; fix: give the file path and the exact literal allowed',
        'allow.json: allow[0].reason: missing or too short; fix: say why the literal is safe'].join('\n'),
    );
  });
});
