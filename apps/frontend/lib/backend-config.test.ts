/** @jest-environment node */
import { backendBaseUrl, backendTimeoutMs, buildBackendUrl, ConfigError, DEFAULT_TIMEOUT_MS } from './backend-config';

describe('backendBaseUrl', () => {
  it('defaults to the local backend when BACKEND_URL is unset or blank', () => {
    expect(backendBaseUrl({}).href).toBe('http://127.0.0.1:8000/');
    expect(backendBaseUrl({ BACKEND_URL: '  ' }).href).toBe('http://127.0.0.1:8000/');
  });

  it('reads BACKEND_URL at call time', () => {
    expect(backendBaseUrl({ BACKEND_URL: 'http://backend:8000' }).host).toBe('backend:8000');
  });

  it.each([
    ['backend:8000', /BACKEND_URL: protocol "backend:" is not supported; use http:\/\/ or https:\/\//],
    ['not a url', /BACKEND_URL: "not a url" is not a valid URL; set it to the backend's base URL/],
    ['ftp://backend', /BACKEND_URL: protocol "ftp:"/],
    ['http://backend:8000/?x=1', /BACKEND_URL: .* must not contain a query or fragment/],
  ])('rejects %s with a message naming the variable and the fix', (value, message) => {
    expect(() => backendBaseUrl({ BACKEND_URL: value })).toThrow(ConfigError);
    expect(() => backendBaseUrl({ BACKEND_URL: value })).toThrow(message);
  });
});

describe('buildBackendUrl', () => {
  it('appends the API path and query to a bare origin', () => {
    const url = buildBackendUrl(new URL('http://backend:8000'), '/api/todos', '?limit=5&completed=true');
    expect(url.href).toBe('http://backend:8000/api/todos?limit=5&completed=true');
  });

  it('keeps a path prefix of the base, with or without a trailing slash', () => {
    expect(buildBackendUrl(new URL('http://gw/todo/'), '/api/chat').href).toBe('http://gw/todo/api/chat');
    expect(buildBackendUrl(new URL('http://gw/todo'), '/api/chat').href).toBe('http://gw/todo/api/chat');
  });

  it('refuses a relative API path', () => {
    expect(() => buildBackendUrl(new URL('http://gw'), 'api/todos')).toThrow('apiPath must start with "/"');
  });
});

describe('backendTimeoutMs', () => {
  it('uses the fallback when unset and the value when valid', () => {
    expect(backendTimeoutMs({})).toBe(DEFAULT_TIMEOUT_MS);
    expect(backendTimeoutMs({}, 'BACKEND_CHAT_TIMEOUT_MS', 60_000)).toBe(60_000);
    expect(backendTimeoutMs({ BACKEND_TIMEOUT_MS: '2500' })).toBe(2500);
  });

  it.each(['0', '-5', '1.5', 'ten'])('rejects %s naming the variable', (value) => {
    expect(() => backendTimeoutMs({ BACKEND_TIMEOUT_MS: value })).toThrow(
      `BACKEND_TIMEOUT_MS: "${value}" is not a positive whole number of milliseconds`,
    );
  });
});
