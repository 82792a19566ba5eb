export const FRONTEND = process.env.E2E_FRONTEND_URL ?? 'http://127.0.0.1:3000';
export const BACKEND = process.env.E2E_BACKEND_URL ?? 'http://127.0.0.1:8000';

export interface Todo {
  id: number;
  title: string;
  completed: boolean;
}

export async function call(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

export async function expectStatus(method: string, url: string, status: number, body?: unknown): Promise<any> {
  const r = await call(method, url, body);
  if (r.status !== status) throw new Error(`${method} ${url} answered ${r.status}, expected ${status}: ${JSON.stringify(r.json)}`);
  return r.json;
}

export async function listTitles(): Promise<string[]> {
  const page = await expectStatus('GET', `${FRONTEND}/api/todos?limit=100`, 200);
  return (page.items as Todo[]).map((t) => t.title);
}
