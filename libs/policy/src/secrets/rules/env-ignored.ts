import { spawnSync } from 'node:child_process';
import type { Violation } from '../../core/types';
import type { SecretRule } from '../model';

const id = 'secrets-env-ignored';
export const ENV_FILES = ['.env', 'apps/backend/.env', 'apps/frontend/.env'];

function git(root: string, args: string[]) {
  return spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
}

export const envIgnored: SecretRule = {
  id,
  description: '.env files are ignored by git and none is tracked',
  check: (scan) => {
    const out: Violation[] = [];
    for (const path of ENV_FILES) {
      // One path per call: with several, check-ignore succeeds if any one is ignored.
      // --no-index: judge the ignore rules themselves; tracked files are reported below.
      const r = git(scan.repoRoot, ['check-ignore', '-q', '--no-index', path]);
      if (r.status === 1) {
        out.push({ rule: id, object: path, message: `${path}: not ignored by git; fix: add ".env" to the root .gitignore` });
      } else if (r.status !== 0) {
        out.push({ rule: id, object: path, message: `${path}: git check-ignore failed (${(r.stderr || r.error?.message || '').trim()}); fix: run inside the repository` });
      }
    }
    const tracked = git(scan.repoRoot, ['ls-files', '--', ':(glob)**/.env', ':(glob)**/.env.*', ':(glob)**/*.env']);
    for (const path of tracked.stdout.split('\n').filter((p) => p && !p.endsWith('.env.example'))) {
      out.push({ rule: id, object: path, message: `${path}: is tracked by git; fix: git rm --cached ${path}, rotate what it held, keep a .env.example instead` });
    }
    return out;
  },
};
