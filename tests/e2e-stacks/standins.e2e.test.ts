// The offline stand-ins (docker/standins, built by scripts/offline-bases.sh) must honour the
// official images' entrypoint contracts, or a stack that runs here would break on the real image
// (and the reverse). Each contract point the fixtures rely on, and its documented neighbours, run
// here against a real container. No host ports: safe to run beside other stacks.
// eslint-disable-next-line @nx/enforce-module-boundaries -- the e2e-compose project's shell helpers, shared test code
import { DOCKER, docker, poll, runSync } from '../e2e-compose/support/sh';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const unique = `e2e-standin-${process.pid}`;
const started: string[] = [];

function start(name: string, args: string[]): string {
  const id = docker('run', '-d', '--name', `${unique}-${name}`, ...args);
  started.push(id);
  return id;
}

afterAll(() => {
  for (const id of started) runSync(DOCKER, ['rm', '-f', '-v', id]);
});

const image = (name: string) => `todo-offline/${name}`;
const hardened = ['--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges:true'];

describe('mariadb stand-in (mariadb:10-focal contract)', () => {
  const mariadb = image('mariadb:10.11-bookworm');
  const sql = (id: string, user: string, password: string, query: string) => docker('exec', id, 'mariadb', '-h127.0.0.1', `-u${user}`, `-p${password}`, '-N', '-e', query);

  it('creates root, the database and the user from MARIADB_*, and passes flags in CMD to mariadbd', async () => {
    const id = start('mariadb', [
      ...hardened, '--user', '999:999', '--tmpfs', '/run/mysqld:uid=999,gid=999', '--tmpfs', '/tmp:mode=1777',
      '-e', 'MARIADB_ROOT_PASSWORD=rootpw', '-e', 'MARIADB_DATABASE=shop', '-e', 'MARIADB_USER=app', '-e', 'MARIADB_PASSWORD=apppw',
      mariadb, '--character-set-server=utf8mb4',
    ]);
    await poll('mariadb to accept the app user', 120_000, () => (runSync(DOCKER, ['exec', id, 'mariadb-admin', 'ping', '-h127.0.0.1', '-uapp', '-papppw', '--silent']).status === 0 ? true : undefined), 1000);
    expect(sql(id, 'app', 'apppw', 'SELECT DATABASE(), @@character_set_server')).toBe('NULL\tutf8mb4');
    expect(sql(id, 'app', 'apppw', 'SHOW DATABASES LIKE "shop"')).toBe('shop');
    expect(sql(id, 'root', 'rootpw', 'SELECT COUNT(*) FROM mysql.user WHERE user = "root" AND host = "%"')).toBe('1');
    expect(docker('exec', id, 'sh', '-c', 'tr "\\0" " " </proc/1/cmdline')).toMatch(/^mariadbd --character-set-server=utf8mb4/);
  }, 180_000);

  it('refuses to initialise without a root password option, naming the variables', () => {
    const r = runSync(DOCKER, ['run', '--rm', '--user', '999:999', mariadb]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('You need to specify one of MARIADB_ROOT_PASSWORD');
  });

  it('fails at once on a flag mariadbd does not know, naming it', () => {
    const r = runSync(DOCKER, ['run', '--rm', '--user', '999:999', '-e', 'MARIADB_ROOT_PASSWORD=x', mariadb, '--no-such-flag=1']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown variable 'no-such-flag=1'/);
  });

  it('reads *_FILE variables and runs /docker-entrypoint-initdb.d scripts against the new database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'standin-mariadb-'));
    mkdirSync(join(dir, 'initdb'));
    writeFileSync(join(dir, 'initdb', '1.sql'), 'CREATE TABLE t (v INT); INSERT INTO t VALUES (42);', { mode: 0o644 });
    writeFileSync(join(dir, 'pw'), 's3cret', { mode: 0o644 });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'initdb'), 0o755);
    try {
      const id = start('mariadb-files', [
        ...hardened, '--user', '999:999', '--tmpfs', '/run/mysqld:uid=999,gid=999', '--tmpfs', '/tmp:mode=1777',
        '-v', `${join(dir, 'initdb')}:/docker-entrypoint-initdb.d:ro`, '-v', `${join(dir, 'pw')}:/run/secrets/pw:ro`,
        '-e', 'MYSQL_ROOT_PASSWORD_FILE=/run/secrets/pw', '-e', 'MYSQL_DATABASE=app', mariadb,
      ]);
      await poll('mariadb to answer with the password from the file', 120_000, () => {
        if (docker('inspect', '-f', '{{.State.Running}}', id) !== 'true') throw new Error(`mariadb exited: ${runSync(DOCKER, ['logs', '--tail', '20', id]).stderr}`);
        return runSync(DOCKER, ['exec', id, 'mariadb-admin', 'ping', '-h127.0.0.1', '-uroot', '-ps3cret', '--silent']).status === 0 ? true : undefined;
      }, 1000);
      expect(sql(id, 'root', 's3cret', 'SELECT v FROM app.t')).toBe('42');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('redis stand-in (redis:7.0 contract)', () => {
  const redis = image('redis:7.0-bookworm');

  it('runs flags in CMD as redis-server flags, with protected mode off and /data as its working directory', async () => {
    const id = start('redis', [...hardened, '--user', '999:999', redis, '--appendonly', 'yes']);
    await poll('redis to answer', 30_000, () => (runSync(DOCKER, ['exec', id, 'redis-cli', 'ping']).stdout.trim() === 'PONG' ? true : undefined));
    expect(docker('exec', id, 'redis-cli', 'config', 'get', 'appendonly').split('\n')[1]).toBe('yes');
    expect(docker('exec', id, 'redis-cli', 'config', 'get', 'protected-mode').split('\n')[1]).toBe('no');
    expect(docker('exec', id, 'redis-cli', 'config', 'get', 'dir').split('\n')[1]).toBe('/data');
    expect(docker('inspect', '-f', '{{json .Config.Volumes}}', redis)).toContain('"/data"');
  });

  it('runs any other command as given', () => {
    expect(docker('run', '--rm', redis, 'redis-server', '--version')).toMatch(/^Redis server v=7\.0\./);
    expect(docker('run', '--rm', redis, 'echo', 'plain')).toBe('plain');
  });
});

describe('nginx stand-in (nginx:1.13-alpine contract)', () => {
  const nginx = image('nginx:1.22-bookworm');

  it('serves conf.d as a non-root user on a read-only root, and renders templates with the environment', async () => {
    const id = start('nginx', [...hardened, '--user', '101:101', '--tmpfs', '/var/cache/nginx:uid=101,gid=101', '--tmpfs', '/var/run:uid=101,gid=101', nginx]);
    await poll('nginx to serve its default page', 30_000, () => {
      const r = runSync(DOCKER, ['exec', id, 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/80 && printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3 && cat <&3']);
      return r.stdout.includes('200 OK') && r.stdout.includes('Welcome to nginx!') ? true : undefined;
    });
    expect(docker('logs', id)).toContain('/docker-entrypoint.sh: configuration complete; ready for start up');
    expect(docker('run', '--rm', '--entrypoint', 'sh', nginx, '-c', 'nginx -T 2>/dev/null | grep -c "include /etc/nginx/conf.d/\\*.conf"')).toBe('1');
    const template = 'server { listen 8080; location / { return 200 "${GREETING} $host"; } }';
    const rendered = docker('run', '--rm', '-e', 'GREETING=hello-from-template', '-e', `TEMPLATE=${template}`, '--entrypoint', 'sh', nginx, '-c',
      'printf "%s" "$TEMPLATE" > /etc/nginx/templates/default.conf.template && /docker-entrypoint.d/20-envsubst-on-templates.sh >/dev/null && cat /etc/nginx/conf.d/default.conf');
    expect(rendered).toContain('return 200 "hello-from-template $host"');
    expect(docker('inspect', '-f', '{{.Config.StopSignal}} {{json .Config.Cmd}}', nginx)).toBe('SIGQUIT ["nginx","-g","daemon off;"]');
  });
});
