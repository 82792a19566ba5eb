// Both runtimes are distroless-grade: no shell to exec into, no package manager or its
// database, no setuid/setgid file. The images have no shell to list themselves with, so
// the container's filesystem is read from `docker export`, a tar stream parsed here.
import { spawnSync } from 'node:child_process';
import { docker, ensureImage, removeContainers, run, unique, DOCKER, type Service } from './docker';

interface Entry {
  path: string;
  mode: number;
  type: string;
}

const octal = (b: Buffer, at: number, len: number): number => parseInt(b.toString('latin1', at, at + len).replace(/\0.*$/s, '').trim() || '0', 8);
const cstr = (b: Buffer, at: number, len: number): string => b.toString('utf8', at, at + len).replace(/\0.*$/s, '');

/** The entries of a tar archive (ustar, with the PAX and GNU long-name records Docker writes). */
export function tarEntries(tar: Buffer): Entry[] {
  const out: Entry[] = [];
  let longName: string | undefined;
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 0x30);
    const body = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      const path = body.toString('utf8').match(/^\d+ path=(.*)$/m);
      if (path) longName = path[1];
      continue;
    }
    if (type === 'L') {
      longName = cstr(body, 0, body.length);
      continue;
    }
    if (type === 'g') continue;
    const prefix = cstr(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${cstr(header, 0, 100)}` : cstr(header, 0, 100));
    longName = undefined;
    // Permission bits only: Docker's archive/tar also writes the file-type bits (0o100000 for a file).
    out.push({ path: name.replace(/^\.?\//, '').replace(/\/$/, ''), mode: octal(header, 100, 8) & 0o7777, type });
  }
  return out;
}

function exportFilesystem(ref: string): Entry[] {
  const c = unique('todo-img-export');
  try {
    docker('create', '--name', c, ref);
    const r = spawnSync(DOCKER, ['export', c], { maxBuffer: 1024 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`docker export ${c} failed: ${r.stderr}`);
    return tarEntries(r.stdout);
  } finally {
    removeContainers(c);
  }
}

const SHELLS = ['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox', 'toybox'];
const PACKAGE_MANAGERS = ['apt', 'apt-get', 'apt-cache', 'dpkg', 'dpkg-query', 'apk', 'rpm', 'yum', 'dnf', 'microdnf', 'pip', 'pip3', 'npm', 'npx', 'yarn', 'corepack'];
const PACKAGE_DATABASES = ['var/lib/dpkg', 'var/lib/apt', 'var/cache/apt', 'lib/apk', 'etc/apk', 'var/lib/rpm', 'usr/lib/sysimage/rpm'];
// What SBOM tools read instead (docker/rootfs/os-packages.sh): one dpkg status stanza per
// package, as distroless images keep; no package manager can use it.
const STATUS_D = /^var\/lib\/dpkg\/status\.d(\/[a-z0-9][a-z0-9+.-]*)?$/;
const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

describe('tar headers from docker export', () => {
  it('reads names, modes and setuid bits, long names included', () => {
    const header = (name: string, mode: number, type = '0', size = 0): Buffer => {
      const h = Buffer.alloc(512);
      h.write(name, 0, 'utf8');
      h.write(`${mode.toString(8).padStart(7, '0')}\0`, 100, 'latin1');
      h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
      h.write(type, 156, 'latin1');
      return h;
    };
    const long = `${'d/'.repeat(80)}file`;
    const pax = Buffer.from(`${long.length + 10} path=${long}\n`);
    const tar = Buffer.concat([
      header('bin/su', 0o104755),
      header('pax', 0o644, 'x', pax.length), Buffer.concat([pax, Buffer.alloc(512 - pax.length)]),
      header('ignored-short-name', 0o2755),
      Buffer.alloc(1024),
    ]);
    expect(tarEntries(tar)).toEqual([
      { path: 'bin/su', mode: 0o4755, type: '0' },
      { path: long, mode: 0o2755, type: '0' },
    ]);
  });
});

describe.each(['backend', 'frontend'] as Service[])('%s runtime: no shell, no package manager, no setuid', (service) => {
  let ref = '';
  let entries: Entry[] = [];
  beforeAll(() => {
    ref = ensureImage(service);
    entries = exportFilesystem(ref);
  });

  it.each(['/bin/sh', 'sh', 'bash', 'busybox'])('--entrypoint %s fails to start', (shell) => {
    const r = run(DOCKER, ['run', '--rm', '--entrypoint', shell, ref, '-c', 'echo started']);
    expect(r.stdout).not.toContain('started');
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 127, stderr: expect.stringMatching(/executable file not found|no such file or directory/) });
  });

  it('holds no shell, package manager, package database or perl', () => {
    expect(entries.length).toBeGreaterThan(100);
    expect(entries.filter((e) => e.type !== '5' && SHELLS.includes(base(e.path))).map((e) => e.path)).toEqual([]);
    expect(entries.filter((e) => e.type !== '5' && PACKAGE_MANAGERS.includes(base(e.path))).map((e) => e.path)).toEqual([]);
    const isDatabase = (p: string) => PACKAGE_DATABASES.some((d) => p === d || p.startsWith(`${d}/`));
    const isParent = (p: string) => ['var/lib/dpkg', 'var/lib/dpkg/status.d'].includes(p.replace(/\/$/, ''));
    expect(entries.filter((e) => isDatabase(e.path) && !STATUS_D.test(e.path.replace(/\/$/, '')) && !(e.type === '5' && isParent(e.path))).map((e) => e.path)).toEqual([]);
    expect(entries.filter((e) => /^perl[\d.]*$/.test(base(e.path)) || /(^|\/)perl5?\//.test(e.path)).map((e) => e.path)).toEqual([]);
  });

  it('resolves names from /etc/hosts before DNS (extra_hosts, hostAliases, localhost), as an image with a shell does', () => {
    // Without /etc/nsswitch.conf glibc asks DNS first and reads /etc/hosts only when DNS is
    // unreachable: on a user-defined network Docker's DNS answers, so --add-host names failed.
    const net = unique('todo-img-resolve');
    docker('network', 'create', net);
    try {
      const resolve = service === 'backend'
        ? ['python', '-c', 'import socket; print(socket.gethostbyname("probe-alias"), socket.gethostbyname("localhost"))']
        : ['node', '-e', 'const d = require("dns"); d.lookup("probe-alias", 4, (e, a) => d.lookup("localhost", 4, (e2, b) => console.log(e || e2 ? String(e || e2) : a + " " + b)))'];
      const r = run(DOCKER, ['run', '--rm', '--network', net, '--add-host', 'probe-alias:10.31.32.33', '--entrypoint', resolve[0], ref, ...resolve.slice(1)]);
      expect({ status: r.status, out: r.stdout.trim(), err: r.stderr.trim() }).toEqual({ status: 0, out: '10.31.32.33 127.0.0.1', err: '' });
    } finally {
      run(DOCKER, ['network', 'rm', net]);
    }
  });

  it('has no file with a setuid or setgid bit', () => {
    expect(entries.filter((e) => e.type !== '5' && e.mode & 0o6000).map((e) => `${e.path} ${e.mode.toString(8)}`)).toEqual([]);
  });

  it('carries the static health probe its HEALTHCHECK runs, in exec form', () => {
    const test: string[] = JSON.parse(docker('image', 'inspect', '-f', '{{json .Config.Healthcheck.Test}}', ref));
    expect(test.slice(0, 2)).toEqual(['CMD', '/usr/local/bin/healthprobe']);
    expect(entries.find((e) => e.path === 'usr/local/bin/healthprobe')?.mode).toBe(0o755);
  });
});
