import { todoApiPath } from '@/lib/api-routes';
import { proxyToBackend } from '@/lib/proxy';

export const dynamic = 'force-dynamic';

interface Context {
  params: Promise<{ id: string }>;
}

async function forward(request: Request, context: Context) {
  const { id } = await context.params;
  return proxyToBackend(request, todoApiPath(id));
}

export const GET = forward;
export const PATCH = forward;
export const DELETE = forward;
