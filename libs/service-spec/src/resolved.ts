import type { AutoscalingSpec, EnvironmentSpec, ExternalEgressSpec, GateWaiverSpec, JsonPatchOperation, ProbeSpec, RestartPolicy, ServiceRole } from './types';

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

/** A file mounted read-only: config text (inline or read from the repo) or a secret key. */
export interface ResolvedFile {
  /** Absolute path in the container. */
  readonly path: string;
  /** Stable key for the file inside its ConfigMap/Secret volume and its generated compose file name. */
  readonly key: string;
  /** The text of a config file. */
  readonly content?: string;
  /** Repo-relative source of a config file read from the repo. */
  readonly source?: string;
  readonly secret?: { readonly secret: string; readonly key: string };
}

export type DependencyCondition = 'healthy' | 'started' | 'completed';

export interface ResolvedService {
  readonly name: string;
  readonly role: ServiceRole;
  readonly runtime: 'python' | 'node' | 'none';
  /** Full image reference, mirrors applied, never floating outside allowFloatingTags. */
  readonly image: string;
  /** Set for images built from this repo. */
  readonly build?: { readonly context: string; readonly dockerfile: string; readonly buildArgs: Readonly<Record<string, string>> };
  readonly ports: readonly { readonly name: string; readonly port: number; readonly protocol: 'TCP' | 'UDP'; readonly hostPort?: number; readonly hostAddress: string }[];
  /** Sorted by name. */
  readonly env: readonly { readonly name: string; readonly value: string }[];
  /** Sorted by env name. */
  readonly secrets: readonly ResolvedSecretEnv[];
  readonly liveness?: ResolvedProbe;
  readonly readiness?: ResolvedProbe;
  readonly startup?: ResolvedProbe;
  /** A compose health command the spec gives; renderers derive one otherwise. */
  readonly composeHealthCommand?: readonly string[];
  /** What runs a derived HTTP check in compose: the runtime's interpreter or a client in the image. */
  readonly composeHttpClient: 'runtime' | 'wget' | 'curl' | 'healthprobe';
  readonly resources: { readonly cpuMillis: { request: number; limit: number }; readonly memoryMiB: { request: number; limit: number } };
  readonly replicas: number;
  readonly autoscaling?: Required<AutoscalingSpec>;
  readonly volumes: readonly { readonly name: string; readonly mountPath: string; readonly sizeGiB: number; readonly accessMode: 'ReadWriteOnce' | 'ReadWriteMany'; readonly storageClass?: string }[];
  /** Sorted by path. */
  readonly files: readonly ResolvedFile[];
  readonly writablePaths: readonly string[];
  readonly readOnlyRootFilesystem: boolean;
  /** Start-order edges, sorted by service. */
  readonly dependsOn: readonly { readonly service: string; readonly condition: DependencyCondition }[];
  /** Services that wait for this one (reverse start-order edges), sorted. */
  readonly dependents: readonly string[];
  /** Network paths out: every service this one connects to (dependencies that serve, and talksTo), sorted. */
  readonly connectsTo: readonly string[];
  /** Network paths in: every service that connects to this one, sorted. */
  readonly connectedFrom: readonly string[];
  readonly ingress?: { readonly path: string; readonly port: string; readonly portNumber: number };
  readonly migration?: { readonly entrypoint?: readonly string[]; readonly command: readonly string[] };
  readonly user: { readonly uid: number; readonly gid: number };
  /** Replaces the image ENTRYPOINT. */
  readonly entrypoint?: readonly string[];
  /** Arguments: replace the image CMD. */
  readonly command?: readonly string[];
  readonly job?: { readonly schedule?: string; readonly backoffLimit: number; readonly activeDeadlineSeconds?: number };
  readonly restart: RestartPolicy;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly gateWaivers: readonly GateWaiverSpec[];
  readonly externalEgress: readonly ExternalEgressSpec[];
  readonly dev: { readonly mounts: readonly { source: string; target: string; readOnly: boolean }[]; readonly command?: readonly string[]; readonly env: readonly { name: string; value: string }[] };
  /** Wants a PodDisruptionBudget (replicated in an environment that asks for PDBs). */
  readonly podDisruptionBudget: boolean;
  /** The service's compose profiles, as the spec lists them. */
  readonly profiles: readonly string[];
  /**
   * It has profiles and this environment enables none of them: it runs only on request
   * (compose: `profiles:`; Kubernetes: replicas 0, a Job or CronJob suspended).
   */
  readonly onRequest: boolean;
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
  /** Profiles this environment enables (`environments.<env>.profiles`). */
  readonly profiles: readonly string[];
  /** Escape-hatch patches of this environment, applied after rendering. */
  readonly patches: {
    readonly kubernetes: readonly { readonly kind: string; readonly name: string; readonly patch: readonly JsonPatchOperation[] }[];
    readonly compose: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  };
}

export type { ProbeSpec };

/** A spec fact a target cannot express: reported in the parity report, never dropped silently. */
export interface TargetWarning {
  readonly target: 'compose' | 'kubernetes';
  readonly path: string;
  readonly message: string;
}
