// The ingress controller of the one-node cluster (class "nginx", as minikube's addon): an
// HTTP path router on a node port. It connects to pods from its own pod address in
// namespace ingress-nginx, so NetworkPolicies that admit (or omit) the controller apply.
import { createServer, request, type Server } from 'node:http';
import type { K8sObject } from './manifests';

export interface Route {
  host?: string;
  path: string;
  exact: boolean;
  namespace: string;
  service: string;
  port: number;
}

export function routes(ingresses: K8sObject[]): Route[] {
  return ingresses.flatMap((ing) =>
    (ing.spec.rules ?? []).flatMap((rule: any) =>
      (rule.http?.paths ?? []).map((p: any) => ({ host: rule.host, path: p.path ?? '/', exact: p.pathType === 'Exact', namespace: ing.metadata.namespace ?? 'default', service: p.backend.service.name, port: p.backend.service.port.number })),
    ),
  );
}

/**
 * Longest match wins; Prefix matches whole path elements ("/api" matches "/api/x", not "/apix";
 * a trailing slash is ignored, so "/api/" matches "/api"). Rules naming the request's host are the
 * only ones for it (its own server block in ingress-nginx); rules without a host serve other hosts.
 */
export function match(all: Route[], host: string, path: string): Route | undefined {
  const forHost = all.some((r) => r.host === host) ? all.filter((r) => r.host === host) : all.filter((r) => !r.host);
  const prefixOk = (p: string) => {
    const base = p.replace(/\/+$/, '');
    return base === '' || path === base || path.startsWith(`${base}/`);
  };
  const candidates = forHost.filter((r) => (r.exact ? path === r.path : prefixOk(r.path)));
  return candidates.sort((a, b) => b.path.replace(/\/+$/, '').length - a.path.replace(/\/+$/, '').length || Number(b.exact) - Number(a.exact))[0];
}

export async function startRouter(table: () => Route[], endpoint: (r: Route) => string | undefined, localAddress: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const route = match(table(), host, (req.url ?? '/').split('?')[0]);
    if (!route) return void res.writeHead(404).end('404 Not Found (no ingress rule)\n');
    const ip = endpoint(route);
    if (!ip) return void res.writeHead(503).end('503 Service Temporarily Unavailable (no ready endpoint)\n');
    const up = request({ host: ip, port: route.port, localAddress, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-host': host, 'x-forwarded-proto': 'http' } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end('502 Bad Gateway\n')));
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  return { server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` };
}
