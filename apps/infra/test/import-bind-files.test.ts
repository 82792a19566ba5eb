import { validate, type StackSpec } from '@todo/service-spec';
import { parse } from 'yaml';
import { importCompose } from '../src/import/compose-import';
import type { ReadFile, ReadResult } from '../src/import/compose-variables';
import type { ImportEntry } from '../src/import/report';
import { renderOutputs } from '../src/outputs';

/**
 * Issue 19: a bind-mounted config file (./nginx.conf:/etc/nginx/nginx.conf:ro) reached compose's dev
 * override only, and the line said only that Kubernetes has no host files. A read-only text file from
 * the repository is now a file of files[] on both targets; any other bind says what to write instead.
 */
const NGINX = 'events {}\nhttp { server { listen 8080; location / { proxy_pass http://app:8000; } } }\n';
const tree: Record<string, ReadResult> = {
  'nginx.conf': { state: 'inside', text: NGINX },
  'db.sqlite3': { state: 'inside', text: 'SQLite format 3' },
  'html': { state: 'unreadable', why: 'it is not a file' },
  'tls.key': { state: 'inside', text: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n' },
  'logo.png': { state: 'inside', text: '\ufffdPNG\r\n' },
  'big.conf': { state: 'inside', text: 'x'.repeat(300 * 1024) },
};
const readFile: ReadFile = (p) => tree[p.replace(/^\.\//, '')] ?? { state: 'missing' };
const repoPath = (p: string) => `deploy/${p.replace(/^\.\//, '')}`;
const imported = (volumes: unknown[], withFiles = true) => importCompose({ services: { web: { image: 'nginx:1.27', ports: ['8080:8080'], volumes } } }, { name: 'demo', repoPath, ...(withFiles && { readFile }) });
const at = (report: ImportEntry[], path: string) => report.filter((e) => e.path === path).map((e) => `${e.status}: ${e.message}`);

describe('import: a read-only bind of a config file from the repository', () => {
  it('is a file of files[] (source relative to the repository), not a dev mount, with a decision line at the volume entry', () => {
    const { spec, report } = imported(['./nginx.conf:/etc/nginx/nginx.conf:ro']);
    const web = spec.services[0];
    expect(web.files).toEqual([{ path: '/etc/nginx/nginx.conf', source: 'deploy/nginx.conf' }]);
    expect(web.dev).toBeUndefined();
    expect(at(report, 'services.web.volumes[0]')).toEqual([expect.stringMatching(/^decision: read-only bind mount of the file "\.\/nginx\.conf" \(\d+ bytes\): imported as files: \[\{ path: \/etc\/nginx\/nginx\.conf, source: deploy\/nginx\.conf \}\], a ConfigMap .* run synth again after editing the file$/)]);
    expect(validate(spec)).toEqual([]);
  });

  it('reaches both targets: a ConfigMap key in Kubernetes and a read-only bind at the same path in compose', () => {
    const { spec } = imported(['./nginx.conf:/etc/nginx/nginx.conf:ro']);
    const { files } = renderOutputs(spec as StackSpec, {}, { readRepoFile: (p) => (p === 'deploy/nginx.conf' ? NGINX : assert(p)) });
    const objects = files.filter((f) => f.path.startsWith('dist/k8s/kubernetes/')).flatMap((f) => f.content.split(/^---$/m).map((d) => parse(d)).filter(Boolean));
    expect(objects.some((o) => o.kind === 'ConfigMap' && Object.values(o.data ?? {}).includes(NGINX))).toBe(true);
    const compose = parse(files.find((f) => f.path === 'docker/docker-compose.yml')!.content);
    expect(compose.services.web.volumes).toContainEqual(expect.objectContaining({ type: 'bind', target: '/etc/nginx/nginx.conf', read_only: true }));
  });

  it('the long form with read_only: true is the same', () => {
    const { spec } = imported([{ type: 'bind', source: './nginx.conf', target: '/etc/nginx/nginx.conf', read_only: true }]);
    expect(spec.services[0].files).toEqual([{ path: '/etc/nginx/nginx.conf', source: 'deploy/nginx.conf' }]);
  });
});

describe('import: a bind that stays a dev mount says what to write for Kubernetes', () => {
  it.each([
    ['read-write (the process may write it)', './db.sqlite3:/app/db.sqlite3', /add files: \[\{ path: \/app\/db\.sqlite3, source: deploy\/db\.sqlite3 \}\] under the service in the spec .* compose mounts it read-write/],
    ['a folder', './html:/usr/share/nginx/html:ro', /bake the files into the image, or list each file the service reads in files \(e\.g\. files: \[\{ path: \/usr\/share\/nginx\/html\/<name>, source: deploy\/html\/<name> \}\]\)/],
    ['a private key', './tls.key:/etc/ssl/tls.key:ro', /looks like a secret.* files: \[\{ path: \/etc\/ssl\/tls\.key, secret: \{ secret: <name>, key: <key> \} \}\]/],
    ['not text', './logo.png:/srv/logo.png:ro', /not UTF-8 text/],
    ['too large for a ConfigMap', './big.conf:/etc/big.conf:ro', /307200 bytes, more than the import puts in the service's ConfigMap/],
  ])('%s', (_what, volume, message) => {
    const { spec, report } = imported([volume]);
    expect(spec.services[0].files).toBeUndefined();
    expect(spec.services[0].dev?.mounts).toHaveLength(1);
    expect(at(report, 'services.web.volumes[0]')).toEqual([expect.stringMatching(/^decision: bind mount of ".*" is a development mount \(docker-compose\.dev\.yml only\); Kubernetes has no host files: /)]);
    expect(at(report, 'services.web.volumes[0]')[0]).toMatch(message);
  });

  it('without file access, the files entry is suggested', () => {
    const { spec, report } = imported(['./nginx.conf:/etc/nginx/nginx.conf:ro'], false);
    expect(spec.services[0].dev?.mounts).toEqual([{ source: 'deploy/nginx.conf', target: '/etc/nginx/nginx.conf' }]);
    expect(at(report, 'services.web.volumes[0]')[0]).toMatch(/add files: \[\{ path: \/etc\/nginx\/nginx\.conf, source: deploy\/nginx\.conf \}\] under the service in the spec/);
  });
});

function assert(p: string): never {
  throw new Error(`unexpected read of ${p}`);
}
