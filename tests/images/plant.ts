import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { repoRoot } from './docker';

/** Markers that must never reach an image or a build context. */
export const marker = `planted-${randomBytes(8).toString('hex')}`;
export const fakeDbUrl = `postgresql://todo:${marker}-pw@db:5432/todo`;
export const fakeOpenAiKey = `sk-${randomBytes(24).toString('hex')}`;
const envText = `DATABASE_URL=${fakeDbUrl}\nOPENAI_API_KEY=${fakeOpenAiKey}\nMARKER=${marker}\n`;

/** Paths (relative to the repo root) planted by plant(); only files that did not exist. */
export const plantedPaths = [
  '.env',
  'apps/backend/.env',
  'apps/backend/src/.env',
  'apps/backend/src/todo_api/.env.local',
  'apps/backend/src/node_modules/planted/index.js',
  'apps/backend/.venv/planted.txt',
  'apps/frontend/.env',
  'apps/frontend/.env.production',
  'apps/frontend/app/.env.local',
  'apps/frontend/node_modules/planted-marker/index.js',
];

const created: string[] = [];

export function plant(): void {
  for (const rel of plantedPaths) {
    const abs = join(repoRoot, rel);
    if (existsSync(abs)) throw new Error(`${rel} already exists; refusing to overwrite it with a planted file`);
    const dir = dirname(abs);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      created.push(dir);
    }
    writeFileSync(abs, envText);
    created.push(abs);
  }
}

export function unplant(): void {
  for (const p of created.reverse()) rmSync(p, { recursive: true, force: true });
  created.length = 0;
}
