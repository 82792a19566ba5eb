import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from './errors';

/** The workspace root: the nearest directory at or above `from` holding nx.json. */
export function findRepoRoot(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new InputError(`no nx.json found at or above ${from}: run from inside the workspace`);
    dir = parent;
  }
}
