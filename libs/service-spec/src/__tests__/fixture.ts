import type { ServiceSpec, StackSpec } from '../types';

/** A small valid stack; tests break one thing at a time. */
export function validStack(): StackSpec {
  const db: ServiceSpec = {
    name: 'db',
    role: 'database',
    image: { ref: 'postgres:16-alpine' },
    ports: [{ name: 'pg', port: 5432 }],
    health: { liveness: { exec: { command: ['pg_isready'] } } },
    volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
    user: { uid: 70, gid: 70 },
  };
  const api: ServiceSpec = {
    name: 'api',
    role: 'api',
    runtime: 'python',
    image: { build: { context: '.', dockerfile: 'docker/api/Dockerfile' } },
    ports: [{ name: 'http', port: 8000, hostPort: 8000 }],
    env: { LOG_LEVEL: 'INFO' },
    secrets: { DATABASE_URL: { secret: 'api', key: 'database-url' } },
    health: { liveness: { http: { path: '/health', port: 'http' } } },
    dependsOn: ['db'],
    writablePaths: ['/tmp'],
    ingressPath: '/api',
  };
  return {
    name: 'demo',
    services: [db, api],
    environments: {
      local: { target: 'compose' },
      prod: { target: 'kubernetes', registry: 'registry.example.com/demo', ingress: { host: 'demo.example.com' }, podDisruptionBudgets: true },
    },
  };
}

/** Deep-clones the valid stack and lets a test mutate it. */
export function mutate(change: (s: any) => void): StackSpec {
  const spec = JSON.parse(JSON.stringify(validStack()));
  change(spec);
  return spec;
}
