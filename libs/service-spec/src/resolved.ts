import type { AutoscalingSpec, EnvironmentSpec, ExternalEgressSpec, ProbeSpec, ServiceRole } from './types';

/** A probe with every default filled. */
export interface ResolvedProbe {
  readonly http?: { readonly path: string; readonly port: string; readonly portNumber: number };
  readonly tcp?: { readonly port: string; readonly portNumber: number };
  readonly exec?: { readonly command: readonly string[] };
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
  readonly initialDelaySeconds: number;
}

export interface ResolvedSecretEnv {
  readonly name: string;
  readonly secret: string;
  readonly key: string;
  readonly optional: boolean;
  readonly localDefault?: string;
}

export interface ResolvedService {
  readonly name: string;
  readonly role: ServiceRole;
  readonly runtime: 'python' | 'node' | 'none';
  /** Full image reference, mirrors applied, never floating outside allowFloatingTags. */
  readonly image: string;
  /** Set for images built from this repo. */
  readonly build?: { readonly context: string; readonly dockerfile: string; readonly buildArgs: Readonly<Record<string, string>> };
  readonly ports: readonly { readonly name: string; readonly port: number; readonly protocol: 'TCP' | 'UDP'; readonly hostPort?: number }[];
  /** Sorted by name. */
  readonly env: readonly { readonly name: string; readonly value: string }[];
  /** Sorted by env name. */
  readonly secrets: readonly ResolvedSecretEnv[];
  readonly liveness?: ResolvedProbe;
  readonly readiness?: ResolvedProbe;
  readonly startup?: ResolvedProbe;
  /** The command compose runs as its health check. */
  readonly composeHealthCommand?: readonly string[];
  readonly resources: { readonly cpuMillis: { request: number; limit: number }; readonly memoryMiB: { request: number; limit: number } };
  readonly replicas: number;
  readonly autoscaling?: Required<AutoscalingSpec>;
  readonly volumes: readonly { readonly name: string; readonly mountPath: string; readonly sizeGiB: number }[];
  readonly writablePaths: readonly string[];
  readonly readOnlyRootFilesystem: boolean;
  readonly dependsOn: readonly string[];
  /** Services that depend on this one (reverse edges), sorted. */
  readonly dependents: readonly string[];
  readonly ingress?: { readonly path: string; readonly port: string; readonly portNumber: number };
  readonly migration?: { readonly command: readonly string[] };
  readonly user: { readonly uid: number; readonly gid: number };
  readonly command?: readonly string[];
  readonly externalEgress: readonly ExternalEgressSpec[];
  readonly dev: { readonly mounts: readonly { source: string; target: string }[]; readonly command?: readonly string[]; readonly env: readonly { name: string; value: string }[] };
  /** Wants a PodDisruptionBudget (replicated in an environment that asks for PDBs). */
  readonly podDisruptionBudget: boolean;
}

export interface ResolvedStack {
  readonly name: string;
  readonly environment: string;
  readonly target: EnvironmentSpec['target'];
  readonly namespace: string;
  readonly imagePullPolicy: 'IfNotPresent' | 'Always' | 'Never';
  readonly ingress?: { readonly host: string; readonly className: string; readonly tlsSecret?: string; readonly controllerNamespace: string };
  /** Services in dependency order (dependencies first), ties by name. */
  readonly services: readonly ResolvedService[];
}

export type { ProbeSpec };

/** A spec fact a target cannot express: reported in the parity report, never dropped silently. */
export interface TargetWarning {
  readonly target: 'compose' | 'kubernetes';
  readonly path: string;
  readonly message: string;
}
