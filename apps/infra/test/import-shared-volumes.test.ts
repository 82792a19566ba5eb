import { importCompose } from '../src/import/compose-import';
import type { ReadFile } from '../src/import/compose-variables';
import type { ImportEntry } from '../src/import/report';

/**
 * Issue 19, found importing stacks in the shape of wordpress (wordpress + wp-cli on one volume) and
 * nextcloud (app + cron on one volume): the spec gives each service its own volume, and no line said the
 * services stopped sharing files; and a read-write data folder bind (./postgres, ./consume) was told to
 * "bake the files into the image".
 */
const repoPath = (p: string) => `stack/${p.replace(/^\.\//, '')}`;
const lines = (report: ImportEntry[], path: string) => report.filter((e) => e.path === path).map((e) => `${e.status}: ${e.message}`);

describe('import: a named volume that several services mount', () => {
  const { spec, report } = importCompose(
    {
      services: {
        app: { image: 'nextcloud:29-apache', ports: ['8080:80'], volumes: ['nextcloud:/var/www/html', 'logs:/var/log/app'] },
        cron: { image: 'nextcloud:29-apache', entrypoint: '/cron.sh', volumes: ['nextcloud:/var/www/html:z'] },
        wpcli: { image: 'wordpress:cli-2.11', volumes: [{ type: 'volume', source: 'nextcloud', target: '/var/www/html' }] },
      },
      volumes: { nextcloud: {}, logs: {} },
    },
    { name: 'demo', repoPath },
  );

  it('gets a line at each mount naming the other services and that the sharing ends', () => {
    expect(lines(report, 'services.app.volumes[0]')).toContainEqual(expect.stringMatching(/^decision: named volume "nextcloud" is also mounted by services\.cron, services\.wpcli, and in compose they share its files; the spec gives each service a volume of its own, so app no longer sees what they write there/));
    expect(lines(report, 'services.cron.volumes[0]')).toContainEqual(expect.stringMatching(/^decision: named volume "nextcloud" is also mounted by services\.app, services\.wpcli/));
    expect(lines(report, 'services.wpcli.volumes[0]')).toContainEqual(expect.stringMatching(/^decision: named volume "nextcloud" is also mounted by services\.app, services\.cron/));
    // Each service does get its own volume, as the line says.
    expect(spec.services.map((s) => s.volumes?.map((v) => v.name))).toEqual([['nextcloud', 'logs'], ['nextcloud'], ['nextcloud']]);
  });

  it('a volume only one service mounts gets no such line', () => {
    expect(lines(report, 'services.app.volumes[1]').join('\n')).not.toContain('also mounted');
  });
});

describe('import: a read-write folder bind (a data folder) is told to use a volume, not to bake files into the image', () => {
  const readFile: ReadFile = () => ({ state: 'unreadable', why: 'it is not a file' });
  it.each([
    ['./postgres:/var/lib/postgresql/data', /give it a volume: volumes: \[\{ name: data, mountPath: \/var\/lib\/postgresql\/data \}\] under the service in the spec/],
    ['./consume:/usr/src/paperless/consume', /give it a volume: volumes: \[\{ name: consume, mountPath: \/usr\/src\/paperless\/consume \}\]/],
  ])('%s', (volume, advice) => {
    const { report } = importCompose({ services: { app: { image: 'example/app:1.0', volumes: [volume] } } }, { name: 'demo', repoPath, readFile });
    expect(lines(report, 'services.app.volumes[0]')).toEqual([expect.stringMatching(advice)]);
  });

  it('a read-only folder is still told to bake its files into the image or list them in files', () => {
    const { report } = importCompose({ services: { app: { image: 'example/app:1.0', volumes: ['./html:/usr/share/nginx/html:ro'] } } }, { name: 'demo', repoPath, readFile });
    expect(lines(report, 'services.app.volumes[0]')[0]).toMatch(/Kubernetes has no host files: bake the files into the image, or list each file/);
    expect(lines(report, 'services.app.volumes[0]')[0]).not.toContain('give it a volume');
  });
});
