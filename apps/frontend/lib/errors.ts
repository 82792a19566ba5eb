/** An API failure carrying the HTTP status and a sentence fit to show a person. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The parsed response body, when there was one (a 412 carries the current todo). */
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the backend (not the request) is the problem, so retrying later can help. */
  get unavailable(): boolean {
    return this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

export const UNAVAILABLE_MESSAGE = 'The todo service is unavailable. Retrying…';

interface ValidationItem {
  loc?: unknown[];
  msg?: string;
}

function describeValidation(items: ValidationItem[]): string {
  return items
    .map((item) => {
      // FastAPI locations start with where the value came from ("body", "query", "path").
      const field = (item.loc ?? []).filter((part) => !['body', 'query', 'path'].includes(String(part))).join('.');
      return field ? `${field}: ${item.msg ?? 'invalid value'}` : (item.msg ?? 'invalid value');
    })
    .join('; ');
}

/** Turns a failed response (status + parsed JSON body, if any) into a readable message. */
export function errorMessage(status: number, body: unknown): string {
  if (status === 0 || status === 502 || status === 503 || status === 504) return UNAVAILABLE_MESSAGE;
  if (status === 412) return 'This todo was changed elsewhere; it now shows the saved version. Make your change again if you still want it.';
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (Array.isArray(detail) && detail.length > 0) return `Please check your input: ${describeValidation(detail)}.`;
  if (typeof detail === 'string' && detail.trim()) return detail;
  if (status === 404) return 'That todo no longer exists. The list has been refreshed.';
  if (status === 422 || status === 400) return 'The request was rejected as invalid.';
  return `Unexpected error from the todo service (HTTP ${status}).`;
}
