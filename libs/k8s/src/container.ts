import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { kubeletLiteral } from './kubelet-literal';
import { toProbe } from './probes';

const PULL_POLICY = {
  IfNotPresent: kplus.ImagePullPolicy.IF_NOT_PRESENT,
  Always: kplus.ImagePullPolicy.ALWAYS,
  Never: kplus.ImagePullPolicy.NEVER,
} as const;

/** Restricted-profile container security: non-root, no escalation, no capabilities. */
export function containerSecurity(s: ResolvedService): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: s.user.uid,
    group: s.user.gid,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: s.readOnlyRootFilesystem,
    // The restricted profile requires the literal "ALL", which cdk8s-plus-27's Capability enum lacks.
    capabilities: { drop: ['ALL' as kplus.Capability] },
  };
}

export function containerResources(s: ResolvedService): kplus.ContainerResources {
  return {
    cpu: { request: kplus.Cpu.millis(s.resources.cpuMillis.request), limit: kplus.Cpu.millis(s.resources.cpuMillis.limit) },
    memory: { request: Size.mebibytes(s.resources.memoryMiB.request), limit: Size.mebibytes(s.resources.memoryMiB.limit) },
  };
}

/** Secrets as secretKeyRef env vars: the manifests name the secret, never hold its value. */
function secretEnv(scope: Construct, s: ResolvedService, container: string): Record<string, kplus.EnvValue> {
  const env: Record<string, kplus.EnvValue> = {};
  for (const ref of s.secrets) {
    const secret = kplus.Secret.fromSecretName(scope, `${container}-secret-${ref.name}`, ref.secret);
    env[ref.name] = kplus.EnvValue.fromSecretValue({ secret, key: ref.key }, { optional: ref.optional });
  }
  return env;
}

export interface ContainerOptions {
  readonly name: string;
  /** Replaces the image ENTRYPOINT (Kubernetes `command`). */
  readonly entrypoint?: readonly string[];
  /** Replaces the image CMD (Kubernetes `args`); alone it keeps the image ENTRYPOINT. */
  readonly args?: readonly string[];
  /** Probes and ports only belong to the serving container, not to init steps. */
  readonly serving: boolean;
}

/** The container props for a service (serving container or its migration step). */
export function containerProps(
  scope: Construct,
  stack: ResolvedStack,
  s: ResolvedService,
  configMap: kplus.IConfigMap | undefined,
  opts: ContainerOptions,
): kplus.ContainerProps {
  return {
    name: opts.name,
    image: s.image,
    imagePullPolicy: PULL_POLICY[stack.imagePullPolicy],
    command: opts.entrypoint ? opts.entrypoint.map(kubeletLiteral) : undefined,
    args: opts.args ? opts.args.map(kubeletLiteral) : undefined,
    ports: opts.serving ? s.ports.map((p) => ({ name: p.name, number: p.port, protocol: p.protocol === 'UDP' ? kplus.Protocol.UDP : kplus.Protocol.TCP })) : undefined,
    envFrom: configMap ? [kplus.Env.fromConfigMap(configMap)] : undefined,
    envVariables: secretEnv(scope, s, opts.name),
    liveness: opts.serving ? toProbe(s.liveness) : undefined,
    readiness: opts.serving ? toProbe(s.readiness) : undefined,
    startup: opts.serving ? toProbe(s.startup) : undefined,
    resources: containerResources(s),
    securityContext: containerSecurity(s),
  };
}
