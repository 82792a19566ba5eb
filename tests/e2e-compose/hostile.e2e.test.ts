// Issue 18 on the generated docker/docker-compose.yml: PostgreSQL restarted 20 times under 20
// CRUD clients, then the hostile-client attacks. Every loop is bounded; every client is on
// loopback. The stack is this file's own (`up` in beforeAll, `down -v` in afterAll).
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKEND, FRONTEND } from './support/api';
import { ComposeStack } from './support/compose';
import { hold, pgAccepting, rawExchange, request, type Held } from './support/raw';
import { expectedRefs } from './support/refs';
import { COMPOSE, DOCKER, docker, poll, repoRoot, run, sleep } from './support/sh';
import { report, summary } from './support/summary';

const MiB = 1024 * 1024;
const stamp = Date.now();
const seconds = (ms: number) => Number((ms / 1000).toFixed(2));
const portOf = (url: string) => Number(new URL(url).port);
let stack: ComposeStack;

const inspect = (id: string, format: string) => docker('inspect', '-f', format, id);
const health = (id: string) => inspect(id, '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}');
/** Async, so the clients keep running while docker works. */
async function dockerAsync(...args: string[]): Promise<string> {
  const r = await run(DOCKER, args);
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

interface Answer {
  status: number; // 0: no answer (connection error or the 10 s timeout)
  retryAfter: string | null;
  json: any;
  headers?: Headers;
}

async function send(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, retryAfter: res.headers.get('retry-after'), json, headers: res.headers };
  } catch (error) {
    return { status: 0, retryAfter: null, json: String((error as Error).cause ?? error) };
  }
}

/** Whether an answer breaks the rule: no 5xx but 503 with Retry-After, and always an answer. */
const breaksRule = (a: Answer) => a.status === 0 || (a.status >= 500 && !(a.status === 503 && a.retryAfter));

/** Peak memory of a container's cgroup since it started (cgroup v1 or v2, read on the host), or null. */
function peakMemory(id: string): number | null {
  const full = inspect(id, '{{.Id}}');
  for (const file of [`/sys/fs/cgroup/memory/docker/${full}/memory.max_usage_in_bytes`, `/sys/fs/cgroup/system.slice/docker-${full}.scope/memory.peak`]) {
    if (existsSync(file)) return Number(readFileSync(file, 'utf8').trim());
  }
  return null;
}

/** OOM kill, restart count and peak memory of a service: what the memory attacks must leave alone. */
async function survival(service: string) {
  const id = await stack.container(service);
  const peak = peakMemory(id);
  return {
    oomKilled: inspect(id, '{{.State.OOMKilled}}'),
    restarts: Number(inspect(id, '{{.RestartCount}}')),
    running: inspect(id, '{{.State.Running}}'),
    peakMiB: peak === null ? null : Math.round(peak / MiB),
    limitMiB: Math.round(Number(inspect(id, '{{.HostConfig.Memory}}')) / MiB),
  };
}

async function psql(sql: string): Promise<string[][]> {
  const env = (stack.spec.services.postgres as unknown as { environment: Record<string, string> }).environment;
  const out = await dockerAsync('exec', await stack.container('postgres'), 'psql', '-U', env.POSTGRES_USER, '-d', env.POSTGRES_DB, '-AtF', '\t', '-c', sql);
  return out ? out.split('\n').map((line) => line.split('\t')) : [];
}

beforeAll(async () => {
  stack = new ComposeStack();
  stack.preflight(process.env.E2E_SKIP_REF_CHECK === '1' ? {} : expectedRefs());
  summary.images = Object.fromEntries(stack.services.map((s) => [s, stack.image(s)]));
  await stack.compose('down', '-v', '--remove-orphans');
  await stack.compose('up', '-d');
  await stack.waitHealthy();
}, 6 * 60_000);

afterAll(async () => {
  if (stack) {
    const logs = await run(COMPOSE[0], [...COMPOSE.slice(1), '-p', stack.project, '-f', stack.file, 'logs', '--no-color', '--tail', '300']);
    mkdirSync(join(repoRoot, 'tmp', 'e2e-compose'), { recursive: true });
    writeFileSync(join(repoRoot, 'tmp', 'e2e-compose', 'hostile.log'), logs.stdout + logs.stderr);
    await stack.compose('down', '-v', '--remove-orphans').catch((e) => console.error(`teardown: ${e.message}`));
    stack.cleanup();
  }
  report('hostile');
}, 3 * 60_000);

describe('PostgreSQL restarted under load', () => {
  const RESTARTS = Number(process.env.E2E_CHAOS_RESTARTS ?? 20);
  const CLIENTS = 20;
  const UP_MS = 1_500; // the database's up time between two faults

  test(`${RESTARTS} restarts (docker restart, and kill -s KILL + start) under ${CLIENTS} CRUD clients: only 503 with Retry-After, serving within 5 s of the database, no acknowledged write lost`, async () => {
    const started = Date.now();
    const backendId = await stack.container('backend');
    const pgId = await stack.container('postgres');
    const pgEnv = (stack.spec.services.postgres as unknown as { environment: Record<string, string> }).environment;
    const restartsBefore = Number(inspect(backendId, '{{.RestartCount}}'));

    const counts: Record<string, number> = {};
    const broken: string[] = [];
    const unexpected: string[] = [];
    const acked = new Map<number, string>(); // id -> title, from a 201 (or its replay)
    const deleted = new Set<number>(); // 204
    const unsure = new Set<number>(); // a DELETE without a clear answer: either state is right
    let stop = false;
    const tally = (via: string, method: string, a: Answer, expected: number[]) => {
      const key = `${via} ${method} ${a.status}`;
      counts[key] = (counts[key] ?? 0) + 1;
      if (breaksRule(a)) broken.push(`${key}${a.status === 503 ? ' without Retry-After' : ''}: ${JSON.stringify(a.json).slice(0, 200)}`);
      else if (a.status !== 503 && !expected.includes(a.status)) unexpected.push(`${key}: ${JSON.stringify(a.json).slice(0, 200)}`);
    };

    // One client: create (with an Idempotency-Key, retried after Retry-After as the UI does), read, complete, list, sometimes delete.
    const client = async (n: number) => {
      const via = n % 2 === 0 ? 'frontend' : 'backend';
      const base = via === 'frontend' ? FRONTEND : BACKEND;
      for (let i = 1; !stop; i++) {
        const title = `chaos ${stamp} c${n} #${i}`;
        const key = randomUUID();
        let id: number | undefined;
        for (let attempt = 0; attempt < 20 && !stop && id === undefined; attempt++) {
          const a = await send(base, 'POST', '/api/todos', { title }, { 'idempotency-key': key });
          tally(via, 'POST', a, [201]);
          if (a.status === 201) id = a.json.id;
          else if (a.status === 503 && a.retryAfter) await sleep(Number(a.retryAfter) * 1000);
          else break;
        }
        if (id === undefined) continue;
        acked.set(id, title);
        tally(via, 'GET', await send(base, 'GET', `/api/todos/${id}`), [200]);
        tally(via, 'PATCH', await send(base, 'PATCH', `/api/todos/${id}`, { completed: true }), [200]);
        tally(via, 'LIST', await send(base, 'GET', '/api/todos?limit=5'), [200]);
        if (i % 4 === 0) {
          const d = await send(base, 'DELETE', `/api/todos/${id}`);
          tally(via, 'DELETE', d, [204]);
          (d.status === 204 ? deleted : unsure).add(id);
        }
        await sleep(50);
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));

    const cycles: { mode: string; downS: number; serveS: number; stuck?: string }[] = [];
    let readyWentDown = 0;
    let unhealthyAfterS: number | undefined;
    try {
      await sleep(UP_MS);
      for (let i = 0; i < RESTARTS; i++) {
        const mode = i % 2 === 0 ? 'restart' : 'kill';
        const down = Date.now();
        if (mode === 'restart') {
          await dockerAsync('restart', '-t', '10', pgId);
        } else {
          await dockerAsync('kill', '-s', 'KILL', pgId);
          // Readiness sees the database gone.
          await poll('backend /ready to answer 503 with the database killed', 10_000, async () => ((await send(BACKEND, 'GET', '/ready')).status === 503 ? true : undefined), 100);
          readyWentDown++;
          if (i === 1) {
            // Held down once until compose health (which probes /ready) turns red.
            await poll('compose health of the backend to turn unhealthy while the database is down', 20_000, () => (health(backendId) === 'unhealthy' ? true : undefined), 250);
            unhealthyAfterS = seconds(Date.now() - down);
          }
          await dockerAsync('start', pgId);
        }
        const back = await poll('PostgreSQL to accept sessions again', 60_000, async () => ((await pgAccepting(5432, pgEnv.POSTGRES_USER, pgEnv.POSTGRES_DB)) ? Date.now() : undefined), 100);
        // Bounded at 30 s: an API that has not healed by then is the stuck outage; the rest is moot.
        let last = '';
        const served = await poll(`the API to serve again after restart ${i + 1} (${mode})`, 30_000, async () => {
          const [f, b] = await Promise.all([send(FRONTEND, 'GET', '/api/todos?limit=1'), send(BACKEND, 'GET', '/api/todos?limit=1')]);
          last = `frontend ${f.status} ${JSON.stringify(f.json).slice(0, 120)}, backend ${b.status} ${JSON.stringify(b.json).slice(0, 120)}`;
          return f.status === 200 && b.status === 200 ? Date.now() : undefined;
        }, 100).catch(() => undefined);
        if (served === undefined) {
          cycles.push({ mode, downS: seconds(back - down), serveS: Infinity, stuck: `not serving 30 s after the database was back: ${last}` });
          break;
        }
        cycles.push({ mode, downS: seconds(back - down), serveS: seconds(Math.max(0, served - back)) });
        await sleep(UP_MS);
      }
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    const stuck = cycles.find((c) => c.stuck)?.stuck;
    if (!stuck) await poll('compose health of the backend to be healthy again', 30_000, () => (health(backendId) === 'healthy' ? true : undefined));

    const rows = new Map((await psql(`select id, title from todos where title like 'chaos ${stamp} %'`)).map(([id, title]) => [Number(id), title]));
    const kept = [...acked].filter(([id]) => !deleted.has(id) && !unsure.has(id));
    const lost = kept.filter(([id, title]) => rows.get(id) !== title).map(([id]) => id);
    const resurrected = [...deleted].filter((id) => rows.has(id));
    const titles = [...rows.values()];
    const duplicates = titles.filter((t, i) => titles.indexOf(t) !== i);
    const serve = cycles.map((c) => c.serveS);
    const fiveXx = Object.entries(counts).filter(([k]) => / 5\d\d$/.test(k));
    summary.chaos = {
      restarts: cycles.length,
      stuck,
      modes: `${cycles.filter((c) => c.mode === 'restart').length} docker restart, ${cycles.filter((c) => c.mode === 'kill').length} kill -s KILL + start`,
      maxServeAfterDbBackS: Math.max(...serve),
      medianServeAfterDbBackS: [...serve].sort((a, b) => a - b)[Math.floor(serve.length / 2)],
      maxDbDownS: Math.max(...cycles.map((c) => c.downS)),
      readyWent503: `${readyWentDown}/${cycles.filter((c) => c.mode === 'kill').length} kills`,
      composeUnhealthyAfterS: unhealthyAfterS,
      requests: Object.values(counts).reduce((a, b) => a + b, 0),
      fiveXx: Object.fromEntries(fiveXx),
      broken: broken.length,
      unexpected: unexpected.length,
      acknowledgedWrites: acked.size,
      lost: lost.length,
      duplicates: duplicates.length,
      backendRestarts: Number(inspect(backendId, '{{.RestartCount}}')) - restartsBefore,
      seconds: seconds(Date.now() - started),
    };
    console.log(`chaos cycles: ${JSON.stringify(cycles)}`);

    expect(broken.slice(0, 10)).toEqual([]);
    expect(unexpected.slice(0, 10)).toEqual([]);
    expect(stuck).toBeUndefined();
    expect(cycles).toHaveLength(RESTARTS);
    expect(Math.max(...serve)).toBeLessThanOrEqual(5);
    expect(acked.size).toBeGreaterThan(RESTARTS * 5);
    expect({ lost, resurrected, duplicates }).toEqual({ lost: [], resurrected: [], duplicates: [] });
    expect(readyWentDown).toBe(cycles.filter((c) => c.mode === 'kill').length);
    expect(unhealthyAfterS).toBeDefined();
    // Healed by itself: the backend was never restarted.
    expect(Number(inspect(backendId, '{{.RestartCount}}'))).toBe(restartsBefore);
  }, 6 * 60_000);
});

describe('hostile clients', () => {
  const front = () => portOf(FRONTEND);
  const back = () => portOf(BACKEND);
  const attacks: Record<string, unknown> = {};
  afterAll(() => (summary.attacks = attacks));

  test('Expect: 100-continue through the frontend (curl) creates the todo: 201, not 502', async () => {
    const title = `expect-continue ${stamp}`;
    const body = JSON.stringify({ title, description: 'd'.repeat(2_000) }); // over 1 KB, where curl adds the header itself
    const r = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '10', '-H', 'content-type: application/json', '-H', 'Expect: 100-continue', '--data-binary', body, `${FRONTEND}/api/todos`]);
    expect({ exit: r.status, status: r.stdout, stderr: r.stderr }).toEqual({ exit: 0, status: '201', stderr: '' });
    expect(await psql(`select count(*) from todos where title = '${title}'`)).toEqual([['1']]);
    attacks.expectContinue = 201;
  });

  test('OPTIONS * gets 400 from the frontend (was 500), and a 4xx from the backend', async () => {
    const frontend = await rawExchange(front(), request(['OPTIONS * HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close']));
    expect(frontend.statuses).toEqual([400]);
    // The backend routes `*` as a path it does not have (404): a client error, never a 5xx.
    const backend = await rawExchange(back(), request(['OPTIONS * HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close']));
    expect(backend.statuses).toHaveLength(1);
    expect(backend.statuses[0]).toBeGreaterThanOrEqual(400);
    expect(backend.statuses[0]).toBeLessThan(500);
    attacks.optionsStar = { frontend: frontend.statuses[0], backend: backend.statuses[0] };
  });

  test('an absolute-form request line is served as its path, never redirected to the host it names', async () => {
    const seen: Record<string, number[]> = {};
    for (const [name, port, target] of [
      ['frontend api', front(), 'http://evil.example/api/todos?limit=1'],
      ['frontend page', front(), 'http://evil.example/'],
      ['backend api', back(), 'http://evil.example/api/todos?limit=1'],
    ] as const) {
      const r = await rawExchange(port, request([`GET ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close']));
      seen[name] = r.statuses;
      expect({ name, statuses: r.statuses }).toEqual({ name, statuses: [200] });
      expect(r.text.split('\r\n\r\n')[0]).not.toMatch(/evil\.example/i);
    }
    attacks.absoluteForm = seen;
  });

  test('HTTP/1.0 keep-alive with chunked framing: answered once, then the connection is closed (frontend and backend)', async () => {
    for (const [name, port] of [['frontend', front()], ['backend', back()]] as const) {
      const title = `http10-chunked ${name} ${stamp}`;
      const json = JSON.stringify({ title });
      const chunked = `${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`;
      const r = await rawExchange(
        port,
        request(['POST /api/todos HTTP/1.0', 'Host: 127.0.0.1', 'Connection: keep-alive', 'Transfer-Encoding: chunked', 'Content-Type: application/json'], chunked) +
          request(['GET /api/todos?limit=1 HTTP/1.0', 'Host: 127.0.0.1', 'Connection: keep-alive']),
        5_000,
      );
      expect({ name, statuses: r.statuses, closed: r.closed }).toEqual({ name, statuses: [expect.any(Number)], closed: true });
      expect(r.statuses[0]).toBeLessThan(500);
      attacks[`http10Chunked_${name}`] = r.statuses[0];
    }
  });

  test('a POST retried with the same Idempotency-Key makes one row (sequential and concurrent retries)', async () => {
    const title = `idempotent ${stamp}`;
    const key = randomUUID();
    const post = () => send(FRONTEND, 'POST', '/api/todos', { title }, { 'idempotency-key': key });
    const first = await post();
    const again = [await post(), ...(await Promise.all([post(), post(), post(), post()]))];
    expect(first.status).toBe(201);
    for (const a of again) expect({ status: a.status, id: a.json?.id }).toEqual({ status: 201, id: first.json.id });
    expect(again[0].headers?.get('idempotent-replayed')).toBe('true');
    expect(await psql(`select count(*) from todos where title = '${title}'`)).toEqual([['1']]);
    attacks.idempotentRetries = '6 POSTs, one key: one row';
  });

  test('26 connections each holding a 16 MB unfinished header: the backend answers 431 or closes, keeps serving, and is not OOM-killed', async () => {
    const before = await survival('backend');
    const head = 'GET /api/todos HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ';
    const held: Held[] = Array.from({ length: 26 }, () => hold(back(), head, 16 * MiB));
    try {
      // Meanwhile an ordinary request is served, and quickly.
      await sleep(500);
      const t = Date.now();
      const normal = await send(BACKEND, 'GET', '/api/todos?limit=1');
      const normalMs = Date.now() - t;
      await poll('every held header to be answered or closed', 30_000, () => (held.every((h) => h.status() || h.socket.destroyed || h.socket.readableEnded) ? true : undefined), 200);
      const statuses = held.map((h) => h.status());
      const after = await survival('backend');
      attacks.headers16MB = { statuses: countBy(statuses), sentMiB: Math.round(held.reduce((n, h) => n + h.sent(), 0) / MiB), normalGetMs: normalMs, ...after };
      expect(normal.status).toBe(200);
      expect(statuses.filter((s) => s !== 0 && s !== 431)).toEqual([]);
      expect(after).toMatchObject({ oomKilled: 'false', restarts: before.restarts, running: 'true' });
      if (after.peakMiB !== null) expect(after.peakMiB).toBeLessThan(after.limitMiB);
    } finally {
      for (const h of held) h.socket.destroy();
    }
    expect((await send(BACKEND, 'GET', '/api/todos?limit=1')).status).toBe(200);
  }, 2 * 60_000);

  test('1,300 connections each holding a 255 KiB unfinished /api/todos body: the frontend answers 503 with Retry-After past its budget, keeps serving, and is not OOM-killed', async () => {
    const COUNT = Number(process.env.E2E_BODY_CONNECTIONS ?? 1300);
    const before = await survival('frontend');
    const head = request(['POST /api/todos HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/json', `Content-Length: ${256 * 1024}`]);
    const held: Held[] = [];
    try {
      for (let i = 0; i < COUNT; i += 100) {
        for (let j = i; j < Math.min(COUNT, i + 100); j++) held.push(hold(front(), head, 255 * 1024));
        await sleep(100);
      }
      // The budget (32 MiB) holds about 128 of them; every other one is refused at once.
      await poll('all but the budgeted bodies to be refused', 30_000, () => (held.filter((h) => h.status()).length >= COUNT - 200 ? true : undefined), 250);
      const normal = await send(FRONTEND, 'GET', '/api/todos?limit=1');
      const statuses = held.map((h) => h.status());
      const refused = held.filter((h) => h.status() === 503);
      const after = await survival('frontend');
      attacks.bodies255KiB = { connections: COUNT, statuses: countBy(statuses), normalGet: normal.status, ...after };
      expect(normal.status).toBe(200);
      expect(statuses.filter((s) => s !== 0 && s !== 503)).toEqual([]);
      expect(refused.every((h) => h.header('retry-after'))).toBe(true);
      expect(after).toMatchObject({ oomKilled: 'false', restarts: before.restarts, running: 'true' });
      if (after.peakMiB !== null) expect(after.peakMiB).toBeLessThan(after.limitMiB);
    } finally {
      for (const h of held) h.socket.destroy();
    }
    expect((await send(FRONTEND, 'GET', '/api/todos?limit=1')).status).toBe(200);
  }, 2 * 60_000);

  test('backend stopped: the frontend answers 503 with Retry-After (GET, keyed POST and plain POST: nothing was sent), never 502', async () => {
    const backendId = await stack.container('backend');
    await stack.compose('stop', '-t', '10', 'backend');
    const answers: Answer[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        answers.push(await send(FRONTEND, 'GET', '/api/todos'));
        answers.push(await send(FRONTEND, 'POST', '/api/todos', { title: `while down ${stamp}` }, { 'idempotency-key': randomUUID() }));
        answers.push(await send(FRONTEND, 'POST', '/api/todos', { title: `while down ${stamp}` }));
      }
    } finally {
      await stack.compose('start', 'backend');
    }
    attacks.backendStopped = countBy(answers.map((a) => (a.status === 503 && a.retryAfter ? '503+Retry-After' : a.status)));
    expect(answers.filter((a) => !(a.status === 503 && a.retryAfter))).toEqual([]);
    await poll('the started backend to be healthy', 120_000, () => (health(backendId) === 'healthy' ? true : undefined));
    await poll('the frontend to serve again', 60_000, async () => ((await send(FRONTEND, 'GET', '/api/todos?limit=1')).status === 200 ? true : undefined));
  }, 4 * 60_000);
});

function countBy(values: (number | string)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}
