// scripts/docker-plugins.sh keeps a plugin the client already runs only when it is at the pinned
// version or newer, by semver precedence: a pre-release is lower than its release. The client is
// a stub that prints a version; nothing is built or installed (no Docker needed).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..');

/** Sources the script (which then only defines its functions) and runs `body` in that shell. */
const sourced = (body: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync('bash', ['-c', `source scripts/docker-plugins.sh\n${body}`, 'test', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
};
// The versions tools/go-tools/<tool>/go.mod pins.
const pinnedGo = (tool: string, module: string) => new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[./]/g, '\\$&')} v(\\S+)`, 'm').exec(readFileSync(join(repoRoot, 'tools/go-tools', tool, 'go.mod'), 'utf8'))![1];
const COMPOSE = pinnedGo('compose', 'github.com/docker/compose/v2');
const BUILDX = pinnedGo('buildx', 'github.com/docker/buildx');

describe('docker-plugins.sh: version precedence', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'docker-plugins-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A docker client whose `compose version --short` and `buildx version` print these versions. */
  const client = (compose: string, buildx: string) => {
    const bin = join(dir, 'docker');
    writeFileSync(bin, `#!/bin/sh\ncase "$1 $2" in\n  "compose version") echo "${compose}" ;;\n  "buildx version") echo "github.com/docker/buildx ${buildx} 0123456789abcdef" ;;\n  *) exit 1 ;;\nesac\n`);
    chmodSync(bin, 0o755);
    return bin;
  };
  const current = (tool: string, docker: string) => sourced(`client_current ${tool} && echo kept || echo replace`, [], { DOCKER: docker }).stdout;

  it('compares by semver precedence, pre-releases below their release', () => {
    const cases: Array<[string, string, string]> = [
      ['2.35.0-rc.1', '2.35.0', '-1'],
      ['2.35.0', '2.35.0-rc.1', '1'],
      ['2.35.0', '2.35.0', '0'],
      ['v2.35.0', '2.35.0', '0'],
      ['2.35.0+ds1', '2.35.0', '0'],
      ['2.35.1-rc.1', '2.35.0', '1'],
      ['2.40.3-desktop.1', '2.35.0', '1'],
      ['0.39.1', '0.39.10', '-1'],
      // semver.org's own ordering example.
      ['1.0.0-alpha', '1.0.0-alpha.1', '-1'],
      ['1.0.0-alpha.1', '1.0.0-alpha.beta', '-1'],
      ['1.0.0-alpha.beta', '1.0.0-beta', '-1'],
      ['1.0.0-beta', '1.0.0-beta.2', '-1'],
      ['1.0.0-beta.2', '1.0.0-beta.11', '-1'],
      ['1.0.0-beta.11', '1.0.0-rc.1', '-1'],
      ['1.0.0-rc.1', '1.0.0', '-1'],
    ];
    const got = cases.map(([a, b]) => [a, b, sourced('semver_compare "$1" "$2"', [a, b]).stdout]);
    expect(got).toEqual(cases);
  });

  it("a client plugin at a pre-release of the pinned version is replaced; the release or newer is kept", () => {
    expect(current('compose', client(`${COMPOSE}-rc.1`, `v${BUILDX}-rc.1`))).toBe('replace');
    expect(current('buildx', client(`${COMPOSE}-rc.1`, `v${BUILDX}-rc.1`))).toBe('replace');
    expect(current('compose', client(`v${COMPOSE}`, `v${BUILDX}`))).toBe('kept');
    expect(current('buildx', client(`v${COMPOSE}`, `v${BUILDX}`))).toBe('kept');
    expect(current('compose', client('2.99.0-desktop.1', 'v9.0.0'))).toBe('kept');
  });

  it('run as a script, keeps a current client plugin without building anything', () => {
    const r = spawnSync('bash', ['scripts/docker-plugins.sh', 'compose', 'buildx'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, DOCKER: client(`v${COMPOSE}`, `v${BUILDX}`), DOCKER_CONFIG: dir } });
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 0,
      stderr: `docker-plugins: ${dir}/docker compose ${COMPOSE} (pinned ${COMPOSE} or newer): kept\ndocker-plugins: ${dir}/docker buildx ${BUILDX} (pinned ${BUILDX} or newer): kept\n`,
    });
  });
});
