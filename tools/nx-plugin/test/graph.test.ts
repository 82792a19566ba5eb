// The TypeScript libraries' import edges reach the project graph (nx.json
// pluginsConfig @nx/js analyzeSourceFiles: without @nx/js installed Nx skips
// source analysis, and "affected" left out every importer).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..', '..');
const nx = (...args: string[]) =>
  execFileSync('npx', ['nx', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' } });

const libs = ['service-spec', 'yaml-out', 'build-inputs', 'compose', 'k8s', 'policy'];
// Who imports whom, as the sources say; plus the image projects' inferred targets for
// files inside a build context (none of the libs is).
const expectedAffected: Record<string, string[]> = {
  // e2e-stacks and e2e-k8s import infra's import harness (the corpus stacks run on both
  // targets), so a change in any library infra uses affects them too.
  'service-spec': ['build-inputs', 'compose', 'e2e-k8s', 'e2e-stacks', 'infra', 'k8s', 'nx-plugin', 'service-spec'],
  'yaml-out': ['e2e-k8s', 'e2e-stacks', 'infra', 'yaml-out'],
  'build-inputs': ['build-inputs', 'e2e-k8s', 'e2e-stacks', 'infra', 'nx-plugin'],
  compose: ['compose', 'e2e-k8s', 'e2e-stacks', 'infra'],
  k8s: ['e2e-k8s', 'e2e-stacks', 'infra', 'k8s'],
  // images-test: the image scan (scripts/image-security.mjs) reads the waivers file with policy's
  // parser, and scan-waivers.test.ts checks it against the library.
  policy: ['e2e-k8s', 'e2e-stacks', 'images-test', 'infra', 'policy'],
};

describe('project graph', () => {
  let deps: Record<string, { target: string }[]>;
  let nodes: Record<string, { data: { root: string; tags?: string[]; targets: Record<string, unknown> } }>;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-'));
    try {
      nx('graph', `--file=${join(dir, 'graph.json')}`);
      const graph = JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8')).graph;
      deps = graph.dependencies;
      nodes = graph.nodes;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(libs)('a change in %s affects exactly its importers, transitively', (lib) => {
    const affected = new Set([lib]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [p, ds] of Object.entries(deps)) {
        if (!affected.has(p) && ds.some((d) => affected.has(d.target))) {
          affected.add(p);
          grew = true;
        }
      }
    }
    expect([...affected].sort()).toEqual(expectedAffected[lib]);
  });

  it('every TypeScript library and tool is linted, so its module boundary is enforced', () => {
    const tools = Object.entries(nodes).filter(([, n]) => /^(libs|tools)\//.test(n.data.root));
    const ts = tools.filter(([, n]) => existsSync(join(repoRoot, n.data.root, 'tsconfig.json')));
    expect(ts.map(([name]) => name).sort()).toEqual([...libs, 'nx-plugin'].sort());
    for (const [name, n] of ts) expect({ name, lint: Boolean(n.data.targets.lint), typecheck: Boolean(n.data.targets.typecheck) }).toEqual({ name, lint: true, typecheck: true });
    // The one tool that is not TypeScript: the local cluster (bash and Go modules).
    expect(tools.filter(([, n]) => !existsSync(join(repoRoot, n.data.root, 'tsconfig.json'))).map(([name]) => name)).toEqual(['local-cluster']);
  });

  it('local-cluster has the targets the README names, never cached', () => {
    const t = nodes['local-cluster'].data.targets as Record<string, { cache?: boolean } | undefined>;
    for (const name of ['build', 'up', 'down', 'status', 'lint']) expect({ name, cache: t[name]?.cache }).toEqual({ name, cache: name === 'lint' ? true : false });
  });

  it('every image project has exactly docker-build, sbom and scan; scan needs the SBOM, the SBOM the image', () => {
    const images = Object.entries(nodes).filter(([, n]) => n.data.tags?.includes('type:image'));
    expect(images.map(([name]) => name).sort()).toEqual(['docker-backend', 'docker-frontend', 'tests-images-fixtures-three-builds-worker']);
    for (const [name, n] of images) {
      const t = n.data.targets as Record<string, { dependsOn?: unknown[]; cache?: boolean }>;
      expect({ name, targets: Object.keys(t).sort() }).toEqual({ name, targets: ['docker-build', 'sbom', 'scan'] });
      expect({ name, sbom: t.sbom.dependsOn, scan: t.scan.dependsOn, cached: [t.sbom.cache, t.scan.cache] }).toEqual({ name, sbom: ['docker-build'], scan: ['sbom'], cached: [false, false] });
    }
  });

  it('nx show projects --affected agrees for the model', () => {
    const out = nx('show', 'projects', '--affected', '--files=libs/service-spec/src/types.ts').trim().split('\n').sort();
    expect(out).toEqual(expectedAffected['service-spec']);
  });
});
