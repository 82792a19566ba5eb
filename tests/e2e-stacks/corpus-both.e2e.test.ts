// Two stacks of the import corpus (apps/infra/test/fixtures/import), imported, answered as the
// report asks and synthesized (support/corpus.ts), brought up from the generated compose file
// on stand-in images (the application images are the reach probe): every service reaches each
// service its dependsOn and talksTo name, and each probe reaches exactly the peers its
// environment names (redis answering PING, postgres an SSLRequest). The same stacks run on the
// cluster in tests/e2e-k8s/corpus-both.e2e.test.ts.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
/* eslint-disable @nx/enforce-module-boundaries -- the e2e-compose project's compose and shell helpers, shared test code */
import { ComposeStack } from '../e2e-compose/support/compose';
import { DOCKER, docker, poll, repoRoot, run } from '../e2e-compose/support/sh';
import { BOTH_TARGETS, prepareCorpusStack, unreached, type CorpusStack, type Exec } from './support/corpus';
import { seconds } from './support/stack';

const summary: Record<string, Record<string, unknown>> = {};

afterAll(() => {
  mkdirSync(join(repoRoot, 'tmp', 'e2e-stacks'), { recursive: true });
  writeFileSync(join(repoRoot, 'tmp', 'e2e-stacks', 'corpus-both-compose.json'), JSON.stringify(summary, null, 2));
  process.stdout.write(`\ncorpus stacks on compose (seconds):\n${JSON.stringify(summary, null, 2)}\n`);
});

describe.each(BOTH_TARGETS)('corpus stack $fixture on compose', ({ fixture, answers }) => {
  let stack: CorpusStack;
  let compose: ComposeStack | undefined;
  const timings: Record<string, unknown> = (summary[fixture] = {});
  const exec: Exec = async (service, argv) => {
    const r = await run(DOCKER, ['exec', await compose!.container(service), ...argv]);
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    const started = Date.now();
    stack = await prepareCorpusStack(fixture, `e2e-corpus-${fixture}`, answers);
    Object.assign(timings, stack.timings);
    if (stack.built.length) {
      const t = Date.now();
      const r = await run('nice', [process.execPath, 'scripts/docker-build.mjs', '--spec', stack.specFile, ...stack.built]);
      if (r.status !== 0) throw new Error(`docker-build --spec ${stack.specFile} failed (${r.status}):\n${(r.stderr || r.stdout).slice(-3000)}`);
      timings.build = seconds(t);
    }
    compose = new ComposeStack(`${process.env.E2E_STACKS_PROJECT_PREFIX ?? 'e2e-stacks'}-corpus-${fixture}`, stack.composeFile, { specFile: stack.specFile });
    await compose.compose('down', '-v', '--remove-orphans'); // a crashed earlier run must not leak state in
    compose.preflight({});
    const t = Date.now();
    await compose.compose('up', '-d');
    // Every container runs (health checks are not awaited: postgres checks every 30 s; the
    // reach checks below retry until the services answer, as the stack's own clients must).
    for (const service of compose.services) {
      const id = await compose.container(service);
      await poll(`${fixture}: ${service} to be running`, 60_000, () => {
        const [status, restarts] = docker('inspect', '-f', '{{.State.Status}} {{.RestartCount}}', id).split(' ');
        if (status === 'exited' || Number(restarts) > 0) throw new Error(`${service} ${status} after ${restarts} restarts: ${docker('logs', '--tail', '30', id)}`);
        return status === 'running' ? true : undefined;
      });
    }
    timings.upToRunning = seconds(t);
    timings.setupS = seconds(started);
  }, 5 * 60_000);

  afterAll(async () => {
    if (compose) {
      const logs = await compose.compose('logs', '--no-color', '--tail', '100').catch((e: Error) => e.message);
      mkdirSync(join(repoRoot, 'tmp', 'e2e-stacks'), { recursive: true });
      writeFileSync(join(repoRoot, 'tmp', 'e2e-stacks', `corpus-${fixture}.log`), logs);
      await compose.compose('down', '-v', '--remove-orphans', '--timeout', '5').catch((e: Error) => console.error(`teardown ${fixture}: ${e.message}`));
      compose.cleanup();
    }
    if (stack && !process.env.KEEP_E2E_CORPUS) rmSync(stack.work, { recursive: true, force: true });
  }, 2 * 60_000);

  it('every service reaches each service it depends on or talks to, and each probe exactly the peers its environment names', async () => {
    const t = Date.now();
    expect(stack.probes.length).toBeGreaterThan(0);
    expect(Object.values(stack.edges).flat().length).toBeGreaterThan(0);
    // Nothing waits for a service without a health check to serve: the first checks may come early.
    let failed = ['no check ran'];
    const attempt = async () => (failed = await unreached(stack, exec).catch((e: Error) => [`the check failed: ${e.message}`])).length ? undefined : true;
    await poll(`${fixture}: every edge to answer`, 60_000, attempt, 1000).catch(() => undefined);
    expect(failed).toEqual([]);
    timings.reachS = seconds(t);
  }, 2 * 60_000);

  it('a probe with a published port answers GET /reach from the host', async () => {
    const published = stack.probes.filter((p) => stack.hostPorts[p]);
    expect(published.length).toBeGreaterThan(0);
    for (const probe of published) {
      const res = await fetch(`http://127.0.0.1:${stack.hostPorts[probe]}/reach`, { signal: AbortSignal.timeout(15_000) });
      const body = (await res.json()) as { ok: boolean; peers: { host: string }[] };
      expect({ probe, status: res.status, ok: body.ok, peers: [...new Set(body.peers.map((p) => p.host))].sort() }).toEqual({ probe, status: 200, ok: true, peers: stack.edges[probe].map((e) => e.to).sort() });
    }
  });
});
