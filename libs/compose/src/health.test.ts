import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from '@todo/service-spec';
import { composeHealthCommand } from './health';

// The derived HTTP checks run for real, with the host's Python and Node, against a server
// that answers with a chosen status: the exit code is what compose reads.
describe('derived HTTP health checks, run against a real server', () => {
  let server: Server;
  let status = 200;
  const paths: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status, { location: '/elsewhere' }).end('{}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const command = (runtime: 'python' | 'node', port: number) => {
    const stack = resolve(
      {
        name: 's',
        services: [{ name: 'x', role: 'api', runtime, image: { ref: 'x:1' }, ports: [{ name: 'http', port }], health: { readiness: { http: { path: '/ready', port: 'http' }, timeoutSeconds: 2 } } }],
        environments: { local: { target: 'compose' } },
      },
      'local',
    );
    const argv = composeHealthCommand(stack.services[0]) ?? [];
    // The host's interpreter stands in for the image's (python3 where the image says python).
    return argv[0] === 'python' ? ['python3', ...argv.slice(1)] : argv;
  };
  const exitCode = (argv: string[]) =>
    new Promise<number | null>((done) => {
      const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
      child.on('exit', (code) => done(code));
    });

  for (const runtime of ['python', 'node'] as const) {
    it(`${runtime}: 2xx and 3xx are healthy, 4xx/5xx and a closed port are not`, async () => {
      const port = (server.address() as AddressInfo).port;
      const argv = command(runtime, port);
      paths.length = 0;
      for (const [answer, healthy] of [[200, true], [204, true], [307, true], [404, false], [503, false]] as const) {
        status = answer;
        expect([answer, await exitCode(argv)]).toEqual([answer, healthy ? 0 : 1]);
      }
      expect(new Set(paths)).toEqual(new Set(['/ready']));
      // A port nothing listens on: the check fails rather than hangs.
      const closed = createServer();
      await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise<void>((done) => closed.close(() => done()));
      expect(await exitCode(command(runtime, closedPort))).toBe(1);
    }, 30_000);
  }
});
