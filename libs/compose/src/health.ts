import type { ResolvedProbe, ResolvedService } from '@todo/service-spec';

/**
 * The command compose runs for a probe. Slim images have no curl or wget, so by
 * default HTTP checks use the image's own runtime; every form asks 127.0.0.1, as
 * busybox wget resolves localhost to ::1.
 *
 * Compose runs the check every interval for the container's whole life (1 s for the
 * todo stack: compose 1.29 has no start_interval), so its cost is paid under load too.
 * An image with an HTTP client says so (`health.composeHttpClient`): wget, curl or the static
 * healthprobe of the shell-less images start in ~1 ms of CPU. Otherwise the HTTP checks load as little as the runtime allows: Python
 * without the site module (-I -S) on a plain socket, as urllib.request imports ssl and email
 * (~2x the CPU per check); Node's http module, as fetch loads undici (~3x).
 * Any 2xx or 3xx status is healthy, as for a Kubernetes httpGet probe (no redirect is followed),
 * except that wget follows a redirect and judges where it lands.
 */
/** Where images with no shell and no HTTP client carry the static probe (docker/healthprobe). */
export const HEALTHPROBE = '/usr/local/bin/healthprobe';

function derivedCommand(probe: ResolvedProbe, runtime: ResolvedService['runtime'], client: ResolvedService['composeHttpClient']): string[] | undefined {
  if (probe.exec) return [...probe.exec.command];
  const t = probe.timeoutSeconds;
  if (probe.http) {
    const url = `http://127.0.0.1:${probe.http.portNumber}${probe.http.path}`;
    // Every form bounds itself: Engine 20.10 does not kill a check that outlives compose's
    // timeout (moby/moby#43737), so an unbounded one piles up a process per interval against a
    // server that accepts and never answers. wget runs under timeout(1) (busybox's applet in
    // alpine, coreutils elsewhere): busybox wget's own -T crashes Debian's 1.35 build.
    if (client === 'wget') return ['timeout', String(t), 'wget', '-q', '-O', '/dev/null', url];
    // The static probe of the shell-less images (docker/healthprobe/healthprobe.c).
    if (client === 'healthprobe') return [HEALTHPROBE, url, String(t)];
    if (client === 'curl') return ['curl', '-sS', '-o', '/dev/null', '--fail', '--max-time', String(t), url];
    if (runtime === 'python') {
      const request = `GET ${probe.http.path} HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n`;
      return [
        'python',
        '-I',
        '-S',
        '-c',
        `import socket, sys; s = socket.create_connection(('127.0.0.1', ${probe.http.portNumber}), ${t}); s.sendall(b'${request}'); sys.exit(0 if s.makefile('rb').read(12)[9:10] in (b'2', b'3') else 1)`,
      ];
    }
    if (runtime === 'node') {
      return [
        'node',
        '-e',
        `require('http').get('${url}', { timeout: ${t * 1000} }, (r) => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1)).on('timeout', () => process.exit(1))`,
      ];
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
  return probe && derivedCommand(probe, s.runtime, s.composeHttpClient);
}
