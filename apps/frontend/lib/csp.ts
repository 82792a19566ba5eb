/**
 * Content-Security-Policy of the pages. Scripts run only when they carry this
 * response's nonce: Next.js puts it on its inline bootstrap and chunk scripts
 * when the request it renders carries this policy (proxy.ts sets both), and
 * 'strict-dynamic' extends the trust to the chunks those scripts load. No
 * 'unsafe-inline' for scripts, so an injected <script> or on* attribute does
 * not run. Styles keep 'unsafe-inline': React writes style attributes.
 * Under `next dev` only, scripts may also eval: React's development build
 * rebuilds call stacks with eval() and reports an error on every page without it.
 */
export function pageCsp(nonce: string, development = process.env.NODE_ENV === 'development'): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** A fresh, unguessable nonce per response (128 random bits, base64). */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
