import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OutputFile } from './outputs';

export const K8S_DIR = 'dist/k8s';
const COMPOSE_FILE = /^docker-compose(\..+)?\.yml$/;

/** Generated files currently on disk that the synth owns (any that a new synth no longer writes are removed). */
export function ownedComposeFiles(root: string): string[] {
  const dir = join(root, 'docker');
  return existsSync(dir) ? readdirSync(dir).filter((f) => COMPOSE_FILE.test(f)).map((f) => `docker/${f}`) : [];
}

/**
 * Writes every file into a staging dir beside the output (same filesystem),
 * then swaps it in with renames: dist/k8s as a whole directory, other files
 * one rename each. A synth that fails before this point leaves the committed
 * output untouched; no reader ever sees a half-written file.
 */
export function writeOutputs(root: string, files: readonly OutputFile[]): void {
  mkdirSync(join(root, 'tmp'), { recursive: true });
  const staging = mkdtempSync(join(root, 'tmp', 'synth-'));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(staging, f.path)), { recursive: true });
      writeFileSync(join(staging, f.path), f.content);
    }
    const stagedK8s = join(staging, K8S_DIR);
    if (existsSync(stagedK8s)) {
      mkdirSync(dirname(join(root, K8S_DIR)), { recursive: true });
      if (existsSync(join(root, K8S_DIR))) renameSync(join(root, K8S_DIR), join(staging, 'previous-k8s'));
      renameSync(stagedK8s, join(root, K8S_DIR));
    }
    const written = new Set(files.map((f) => f.path));
    for (const f of files) {
      if (f.path.startsWith(`${K8S_DIR}/`)) continue;
      mkdirSync(dirname(join(root, f.path)), { recursive: true });
      renameSync(join(staging, f.path), join(root, f.path));
    }
    for (const stale of ownedComposeFiles(root)) if (!written.has(stale)) rmSync(join(root, stale));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
