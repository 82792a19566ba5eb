import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = path.dirname(fileURLToPath(import.meta.url));
// One list for pages, route handlers and the server's API fast path (lib/node-proxy.ts).
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
    return [
      {
        source: '/:path*',
        headers: Object.entries(securityHeaders).map(([key, value]) => ({ key, value })),
      },
    ];
  },
};

export default nextConfig;
