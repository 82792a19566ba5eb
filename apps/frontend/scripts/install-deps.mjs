// `npm ci` only when package-lock.json changed since the last install: npm ci
// always wipes node_modules, which would cost half a minute before every task.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const lockHash = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
const stamp = 'node_modules/.installed-lock-sha256';

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash && process.env.FORCE_NPM_CI !== '1') {
  console.log('apps/frontend: node_modules matches package-lock.json, skipping npm ci');
} else {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  writeFileSync(stamp, lockHash);
}
