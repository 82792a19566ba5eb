import { proxyToBackend } from '@/lib/proxy';

// Never pre-render: BACKEND_URL is only known when the server runs.
// The production server answers these paths itself (serve.cjs, lib/node-proxy.ts); these handlers serve `next dev`.
export const dynamic = 'force-dynamic';

export function GET(request: Request) {
  return proxyToBackend(request, '/api/todos');
}

export function POST(request: Request) {
  return proxyToBackend(request, '/api/todos');
}
