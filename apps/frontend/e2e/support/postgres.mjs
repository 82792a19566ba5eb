import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, run, startProcess } from './processes.mjs';

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PG_USER = process.env.E2E_PG_OS_USER ?? 'postgres';

/** PostgreSQL refuses to run as root, so as root we drop to an unprivileged OS user with setpriv (which execs, keeping one pid). */
function asServerUser(command, args) {
  if (process.getuid?.() !== 0) return [command, args];
  return ['setpriv', ['--reuid', PG_USER, '--regid', PG_USER, '--init-groups', '--reset-env', command, ...args]];
}

function ownDir(dir) {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', PG_USER]).toString());
  const gid = Number(execFileSync('id', ['-g', PG_USER]).toString());
  chownSync(dir, uid, gid);
}

/** A throwaway cluster on 127.0.0.1 and a free port, trust auth, database `todo`; removed by stop(). */
export async function startPostgres(logDir) {
  if (!existsSync(path.join(PG_BIN, 'postgres'))) {
    throw new Error(`PostgreSQL server binaries not found in ${PG_BIN}; install postgresql-15 or set PG_BIN`);
  }
  const root = mkdtempSync(path.join(tmpdir(), 'todo-e2e-pg-'));
  ownDir(root);
  const dataDir = path.join(root, 'data');
  const port = await freePort();

  const [initCmd, initArgs] = asServerUser(path.join(PG_BIN, 'initdb'), [
    '-D', dataDir, '-U', 'todo', '--auth=trust', '--encoding=UTF8', '--no-sync',
  ]);
  await run(initCmd, initArgs, { cwd: root });

  const [cmd, args] = asServerUser(path.join(PG_BIN, 'postgres'), [
    '-D', dataDir, '-h', '127.0.0.1', '-p', String(port), '-k', root, '-c', 'fsync=off', '-c', 'full_page_writes=off',
  ]);
  // SIGINT is PostgreSQL's "fast" shutdown: it does not wait for the backend's pooled connections.
  const proc = startProcess('postgres', cmd, args, { cwd: root, env: process.env, logFile: path.join(logDir, 'postgres.log'), stopSignal: 'SIGINT' });

  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await run(path.join(PG_BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'todo']);
      break;
    } catch (error) {
      if (!proc.running || Date.now() > deadline) {
        await proc.stop();
        throw new Error(`PostgreSQL did not start: see ${proc.logFile}\n${error.message}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await run(path.join(PG_BIN, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'todo', 'todo']);

  return {
    port,
    proc,
    url: (scheme = 'postgresql') => `${scheme}://todo@127.0.0.1:${port}/todo`,
    removeFiles: () => rmSync(root, { recursive: true, force: true }),
    async stop() {
      await proc.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
