import type { ResolvedProbe, ResolvedService } from '@todo/service-spec';

/**
 * The command compose runs for a probe. Slim images have no curl or wget, and
 * busybox wget resolves localhost to ::1, so HTTP checks use the image's own
 * runtime against 127.0.0.1.
 */
function derivedCommand(probe: ResolvedProbe, runtime: 'python' | 'node' | 'none'): string[] | undefined {
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
  return undefined;
}

/**
 * The command compose runs as the service's health check: the spec's own
 * `health.composeCommand`, else one derived from the readiness probe. Undefined
 * when the image has no known runtime for an HTTP/TCP check (the parity report says so).
 */
export function composeHealthCommand(s: ResolvedService): string[] | undefined {
  if (s.composeHealthCommand) return [...s.composeHealthCommand];
  const probe = s.readiness ?? s.liveness;
  return probe && derivedCommand(probe, s.runtime);
}
