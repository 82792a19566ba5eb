// Next.js Proxy (the file convention formerly called middleware; not lib/proxy.ts,
// which forwards /api requests to the backend). It gives every page response its
// own script nonce: see lib/csp.ts. The /api routes and the build's static files
// carry the fixed policy of lib/security-headers.json instead (next.config.mjs).
import { NextResponse, type NextRequest } from 'next/server';
import { newNonce, pageCsp } from './lib/csp';

export function proxy(request: NextRequest) {
  const csp = pageCsp(newNonce());
  // Next.js reads the nonce from the policy on the request it renders.
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', csp);
  return response;
}

export const config = {
  matcher: ['/((?!api/|_next/static/|_next/image).*)'],
};
