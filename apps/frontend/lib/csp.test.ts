/**
 * @jest-environment node
 */
// The page policy and its nonce (lib/csp.ts) and how proxy.ts hands them to Next.js:
// the same policy on the response and on the request Next renders (Next reads the nonce there).
import { NextRequest } from 'next/server';
import { proxy } from '../proxy';
import { newNonce, pageCsp } from './csp';

const directives = (csp: string) => new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

describe('the page Content-Security-Policy', () => {
  it('allows scripts only by nonce (plus what they load), never inline or eval', () => {
    const policy = directives(pageCsp('abc123'));
    expect(policy.get('script-src')).toEqual(["'self'", "'nonce-abc123'", "'strict-dynamic'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'self'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);
  });

  it("allows eval only under next dev, where React's development build needs it", () => {
    expect(directives(pageCsp('abc123', false)).get('script-src')).not.toContain("'unsafe-eval'");
    expect(directives(pageCsp('abc123', true)).get('script-src')).toEqual(["'self'", "'nonce-abc123'", "'strict-dynamic'", "'unsafe-eval'"]);
  });

  it('gets a fresh 128-bit nonce each time', () => {
    const nonces = Array.from({ length: 2000 }, newNonce);
    expect(new Set(nonces).size).toBe(nonces.length);
    for (const n of nonces.slice(0, 50)) {
      expect(n).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(Buffer.from(n, 'base64')).toHaveLength(16);
    }
  });
});

describe('proxy.ts', () => {
  const run = (url: string, headers: Record<string, string> = {}) => proxy(new NextRequest(url, { headers }));

  it('puts one policy with a nonce on the response and the same policy on the request Next renders', () => {
    const response = run('http://localhost/', { 'content-security-policy': "script-src 'nonce-chosen-by-the-client'" });
    const csp = response.headers.get('content-security-policy');
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{22,}' 'strict-dynamic'/);
    // NextResponse.next({ request: { headers } }) passes request headers to the renderer this way.
    expect(response.headers.get('x-middleware-override-headers')?.split(',')).toContain('content-security-policy');
    expect(response.headers.get('x-middleware-request-content-security-policy')).toBe(csp);
  });

  it('gives each response its own nonce', () => {
    const nonce = () => run('http://localhost/').headers.get('content-security-policy')!.match(/'nonce-([^']+)'/)![1];
    expect(nonce()).not.toBe(nonce());
  });
});
