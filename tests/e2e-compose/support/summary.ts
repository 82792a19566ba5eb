import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './sh';

/** Figures collected while the suite runs; printed and written even when a step fails. */
export const summary: Record<string, unknown> = {};

export function report(): void {
  const dir = join(repoRoot, 'tmp', 'e2e-compose');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  const lines = Object.entries(summary).map(([k, v]) => `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  process.stdout.write(`\ne2e-compose summary (also in tmp/e2e-compose/summary.json):\n${lines.join('\n')}\n`);
}
