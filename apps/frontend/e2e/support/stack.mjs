import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateBackend, startBackend, startFrontend } from './apps.mjs';
import { startPostgres } from './postgres.mjs';

export const artifactsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../artifacts');


/**
 * With E2E_BASE_URL set, tests that already running stack and starts nothing.
 * Otherwise starts PostgreSQL, migrates, starts the backend and the built
 * frontend; `stop()` tears down whatever did start, in reverse order.
 */
export async function startStack() {
  mkdirSync(artifactsDir, { recursive: true });
  for (const file of readdirSync(artifactsDir)) rmSync(path.join(artifactsDir, file), { force: true });
  const external = process.env.E2E_BASE_URL?.replace(/\/+$/, '');
  if (external) return { baseUrl: external, external: true, stop: async () => undefined };

  const started = [];
  const stack = {
    external: false,
    baseUrl: '',
    backend: null,
    frontend: null,
    pg: null,
    databaseUrl: '',
    async restartBackend() {
      stack.backend = await startBackend(stack.databaseUrl, artifactsDir, stack.backend.port);
    },
    async stop() {
      while (started.length > 0) {
        const stop = started.pop();
        await stop().catch((error) => console.error(`teardown: ${error.message}`));
      }
    },
  };
  // Children run in their own process groups, so an interrupted run must stop them itself,
  // synchronously: the test body keeps running while a handler awaits.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      // The servers hold no state worth a graceful exit; PostgreSQL gets its own fast shutdown.
      stack.frontend?.proc.stopNow('SIGKILL');
      stack.backend?.proc.stopNow('SIGKILL');
      stack.pg?.proc.stopNow();
      stack.pg?.removeFiles();
      process.exit(130);
    });
  }
  try {
    const pg = (stack.pg = await startPostgres(artifactsDir));
    started.push(() => pg.stop());
    stack.databaseUrl = pg.url();
    await migrateBackend(stack.databaseUrl);
    stack.backend = await startBackend(stack.databaseUrl, artifactsDir);
    started.push(() => stack.backend.stop());
    const frontend = (stack.frontend = await startFrontend(stack.backend.url, artifactsDir));
    started.push(() => frontend.stop());
    stack.baseUrl = frontend.url;
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
