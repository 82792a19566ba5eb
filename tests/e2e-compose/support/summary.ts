import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './sh';

/** Figures collected while the suite runs; printed and written even when a step fails. */
export const summary: Record<string, unknown> = {};

/** Each test file keeps its own figures: `name` is the file they go to, tmp/e2e-compose/<name>.json. */
export function report(name = 'summary'): void {
  const dir = join(repoRoot, 'tmp', 'e2e-compose');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(summary, null, 2));
  const lines = Object.entries(summary).map(([k, v]) => `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  process.stdout.write(`\ne2e-compose ${name} (also in tmp/e2e-compose/${name}.json):\n${lines.join('\n')}\n`);
}
