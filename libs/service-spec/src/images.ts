/**
 * Image facts, computed once: reference parsing, mirrors, and the build plan of
 * every image a stack builds. Resolve, the manifests, the Nx plugin and
 * docker-build all read the plan; nothing else derives a tag or a build arg.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { ImageSpec, StackSpec } from './types';

/** A parsed image reference: `[registry/]path[:tag][@digest]`. */
export interface ImageRef {
  /** Everything before the tag and digest, registry included. */
  readonly name: string;
  readonly tag?: string;
  /** `sha256:<64 hex>`. */
  readonly digest?: string;
}

/** The one image-reference parser. A colon before the last `/` belongs to a registry port, not a tag. */
export function parseImageRef(ref: string): ImageRef {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const rest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = rest.indexOf(':', rest.lastIndexOf('/') + 1);
  const name = colon >= 0 ? rest.slice(0, colon) : rest;
  const tag = colon >= 0 ? rest.slice(colon + 1) : undefined;
  return { name, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** True when a reference pins a digest, or a tag that is not `latest`. */
export function isPinnedImage(ref: string): boolean {
  const { tag, digest } = parseImageRef(ref);
  if (digest !== undefined) return DIGEST.test(digest);
  return tag !== undefined && tag.length > 0 && tag !== 'latest';
}

/**
 * Applies a mirror map keyed by image reference. An exact key wins; a
 * digest-pinned reference also matches the key without its digest, and then the
 * replacement is used as written (a mirror names its own content: a stand-in
 * cannot carry the official digest).
 */
export function mirrorImage(ref: string, mirrors: Readonly<Record<string, string>>): string {
  if (mirrors[ref] !== undefined) return mirrors[ref];
  const { name, tag, digest } = parseImageRef(ref);
  if (digest !== undefined) {
    const undigested = tag !== undefined ? `${name}:${tag}` : name;
    if (mirrors[undigested] !== undefined) return mirrors[undigested];
  }
  return ref;
}

/** The spec's mirrors, then the machine's: the one place the two are merged. */
export function mergeMirrors(spec: StackSpec, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...(spec.imageMirrors ?? {}), ...extra };
}

/** Image reference for a built service: `[registry/]repository:tag`. */
export function builtImageRef(repository: string, tag: string, registry?: string): string {
  const prefix = registry ? `${registry.replace(/\/+$/, '')}/` : '';
  return `${prefix}${repository}:${tag}`;
}

/**
 * The Dockerfile of a build, relative to the repo root. The spec names it
 * relative to the build context, as compose does (`Dockerfile` in the context
 * when omitted); this is the one place that resolves it.
 */
export function dockerfilePath(build: Pick<NonNullable<ImageSpec['build']>, 'context' | 'dockerfile'>): string {
  return posix.normalize(posix.join(build.context, build.dockerfile ?? 'Dockerfile'));
}

/** Where a build's files come from; the source hash covers exactly these. */
export interface BuildSource {
  /** Build context, relative to the repo root. */
  readonly context: string;
  /** Dockerfile, relative to the repo root (`dockerfilePath` of the spec's build). */
  readonly dockerfile: string;
}

/** One image to build. Services whose builds are identical share one plan. */
export interface BuildPlan extends BuildSource {
  /** Services built from this plan, sorted. */
  readonly services: readonly string[];
  /** Repositories the image is tagged with, one per service repository, sorted and unique. */
  readonly repositories: readonly string[];
  /** ARG -> base image as the spec names it. */
  readonly baseImages: Readonly<Record<string, string>>;
  /** ARG -> base image actually built from (mirrors applied): the build args. */
  readonly buildArgs: Readonly<Record<string, string>>;
  /** ARGs whose base a mirror replaced; empty for a build on the official bases. */
  readonly mirroredArgs: readonly string[];
  /** Content hash of the Dockerfile, its ignore file and the context files Docker receives. */
  readonly sourceHash: string;
  /** The image tag: source hash and resolved base images together. */
  readonly tag: string;
  /** Local references, `<repository>:<tag>`, one per repository. */
  readonly refs: readonly string[];
}

/** A stack's images: every build once, and each built service's place in it. */
export interface StackImagePlan {
  readonly stack: string;
  /** The mirrors the plan applied (spec first, then the machine's). */
  readonly mirrors: Readonly<Record<string, string>>;
  readonly builds: readonly BuildPlan[];
  /** Built service -> its repository, tag and local reference. */
  readonly services: Readonly<Record<string, { readonly repository: string; readonly tag: string; readonly ref: string; readonly build: number }>>;
}

export interface PlanOptions {
  /**
   * Content hash of a build's files (from @todo/build-inputs, which reads the
   * disk). Omitted only where tags are given instead.
   */
  readonly sourceHash?: (source: BuildSource) => string;
  /** Tags decided elsewhere, by service (unit tests of renderers). Wins over sourceHash. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Machine mirrors, applied after the spec's own. */
  readonly extraMirrors?: Readonly<Record<string, string>>;
}

/** Length of the hex tag: 12 hex chars = 48 bits, the width git and Docker show. */
const TAG_LENGTH = 12;

const sortedEntries = (r: Readonly<Record<string, string>>) => Object.keys(r).sort().map((k) => [k, r[k]] as const);

/**
 * The image tag: the source hash plus every resolved base image. An image built
 * on a stand-in base therefore never carries the tag of the official-base build.
 */
export function imageTagOf(sourceHash: string, buildArgs: Readonly<Record<string, string>>): string {
  const h = createHash('sha256').update(`source\0${sourceHash}\0`);
  for (const [arg, base] of sortedEntries(buildArgs)) h.update(`base\0${arg}=${base}\0`);
  return h.digest('hex').slice(0, TAG_LENGTH);
}

/** A build as the spec states it, before any file is read: services sharing it, repositories, sources, bases. */
export interface BuildGroup {
  readonly source: BuildSource;
  readonly baseImages: Readonly<Record<string, string>>;
  /** Services built from it, in spec order. */
  readonly services: readonly string[];
  /** Repositories, sorted and unique. */
  readonly repositories: readonly string[];
}

/**
 * The distinct builds of a stack: services whose context, Dockerfile and base
 * images are identical share one. Cheap (no I/O): the Nx plugin calls it.
 */
export function buildGroups(spec: StackSpec, splitBy: (service: string) => string = () => ''): { groups: BuildGroup[]; repositoryOf: Record<string, string> } {
  const byKey = new Map<string, { source: BuildSource; baseImages: Record<string, string>; services: string[]; repositories: Set<string> }>();
  const repositoryOf: Record<string, string> = {};
  for (const s of spec.services) {
    const b = s.image.build;
    if (!b) continue;
    const baseImages = Object.fromEntries(sortedEntries(b.baseImages ?? {}));
    const source = { context: b.context, dockerfile: dockerfilePath(b) };
    const key = JSON.stringify([source.context, source.dockerfile, baseImages, splitBy(s.name)]);
    const entry = byKey.get(key) ?? { source, baseImages, services: [], repositories: new Set<string>() };
    repositoryOf[s.name] = s.image.repository ?? `${spec.name}-${s.name}`;
    entry.services.push(s.name);
    entry.repositories.add(repositoryOf[s.name]);
    byKey.set(key, entry);
  }
  const groups = [...byKey.values()]
    .map((e) => ({ source: e.source, baseImages: e.baseImages, services: e.services, repositories: [...e.repositories].sort() }))
    .sort((a, b) => (a.services[0] < b.services[0] ? -1 : 1));
  return { groups, repositoryOf };
}

/** The build plan of every image a stack builds. Pure: the disk is read through `sourceHash`. */
export function planImages(spec: StackSpec, options: PlanOptions = {}): StackImagePlan {
  const mirrors = mergeMirrors(spec, options.extraMirrors);
  const { groups, repositoryOf } = buildGroups(spec, (name) => options.tags?.[name] ?? '');
  const builds: BuildPlan[] = [];
  const services: Record<string, StackImagePlan['services'][string]> = {};
  for (const e of groups) {
    const buildArgs = Object.fromEntries(Object.entries(e.baseImages).map(([arg, base]) => [arg, mirrorImage(base, mirrors)]));
    const given = options.tags?.[e.services[0]];
    let sourceHash = '';
    if (given === undefined) {
      if (!options.sourceHash) throw new Error(`services.${e.services[0]}.image.build: no source hash for ${e.source.dockerfile} (plan images with @todo/build-inputs)`);
      sourceHash = options.sourceHash(e.source);
    }
    const tag = given ?? imageTagOf(sourceHash, buildArgs);
    const index = builds.length;
    builds.push({
      ...e.source,
      services: [...e.services].sort(),
      repositories: e.repositories,
      baseImages: e.baseImages,
      buildArgs,
      mirroredArgs: Object.keys(buildArgs).filter((a) => buildArgs[a] !== e.baseImages[a]),
      sourceHash,
      tag,
      refs: e.repositories.map((r) => builtImageRef(r, tag)),
    });
    for (const name of e.services) services[name] = { repository: repositoryOf[name], tag, ref: builtImageRef(repositoryOf[name], tag), build: index };
  }
  return { stack: spec.name, mirrors, builds, services };
}
