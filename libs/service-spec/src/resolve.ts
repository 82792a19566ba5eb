import { SpecValidationError } from './errors';
import { builtImageRef, isPinnedImage, mirrorImage, planImages, type StackImagePlan } from './images';
import type { ResolvedProbe, ResolvedService, ResolvedStack } from './resolved';
import type { ProbeSpec, ServiceSpec, StackSpec } from './types';
import { assertValid } from './validate';
import { dependencyCondition, dependencyName, fileKey } from './resolve-helpers';
import { runsIn } from './validate-profiles';

export { dependencyName, fileKey, hasHealthCheck } from './resolve-helpers';

export interface ResolveOptions {
  /** The build plan (`stackImagePlan` of @todo/build-inputs): tags, build args and mirrors of every built image. */
  readonly images?: StackImagePlan;
  /** Without `images`: tag per built service, planned here with `extraMirrors` (renderer unit tests). */
  readonly imageTags?: Readonly<Record<string, string>>;
  /** Without `images`: machine-level mirrors, applied after the spec's own (e.g. air-gapped stand-in bases). */
  readonly extraMirrors?: Readonly<Record<string, string>>;
  /** Reads a repo file (relative to the repo root) for `files[].source`; the model does no I/O itself. */
  readonly readRepoFile?: (path: string) => string;
}

function imagePlanFor(spec: StackSpec, options: ResolveOptions): StackImagePlan {
  if (options.images) return options.images;
  const missing = spec.services.filter((s) => s.image.build && options.imageTags?.[s.name] === undefined);
  if (missing.length) {
    const message = 'no image tag was computed for this built image (pass images: stackImagePlan() from @todo/build-inputs)';
    throw new SpecValidationError(missing.map((s) => ({ path: `services.${s.name}.image.build`, message })));
  }
  return planImages(spec, { tags: options.imageTags ?? {}, extraMirrors: options.extraMirrors });
}

const DEFAULT_CPU = { request: 100, limit: 500 };
const DEFAULT_MEMORY = { request: 128, limit: 256 };

/** Services ordered so that dependencies come first; ties broken by name for stable output. */
export function dependencyOrder(services: readonly ServiceSpec[]): ServiceSpec[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const done = new Set<string>();
  const out: ServiceSpec[] = [];
  const visit = (s: ServiceSpec): void => {
    if (done.has(s.name)) return;
    done.add(s.name);
    for (const d of (s.dependsOn ?? []).map(dependencyName).sort()) visit(byName.get(d)!);
    out.push(s);
  };
  for (const s of [...services].sort((a, b) => a.name.localeCompare(b.name))) visit(s);
  return out;
}

function resolveProbe(p: ProbeSpec | undefined, ports: Map<string, number>): ResolvedProbe | undefined {
  if (!p) return undefined;
  return {
    ...(p.http && { http: { path: p.http.path, port: p.http.port, portNumber: ports.get(p.http.port)! } }),
    ...(p.tcp && { tcp: { port: p.tcp.port, portNumber: ports.get(p.tcp.port)! } }),
    ...(p.exec && { exec: { command: [...p.exec.command] } }),
    periodSeconds: p.periodSeconds ?? 10,
    timeoutSeconds: p.timeoutSeconds ?? 3,
    failureThreshold: p.failureThreshold ?? 3,
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
  };
}

const sortedEnv = (env: Readonly<Record<string, string>>) =>
  Object.keys(env)
    .sort()
    .map((name) => ({ name, value: env[name] }));

/**
 * Fills every default and applies the environment's overrides. Validates
 * first: an invalid spec never reaches a renderer.
 */
export function resolve(spec: StackSpec, environment: string, options: ResolveOptions = {}): ResolvedStack {
  assertValid(spec);
  const env = spec.environments[environment];
  if (!env) {
    throw new SpecValidationError([{ path: 'environments', message: `unknown environment "${environment}" (environments: ${Object.keys(spec.environments).join(', ')})` }]);
  }
  const plan = imagePlanFor(spec, options);
  const mirrors = plan.mirrors;
  const problems: { path: string; message: string }[] = [];

  const byName = new Map(spec.services.map((s) => [s.name, s]));
  // Network edges: a dependency on a serving service, or an explicit talksTo. Jobs serve nothing.
  const connects = new Map<string, string[]>();
  for (const s of spec.services) {
    const targets = [...(s.dependsOn ?? []).map(dependencyName), ...(s.talksTo ?? [])].filter((t) => byName.get(t) && !byName.get(t)!.job);
    connects.set(s.name, [...new Set(targets)].sort());
  }

  const services = dependencyOrder(spec.services).map((s): ResolvedService => {
    const o = env.services?.[s.name] ?? {};
    const ports = new Map((s.ports ?? []).map((p) => [p.name, p.port]));
    let image: string;
    let build: ResolvedService['build'];
    if (o.image !== undefined) {
      image = mirrorImage(o.image, mirrors);
    } else if (s.image.build) {
      const planned = plan.services[s.name];
      if (!planned) throw new SpecValidationError([{ path: `services.${s.name}.image.build`, message: `the build plan of stack "${plan.stack}" has no image for this service: plan this spec` }]);
      image = builtImageRef(planned.repository, planned.tag, env.registry);
      const b = plan.builds[planned.build];
      build = { context: b.context, dockerfile: b.dockerfile, buildArgs: { ...b.buildArgs } };
    } else {
      image = mirrorImage(s.image.ref!, mirrors);
    }
    if (!s.image.build || o.image !== undefined) {
      const given = o.image ?? s.image.ref!;
      if (!env.allowFloatingTags && !isPinnedImage(image)) {
        problems.push({ path: o.image !== undefined ? `environments.${environment}.services.${s.name}.image` : `services.${s.name}.image.ref`, message: `mirror turns "${given}" into floating "${image}": pin a tag` });
      }
    }
    const liveness = resolveProbe(s.health?.liveness, ports);
    const readiness = resolveProbe(s.health?.readiness, ports) ?? liveness;
    const runtime = s.runtime ?? 'none';
    const dependents = spec.services.filter((d) => (d.dependsOn ?? []).some((x) => dependencyName(x) === s.name)).map((d) => d.name).sort();
    const connectedFrom = spec.services.filter((d) => connects.get(d.name)!.includes(s.name)).map((d) => d.name).sort();
    const onRequest = !runsIn(s, env.profiles);
    const replicas = s.job ? 1 : onRequest ? 0 : o.autoscaling?.minReplicas ?? o.replicas ?? s.replicas ?? 1;
    const ingressPortName = s.ingressPort ?? s.ports?.[0]?.name;
    const allSecrets = { ...(s.secrets ?? {}), ...(o.secrets ?? {}) };
    const secretEnvNames = Object.keys(allSecrets).sort();
    const files = (s.files ?? [])
      .map((f) => {
        let content = f.content;
        if (f.source !== undefined) {
          if (!options.readRepoFile) problems.push({ path: `services.${s.name}.files`, message: `"${f.source}" cannot be read: pass readRepoFile to resolve()` });
          else {
            try {
              content = options.readRepoFile(f.source);
            } catch (e) {
              problems.push({ path: `services.${s.name}.files`, message: `source "${f.source}" cannot be read (${(e as Error).message}): give a file relative to the repo root` });
            }
          }
        }
        return {
          path: f.path,
          key: fileKey(f.path),
          ...(content !== undefined && { content }),
          ...(f.source !== undefined && { source: f.source }),
          ...(f.secret && { secret: { secret: f.secret.secret, key: f.secret.key } }),
        };
      })
      .sort((a, b) => a.path.localeCompare(b.path));
    const hostAddress = (p: { hostAddress?: string }) => o.hostAddress ?? p.hostAddress ?? '127.0.0.1';
    return {
      name: s.name,
      role: s.role,
      runtime,
      image,
      build,
      ports: (s.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP', ...(p.hostPort !== undefined && { hostPort: p.hostPort }), hostAddress: hostAddress(p) })),
      env: sortedEnv({ ...(s.env ?? {}), ...(o.env ?? {}) }),
      secrets: secretEnvNames.map((name) => {
        const r = allSecrets[name];
        return { name, secret: r.secret, key: r.key, optional: r.optional ?? false, ...(r.localDefault !== undefined && { localDefault: r.localDefault }) };
      }),
      liveness,
      readiness,
      startup: resolveProbe(s.health?.startup, ports),
      composeHealthCommand: s.health?.composeCommand && [...s.health.composeCommand],
      composeHttpClient: s.health?.composeHttpClient ?? 'runtime',
      resources: {
        cpuMillis: { ...(o.resources?.cpuMillis ?? s.resources?.cpuMillis ?? DEFAULT_CPU) },
        memoryMiB: { ...(o.resources?.memoryMiB ?? s.resources?.memoryMiB ?? DEFAULT_MEMORY) },
      },
      replicas,
      autoscaling: o.autoscaling && { minReplicas: o.autoscaling.minReplicas, maxReplicas: o.autoscaling.maxReplicas, cpuUtilization: o.autoscaling.cpuUtilization ?? 70 },
      volumes: (s.volumes ?? []).map((v) => ({
        name: v.name,
        mountPath: v.mountPath,
        sizeGiB: o.volumeSizeGiB?.[v.name] ?? v.sizeGiB ?? 1,
        accessMode: v.accessMode ?? 'ReadWriteOnce',
        ...(v.storageClass !== undefined && { storageClass: v.storageClass }),
      })),
      files,
      writablePaths: [...(s.writablePaths ?? [])],
      readOnlyRootFilesystem: s.readOnlyRootFilesystem ?? true,
      dependsOn: (s.dependsOn ?? [])
        .map((d) => ({ service: dependencyName(d), condition: dependencyCondition(d, byName.get(dependencyName(d))) }))
        .sort((a, b) => a.service.localeCompare(b.service)),
      dependents,
      connectsTo: connects.get(s.name)!,
      connectedFrom,
      ingress: s.ingressPath !== undefined && ingressPortName ? { path: s.ingressPath, port: ingressPortName, portNumber: ports.get(ingressPortName)! } : undefined,
      migration: s.migration && { ...(s.migration.entrypoint && { entrypoint: [...s.migration.entrypoint] }), command: [...s.migration.command] },
      user: s.user ?? { uid: 1000, gid: 1000 },
      entrypoint: (o.entrypoint ?? s.entrypoint) && [...(o.entrypoint ?? s.entrypoint)!],
      command: (o.command ?? s.command) && [...(o.command ?? s.command)!],
      job: s.job && { ...(s.job.schedule !== undefined && { schedule: s.job.schedule }), backoffLimit: s.job.backoffLimit ?? 3, ...(s.job.activeDeadlineSeconds !== undefined && { activeDeadlineSeconds: s.job.activeDeadlineSeconds }) },
      restart: s.restart ?? (s.job ? 'on-failure' : 'always'),
      labels: { ...(s.labels ?? {}), ...(o.labels ?? {}) },
      annotations: { ...(s.annotations ?? {}), ...(o.annotations ?? {}) },
      gateWaivers: [...(s.gateWaivers ?? [])],
      externalEgress: [...(s.externalEgress ?? [])],
      dev: { mounts: (s.dev?.mounts ?? []).map((m) => ({ source: m.source, target: m.target, readOnly: m.readOnly ?? true })), command: s.dev?.command && [...s.dev.command], env: sortedEnv(s.dev?.env ?? {}) },
      podDisruptionBudget: (env.podDisruptionBudgets ?? false) && replicas > 1,
      profiles: [...(s.profiles ?? [])],
      onRequest,
    };
  });
  if (problems.length) throw new SpecValidationError(problems);

  return {
    name: spec.name,
    environment,
    target: env.target,
    namespace: env.namespace ?? spec.name,
    imagePullPolicy: env.imagePullPolicy ?? 'IfNotPresent',
    ingress: env.ingress && {
      host: env.ingress.host,
      className: env.ingress.className ?? 'nginx',
      ...(env.ingress.tlsSecret !== undefined && { tlsSecret: env.ingress.tlsSecret }),
      controllerNamespace: env.ingress.controllerNamespace ?? 'ingress-nginx',
    },
    services,
    profiles: [...(env.profiles ?? [])],
    patches: { kubernetes: [...(env.patches?.kubernetes ?? [])], compose: { ...(env.patches?.compose ?? {}) } },
  };
}
