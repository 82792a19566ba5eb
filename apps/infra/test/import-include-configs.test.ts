import { validate } from '@todo/service-spec';
import { importCompose } from '../src/import/compose-import';
import type { ReadFile } from '../src/import/compose-variables';
import type { ImportEntry } from '../src/import/report';

/** Issue 19, found importing odd-but-valid Compose v2 files: inline configs and include. */
const repoPath = (p: string) => p.replace(/^\.\//, '');
const lines = (report: ImportEntry[], path: string) => report.filter((e) => e.path === path).map((e) => `${e.status}: ${e.message}`);

describe('import: a config with inline content (Compose v2 configs.<name>.content)', () => {
  it('is a file with that content (it was "not a file inside this repository" and lost)', () => {
    const { spec, report } = importCompose(
      { services: { app: { image: 'example/app:1.0', configs: [{ source: 'app_conf', target: '/etc/app/app.conf' }, 'motd'] } }, configs: { app_conf: { content: 'key = value\n' }, motd: { content: 'hello\n' } } },
      { name: 'demo', repoPath },
    );
    expect(spec.services[0].files).toEqual([{ path: '/etc/app/app.conf', content: 'key = value\n' }, { path: '/motd', content: 'hello\n' }]);
    expect(lines(report, 'services.app.configs[0]')).toEqual([expect.stringMatching(/^decision: config file \/etc\/app\/app\.conf with the inline content of configs\.app_conf: imported as files\[\]\.content/)]);
    expect(validate(spec)).toEqual([]);
  });

  it('secret-looking inline text is not put in a ConfigMap: a cannot-map line', () => {
    const { spec, report } = importCompose(
      { services: { app: { image: 'example/app:1.0', configs: [{ source: 'key', target: '/etc/app/tls.key' }] } }, configs: { key: { content: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n' } } },
      { name: 'demo', repoPath },
    );
    expect(spec.services[0].files).toBeUndefined();
    expect(lines(report, 'services.app.configs[0]')).toEqual([expect.stringMatching(/^unmapped: config "key" is inline text whose name or content looks like a secret/)]);
  });
});

describe('import: include', () => {
  it('names each included service at its own path when the file can be read (the round trip sees each as a missing service)', () => {
    const readFile: ReadFile = (p) => (p === './extra.yaml' ? { state: 'inside', text: 'services:\n  included:\n    image: nginx:1.27\n  other:\n    image: redis:7\n' } : { state: 'missing' });
    const { report } = importCompose({ include: ['./extra.yaml', './gone.yaml'], services: { app: { image: 'example/app:1.0' } } }, { name: 'demo', repoPath, readFile });
    for (const n of ['included', 'other']) expect(lines(report, `services.${n}`)).toEqual([expect.stringMatching(/^unmapped: defined in the included file "\.\/extra\.yaml", which the import does not read: compose runs it, and it is not imported/)]);
    expect(lines(report, 'include')).toEqual([expect.stringMatching(/^unmapped: the included file "\.\/gone\.yaml" is not read/)]);
  });

  it('says the included files are not read and their services are not imported (it said only "not a field the spec models")', () => {
    const { report } = importCompose({ include: ['./extra.yaml', { path: ['./a.yaml', './b.yaml'] }], services: { app: { image: 'example/app:1.0' } } }, { name: 'demo', repoPath });
    expect(lines(report, 'include')).toEqual([expect.stringMatching(/^unmapped: the included files "\.\/extra\.yaml", "\.\/a\.yaml", "\.\/b\.yaml" are not read: compose runs the services they define, which are not imported; merge the project into one file with `docker compose config > merged\.yml` and import that$/)]);
  });
});

describe('import: network_mode "service:vpn" (a gluetun-style stack)', () => {
  it('is a cannot-map line saying what changes, and the start order compose implies is kept as dependsOn', () => {
    const { spec, report } = importCompose(
      { services: { vpn: { image: 'qmcgaw/gluetun:v3.39', ports: ['8888:8888'] }, torrent: { image: 'lscr.io/linuxserver/qbittorrent:4.6.5', network_mode: 'service:vpn' }, host: { image: 'example/x:1', network_mode: 'host' } } },
      { name: 'demo', repoPath },
    );
    expect(spec.services.find((s) => s.name === 'torrent')!.dependsOn).toEqual([{ service: 'vpn', condition: 'started' }]);
    expect(lines(report, 'services.torrent.network_mode')).toEqual([expect.stringMatching(/^unmapped: compose runs it in the network namespace of "vpn" .* imported as dependsOn vpn \(started\)$/)]);
    expect(lines(report, 'services.host.network_mode')).toEqual(['unmapped: network mode "host" is not modelled: the service joins the networks of its dependsOn and talksTo edges']);
  });
});
