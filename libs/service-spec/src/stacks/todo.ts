import type { StackSpec } from '../types';

/** The local-only database password. Compose uses it when POSTGRES_PASSWORD is unset; Kubernetes never sees it. */
const LOCAL_ONLY_DB_PASSWORD = 'local-only-not-a-secret';

const pgReady = ['pg_isready', '-U', 'todo', '-d', 'todo', '-h', '127.0.0.1'];

/** The AI-assisted todo application: Next.js frontend, FastAPI backend, PostgreSQL. */
export const todoStack: StackSpec = {
  name: 'todo',
  services: [
    {
      name: 'postgres',
      role: 'database',
      image: { ref: 'postgres:16-alpine' },
      ports: [{ name: 'postgres', port: 5432, hostPort: 5432 }],
      env: { POSTGRES_USER: 'todo', POSTGRES_DB: 'todo', PGDATA: '/var/lib/postgresql/data/pgdata' },
      secrets: {
        POSTGRES_PASSWORD: { secret: 'todo-postgres', key: 'password', localDefault: LOCAL_ONLY_DB_PASSWORD },
      },
      health: {
        liveness: { exec: { command: pgReady }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
        // 1 s: compose runs the first check one interval after start and gates depends_on on it.
        readiness: { exec: { command: pgReady }, periodSeconds: 1, timeoutSeconds: 5 },
        // initdb on a new volume takes seconds; compose counts failures only after the start period.
        startup: { exec: { command: pgReady }, periodSeconds: 1, failureThreshold: 60 },
      },
      resources: { cpuMillis: { request: 100, limit: 1000 }, memoryMiB: { request: 256, limit: 512 } },
      volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', sizeGiB: 5 }],
      writablePaths: ['/var/run/postgresql', '/tmp'],
      // uid/gid of the postgres user in the official alpine image.
      user: { uid: 70, gid: 70 },
    },
    {
      name: 'backend',
      role: 'api',
      runtime: 'python',
      image: {
        build: { context: '.', dockerfile: 'docker/backend/Dockerfile', baseImages: { PYTHON_IMAGE: 'python:3.13-slim' } },
      },
      ports: [{ name: 'http', port: 8000, hostPort: 8000 }],
      // APP_ENV: the API serves /docs and /openapi.json only where it is "local" (apps/backend/README.md).
      env: { OPENAI_MODEL: 'gpt-4o-mini', CORS_ORIGINS: 'http://localhost:3000', LOG_LEVEL: 'INFO', APP_ENV: 'production' },
      secrets: {
        DATABASE_URL: {
          secret: 'todo-backend',
          key: 'database-url',
          localDefault: `postgresql://todo:${LOCAL_ONLY_DB_PASSWORD}@postgres:5432/todo`,
        },
        OPENAI_API_KEY: { secret: 'todo-openai', key: 'api-key', optional: true },
      },
      health: {
        liveness: { http: { path: '/health', port: 'http' } },
        // /ready is one SELECT 1 on its own connection: cheap enough to poll every second,
        // so dependants start as soon as the database answers.
        readiness: { http: { path: '/ready', port: 'http' }, periodSeconds: 1, timeoutSeconds: 2 },
        startup: { http: { path: '/health', port: 'http' }, periodSeconds: 1, failureThreshold: 60 },
        // The runtime image has no shell: the static probe built in the image (docker/healthprobe)
        // costs ~1 ms of CPU per check, where `python -I -S -c` took ~25 ms, every second.
        composeHttpClient: 'healthprobe',
      },
      resources: { cpuMillis: { request: 100, limit: 1000 }, memoryMiB: { request: 192, limit: 512 } },
      writablePaths: ['/tmp'],
      dependsOn: ['postgres'],
      ingressPath: '/api',
      migration: { command: ['python', '-m', 'todo_api.migrate'] },
      externalEgress: [{ cidr: '0.0.0.0/0', ports: [443], reason: 'the OpenAI API (only used when OPENAI_API_KEY is set)' }],
      dev: {
        mounts: [{ source: 'apps/backend/src', target: '/app/src' }],
        // serve.py, as in the image, so development has the same HTTP limits (header size, timeouts, connection cap).
        command: ['python', '-m', 'todo_api.serve', '--reload', '--reload-dir', '/app/src'],
        env: { LOG_LEVEL: 'DEBUG' },
      },
    },
    {
      name: 'frontend',
      role: 'web',
      runtime: 'node',
      image: {
        build: {
          context: '.',
          dockerfile: 'docker/frontend/Dockerfile',
          baseImages: { NODE_IMAGE: 'node:22-alpine' },
        },
      },
      ports: [{ name: 'http', port: 3000, hostPort: 3000 }],
      env: { BACKEND_URL: 'http://backend:8000' },
      health: {
        liveness: { http: { path: '/api/health', port: 'http' } },
        readiness: { http: { path: '/api/health', port: 'http' }, periodSeconds: 1, timeoutSeconds: 2 },
        startup: { http: { path: '/api/health', port: 'http' }, periodSeconds: 2, failureThreshold: 30 },
        // The runtime image has no shell and no busybox: the static probe built in the image
        // (docker/healthprobe) starts in ~1 ms of CPU, where the `node -e` check took ~70 ms,
        // every second for the container's whole life (bench/stack/RESULTS.md).
        composeHttpClient: 'healthprobe',
      },
      resources: { cpuMillis: { request: 100, limit: 1000 }, memoryMiB: { request: 128, limit: 384 } },
      writablePaths: ['/app/.next/cache', '/tmp'],
      dependsOn: ['backend'],
      ingressPath: '/',
    },
  ],
  environments: {
    local: { target: 'compose', services: { backend: { env: { APP_ENV: 'local' } } } },
    minikube: {
      target: 'kubernetes',
      namespace: 'todo',
      imagePullPolicy: 'IfNotPresent',
      ingress: { host: 'todo.local' },
    },
    production: {
      target: 'kubernetes',
      namespace: 'todo',
      registry: 'registry.example.com/todo',
      imagePullPolicy: 'IfNotPresent',
      ingress: { host: 'todo.example.com', tlsSecret: 'todo-tls' },
      podDisruptionBudgets: true,
      services: {
        frontend: { autoscaling: { minReplicas: 2, maxReplicas: 6, cpuUtilization: 70 } },
        backend: {
          autoscaling: { minReplicas: 2, maxReplicas: 8, cpuUtilization: 70 },
          env: { LOG_LEVEL: 'WARNING', CORS_ORIGINS: 'https://todo.example.com' },
          resources: { cpuMillis: { request: 250, limit: 1000 }, memoryMiB: { request: 256, limit: 512 } },
        },
        postgres: {
          resources: { cpuMillis: { request: 500, limit: 2000 }, memoryMiB: { request: 512, limit: 1024 } },
          volumeSizeGiB: { data: 20 },
        },
      },
    },
  },
};

export default todoStack;
