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
    databaseUrl: '',
    async restartBackend() {
      stack.backend = await startBackend(stack.databaseUrl, artifactsDir, stack.backend.port);
    },
    async stop() {
      for (const stop of started.reverse()) await stop().catch((error) => console.error(`teardown: ${error.message}`));
      started.length = 0;
    },
  };
  try {
    const pg = await startPostgres(artifactsDir);
    started.push(() => pg.stop());
    stack.databaseUrl = pg.url();
    await migrateBackend(stack.databaseUrl);
    stack.backend = await startBackend(stack.databaseUrl, artifactsDir);
    started.push(() => stack.backend.stop());
    const frontend = await startFrontend(stack.backend.url, artifactsDir);
    started.push(() => frontend.stop());
    stack.baseUrl = frontend.url;
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
