/**
 * Nx inference plugin: every image a stack spec builds becomes a `docker-build`
 * target, in a project at the Dockerfile's directory, with an `sbom` target
 * (CycloneDX from syft, tmp/sbom/<repository>-<tag>.cdx.json, reused while the
 * tag names the same image) and a `scan` target (the SBOM against an OSV database mirror;
 * scripts/image-security.mjs). Its inputs are what
 * Docker sends: the Dockerfile, its ignore file and the context files the
 * ignore rules keep (the same selection the image tag hashes). Services that
 * share a build share one target. Specs: the todo stack and every
 * `*.stack.json`, `*.stack.yaml` and `*.stack.yml`. A spec file that cannot be
 * read gets no targets and a warning naming it: the rest of the graph stands.
 */
import { contextFiles, ignoreFileFor, loadSpecFile } from '@todo/build-inputs';
import { buildGroups, validate, type BuildGroup, type StackSpec } from '@todo/service-spec';
import { posix } from 'node:path';
import type { CreateNodes, CreateNodesResult } from 'nx/src/project-graph/plugins/public-api';
import type { TargetConfiguration } from 'nx/src/config/workspace-json-project-json';

export const SPEC_GLOB = '{**/*.stack.json,**/*.stack.yaml,**/*.stack.yml,libs/service-spec/src/stacks/*.ts}';

/** Glob-special characters in a literal path match themselves through `?` in every glob engine Nx uses. */
const literalGlob = (path: string) => `{workspaceRoot}/${path.replace(/[*?[\]{}()!]/g, '?')}`;

/** Project name from the Dockerfile directory: `docker/backend` -> `docker-backend`. */
export const projectNameFor = (dir: string) => (dir === '.' ? 'docker-root' : dir.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, ''));

interface Found {
  specFile: string;
  stack: string;
  group: BuildGroup;
  /** dockerBuildInputs of the group. */
  inputs: string[];
}

export function dockerBuildInputs(workspaceRoot: string, group: BuildGroup): string[] {
  const { context, dockerfile } = group.source;
  const files = new Set<string>([dockerfile]);
  const ignore = ignoreFileFor(workspaceRoot, context, dockerfile);
  if (ignore) files.add(ignore);
  for (const f of contextFiles(workspaceRoot, context, dockerfile)) files.add(posix.join(context, f));
  return [...files].sort().map(literalGlob);
}

function target(builds: Found[]): TargetConfiguration {
  const inputs = new Set<string>();
  for (const b of builds) {
    for (const i of b.inputs) inputs.add(i);
    // The spec names the base images, which Docker receives as build args.
    inputs.add(literalGlob(b.specFile));
  }
  const commands = builds.map((b) => `node scripts/docker-build.mjs --spec ${b.specFile} ${b.group.repositories.join(' ')}`);
  return {
    executor: 'nx:run-commands',
    // The engine is the cache: a content-addressed tag is looked up there, never in Nx outputs.
    cache: false,
    // ...and the machine's mirrors replace them.
    inputs: [...[...inputs].sort(), { env: 'TODO_IMAGE_MIRRORS' }],
    options: { cwd: '{workspaceRoot}', commands, parallel: false },
    metadata: {
      description: `Build ${builds.flatMap((b) => b.group.repositories).join(', ')} unless the engine holds the tag`,
      technologies: ['docker'],
    },
  };
}

/**
 * `sbom` or `scan` of the same images: builds its Go tool first (stamped: a no-op when current).
 * Never cached by Nx: the SBOM file, named by the content tag, is the cache.
 */
function securityTarget(kind: 'sbom' | 'scan', builds: Found[]): TargetConfiguration {
  const toolName = kind === 'sbom' ? 'syft' : 'osv-scanner';
  const repositories = builds.flatMap((b) => b.group.repositories).join(', ');
  return {
    executor: 'nx:run-commands',
    cache: false,
    dependsOn: [kind === 'sbom' ? 'docker-build' : 'sbom'],
    options: {
      cwd: '{workspaceRoot}',
      // Arguments given to the target (scan --allow-no-database) reach the script, not build.sh.
      commands: [
        { command: `bash tools/go-tools/build.sh ${toolName}`, forwardAllArgs: false },
        ...builds.map((b) => `node scripts/image-security.mjs ${kind} --spec ${b.specFile} ${b.group.repositories.join(' ')}`),
      ],
      parallel: false,
    },
    metadata: {
      description:
        kind === 'sbom'
          ? `CycloneDX SBOM of ${repositories} (syft) in tmp/sbom/, reused while the tag names the same image`
          : `Vulnerability gate of ${repositories}: its SBOM against the OSV database at OSV_DB_MIRROR (osv-scanner); HIGH/CRITICAL with a fix fail unless waived`,
      technologies: ['docker'],
    },
  };
}

/** The builds of one spec file, with their inputs; throws with a message naming what is wrong. */
function buildsOf(specFile: string, workspaceRoot: string): Found[] {
  const spec: StackSpec = loadSpecFile(specFile, workspaceRoot);
  if (!Array.isArray(spec?.services)) return []; // not a stack spec
  try {
    return buildGroups(spec).groups.map((group) => ({ specFile, stack: spec.name, group, inputs: dockerBuildInputs(workspaceRoot, group) }));
  } catch (e) {
    // A data shape the plan cannot read (a TypeError) is said by the spec's own validation,
    // which names the field; run only then, as it costs more than the plan.
    const issues = e instanceof TypeError ? validate(spec) : [];
    if (issues.length) throw new Error(issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; '));
    throw e;
  }
}

export const createNodes: CreateNodes = [
  SPEC_GLOB,
  (specFiles, _options, context) => {
    const byDir = new Map<string, Found[]>();
    for (const specFile of [...specFiles].sort()) {
      let found: Found[];
      try {
        found = buildsOf(specFile, context.workspaceRoot);
      } catch (e) {
        // Nx fails the whole graph on a throw: every project and target, not only this spec's images.
        console.warn(`docker-build targets: ${specFile} skipped (its images get no docker-build target): ${(e as Error).message}`);
        continue;
      }
      for (const f of found) {
        const dir = posix.dirname(f.group.source.dockerfile);
        const same = (x: Found) => JSON.stringify([x.group.source, x.group.baseImages, x.group.repositories]) === JSON.stringify([f.group.source, f.group.baseImages, f.group.repositories]);
        // Two specs naming the same image (same sources, bases and repositories) build it once.
        if (byDir.get(dir)?.some(same)) continue;
        byDir.set(dir, [...(byDir.get(dir) ?? []), f]);
      }
    }
    const results = new Map<string, CreateNodesResult>(specFiles.map((f) => [f, { projects: {} }]));
    for (const [dir, builds] of [...byDir].sort()) {
      results.get(builds[0].specFile)!.projects![dir] = {
        name: projectNameFor(dir),
        root: dir,
        projectType: 'application',
        tags: ['type:image', ...[...new Set(builds.map((b) => `stack:${b.stack}`))].sort()],
        targets: { 'docker-build': target(builds), sbom: securityTarget('sbom', builds), scan: securityTarget('scan', builds) },
      };
    }
    return [...results];
  },
];
