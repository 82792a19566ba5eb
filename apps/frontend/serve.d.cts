import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

export interface Rejection {
  status: number;
  code: string;
  detail: string;
}
export function rejection(req: Pick<IncomingMessage, 'method' | 'url'>): Rejection | null;
export function guard(
  listener: RequestListener,
  serveApi: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>,
  limits?: { maxRequestsInFlight?: number; retryAfterSeconds?: string },
): RequestListener;
export function serverOptions(limits: { headersTimeoutMs: number; requestTimeoutMs: number }): {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
};
export function originForm(target: string): string | null;
