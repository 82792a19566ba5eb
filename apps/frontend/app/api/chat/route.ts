import { CHAT_OPTIONS } from '@/lib/api-routes';
import { proxyToBackend } from '@/lib/proxy';

export const dynamic = 'force-dynamic';

export function POST(request: Request) {
  return proxyToBackend(request, '/api/chat', CHAT_OPTIONS);
}
