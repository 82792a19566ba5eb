// How Nx finds the plugin: nx.json names the package @todo/nx-plugin, which npm
// installs as a copy (.npmrc install-links=true). A plugin that resolves into
// the workspace makes Nx's plugin worker read every project file first
// (about 0.6 s per nx command with Nx's default plugin isolation, bench/synth).
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

const repoRoot = join(__dirname, '..', '..', '..');

describe('@todo/nx-plugin, the package nx.json loads', () => {
  const installed = require.resolve('@todo/nx-plugin', { paths: [repoRoot] });

  it('is what nx.json names, installed as a copy under node_modules that equals its source', () => {
    const nxJson = JSON.parse(readFileSync(join(repoRoot, 'nx.json'), 'utf8'));
    expect(nxJson.plugins.map((p: string | { plugin: string }) => (typeof p === 'string' ? p : p.plugin))).toContain('@todo/nx-plugin');
    // Nx judges the resolved real path: under node_modules means "installed", so no workspace scan.
    expect(realpathSync(installed).split(sep)).toContain('node_modules');
    expect(lstatSync(join(repoRoot, 'node_modules', '@todo', 'nx-plugin')).isSymbolicLink()).toBe(false);
    const source = readFileSync(join(repoRoot, 'tools', 'nx-plugin', 'package', 'index.cjs'), 'utf8');
    // A stale copy (the shim changed after the last install) is fixed by `npm ci`.
    expect({ installed: readFileSync(installed, 'utf8'), fix: 'npm ci' }).toEqual({ installed: source, fix: 'npm ci' });
  });

  describe('loads the plugin source of the workspace Nx runs in', () => {
    let dir: string;
    beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'nx-plugin-package-'))));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const load = (root: string) =>
      spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(installed)})))`], {
        cwd: root,
        env: { ...process.env, NX_WORKSPACE_ROOT_PATH: root },
        encoding: 'utf8',
      });

    it('another checkout sharing this node_modules gets its own plugin, not this one', () => {
      const other = join(dir, 'other');
      mkdirSync(join(other, 'tools', 'nx-plugin'), { recursive: true });
      writeFileSync(join(other, 'tools', 'nx-plugin', 'index.cjs'), 'module.exports = { checkout: "other" };');
      const r = load(other);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ checkout: 'other' });
    });

    it('nx started in a subdirectory of a checkout (no NX_WORKSPACE_ROOT_PATH) loads that checkout\'s plugin', () => {
      // Nx's workspace root is the nearest folder up from the current one with an nx.json; with
      // NX_ISOLATE_PLUGINS=false the plugin loads in the nx process, whose cwd is where nx was started.
      const other = join(dir, 'nested');
      const sub = join(other, 'apps', 'infra');
      mkdirSync(join(other, 'tools', 'nx-plugin'), { recursive: true });
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(other, 'nx.json'), '{}');
      writeFileSync(join(other, 'tools', 'nx-plugin', 'index.cjs'), 'module.exports = { checkout: "nested" };');
      const env = { ...process.env };
      delete env.NX_WORKSPACE_ROOT_PATH;
      const r = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(installed)})))`], { cwd: sub, env, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ checkout: 'nested' });
    });

    it('a workspace without tools/nx-plugin gets an error that names the file and the fix', () => {
      const empty = join(dir, 'empty');
      mkdirSync(empty);
      const r = load(empty);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`@todo/nx-plugin: ${join(empty, 'tools', 'nx-plugin', 'index.cjs')} not found`);
      expect(r.stderr).toContain('fix: run nx in that workspace');
    });

    it('this workspace: Nx infers the docker-build projects through it with its default plugin isolation', () => {
      const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
      delete env.NX_ISOLATE_PLUGINS;
      const projects = execFileSync('npx', ['nx', 'show', 'projects', '-t', 'docker-build'], { cwd: repoRoot, encoding: 'utf8', env }).trim().split('\n').sort();
      expect(projects).toEqual(['docker-backend', 'docker-frontend', 'tests-images-fixtures-three-builds-worker']);
    });
  });
});
