import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { StackSpec } from '@todo/service-spec';
import { repoPathIssues } from './repo-paths';
import { sourceHash } from './tag';

let base: string;
let root: string;
const write = (path: string, content = path) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
};

/** A repo beside a directory outside it, which symlinks and `..` reach. */
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'repo-paths-'));
  root = join(base, 'repo');
  write('nx.json', '{}');
  write('docker/app/Dockerfile', 'FROM scratch\n');
  write('config/app.conf', 'a=1\n');
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'outside', 'secret.txt'), 'not yours\n');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const spec = (app: Record<string, unknown>): StackSpec => ({
  name: 'demo',
  services: [{ name: 'app', role: 'api', image: { build: { context: '.', dockerfile: 'docker/app/Dockerfile' } }, ...app } as any],
  environments: { local: { target: 'compose' } },
});

describe('repoPathIssues: what a spec reads from the repo stays in the repo', () => {
  it('accepts files, contexts and Dockerfiles inside the repo, a symlink inside included', () => {
    symlinkSync(join(root, 'config', 'app.conf'), join(root, 'config', 'link.conf'));
    expect(repoPathIssues(spec({ files: [{ path: '/etc/a.conf', source: 'config/app.conf' }, { path: '/etc/b.conf', source: 'config/link.conf' }] }), root)).toEqual([]);
  });

  it('refuses a file source that is a symlink to a file outside the repo (e.g. /etc/passwd)', () => {
    symlinkSync('/etc/passwd', join(root, 'config', 'passwd'));
    expect(repoPathIssues(spec({ files: [{ path: '/etc/a.conf', source: 'config/passwd' }] }), root)).toEqual([
      { path: 'services.app.files[0].source', message: expect.stringContaining('"config/passwd" resolves to /etc/passwd, outside the repository') },
    ]);
  });

  it('refuses a file source reached through a symlinked directory pointing outside', () => {
    symlinkSync(join(base, 'outside'), join(root, 'shared'));
    expect(repoPathIssues(spec({ files: [{ path: '/etc/a.conf', source: 'shared/secret.txt' }] }), root)).toEqual([
      { path: 'services.app.files[0].source', message: expect.stringContaining('outside the repository') },
    ]);
  });

  it('refuses a build context of ".." and one that is a symlink out of the repo', () => {
    expect(repoPathIssues(spec({ image: { build: { context: '..', dockerfile: 'docker/app/Dockerfile' } } }), root)).toEqual([
      { path: 'services.app.image.build.context', message: expect.stringContaining('outside the repository') },
    ]);
    symlinkSync(join(base, 'outside'), join(root, 'ctx'));
    expect(repoPathIssues(spec({ image: { build: { context: 'ctx', dockerfile: 'docker/app/Dockerfile' } } }), root)).toEqual([
      { path: 'services.app.image.build.context', message: expect.stringContaining('outside the repository') },
    ]);
  });

  it('never hashes a context outside the repo', () => {
    expect(() => sourceHash(root, { context: '..', dockerfile: 'docker/app/Dockerfile' })).toThrow(/build context "\.\." resolves to .*, outside the repository/);
  });

  it('reports a missing Dockerfile and a missing file source at their fields', () => {
    expect(repoPathIssues(spec({ image: { build: { context: '.', dockerfile: 'docker/nope/Dockerfile' } }, files: [{ path: '/etc/a', source: 'config/missing.conf' }] }), root)).toEqual([
      { path: 'services.app.image.build.dockerfile', message: expect.stringContaining('the Dockerfile "docker/nope/Dockerfile" does not exist') },
      { path: 'services.app.files[0].source', message: expect.stringContaining('a file source "config/missing.conf" does not exist') },
    ]);
  });

  it('refuses a directory as a file source and a dev mount that climbs out', () => {
    expect(repoPathIssues(spec({ files: [{ path: '/etc/a', source: 'config' }], dev: { mounts: [{ source: '../outside', target: '/x' }] } }), root)).toEqual([
      { path: 'services.app.files[0].source', message: 'a file source "config" is not a regular file' },
      { path: 'services.app.dev.mounts[0].source', message: expect.stringContaining('outside the repository') },
    ]);
  });

  it('counts file sources into the 1 MiB of the files ConfigMap, without reading them', () => {
    write('config/big.bin', 'x'.repeat(700 * 1024));
    const issues = repoPathIssues(spec({ files: [{ path: '/etc/a', source: 'config/big.bin' }, { path: '/etc/b', content: 'y'.repeat(400 * 1024) }] }), root);
    expect(issues).toEqual([{ path: 'services.app.files', message: expect.stringContaining('their ConfigMap holds at most 1048576 (1 MiB)') }]);
  });
});
