import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolve } from '@todo/service-spec';
import { composeHealthCommand, HEALTHPROBE } from './health';

// The derived HTTP checks run for real, with the host's Python, Node, busybox wget, GNU wget,
// curl and the images' static probe (compiled here from docker/healthprobe/healthprobe.c, as the
// images' builder stages do), against a server that answers with a chosen status: the exit code
// is what compose reads.
describe('derived HTTP health checks, run against a real server', () => {
  let server: Server;
  let status = 200;
  // Where a redirect from /ready lands.
  let elsewhere = 200;
  const paths: string[] = [];
  // alpine's layout: wget and timeout are links to busybox, found on PATH.
  const busyboxBin = mkdtempSync(join(tmpdir(), 'busybox-bin-'));
  for (const applet of ['wget', 'timeout']) symlinkSync('/usr/bin/busybox', join(busyboxBin, applet));
  afterAll(() => rmSync(busyboxBin, { recursive: true, force: true }));
  const healthprobe = join(busyboxBin, 'healthprobe');
  const cc = spawnSync('gcc', ['-static', '-Os', '-Wall', '-Werror', '-o', healthprobe, join(__dirname, '..', '..', '..', 'docker', 'healthprobe', 'healthprobe.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cannot compile docker/healthprobe/healthprobe.c (gcc -static; apt-get install -y gcc libc6-dev): ${cc.error ?? cc.stderr}`);

  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      if (req.url === '/elsewhere') res.writeHead(elsewhere).end('{}');
      else res.writeHead(status, { location: '/elsewhere' }).end('{}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  type Client = 'python' | 'node' | 'busybox wget' | 'GNU wget' | 'curl' | 'healthprobe';
  interface Check {
    argv: string[];
    env: NodeJS.ProcessEnv;
  }
  const commandFor = (client: Client, port: number, timeoutSeconds = 2): Check => {
    const runtime = client === 'python' || client === 'node' ? client : 'none';
    const composeHttpClient = client.endsWith('wget') ? 'wget' : client === 'curl' || client === 'healthprobe' ? client : undefined;
    const stack = resolve(
      {
        name: 's',
        services: [
          {
            name: 'x',
            role: 'api',
            runtime,
            image: { ref: 'x:1' },
            ports: [{ name: 'http', port }],
            health: { readiness: { http: { path: '/ready', port: 'http' }, timeoutSeconds }, ...(composeHttpClient && { composeHttpClient }) },
          },
        ],
        environments: { local: { target: 'compose' } },
      },
      'local',
    );
    const argv = composeHealthCommand(stack.services[0]) ?? [];
    // The host's programs stand in for the image's: python3 where the image says python, and
    // busybox's applets for alpine's /usr/bin/wget and timeout (the same busybox code).
    return {
      argv: argv[0] === 'python' ? ['python3', ...argv.slice(1)] : argv[0] === HEALTHPROBE ? [healthprobe, ...argv.slice(1)] : argv,
      env: client === 'busybox wget' ? { ...process.env, PATH: `${busyboxBin}:${process.env.PATH}` } : process.env,
    };
  };
  const exitCode = ({ argv, env }: Check) =>
    new Promise<number | null>((done) => {
      const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore', env });
      child.on('error', () => done(Number.NaN));
      child.on('exit', (code) => done(code));
    });
  const healthy = async (check: Check) => (await exitCode(check)) === 0;

  const clients: Client[] = ['python', 'node', 'busybox wget', 'GNU wget', 'curl', 'healthprobe'];
  for (const client of clients) {
    it(`${client}: 2xx and 3xx are healthy, 4xx/5xx and a closed port are not`, async () => {
      const port = (server.address() as AddressInfo).port;
      const check = commandFor(client, port);
      paths.length = 0;
      elsewhere = 200;
      for (const [answer, ok] of [[200, true], [204, true], [307, true], [404, false], [503, false]] as const) {
        status = answer;
        expect([answer, await healthy(check)]).toEqual([answer, ok]);
      }
      // The runtimes and curl take a 3xx as it is; wget follows it and judges where it lands.
      status = 307;
      elsewhere = 503;
      expect(await healthy(check)).toBe(!client.endsWith('wget'));
      expect(new Set(paths)).toEqual(new Set(client.endsWith('wget') ? ['/ready', '/elsewhere'] : ['/ready']));
      // A port nothing listens on: the check fails rather than hangs.
      const closed = createServer();
      await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise<void>((done) => closed.close(() => done()));
      expect(await healthy(commandFor(client, closedPort))).toBe(false);
    }, 30_000);
  }

  // Engine 20.10 does not kill a check that outlives compose's timeout (moby/moby#43737): a check
  // that does not stop itself leaves a process behind every interval against a hung server.
  describe('against a server that accepts and never answers', () => {
    let hung: ReturnType<typeof createTcpServer>;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      hung = createTcpServer((socket) => void sockets.push(socket));
      await new Promise<void>((done) => hung.listen(0, '127.0.0.1', done));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => hung.close(() => done()));
    });
    for (const client of clients) {
      it(`${client}: fails within the probe's timeout`, async () => {
        const check = commandFor(client, (hung.address() as AddressInfo).port, 1);
        const started = performance.now();
        expect(await healthy(check)).toBe(false);
        expect(performance.now() - started).toBeLessThan(2_500);
      }, 15_000);
    }
  });

  it('the runtimes and healthprobe exit 1 when unhealthy, the exit code Docker documents', async () => {
    const port = (server.address() as AddressInfo).port;
    status = 503;
    for (const client of ['python', 'node', 'healthprobe'] as const) expect(await exitCode(commandFor(client, port))).toBe(1);
  });
});
