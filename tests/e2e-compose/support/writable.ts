import { DOCKER, docker, runSync } from './sh';

export interface WritableService {
  tmpfs?: string[];
  volumes?: Array<string | { target?: string; type?: string; read_only?: boolean }>;
  user?: string;
}

/** Every path a service declares writable: its tmpfs mounts and its read-write volumes. */
export function writablePaths(service: WritableService): string[] {
  const paths = (service.tmpfs ?? []).map((entry) => entry.split(':')[0]);
  for (const volume of service.volumes ?? []) {
    if (typeof volume === 'string') {
      const [, target, mode] = volume.split(':');
      if (target && mode !== 'ro') paths.push(target);
    } else if (volume.target && !volume.read_only) {
      paths.push(volume.target);
    }
  }
  return [...new Set(paths)].sort();
}

// Images carry different runtimes (Python, Node, a shell) and some no shell at all; the first one present writes.
const WRITERS: string[][] = [
  ['python', '-c', 'import os, sys; f = os.path.join(sys.argv[1], ".write-probe-%d" % os.getpid()); open(f, "w").write("probe"); os.remove(f)'],
  ['node', '-e', 'const f = require("path").join(process.argv[1], ".write-probe-" + process.pid); require("fs").writeFileSync(f, "probe"); require("fs").unlinkSync(f)'],
  // Last: a minimal base may have a shell but no rm.
  ['sh', '-c', 'f="$1/.write-probe-$$" && echo probe > "$f" && rm "$f"', 'sh'],
];
const NOT_FOUND = /executable file not found|no such file or directory|not found in \$PATH/i;

export interface WriteResult {
  ok: boolean;
  detail: string;
}

/**
 * Writes a file into `path` as the container's configured user, in the running
 * container (`docker exec` runs as Config.User unless told otherwise), and removes it.
 */
export function writeAsServiceUser(containerId: string, path: string): WriteResult {
  for (const writer of WRITERS) {
    const r = runSync(DOCKER, ['exec', containerId, ...writer, path]);
    if (r.status === 0) return { ok: true, detail: `${writer[0]} wrote` };
    const output = `${r.stdout}${r.stderr}`.trim();
    if ((r.status === 126 || r.status === 127) && NOT_FOUND.test(output)) continue;
    return { ok: false, detail: `${writer[0]}: ${output.split('\n').slice(-2).join(' ')}` };
  }
  return { ok: false, detail: 'no writer (sh, python, node) in the image' };
}

/** The same for a one-shot service that has exited: a fresh container from its compose definition (user, tmpfs, read_only). */
export async function writeInOneShot(compose: (...args: string[]) => Promise<string>, service: string, path: string): Promise<WriteResult> {
  for (const writer of WRITERS) {
    try {
      await compose('run', '--rm', '--no-deps', '-T', '--entrypoint', writer[0], service, ...writer.slice(1), path);
      return { ok: true, detail: `${writer[0]} wrote` };
    } catch (error) {
      const message = (error as Error).message;
      if (NOT_FOUND.test(message)) continue;
      return { ok: false, detail: `${writer[0]}: ${message.split('\n').slice(-2).join(' ')}` };
    }
  }
  return { ok: false, detail: 'no writer (sh, python, node) in the image' };
}

export const containerUser = (id: string) => docker('inspect', '-f', '{{.Config.User}}', id);
