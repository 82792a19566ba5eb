import { DEFAULT_CHAT_TIMEOUT_MS } from '@/lib/backend-config';
import { proxyToBackend } from '@/lib/proxy';

export const dynamic = 'force-dynamic';

export function POST(request: Request) {
  // A language model reply can take much longer than a CRUD call.
  return proxyToBackend(request, '/api/chat', {
    timeoutEnvName: 'BACKEND_CHAT_TIMEOUT_MS',
    defaultTimeoutMs: DEFAULT_CHAT_TIMEOUT_MS,
  });
}
