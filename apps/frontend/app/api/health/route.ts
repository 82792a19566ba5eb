export const dynamic = 'force-dynamic';

// Liveness of this server only: it must stay 200 while the backend is down.
export function GET() {
  return Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}
