// Two public stacks from apps/infra/test/fixtures, built offline and brought up from their golden
// compose files: healthy, serving through the front door, and keeping their data across down/up.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  // The app's own demo receiver: the worker's POST goes back into the stack, so the delivery is observable.
  const receiver = 'http://app:3000/receiver';
  const json = async (path: string) => JSON.parse((await ok(hostUrl(stack(), 'app', path))).text);

  it('stores a webhook in redis and queues one delivery per URL', async () => {
    await serving(hostUrl(stack(), 'app', '/healthz'));
    const r = await ok(hostUrl(stack(), 'app', '/webhooks'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload, urls: [receiver] }) });
    expect(r.status).toBe(201);
    const body = JSON.parse(r.text);
    id = body.id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.jobs).toHaveLength(1);
    expect(await stack().exec('redis', 'redis-cli', 'exists', `relay:webhook:${id}`)).toBe('1');
    expect(await json(`/webhooks/${id}`)).toMatchObject({ id, payload, urls: [receiver] });
    // A request the app refuses names the field.
    const bad = await ok(hostUrl(stack(), 'app', '/webhooks'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload, urls: ['ftp://x'] }) });
    expect([bad.status, JSON.parse(bad.text).error]).toEqual([400, 'body.urls: "ftp://x" must use http or https']);
  });

  it('the worker delivers the payload by HTTP POST and records the result', async () => {
    await poll('the receiver to get the delivery', 60_000, async () => ((await json('/receiver')).some((e: { webhookId: string }) => e.webhookId === id) ? true : undefined));
    expect((await json('/receiver')).find((e: { webhookId: string }) => e.webhookId === id).body).toEqual(payload);
    await poll('the worker to record the delivery', 30_000, async () => ((await json(`/webhooks/${id}`)).deliveries?.[receiver] ? true : undefined));
    expect((await json(`/webhooks/${id}`)).deliveries[receiver]).toMatchObject({ ok: true, status: 200 });
    await poll('the job to be completed in redis', 30_000, async () => ((await stack().exec('redis', 'redis-cli', 'zcard', 'bull:webhook-deliveries:completed')) === '1' ? true : undefined));
    expect(await stack().exec('redis', 'redis-cli', 'zcard', 'bull:webhook-deliveries:failed')).toBe('0');
    expect(await stack().logs('worker')).toContain(`delivering webhook ${id} to ${receiver}`);
  });

  it('lists jobs and their results on the status endpoint', async () => {
    const status = await json('/status');
    expect(status.counts).toMatchObject({ completed: 1, failed: 0 });
    expect(status.jobs).toEqual([expect.objectContaining({ webhookId: id, url: receiver, state: 'completed', result: expect.objectContaining({ status: 200 }) })]);
  });

  it('keeps its data across down and up', async () => {
    await stack().down();
    await stack().up();
    await serving(hostUrl(stack(), 'app', '/healthz'));
    expect(await json(`/webhooks/${id}`)).toMatchObject({ id, payload, deliveries: { [receiver]: { ok: true, status: 200 } } });
    expect((await json('/status')).jobs).toEqual([expect.objectContaining({ webhookId: id, state: 'completed' })]);
    expect((await json('/receiver')).filter((e: { webhookId: string }) => e.webhookId === id)).toHaveLength(1);
  });
});

describeStack('nginx-flask-mysql', (stack) => {
  const sql = (query: string) => stack().exec('db', 'sh', '-c', `mysql -uroot -p"$(cat /run/secrets/db-password)" example -N -e '${query}'`);
  const page = async () => ok(hostUrl(stack(), 'proxy', '/'));

  it('serves the notes page through nginx, from MariaDB, with the password read from a file secret', async () => {
    await serving(hostUrl(stack(), 'proxy', '/'));
    const r = await page();
    expect(r.status).toBe(200);
    expect(r.text).toContain('<h1>Notes (3)</h1>');
    expect(r.text).toContain('<li data-id="1">Requests reach this page through nginx</li>');
    // A row written straight into MariaDB shows on the page: the backend reads the database live.
    await sql(`INSERT INTO notes (body) VALUES ("e2e-${stamp}")`);
    expect((await page()).text).toContain(`<li data-id="4">e2e-${stamp}</li>`);
    // The backend had only the file: the password is in no variable of its environment.
    const password = readFileSync(stack().env.DB_PASSWORD_PASSWORD_FILE, 'utf8');
    expect(await stack().exec('backend', 'cat', '/run/secrets/db-password')).toBe(password);
    expect(await stack().exec('backend', 'env')).not.toContain(password);
  });

  it('runs MariaDB with the arguments of the spec on the image entrypoint', async () => {
    const cmdline = await stack().exec('db', 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline');
    expect(cmdline).toContain('--default-authentication-plugin=mysql_native_password');
    expect(await stack().exec('db', 'sh', '-c', 'id -u')).toBe('999');
  });

  it('keeps its data across down and up', async () => {
    await stack().down();
    await stack().up();
    await serving(hostUrl(stack(), 'proxy', '/'));
    expect(await sql(`SELECT body FROM notes WHERE id = 4`)).toBe(`e2e-${stamp}`);
    const r = await page();
    expect(r.text).toContain('<h1>Notes (4)</h1>');
    expect(r.text).toContain(`<li data-id="4">e2e-${stamp}</li>`);
  });
});
