import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = path.dirname(fileURLToPath(import.meta.url));
// One list for pages, route handlers and the server's API fast path (lib/node-proxy.ts);
// its Content-Security-Policy is for what is not a page (pages: proxy.ts, lib/csp.ts).
const securityHeaders = JSON.parse(readFileSync(path.join(appDir, 'lib/security-headers.json'), 'utf8'));

/** @type {import('next').NextConfig} */
const nextConfig = {
  output: 'standalone',
  // The app is its own npm root; tracing from here puts server.js at .next/standalone/server.js.
  outputFileTracingRoot: appDir,
  turbopack: { root: appDir },
  poweredByHeader: false,
  // Loaded from node_modules at run time rather than bundled: the proxy's connection pool.
  serverExternalPackages: ['undici'],
  reactStrictMode: true,
  async headers() {
    const { 'Content-Security-Policy': apiCsp, ...common } = securityHeaders;
    const list = (headers) => Object.entries(headers).map(([key, value]) => ({ key, value }));
    return [
      { source: '/:path*', headers: list(common) },
      // Pages get a policy with a fresh script nonce from proxy.ts; JSON and static files this one.
      { source: '/api/:path*', headers: list({ 'Content-Security-Policy': apiCsp }) },
      { source: '/_next/static/:path*', headers: list({ 'Content-Security-Policy': apiCsp }) },
      // The image optimizer's own errors (a 400 for a missing or refused url); the images it serves carry Next's sandbox policy.
      { source: '/_next/image', headers: list({ 'Content-Security-Policy': apiCsp }) },
    ];
  },
};

export default nextConfig;
