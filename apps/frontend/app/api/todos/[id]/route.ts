import { proxyToBackend } from '@/lib/proxy';

export const dynamic = 'force-dynamic';

interface Context {
  params: Promise<{ id: string }>;
}

async function forward(request: Request, context: Context) {
  const { id } = await context.params;
  // Encoded so an id like "../chat" cannot reach another backend path.
  return proxyToBackend(request, `/api/todos/${encodeURIComponent(id)}`);
}

export const GET = forward;
export const PATCH = forward;
export const DELETE = forward;
