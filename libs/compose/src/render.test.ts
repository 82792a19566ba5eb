import { resolve, type StackSpec } from '@todo/service-spec';
import { renderCompose, renderComposeDev } from './render';
import { escapeDollars, secretInterpolation, secretVariable } from './secrets';
import { composeWarnings } from './warnings';

const spec: StackSpec = {
  name: 'mini',
  services: [
    { name: 'cache', role: 'cache', image: { ref: 'redis:7.2-alpine' }, ports: [{ name: 'redis', port: 6379 }], health: { liveness: { exec: { command: ['redis-cli', 'ping'] } } } },
    {
      name: 'app',
      role: 'api',
      runtime: 'node',
      image: { ref: 'example/app:1.0' },
      ports: [{ name: 'http', port: 8080, hostPort: 18080 }],
      env: { PRICE: 'costs $5' },
      secrets: { TOKEN: { secret: 'app-token', key: 'value' } },
      health: { liveness: { http: { path: '/healthz', port: 'http' } } },
      dependsOn: ['cache'],
      replicas: 2,
    },
  ],
  environments: { local: { target: 'compose' }, k: { target: 'kubernetes' } },
};

describe('secrets in compose', () => {
  it('derives one host variable per secret key', () => {
    expect(secretVariable({ secret: 'todo-backend', key: 'database-url' })).toBe('TODO_BACKEND_DATABASE_URL');
  });

  it.each([
    [{ name: 'A', secret: 's', key: 'k', optional: false }, '${S_K:?set S_K to the value of secret s key k}'],
    [{ name: 'A', secret: 's', key: 'k', optional: true }, '${S_K:-}'],
    [{ name: 'A', secret: 's', key: 'k', optional: false, localDefault: 'pa$s' }, '${S_K:-pa$$s}'],
  ])('interpolates %j as %s', (ref, expected) => expect(secretInterpolation(ref)).toBe(expected));

  it('escapes $ in literal values', () => expect(escapeDollars('a$b$$')).toBe('a$$b$$$$'));
});

describe('renderCompose', () => {
  const doc = renderCompose(resolve(spec, 'local'));

  it('refuses a Kubernetes environment', () => {
    expect(() => renderCompose(resolve(spec, 'k'))).toThrow('environment "k" targets kubernetes, not compose');
  });

  it('publishes host ports on loopback only and escapes literal env', () => {
    expect(doc.services.app.ports).toEqual(['127.0.0.1:18080:8080']);
    expect(doc.services.app.environment).toEqual({ PRICE: 'costs $$5', TOKEN: '${APP_TOKEN_VALUE:?set APP_TOKEN_VALUE to the value of secret app-token key value}' });
  });

  it('waits for healthy dependencies over a network per dependency edge', () => {
    expect(doc.services.app.depends_on).toEqual({ cache: { condition: 'service_healthy' } });
    expect(doc.services.app.networks).toEqual(['cache-net']);
    expect(doc.services.cache.networks).toEqual(['cache-net']);
    expect(doc.networks).toEqual({ 'cache-net': { driver: 'bridge' } });
  });

  it('runs http health checks with the runtime inside the image', () => {
    expect((doc.services.app.healthcheck as any).test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
  });

  it('writes no dev override for a stack without dev settings', () => {
    expect(renderComposeDev(resolve(spec, 'local'))).toEqual({ services: {} });
  });

  it('warns about what compose cannot express', () => {
    expect(composeWarnings(resolve(spec, 'local')).map((w) => w.path)).toEqual(['services.app.replicas']);
  });
});
