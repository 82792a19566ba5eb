import { parse } from 'yaml';
import { dockerComposeConfig, renderCase, validateComposeSchema } from './support';

describe.each(['todo', 'shop'])('compose output of the %s stack', (name) => {
  const files = renderCase(name);
  const main = files.find((f) => f.path === 'docker/docker-compose.yml')!;
  // The dev override exists only for stacks that declare dev settings (todo does, shop does not).
  const dev = files.find((f) => f.path === 'docker/docker-compose.dev.yml');
  const devFiles: Record<string, string> = dev ? { 'docker-compose.dev.yml': dev.content } : {};

  it('writes a dev override exactly when the stack declares dev settings', () => {
    expect(dev !== undefined).toBe(name === 'todo');
  });
  const doc = parse(main.content);

  it('validates against the official Compose schema', () => {
    expect(validateComposeSchema(doc)).toEqual([]);
    if (dev) expect(validateComposeSchema(parse(dev.content))).toEqual([]);
  });

  it('loads in the real docker-compose, alone and with the dev override', () => {
    const env = { SHOP_PAYMENTS_TOKEN: 'test-value' };
    expect(() => dockerComposeConfig({ 'docker-compose.yml': main.content }, ['-q'], env)).not.toThrow();
    expect(() => dockerComposeConfig({ 'docker-compose.yml': main.content, ...devFiles }, ['-q'], env)).not.toThrow();
  });

  it('has no version key and no top-level name (compose v1.29 rejects it)', () => {
    expect(Object.keys(doc).sort()).toEqual(expect.not.arrayContaining(['version', 'name']));
  });

  it('hardens every service', () => {
    for (const [svc, s] of Object.entries<any>(doc.services)) {
      expect([svc, s.read_only]).toEqual([svc, true]);
      expect(s.cap_drop).toEqual(['ALL']);
      expect(s.security_opt).toEqual(['no-new-privileges:true']);
      expect(s.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
      expect(s.mem_limit).toMatch(/^\d+m$/);
      expect(s.cpus).toBeGreaterThan(0);
      expect(['unless-stopped', 'no']).toContain(s.restart);
      for (const p of s.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('never holds a literal secret: secrets are ${VAR...} interpolations', () => {
    for (const s of Object.values<any>(doc.services)) {
      for (const [k, v] of Object.entries<string>(s.environment ?? {})) {
        if (/PASSWORD|SECRET|TOKEN|KEY|DATABASE_URL/.test(k)) expect([k, v]).toEqual([k, expect.stringMatching(/^\$\{[A-Z0-9_]+:[-?]/)]);
      }
    }
  });
});

describe('todo compose specifics', () => {
  const files = renderCase('todo');
  const raw = files.find((f) => f.path === 'docker/docker-compose.yml')!.content;
  const doc = parse(raw);

  it('orders startup: postgres healthy -> migration done -> backend healthy -> frontend', () => {
    expect(doc.services['backend-migrate'].depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(doc.services.backend.depends_on).toEqual({ 'backend-migrate': { condition: 'service_completed_successfully' }, postgres: { condition: 'service_healthy' } });
    expect(doc.services.frontend.depends_on).toEqual({ backend: { condition: 'service_healthy' } });
  });

  it('quotes YAML 1.1 booleans so compose v1 reads restart "no" as a string', () => {
    expect(raw).toContain('restart: "no"');
    const normalised = parse(dockerComposeConfig({ 'docker-compose.yml': raw }));
    expect(normalised.services['backend-migrate'].restart).toBe('no');
  });

  it('runs health checks with what each image has: the static probe in the shell-less images, pg_isready in postgres, never a shell, wget or curl', () => {
    expect(doc.services.backend.healthcheck.test).toEqual(['CMD', '/usr/local/bin/healthprobe', 'http://127.0.0.1:8000/ready', '2']);
    expect(doc.services.frontend.healthcheck.test).toEqual(['CMD', '/usr/local/bin/healthprobe', 'http://127.0.0.1:3000/api/health', '2']);
    expect(doc.services.postgres.healthcheck.test).toEqual(['CMD', 'pg_isready', '-U', 'todo', '-d', 'todo', '-h', '127.0.0.1']);
    // The backend and frontend runtimes are scratch images: no shell, no client.
    expect(raw).not.toMatch(/CMD-SHELL|curl|wget/);
  });

  it('keeps postgres data in a named volume and the database port on loopback only', () => {
    expect(doc.services.postgres.volumes).toEqual([{ type: 'volume', source: 'postgres-data', target: '/var/lib/postgresql/data' }]);
    expect(Object.keys(doc.volumes)).toEqual(['postgres-data']);
    expect(doc.services.postgres.ports).toEqual(['127.0.0.1:5432:5432']);
  });

  it('gives a tmpfs for every writable path and separates networks by dependency edge', () => {
    expect(doc.services.frontend.tmpfs).toEqual(['/app/.next/cache:uid=1000,gid=1000,mode=1777', '/tmp:uid=1000,gid=1000,mode=1777']);
    expect(doc.services.frontend.networks).toEqual(['backend-net']);
    expect(doc.services.postgres.networks).toEqual(['postgres-net']);
    expect(doc.services.backend.networks).toEqual(['backend-net', 'postgres-net']);
  });

  it('stops compose with a clear message when a required secret is missing', () => {
    const shop = renderCase('shop').find((f) => f.path === 'docker/docker-compose.yml')!.content;
    expect(() => dockerComposeConfig({ 'docker-compose.yml': shop }, ['-q'])).toThrow(/SHOP_PAYMENTS_TOKEN to the value of secret shop-payments key token/);
  });

  it('mounts source read-only and hot-reloads in the dev override', () => {
    const dev = parse(files.find((f) => f.path === 'docker/docker-compose.dev.yml')!.content);
    expect(dev.services.backend.volumes).toEqual([{ type: 'bind', source: '../apps/backend/src', target: '/app/src', read_only: true }]);
    expect(dev.services.backend.command).toContain('--reload');
  });
});
