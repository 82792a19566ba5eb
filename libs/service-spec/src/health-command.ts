import type { ResolvedProbe } from './resolved';

/**
 * The command compose runs for a probe. Slim images have no curl or wget, and
 * busybox wget resolves localhost to ::1, so HTTP checks use the image's own
 * runtime against 127.0.0.1.
 */
export function composeHealthCommand(probe: ResolvedProbe, runtime: 'python' | 'node' | 'none', service: string): string[] {
  if (probe.exec) return [...probe.exec.command];
  const t = probe.timeoutSeconds;
  if (probe.http) {
    const url = `http://127.0.0.1:${probe.http.portNumber}${probe.http.path}`;
    if (runtime === 'python') {
      return ['python', '-c', `import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('${url}', timeout=${t}).status < 400 else 1)`];
    }
    if (runtime === 'node') {
      return ['node', '-e', `fetch('${url}', { signal: AbortSignal.timeout(${t * 1000}) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`];
    }
  }
  if (probe.tcp) {
    const port = probe.tcp.portNumber;
    if (runtime === 'python') return ['python', '-c', `import socket; socket.create_connection(('127.0.0.1', ${port}), ${t}).close()`];
    if (runtime === 'node') {
      return ['node', '-e', `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`];
    }
  }
  throw new Error(`services.${service}.health.composeCommand: an ${probe.http ? 'http' : 'tcp'} check needs runtime "python" or "node" to run inside the container; set runtime, or give health.composeCommand`);
}
