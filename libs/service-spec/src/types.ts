/**
 * The service spec: one typed description of a stack, free of any deployment
 * format. Renderers (libs/k8s, libs/compose) read only the resolved form.
 */

/** A reference to a value held in a secret store; the spec never holds the value. */
export interface SecretRef {
  /** Name of the Kubernetes Secret (and the compose secret group). DNS-1123. */
  readonly secret: string;
  /** Key inside the secret. */
  readonly key: string;
  /**
   * The workload starts without it.
   * @default false
   */
  readonly optional?: boolean;
  /**
   * A value used ONLY by the `local` compose target so `docker compose up`
   * works on a laptop; never written to Kubernetes output. Must not be a real credential.
   * @default undefined (compose requires the variable to be set)
   */
  readonly localDefault?: string;
}

/** A container port. */
export interface PortSpec {
  /** IANA-style port name (DNS-1123 label, max 15 chars), referenced by probes and ingress. */
  readonly name: string;
  /** Port the process listens on, 1-65535. */
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
  /**
   * Publish on the host in compose.
   * @default undefined (not published)
   */
  readonly hostPort?: number;
  /**
   * Host address a published port binds to. A database port is never published beyond 127.0.0.1.
   * @default '127.0.0.1'
   */
  readonly hostAddress?: string;
}

/** How a probe reaches the process. Exactly one of http, tcp, exec. */
export interface ProbeSpec {
  /** HTTP GET against a declared port. */
  readonly http?: { readonly path: string; readonly port: string };
  /** TCP connect to a declared port. */
  readonly tcp?: { readonly port: string };
  /** A command run inside the container (exit 0 = healthy). */
  readonly exec?: { readonly command: readonly string[] };
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 3 */
  readonly timeoutSeconds?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
}

/** Health checks. Liveness restarts, readiness gates traffic, startup delays liveness. */
export interface HealthSpec {
  /** @default undefined (no liveness probe; validation requires one for long-running services) */
  readonly liveness?: ProbeSpec;
  /** @default the liveness probe */
  readonly readiness?: ProbeSpec;
  /** @default undefined (no startup probe) */
  readonly startup?: ProbeSpec;
  /**
   * How compose checks health. Compose runs a command inside the container, so
   * HTTP and TCP probes need the image's own runtime (or a command given here) to make the request.
   * @default derived from readiness: `python -c`/`node -e` per `runtime` (or `composeHttpClient`),
   *   or the exec command; with neither, compose has no health check and the parity report says so
   */
  readonly composeCommand?: readonly string[];
  /**
   * The program compose's derived HTTP check runs inside the container. Compose runs it every
   * interval for the container's whole life, so its start-up cost is paid under load too:
   * `wget` (busybox in alpine images, or GNU wget) or `curl` start in about 1 ms of CPU, where
   * `node -e` took ~70 ms and `python -I -S -c` ~25 ms on the 2-core reference machine.
   * `healthprobe` runs `/usr/local/bin/healthprobe URL TIMEOUT`, the static probe of images with
   * no shell, no wget and no curl (docker/healthprobe: one GET to a numeric IPv4 address, about
   * 1 ms of CPU, stops itself after the timeout; the todo images build it in their builder stage).
   * `runtime` uses the image's interpreter (`runtime: python|node`). wget follows a redirect and
   * judges its target; curl, healthprobe and the runtimes take any 2xx or 3xx as healthy. A TCP check always
   * uses the runtime. Every form stops itself after the probe's `timeoutSeconds` (wget under
   * `timeout`, which alpine's busybox and coreutils provide): Docker Engine 20.10 does not kill a
   * check that overruns.
   * @default 'runtime'
   */
  readonly composeHttpClient?: 'runtime' | 'wget' | 'curl' | 'healthprobe';
}

/** CPU in millicores, memory in MiB. */
export interface ResourcesSpec {
  /** @default { request: 100, limit: 500 } */
  readonly cpuMillis?: { readonly request: number; readonly limit: number };
  /** @default { request: 128, limit: 256 } */
  readonly memoryMiB?: { readonly request: number; readonly limit: number };
}

/**
 * A persistent volume: a PersistentVolumeClaim in Kubernetes (a StatefulSet claim
 * template for `role: database`, otherwise one claim mounted by a Deployment
 * that updates with `Recreate`), a named volume in compose. Data survives restarts.
 */
export interface VolumeSpec {
  /** DNS-1123 name. */
  readonly name: string;
  /** Absolute mount path. */
  readonly mountPath: string;
  /** Requested size in GiB, a whole number of 1 or more. @default 1 */
  readonly sizeGiB?: number;
  /**
   * `ReadWriteOnce` attaches to one node, so a Deployment with it runs one replica.
   * `ReadWriteMany` needs a storage class that offers it.
   * @default 'ReadWriteOnce'
   */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
  /** @default undefined (the cluster's default storage class) */
  readonly storageClass?: string;
}

/**
 * A file mounted read-only into the container. Exactly one of `content`,
 * `source` or `secret`. Config files become a ConfigMap volume (Kubernetes)
 * and a read-only bind of a generated file beside the compose file; secret
 * files become a Secret volume and a bind of a host file named by a variable.
 */
export interface FileSpec {
  /** Absolute path of the file inside the container. */
  readonly path: string;
  /** The file's text, written in the spec. */
  readonly content?: string;
  /** A repo file (relative to the repo root) whose text is the file's content. */
  readonly source?: string;
  /** The file's content is this secret key; its value is never written to any output. */
  readonly secret?: { readonly secret: string; readonly key: string };
}

/** A start-order edge: wait for another service before starting. */
export interface DependencySpec {
  readonly service: string;
  /**
   * `healthy`: its health check passes; `started`: its container runs;
   * `completed`: it is a job that finished successfully.
   * @default 'completed' for a job, 'healthy' for a service with a health check, else 'started'
   */
  readonly condition?: 'healthy' | 'started' | 'completed';
}

/** Makes the service run to completion instead of serving. */
export interface JobSpec {
  /** Cron schedule (5 fields). Kubernetes runs it as a CronJob; compose cannot schedule. @default undefined (runs once) */
  readonly schedule?: string;
  /** Retries before the job is failed. @default 3 */
  readonly backoffLimit?: number;
  /** @default undefined (no deadline) */
  readonly activeDeadlineSeconds?: number;
}

/** A policy gate rule accepted for one service, with the reason; listed in the parity report. */
export interface GateWaiverSpec {
  /** Rule id as the policy gate prints it, e.g. `read-only-root-filesystem`. */
  readonly rule: string;
  /** Why the rule does not apply (10+ characters). */
  readonly reason: string;
}

/** How the image is obtained: built from this repo, or a published reference. */
export interface ImageSpec {
  /** Build from the repo. The tag is a content hash of the build inputs. */
  readonly build?: {
    /** Build context, relative to the repo root. */
    readonly context: string;
    /**
     * Dockerfile path, relative to the build context (as in compose). Its ignore file is
     * `<dockerfile>.dockerignore` beside it, else `.dockerignore` at the context root.
     * @default "Dockerfile"
     */
    readonly dockerfile?: string;
    /** Base images as build args: ARG name -> official image. Mirrors apply to these. */
    readonly baseImages?: Readonly<Record<string, string>>;
  };
  /** Repository name of a built image. @default `<stack>-<service>` */
  readonly repository?: string;
  /** A published image, `name:tag`. Mirrors apply. */
  readonly ref?: string;
}

/** A step that must finish before the service serves (e.g. database migrations). */
export interface MigrationSpec {
  /** Arguments run with the service's own image, env and secrets; the image's ENTRYPOINT is kept unless `entrypoint` is set. */
  readonly command: readonly string[];
  /** Replaces the image's ENTRYPOINT for the migration. @default the image's ENTRYPOINT */
  readonly entrypoint?: readonly string[];
}

/** A source bind mount of the development override. */
export interface DevMountSpec {
  /** Host path, relative to the repo root (compose gets it relative to the compose file, wherever `--out` puts it). */
  readonly source: string;
  /** Absolute path in the container. */
  readonly target: string;
  /**
   * Mount it read-only. `false` lets the process write to the source (as compose's own default, `rw`, does).
   * @default true
   */
  readonly readOnly?: boolean;
}

/** Development overrides for docker-compose.dev.yml. */
export interface DevSpec {
  /** Source bind mounts, `host path (repo-relative)` -> container path. */
  readonly mounts?: readonly DevMountSpec[];
  /** Command with hot reload. */
  readonly command?: readonly string[];
  /** Extra plain env for development. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Egress to addresses outside the stack (e.g. a hosted AI API). */
export interface ExternalEgressSpec {
  /** CIDR, e.g. 0.0.0.0/0. */
  readonly cidr: string;
  /** Destination ports; an empty list is every port (what compose allows, and what import declares). */
  readonly ports: readonly number[];
  /** Why this egress exists; shown in the NetworkPolicy annotation. */
  readonly reason: string;
}

export type ServiceRole = 'web' | 'api' | 'database' | 'worker' | 'cache';

/** Restart behaviour: long-running services restart always; jobs on failure or never. */
export type RestartPolicy = 'always' | 'on-failure' | 'never';

/** One service of the stack. */
export interface ServiceSpec {
  /** DNS-1123 label, unique in the stack. */
  readonly name: string;
  /** What kind of workload: `database` becomes a StatefulSet. */
  readonly role: ServiceRole;
  /** Language runtime inside the image: decides how compose runs HTTP health checks. */
  readonly runtime?: 'python' | 'node' | 'none';
  readonly image: ImageSpec;
  /** @default [] */
  readonly ports?: readonly PortSpec[];
  /** Plain, non-secret environment. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Environment variables read from secrets. @default {} */
  readonly secrets?: Readonly<Record<string, SecretRef>>;
  /**
   * Health checks. Without any, there are no probes, dependents wait for the
   * container to start, and the parity report says so.
   * @default {}
   */
  readonly health?: HealthSpec;
  /** @default see ResourcesSpec */
  readonly resources?: ResourcesSpec;
  /** 0 to 1000 (a larger count is refused as a typo). @default 1 */
  readonly replicas?: number;
  /** @default [] */
  readonly volumes?: readonly VolumeSpec[];
  /** Config files and secret files mounted read-only. @default [] */
  readonly files?: readonly FileSpec[];
  /**
   * Absolute paths that must stay writable on a read-only root filesystem: not `/`,
   * normalised, none inside another. @default []
   */
  readonly writablePaths?: readonly string[];
  /** @default true */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Services to wait for before starting, by name or with a condition. Also
   * opens the network path to them. @default []
   */
  readonly dependsOn?: readonly (string | DependencySpec)[];
  /** Services this one connects to without waiting for them (network path only). @default [] */
  readonly talksTo?: readonly string[];
  /** Exposed through the ingress at this path prefix: normalised (no `//`, `.` or `..` segments). @default undefined (internal only) */
  readonly ingressPath?: string;
  /** Port name the ingress routes to. @default the first port */
  readonly ingressPort?: string;
  /** @default undefined */
  readonly migration?: MigrationSpec;
  /** Numeric user/group the process runs as. @default { uid: 1000, gid: 1000 } */
  readonly user?: { readonly uid: number; readonly gid: number };
  /**
   * Replaces the image's ENTRYPOINT (Kubernetes `command`, compose `entrypoint`).
   * @default the image's ENTRYPOINT
   */
  readonly entrypoint?: readonly string[];
  /**
   * Arguments: replace the image's CMD (Kubernetes `args`, compose `command`).
   * The image's ENTRYPOINT is kept unless `entrypoint` is set.
   * @default the image's CMD
   */
  readonly command?: readonly string[];
  /** Runs to completion: a Kubernetes Job (CronJob with a schedule) and a compose one-shot service. @default undefined (long-running) */
  readonly job?: JobSpec;
  /** @default 'always' for services, 'on-failure' for jobs */
  readonly restart?: RestartPolicy;
  /** Labels on the workload and its pods (Kubernetes) and on the container (compose). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations on the workload and its pods; compose labels carry them. @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Policy gate rules accepted for this service, each with its reason. @default [] */
  readonly gateWaivers?: readonly GateWaiverSpec[];
  /** @default [] */
  readonly externalEgress?: readonly ExternalEgressSpec[];
  /** @default {} */
  readonly dev?: DevSpec;
  /**
   * Compose profiles: the service runs only on request, when one of them is enabled. Compose
   * carries them (`docker compose --profile <p> up` starts it); Kubernetes writes the workload
   * scaled to 0 replicas (a Job or CronJob suspended), ready to scale up. An environment that
   * lists one in `environments.<env>.profiles` runs the service like any other. A service that
   * depends on or talks to it must run only under its profiles too.
   * @default [] (always runs)
   */
  readonly profiles?: readonly string[];
  /**
   * Fields of this service whose `${` is text, not a compose interpolation left unresolved: a
   * template the program expands itself (`GREETING: "hello ${NAME}"`), or compose's `$${VAR}`
   * escape, which `infra import` reads as the text `${VAR}`. Named by their path in the service:
   * `env.GREETING`, `command[1]`, `entrypoint[0]`, `migration.command[0]`,
   * `health.liveness.exec.command[2]`, `dev.env.X`, `dev.command[0]` (an environment's override of
   * env, command or entrypoint is named the same way). Both targets hand the process the text as
   * is: compose writes `$${`, and Kubernetes expands only `$(VAR)`. Validation refuses `${`
   * elsewhere, and an entry whose field holds no `${`.
   * @default []
   */
  readonly literalInterpolation?: readonly string[];
}

/** Autoscaling on CPU utilisation. */
export interface AutoscalingSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** @default 70 */
  readonly cpuUtilization?: number;
}

/** Per-environment changes to a service. */
export interface ServiceOverride {
  /** A published image `name:tag` for this environment (replaces `image`). @default the service's image */
  readonly image?: string;
  /** @default the service's entrypoint */
  readonly entrypoint?: readonly string[];
  /** @default the service's command */
  readonly command?: readonly string[];
  readonly replicas?: number;
  /** Merged over the service's env. */
  readonly env?: Readonly<Record<string, string>>;
  /** Merged over the service's secrets, by variable name. @default {} */
  readonly secrets?: Readonly<Record<string, SecretRef>>;
  /** Host address of every published port of the service. @default each port's hostAddress */
  readonly hostAddress?: string;
  /** Merged over the service's labels. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Merged over the service's annotations. @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly resources?: ResourcesSpec;
  readonly autoscaling?: AutoscalingSpec;
  /** Volume sizes by volume name, GiB. */
  readonly volumeSizeGiB?: Readonly<Record<string, number>>;
}

export interface EnvironmentSpec {
  /** `compose` writes docker/docker-compose*.yml; `kubernetes` writes dist/k8s/<env>/. */
  readonly target: 'compose' | 'kubernetes';
  /**
   * Kubernetes namespace. `kube-system`, `kube-public`, `kube-node-lease` and `default`
   * are refused (also as the stack name it defaults to) unless `allowSystemNamespace` is set.
   * @default the stack name
   */
  readonly namespace?: string;
  /**
   * Deploy into a Kubernetes system namespace (`kube-system`, `kube-public`,
   * `kube-node-lease`, `default`) on purpose. The stack's objects and its
   * default-deny NetworkPolicy then share the namespace with the cluster's own
   * workloads, so this is for a dedicated cluster only.
   * @default false
   */
  readonly allowSystemNamespace?: boolean;
  /** Registry prefix for built images, e.g. `registry.example.com/todo`. @default undefined (local images) */
  readonly registry?: string;
  /** @default 'IfNotPresent' (tags are content hashes, so a present tag is the right image) */
  readonly imagePullPolicy?: 'IfNotPresent' | 'Always' | 'Never';
  /** @default undefined (no Ingress) */
  readonly ingress?: {
    /** RFC 1123 host name; a wildcard only as the whole first label (`*.example.com`). */
    readonly host: string;
    /** @default 'nginx' */
    readonly className?: string;
    /** Secret holding the TLS certificate. @default undefined (no TLS) */
    readonly tlsSecret?: string;
    /** Namespace of the ingress controller, allowed in by NetworkPolicy. @default 'ingress-nginx' */
    readonly controllerNamespace?: string;
  };
  /** Write a PodDisruptionBudget for every service with more than one replica. @default false */
  readonly podDisruptionBudgets?: boolean;
  /**
   * Profiles enabled in this environment: a service with one of them runs here like a service
   * without profiles (compose: no `profiles:` key; Kubernetes: its replicas, not 0).
   * @default [] (services with profiles run only on request)
   */
  readonly profiles?: readonly string[];
  /** Allow `:latest` or untagged published images. Only sensible for local. @default false */
  readonly allowFloatingTags?: boolean;
  /** @default {} */
  readonly services?: Readonly<Record<string, ServiceOverride>>;
  /**
   * Escape hatch for what the spec does not model yet, applied after rendering,
   * then validated and gated like everything else, and listed in the parity report.
   * @default undefined
   */
  readonly patches?: PatchesSpec;
}

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'copy' | 'move' | 'test';
  readonly path: string;
  readonly value?: unknown;
  readonly from?: string;
}

export interface PatchesSpec {
  /** JSON patches on named Kubernetes objects of this environment. @default [] */
  readonly kubernetes?: readonly { readonly kind: string; readonly name: string; readonly patch: readonly JsonPatchOperation[] }[];
  /** Extra keys set on compose services, by service name, as written (compose syntax). @default {} */
  readonly compose?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface StackSpec {
  /** DNS-1123 label; prefixes image repositories and is the default namespace. */
  readonly name: string;
  readonly services: readonly ServiceSpec[];
  readonly environments: Readonly<Record<string, EnvironmentSpec>>;
  /**
   * Official image -> replacement, for private registry mirrors and air-gapped
   * machines. Applies to published images and to build base images.
   * @default {}
   */
  readonly imageMirrors?: Readonly<Record<string, string>>;
}
