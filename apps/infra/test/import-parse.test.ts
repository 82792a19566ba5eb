/**
 * Every short and long form of compose ports, expose, volumes, tmpfs and
 * healthcheck (issue 19, item 6): each is mapped, or named in the report; none
 * is mis-split or crashes the import.
 */
import { validate } from '@todo/service-spec';
import { importCompose } from '../src/import/compose-import';
import { parseExpose, parsePorts, parseVolume } from '../src/import/compose-parse';

const repoPath = (p: string) => (p.startsWith('/') || p.startsWith('../') ? undefined : p.replace(/^\.\//, ''));
const one = (service: Record<string, unknown>) => importCompose({ services: { app: { image: 'example/app:1', ...service } } }, { name: 'demo', repoPath });
const lines = (report: { path: string; status: string; message: string }[], path: string) => report.filter((e) => e.path === path).map((e) => `${e.status}: ${e.message}`);

describe('ports: short and long forms', () => {
  const ports = (p: unknown) => {
    const r = parsePorts(p);
    return typeof r === 'string' ? r : r.map((x) => `${x.hostIp ? `${x.hostIp}:` : ''}${x.published ?? (x.random ? '*' : '-')}:${x.target}/${x.protocol}`);
  };
  it.each([
    ['80', ['*:80/TCP']],
    [3000, ['*:3000/TCP']],
    ['8080:80', ['8080:80/TCP']],
    ['127.0.0.1:8080:80', ['127.0.0.1:8080:80/TCP']],
    ['127.0.0.1::80', ['127.0.0.1:*:80/TCP']],
    ['53:53/udp', ['53:53/UDP']],
    ['8000-8002:8000-8002', ['8000:8000/TCP', '8001:8001/TCP', '8002:8002/TCP']],
    ['9090-9091:8080-8081', ['9090:8080/TCP', '9091:8081/TCP']],
    ['3000-3001', ['*:3000/TCP', '*:3001/TCP']],
    ['127.0.0.1:5000-5001:5000-5001/udp', ['127.0.0.1:5000:5000/UDP', '127.0.0.1:5001:5001/UDP']],
    ['8000-9000:80', ['-:80/TCP']],
    ['[::1]:8080:80', ['127.0.0.1:8080:80/TCP']],
    ['::1:8080:80', ['127.0.0.1:8080:80/TCP']],
    ['[::]:8080:80', ['0.0.0.0:8080:80/TCP']],
    [{ target: 80, published: 8080, host_ip: '0.0.0.0', protocol: 'tcp' }, ['0.0.0.0:8080:80/TCP']],
    [{ target: '80', published: '8080-8081' }, ['-:80/TCP']],
    [{ target: 53, protocol: 'udp' }, ['*:53/UDP']],
    [{ target: 80, host_ip: '::1', published: '8080' }, ['127.0.0.1:8080:80/TCP']],
  ])('%j', (input, expected) => expect(ports(input)).toEqual(expected));

  it.each([
    ['8000-8002:8000-8001', /differ in length; compose refuses it too/],
    ['80:80/sctp', /protocol "sctp" is not modelled/],
    ['1-65535', /names 65535 ports; the import takes at most 100/],
    ['65536', /not a port number within 1-65535/],
    ['localhost:80:80', /host IP "localhost" is not an IP address/],
    ['abc', /container port "abc" is not a port number or range/],
    ['[::1]80', /IPv6 host IP in brackets/],
    [{ target: 'x' }, /target "x" is not a port number/],
    [{ target: 80, published: { a: 1 } }, /published .* is not a port number or range/],
    [null, /is not a port/],
  ])('%j is a clear line, not a crash', (input, message) => expect(parsePorts(input)).toMatch(message));

  it('in the spec: a range is each port; a host range for one port and an IPv6 address are decisions', () => {
    const { spec, report } = one({ ports: ['8000-8001:8000-8001', '9000-9005:9000', '[::1]:7000:7000', '53:53/udp'] });
    expect(spec.services[0].ports).toEqual([
      { name: 'http', port: 8000, hostPort: 8000 },
      { name: 'p8001', port: 8001, hostPort: 8001 },
      { name: 'p9000', port: 9000 },
      { name: 'p7000', port: 7000, hostPort: 7000 },
      { name: 'p53', port: 53, protocol: 'UDP', hostPort: 53 },
    ]);
    expect(lines(report, 'services.app.ports[1]')).toContainEqual(expect.stringMatching(/^decision: compose publishes container port 9000 on one free host port of 9000-9005/));
    expect(lines(report, 'services.app.ports[2]')).toContainEqual(expect.stringMatching(/^decision: published on the IPv6 loopback \[::1\] in compose; the spec binds IPv4: published on 127.0.0.1/));
    expect(validate(spec).filter((i) => i.path.includes('ports'))).toEqual([]);
  });

  it('expose: numbers, strings, ranges and /udp', () => {
    expect(parseExpose(3000)).toEqual([{ target: 3000, protocol: 'TCP' }]);
    expect(parseExpose('5000-5001/udp')).toEqual([{ target: 5000, protocol: 'UDP' }, { target: 5001, protocol: 'UDP' }]);
    expect(parseExpose('x')).toMatch(/not a port number/);
    const { spec } = one({ expose: ['5000-5001', '6000/udp'] });
    expect(spec.services[0].ports).toEqual([{ name: 'http', port: 5000 }, { name: 'p5001', port: 5001 }, { name: 'p6000', port: 6000, protocol: 'UDP' }]);
  });
});

describe('volumes: every form', () => {
  it.each([
    ['/data', { type: 'anonymous', target: '/data', mountOpts: [] }],
    ['data:/var/lib/data', { type: 'volume', source: 'data', target: '/var/lib/data', mountOpts: [] }],
    ['./src:/app', { type: 'bind', source: './src', target: '/app', mountOpts: [] }],
    ['../up:/app:rw', { type: 'bind', source: '../up', target: '/app', mountOpts: ['rw'] }],
    ['~/cfg:/cfg:ro', { type: 'bind', source: '~/cfg', target: '/cfg', mountOpts: ['ro'] }],
    ['/etc/ssl:/ssl:ro,z', { type: 'bind', source: '/etc/ssl', target: '/ssl', mountOpts: ['ro', 'z'] }],
    ['data:/data:Z', { type: 'volume', source: 'data', target: '/data', mountOpts: ['Z'] }],
    ['data:/data:nocopy', { type: 'volume', source: 'data', target: '/data', mountOpts: ['nocopy'] }],
    ['C:\\data:/data', { type: 'bind', source: 'C:\\data', target: '/data', mountOpts: [] }],
    [{ type: 'volume', source: 'logs', target: '/logs', read_only: true, volume: { nocopy: true } }, { type: 'volume', source: 'logs', target: '/logs', mountOpts: ['ro', 'volume: {"nocopy":true}'] }],
    [{ type: 'volume', target: '/cache' }, { type: 'anonymous', target: '/cache', mountOpts: [] }],
    [{ type: 'bind', source: './x', target: '/x', bind: { create_host_path: true } }, { type: 'bind', source: './x', target: '/x', mountOpts: ['bind: {"create_host_path":true}'] }],
    [{ type: 'tmpfs', target: '/run', tmpfs: { size: 1000 } }, { type: 'tmpfs', target: '/run', mountOpts: ['tmpfs: {"size":1000}'] }],
  ])('%j', (input, expected) => expect(parseVolume(input)).toEqual(expected));

  it.each([
    ['/a:/b:ro:x', /more than source:target:mode \(compose refuses it too: "too many colons"\)/],
    [':/data', /empty source/],
    ['/data::ro', /empty container path/],
    [{ type: 'bind', source: 5, target: '/x' }, /source 5 is not a path/],
    [{ type: 'volume' }, /target null is not a container path/],
    [42, /is not a volume/],
  ])('%j is a clear line, not a crash', (input, message) => expect(parseVolume(input)).toMatch(message));

  it('in the spec: named volume, anonymous and tmpfs writable paths, bind in the repo a dev mount, ~ and absolute binds outside it', () => {
    const { spec, report } = one({
      volumes: ['data:/var/lib/data', '/cache', './src:/app:ro', '~/.aws:/root/.aws:ro', '/var/log:/host-log', { type: 'tmpfs', target: '/run', tmpfs: { size: 1000 } }, { type: 'volume', source: 'logs', target: '/logs', volume: { nocopy: true } }],
      tmpfs: ['/tmp:size=64m', '/scratch'],
    });
    const s = spec.services[0];
    expect(s.volumes).toEqual([{ name: 'data', mountPath: '/var/lib/data' }, { name: 'logs', mountPath: '/logs' }]);
    expect(s.writablePaths).toEqual(['/cache', '/run', '/tmp', '/scratch']);
    expect(s.dev?.mounts).toEqual([{ source: 'src', target: '/app' }]);
    expect(lines(report, 'services.app.volumes[3]')).toContainEqual(expect.stringMatching(/^unmapped: bind mount of "~\/.aws" \(outside the repository\)/));
    expect(lines(report, 'services.app.volumes[4]')).toContainEqual(expect.stringMatching(/^unmapped: bind mount of "\/var\/log" \(outside the repository\)/));
    expect(lines(report, 'services.app.volumes[5]')).toEqual(['decision: mount option tmpfs: {"size":1000} is not modelled', 'mapped: tmpfs at /run: a writable path (memory-backed in compose, an emptyDir in Kubernetes)']);
    expect(lines(report, 'services.app.volumes[6]')).toContainEqual('decision: mount option volume: {"nocopy":true} is not modelled');
    expect(lines(report, 'services.app.tmpfs[0]')).toEqual(['decision: tmpfs options size=64m are not modelled (a writable path has no size or mode)']);
  });
});

describe("volumes: a one-letter field before \":\" is a Windows drive, as compose-go's ParseVolume reads it", () => {
  it.each([
    // compose-go: a ":" after a one-letter field is part of it, in any field; a source is a host path when it starts with . / ~, \\\\ or a drive.
    ['C:\\data:/data', { type: 'bind', source: 'C:\\data', target: '/data', mountOpts: [] }],
    ['C:data:/data:ro', { type: 'bind', source: 'C:data', target: '/data', mountOpts: ['ro'] }],
    ['c:/:/data', { type: 'bind', source: 'c:/', target: '/data', mountOpts: [] }],
    ['\\\\.\\pipe\\docker_engine:/var/run/docker.sock', { type: 'bind', source: '\\\\.\\pipe\\docker_engine', target: '/var/run/docker.sock', mountOpts: [] }],
    ['gg:/data', { type: 'volume', source: 'gg', target: '/data', mountOpts: [] }],
    // Compose v2 ignores an option it does not know; the mount stays.
    ['data:/data:bogus,ro', { type: 'volume', source: 'data', target: '/data', mountOpts: ['ro'], ignored: ['bogus'] }],
  ])('%j', (input, expected) => expect(parseVolume(input)).toEqual(expected));

  it.each([
    ['g:/data', /compose reads "g:" as a Windows drive letter .* an anonymous volume at the path "g:\/data", which is not absolute .* write the long form \{ type: volume, source: g, target: \/data \}/],
    ['a:b:c:d', /container path "c:d" is not absolute/],
    ['name:D:\\target', /container path "D:\\target" is not absolute/],
  ])('%j is a line naming what compose reads', (input, message) => expect(parseVolume(input)).toMatch(message));

  it('a named volume "g" mounted as g:/data is not imported, with the fix; its long form is the volume', () => {
    const short = importCompose({ services: { app: { image: 'example/app:1', volumes: ['g:/data'] } }, volumes: { g: {} } }, { name: 'demo', repoPath });
    expect(short.spec.services[0].volumes).toBeUndefined();
    expect(short.spec.services[0].dev).toBeUndefined();
    expect(lines(short.report, 'services.app.volumes[0]')).toEqual([expect.stringMatching(/^unmapped: "g:\/data": compose reads "g:" as a Windows drive letter/)]);
    const long = importCompose({ services: { app: { image: 'example/app:1', volumes: [{ type: 'volume', source: 'g', target: '/data' }] } }, volumes: { g: {} } }, { name: 'demo', repoPath });
    expect(long.spec.services[0].volumes).toEqual([{ name: 'g', mountPath: '/data' }]);
  });

  it('a Windows host path is a bind outside the repository, never a development mount of a folder called "C:\\data"', () => {
    const { spec, report } = one({ volumes: ['C:\\data:/data', 'c:/x:/x', '\\\\.\\pipe\\docker_engine:/var/run/docker.sock', 'C:data:/cfg:ro'] });
    expect(spec.services[0].volumes).toBeUndefined();
    for (const i of [0, 1, 2]) expect(lines(report, `services.app.volumes[${i}]`)).toEqual([expect.stringMatching(/^unmapped: bind mount of ".*" \(outside the repository: compose reads it as a Windows path\) has no place in the spec/)]);
    // C:data has no separator after the drive: compose (v2.35 config) binds the folder "C:data" beside the compose file.
    expect(spec.services[0].dev?.mounts).toEqual([{ source: 'C:data', target: '/cfg' }]);
  });

  it('an unknown mode is ignored as Compose v2 ignores it: the volume is mounted, with a line', () => {
    const { spec, report } = one({ volumes: ['data:/data:bogus'] });
    expect(spec.services[0].volumes).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(lines(report, 'services.app.volumes[0]')).toContainEqual('mapped: mode bogus is not one compose knows: Compose v2 ignores it (docker-compose 1.29 refuses it), and so does the import');
  });
});

describe('healthcheck: every form', () => {
  const health = (healthcheck: unknown) => {
    const { spec, report } = one({ healthcheck });
    return { command: spec.services[0].health?.liveness?.exec?.command, lines: lines(report, 'services.app.healthcheck') };
  };
  it('test as a string is CMD-SHELL', () => expect(health({ test: 'curl -f http://localhost/' }).command).toEqual(['sh', '-c', 'curl -f http://localhost/']));
  it('["CMD", ...] runs the words as given', () => expect(health({ test: ['CMD', 'pg_isready', '-U', 'postgres'] }).command).toEqual(['pg_isready', '-U', 'postgres']));
  it('["CMD-SHELL", "..."] runs in sh -c', () => expect(health({ test: ['CMD-SHELL', 'redis-cli ping || exit 1'] }).command).toEqual(['sh', '-c', 'redis-cli ping || exit 1']));
  it('["NONE"] and disable: true are no probe, each a cannot-map line', () => {
    expect(health({ test: ['NONE'] })).toEqual({ command: undefined, lines: ['unmapped: healthcheck test NONE (disabled)'] });
    expect(health({ disable: true, test: ['CMD', 'x'] })).toEqual({ command: undefined, lines: ['unmapped: healthcheck disabled'] });
  });
  it('["CMD"] with no command is a line, not an empty probe', () => {
    expect(health({ test: ['CMD'] })).toEqual({ command: undefined, lines: ['unmapped: healthcheck test ["CMD"] has no CMD or CMD-SHELL form'] });
    expect(health({ test: ['CMD-SHELL'] }).command).toBeUndefined();
  });
});

describe('build: a value compose would not read is a line at services.<s>.build, not a TypeError', () => {
  it.each([[{ context: ['a'] }], [{ context: '.', dockerfile: 5 }], [null], [42]])('%j', (build) => {
    const { report } = one({ build });
    expect(lines(report, 'services.app.build')).toEqual([expect.stringMatching(/^unmapped: .*(is not a path|is not a build context path)/)]);
  });
});
