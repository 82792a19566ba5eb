// What Docker really sends: a probe build with the same ignore file copies the
// whole context into an image and lists it.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInputs, docker, dockerTool, run, unique, DOCKER, type Service } from './docker';
import { plant, plantedPaths, unplant } from './plant';

function sentContext(service: Service): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ctx-probe-'));
  const tag = `${unique('todo-ctx-probe')}:${service}`;
  try {
    // BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile given with -f.
    copyFileSync(join('docker', service, 'Dockerfile.dockerignore'), join(dir, 'Dockerfile.dockerignore'));
    writeFileSync(join(dir, 'Dockerfile'), 'ARG BASE\nFROM ${BASE}\nCOPY . /ctx\nRUN cd /ctx && find . -type f | sort > /ctx.list\n');
    const base = buildInputs('build-args', service).split('\n')[0].split('=')[1];
    const b = run(DOCKER, [...dockerTool.build, '-q', '--no-cache', '-f', join(dir, 'Dockerfile'), '--build-arg', `BASE=${base}`, '-t', tag, '.'], {
      env: { ...process.env, ...dockerTool.buildEnv },
    });
    if (b.status !== 0) throw new Error(b.stderr);
    return docker('run', '--rm', '--entrypoint', 'cat', tag, '/ctx.list').split('\n').map((l) => l.replace(/^\.\//, ''));
  } finally {
    run(DOCKER, ['rmi', '-f', tag]);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('build context', () => {
  beforeAll(plant);
  afterAll(unplant);

  it.each(['backend', 'frontend'] as const)('%s: excludes planted .env files and node_modules; equals the tag inputs', (service) => {
    const sent = sentContext(service);
    for (const p of plantedPaths) expect(sent).not.toContain(p);
    expect(sent.filter((f) => /(^|\/)(node_modules|\.venv|\.git|__pycache__|\.next)\//.test(f))).toEqual([]);
    expect(sent.filter((f) => /(^|\/)\.env/.test(f))).toEqual([]);
    expect(sent).toContain(`apps/${service}/${service === 'backend' ? 'requirements.txt' : 'package-lock.json'}`);
    // The app's own files, and the health probe's source both images build.
    expect(sent.filter((f) => !f.startsWith(`apps/${service}/`))).toEqual(['docker/healthprobe/healthprobe.c', 'docker/rootfs/os-packages.sh']);
    // The image tag hashes exactly what Docker receives, no more and no less.
    expect(sent.sort()).toEqual(buildInputs('context', service).split('\n').sort());
  });
});
