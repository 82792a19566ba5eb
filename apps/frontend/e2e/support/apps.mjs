import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, run, startProcess, waitForHttp } from './processes.mjs';

const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const backendDir = path.resolve(frontendDir, '../backend');
const venvBin = path.join(backendDir, '.venv/bin');

/** The backend's environment: no OpenAI key, so the offline assistant answers chat. */
function backendEnv(databaseUrl) {
  const env = { ...process.env, DATABASE_URL: databaseUrl, PYTHONPATH: 'src', PYTHONUNBUFFERED: '1' };
  delete env.OPENAI_API_KEY;
  return env;
}

export async function migrateBackend(databaseUrl) {
  if (!existsSync(path.join(venvBin, 'python'))) {
    throw new Error(`backend virtualenv missing at ${venvBin}; run \`npx nx run backend:install\` from the repository root`);
  }
  await run(path.join(venvBin, 'python'), ['-m', 'todo_api.migrate'], { cwd: backendDir, env: backendEnv(databaseUrl) });
}

/** Starts uvicorn on `port` (a free one when omitted) and waits for /ready. */
export async function startBackend(databaseUrl, logDir, port) {
  const chosen = port ?? (await freePort());
  const proc = startProcess(
    'backend',
    path.join(venvBin, 'uvicorn'),
    ['todo_api.main:app', '--host', '127.0.0.1', '--port', String(chosen)],
    { cwd: backendDir, env: backendEnv(databaseUrl), logFile: path.join(logDir, 'backend.log') },
  );
  const url = `http://127.0.0.1:${chosen}`;
  try {
    await waitForHttp(`${url}/ready`, proc);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { url, port: chosen, proc, stop: () => proc.stop() };
}

/** Runs the production standalone server exactly as the image does: static assets and public/ beside server.js. */
export async function startFrontend(backendUrl, logDir) {
  const standalone = path.join(frontendDir, '.next/standalone');
  if (!existsSync(path.join(standalone, 'server.js'))) {
    throw new Error(`${standalone}/server.js missing; run \`npx nx run frontend:build\` first`);
  }
  cpSync(path.join(frontendDir, '.next/static'), path.join(standalone, '.next/static'), { recursive: true });
  cpSync(path.join(frontendDir, 'public'), path.join(standalone, 'public'), { recursive: true });

  const port = await freePort();
  const env = { ...process.env, HOSTNAME: '127.0.0.1', PORT: String(port), BACKEND_URL: backendUrl, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };
  const proc = startProcess('frontend', process.execPath, ['serve.cjs'], { cwd: standalone, env, logFile: path.join(logDir, 'frontend.log') });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/api/health`, proc);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { url, proc, stop: () => proc.stop() };
}
