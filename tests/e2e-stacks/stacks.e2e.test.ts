// Two public stacks from apps/infra/test/fixtures, built offline and brought up from their golden
// compose files: healthy, serving through the front door, and keeping their data across down/up.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the e2e-compose project's shell helpers, shared test code
import { poll, repoRoot } from '../e2e-compose/support/sh';
import { PublicStack, seconds } from './support/stack';

const stamp = `${Date.now()}`;
const summary: Record<string, unknown> = {};

function hostUrl(stack: PublicStack, service: string, path: string): string {
  const port = stack.spec.services.find((s) => s.name === service)?.ports?.find((p) => p.hostPort)?.hostPort;
  if (!port) throw new Error(`${stack.name}: services.${service} publishes no host port; the front door must be published`);
  return `http://127.0.0.1:${port}${path}`;
}

async function ok(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, text: await res.text() };
}

/**
 * A service without a health check is "up" when its container runs, not when it serves (the parity
 * report says so): the front door is polled the way a user or a load balancer would retry it.
 */
async function serving(url: string): Promise<void> {
  await poll(`${url} to answer`, 120_000, async () => ((await fetch(url, { signal: AbortSignal.timeout(5_000) })).status < 500 ? true : undefined), 1_000);
}

/** Brings a stack up from nothing, runs `checks`, then tears it down and records the timings. */
function describeStack(name: string, body: (stack: () => PublicStack) => void): void {
  describe(name, () => {
    let stack: PublicStack;
    let started = 0;
    beforeAll(async () => {
      started = Date.now();
      stack = new PublicStack(name);
      await stack.compose.compose('down', '-v', '--remove-orphans'); // a crashed earlier run must not leak state in
      await stack.build();
      stack.compose.preflight({});
      await stack.up();
    }, 10 * 60_000);
    afterAll(async () => {
      if (!stack) return;
      const logs = await stack.compose.compose('logs', '--no-color', '--tail', '200').catch((e: Error) => e.message);
      mkdirSync(join(repoRoot, 'tmp', 'e2e-stacks'), { recursive: true });
      writeFileSync(join(repoRoot, 'tmp', 'e2e-stacks', `${name}.log`), logs);
      await stack.destroy();
      summary[name] = { ...stack.timings, totalS: seconds(started) };
    }, 2 * 60_000);
    body(() => stack);
  });
}

afterAll(() => {
  mkdirSync(join(repoRoot, 'tmp', 'e2e-stacks'), { recursive: true });
  writeFileSync(join(repoRoot, 'tmp', 'e2e-stacks', 'summary.json'), JSON.stringify(summary, null, 2));
  process.stdout.write(`\ne2e-stacks summary (seconds; also in tmp/e2e-stacks/summary.json):\n${JSON.stringify(summary, null, 2)}\n`);
});

describeStack('express-bull', (stack) => {
  let id = '';
  const payload = { message: `hello-${stamp}` };

  it('stores a webhook in redis through the app', async () => {
    await serving(hostUrl(stack(), 'app', '/arena'));
    const url = hostUrl(stack(), 'app', '/webhooks');
    // The app receives the webhook delivery itself (its /example endpoint), so the worker's POST is observable.
    const r = await ok(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload, urls: ['http://app:3000/example'] }) });
    expect(r.status).toBe(200);
    id = JSON.parse(r.text).id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse((await ok(hostUrl(stack(), 'app', `/webhooks/${id}`))).text)).toEqual({ payload, urls: ['http://app:3000/example'] });
  });

  it('queues a delivery that the worker performs', async () => {
    const r = await ok(hostUrl(stack(), 'app', '/webhooks/notify'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id }) });
    expect(r.status).toBe(200);
    await poll('the worker to deliver the webhook to the app', 60_000, async () => {
      const [app, worker] = [await stack().logs('app'), await stack().logs('worker')];
      return worker.includes('Posting to http://app:3000/example') && app.includes(`Hit example with ${JSON.stringify(payload)}`) ? true : undefined;
    });
    // Bull marks the job completed, with the delivery's HTTP status, just after the POST returns.
    await poll('the delivery job to be marked completed in redis', 30_000, async () => ((await stack().exec('redis', 'redis-cli', 'zcard', 'bull:NOTIFY_URL:completed')) === '1' ? true : undefined));
    expect(await stack().exec('redis', 'redis-cli', 'zcard', 'bull:NOTIFY_URL:failed')).toBe('0');
    expect(await stack().exec('redis', 'redis-cli', 'hget', 'bull:NOTIFY_URL:1', 'returnvalue')).toBe('200');
  });

  it('serves the queue dashboard through the same front door', async () => {
    const r = await ok(hostUrl(stack(), 'app', '/arena'));
    expect(r.status).toBe(200);
    expect(r.text).toContain('NOTIFY_URL');
  });

  it('keeps its data across down and up', async () => {
    await stack().down();
    await stack().up();
    await serving(hostUrl(stack(), 'app', '/arena'));
    expect(JSON.parse((await ok(hostUrl(stack(), 'app', `/webhooks/${id}`))).text)).toEqual({ payload, urls: ['http://app:3000/example'] });
    expect(await stack().exec('redis', 'redis-cli', 'zcard', 'bull:NOTIFY_URL:completed')).toBe('1');
  });
});

describeStack('nginx-flask-mysql', (stack) => {
  const sql = (query: string) => stack().exec('db', 'sh', '-c', `mysql -uroot -p"$(cat /run/secrets/db-password)" example -N -e '${query}'`);

  it('serves the blog through nginx, from MariaDB, with the password read from a file secret', async () => {
    await serving(hostUrl(stack(), 'proxy', '/'));
    const r = await ok(hostUrl(stack(), 'proxy', '/'));
    expect(r.status).toBe(200);
    expect(r.text).toBe([1, 2, 3, 4].map((i) => `<div>   Hello  Blog post #${i}</div>`).join(''));
  });

  it('runs MariaDB with the arguments of the spec on the image entrypoint', async () => {
    const cmdline = await stack().exec('db', 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline');
    expect(cmdline).toContain('--default-authentication-plugin=mysql_native_password');
    expect(await stack().exec('db', 'sh', '-c', 'id -u')).toBe('999');
  });

  it('keeps its data across down and up', async () => {
    await sql(`CREATE TABLE e2e_marker (v VARCHAR(64)); INSERT INTO e2e_marker VALUES ("${stamp}")`);
    await stack().down();
    await stack().up();
    await serving(hostUrl(stack(), 'proxy', '/'));
    expect(await sql('SELECT v FROM e2e_marker')).toBe(stamp);
    expect((await ok(hostUrl(stack(), 'proxy', '/'))).text).toContain('Blog post #4');
  });
});
