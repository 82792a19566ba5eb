import { proxyToBackend } from '@/lib/proxy';

// Never pre-render: BACKEND_URL is only known when the server runs.
export const dynamic = 'force-dynamic';

export function GET(request: Request) {
  return proxyToBackend(request, '/api/todos');
}

export function POST(request: Request) {
  return proxyToBackend(request, '/api/todos');
}
