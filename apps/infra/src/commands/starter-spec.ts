/**
 * The spec `infra init` writes: a web app with a PostgreSQL database, commented
 * so a reader can adapt it field by field. A test synthesizes it and runs the gates.
 */
export function starterSpec(name: string, schemaPath: string): string {
  return `# yaml-language-server: $schema=${schemaPath}
# A service spec: one description of the stack, from which \`infra synth\` writes
# Kubernetes manifests (dist/k8s/<env>/) and compose files (docker/).
# Validate: npm run infra -- validate --spec <this file>
# Synthesize: npm run infra -- synth --spec <this file>   (writes dist/stacks/<name>/; --out DIR for elsewhere)
$schema: ${schemaPath}

# DNS-1123 label: prefixes image repositories and is the default Kubernetes namespace.
name: ${name}

services:
  # The web application. Replace the image with your own, pinned to a tag or digest
  # (:latest is refused outside environments that set allowFloatingTags).
  - name: web
    # role: web, api, worker or cache runs as a Deployment; database as a StatefulSet with a
    # Service, a headless Service <name>-headless and a volume claim per replica. The role is also the component label
    # (docs/service-spec.md, "Roles and the user").
    role: web
    # The language runtime inside the image: compose runs the HTTP health check with it.
    runtime: node
    image:
      ref: ghcr.io/example/web-app:1.0.0
      # Or build it from this repository (the tag is a hash of the build inputs); the
      # context is relative to the repository root, the Dockerfile to the context, as in compose:
      # build: { context: ., dockerfile: Dockerfile }
    ports:
      # hostPort publishes the port in compose, bound to 127.0.0.1 only.
      - { name: http, port: 3000, hostPort: 3000 }
    env:
      PORT: "3000"
      HOSTNAME: 0.0.0.0
    secrets:
      # The spec never holds a secret value: Kubernetes reads the Secret "${name}-web",
      # compose reads a host variable (the compose file's header names it), e.g.
      #   DATABASE_URL=postgresql://app:<password>@db:5432/app
      DATABASE_URL: { secret: ${name}-web, key: database-url }
    health:
      # Liveness restarts a stuck process; readiness (default: the liveness probe) gates traffic.
      liveness: { http: { path: /healthz, port: http } }
      startup: { http: { path: /healthz, port: http }, periodSeconds: 2, failureThreshold: 30 }
    resources:
      cpuMillis: { request: 100, limit: 500 }
      memoryMiB: { request: 128, limit: 256 }
    # The root filesystem is read-only: list the paths the process writes to (tmpfs / emptyDir).
    writablePaths: [/tmp]
    # Runs as uid 1000, gid 1000 unless \`user: { uid, gid }\` says otherwise (never 0).
    # Start after the database is healthy.
    dependsOn: [db]
    # Served through the Kubernetes ingress at this path prefix.
    ingressPath: /

  # The database. role: database becomes a StatefulSet with a volume claim.
  - name: db
    role: database
    image:
      ref: postgres:16-alpine
    ports:
      # Left unpublished: nothing outside the stack needs the database.
      - { name: postgres, port: 5432 }
    env:
      POSTGRES_USER: app
      POSTGRES_DB: app
      PGDATA: /var/lib/postgresql/data/pgdata
    secrets:
      # A localDefault (a throwaway value used only by compose) would let \`up\` run without
      # the variable set, but the secrets gate then wants it allow-listed: set the variable instead.
      POSTGRES_PASSWORD: { secret: ${name}-db, key: password }
    health:
      liveness:
        exec: { command: [pg_isready, -U, app, -d, app, -h, 127.0.0.1] }
        periodSeconds: 10
        timeoutSeconds: 5
        failureThreshold: 6
    resources:
      cpuMillis: { request: 100, limit: 1000 }
      memoryMiB: { request: 256, limit: 512 }
    volumes:
      - { name: data, mountPath: /var/lib/postgresql/data, sizeGiB: 5 }
    writablePaths: [/var/run/postgresql, /tmp]
    # uid/gid of the postgres user in the official alpine image.
    user: { uid: 70, gid: 70 }

environments:
  # docker/docker-compose.yml, for a laptop.
  local:
    target: compose
  # dist/k8s/production/.
  production:
    target: kubernetes
    registry: registry.example.com/${name}
    ingress: { host: ${name}.example.com }
    podDisruptionBudgets: true
    services:
      web:
        autoscaling: { minReplicas: 2, maxReplicas: 6 }
`;
}
