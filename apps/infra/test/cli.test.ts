import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot } from './support';

/** The one CLI, run as `npm run infra -- …` runs it (no INIT_CWD: relative paths are the repo root's). */
function infra(...args: string[]) {
  return infraIn(repoRoot, ...args);
}

/** The CLI with `cwd` as the user's directory, as npm passes it (INIT_CWD) when it runs a script from the package root. */
function infraIn(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, INIT_CWD: cwd } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const SUBCOMMANDS = ['synth', 'check', 'policy', 'images', 'validate', 'init', 'import', 'schema'];
const SHOP = join(__dirname, 'fixtures', 'shop', 'spec.json');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'infra-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('one CLI: subcommands, strict arguments, exit codes 0 / 1 / 2', () => {
  it('with no subcommand prints the list on stderr and exits 2; --help prints it on stdout, exit 0', () => {
    const none = infra();
    expect(none.code).toBe(2);
    for (const c of SUBCOMMANDS) expect(none.err).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(none.err).toContain('Exit codes: 0 ok, 1 problems found, 2 usage error.');
    const help = infra('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: infra <subcommand>');
  });

  it('an unknown subcommand is a usage error', () => {
    const r = infra('synthesize');
    expect(r.code).toBe(2);
    expect(r.err).toContain('infra: unknown subcommand "synthesize"');
  });

  it.each(SUBCOMMANDS)('%s --help prints its usage, exit 0, and does nothing else', (c) => {
    const r = infra(c, '--help', '--out', join(dir, 'out'));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`usage: infra ${c}`);
    expect(r.err).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  }, 30_000);

  it('synth --help does not synthesize (nothing written, no summary)', () => {
    const r = infra('synth', '-h', '--out', dir);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('synth:');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('nx run infra:synth -- --help forwards --help: usage, exit 0, no synth', () => {
    const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
    const r = spawnSync(join(repoRoot, 'node_modules/.bin/nx'), ['run', 'infra:synth', '--skip-nx-cache', '--', '--help', '--out', dir], { cwd: repoRoot, encoding: 'utf8', env });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: infra synth');
    expect(r.stdout).not.toMatch(/^synth: \d+ files/m);
    expect(readdirSync(dir)).toEqual([]);
  }, 180_000);

  it.each([
    [['synth', '--bogus'], "Unknown option '--bogus'"],
    [['synth', '--spec'], "Option '--spec' argument is ambiguous: it needs a value"],
    [['synth', 'extra'], 'unexpected argument: extra'],
    [['validate', '--out', 'x'], "Unknown option '--out'"],
    [['images', 'size', 'backend'], 'unknown query "size"'],
    [['policy', 'kube', 'dist'], 'unknown gate "kube"'],
    [['init', '--name', 'My_App', '--out', 'x.yaml'], '--name: "My_App" is not a DNS-1123 label'],
  ])('%j is a usage error: exit 2, the problem and the usage, nothing done', (args, message) => {
    const r = infra(...(args as string[]), ...(args[0] === 'synth' ? ['--out', dir] : []));
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain(`usage: infra ${args[0]}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  // Every path is under the test's own directory (@ stands for it): a missing check must not write in the repo.
  it.each([
    ['synth', '--spec', SHOP, '--spec', SHOP, '--out', '@/out'],
    ['synth', '--out', '@/one', '--out=@/two'],
    ['check', '--spec', SHOP, '--spec', SHOP, '--out', '@/out'],
    ['policy', '--out', '@/one', '--out', '@/two'],
    ['images', '--spec', SHOP, '--spec', SHOP],
    ['validate', `--spec=${SHOP}`, '--spec', SHOP],
    ['init', '--out', '@/a.yaml', '--out', '@/b.yaml'],
    ['init', '--force', '--force', '--out', '@/a.yaml'],
    ['import', SHOP, '--out', '@/a.yaml', '--out', '@/b.yaml'],
    ['schema', '--out', '@/a.json', '--out', '@/b.json'],
  ])('%s with a repeated flag is a usage error naming it, not "the last one wins"', (...template) => {
    const args = template.map((a) => a.replace('@', dir));
    const flag = args.find((a, i) => a.startsWith('--') && args.slice(i + 1).some((b) => b.split('=')[0] === a.split('=')[0]))!.split('=')[0];
    const r = infra(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${flag} is given more than once; give it once`);
    expect(r.err).toContain(`usage: infra ${args[0]}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--spec=FILE and --spec FILE are the same option', () => {
    const a = infra('validate', `--spec=${SHOP}`);
    const b = infra('validate', '--spec', SHOP);
    expect(a).toEqual(b);
    expect(a.code).toBe(0);
    expect(a.out).toContain('is valid (5 services, 3 environments)');
  });
});

describe('validate: the spec only, nothing written', () => {
  it('reports every problem with service names in the paths, exit 1', () => {
    const spec = JSON.parse(readFileSync(SHOP, 'utf8'));
    spec.services[2].ports[0].port = 'http';
    spec.services[3].replica = 2;
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify(spec));
    const r = infra('validate', '--spec', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain('services.api.ports[0].port: must be an integer, got "http"');
    expect(r.err).toContain('services.worker.replica: unknown field; expected one of:');
    expect(r.err).not.toMatch(/services\[\d\]/);
  });

  it('a 3-service dependency cycle fails synth (exit 1) before anything is written', () => {
    const spec = JSON.parse(readFileSync(SHOP, 'utf8'));
    spec.services.find((x: any) => x.name === 'db').dependsOn = ['web'];
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify(spec));
    const r = infra('synth', '--spec', file, '--out', join(dir, 'out'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('services.api.dependsOn: dependency cycle: api -> db -> web -> api');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a YAML parse error names file, line and column', () => {
    const file = join(dir, 'spec.yaml');
    writeFileSync(file, 'name: shop\nservices:\n  - name: api\n    role: [web\nenvironments: {}\n');
    const r = infra('validate', '--spec', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/spec\.yaml:\d+:\d+: invalid YAML: /);
  });

  it('a JSON parse error names file, line and column', () => {
    const file = join(dir, 'spec.json');
    writeFileSync(file, '{\n  "name": "shop"\n  "services": []\n}\n');
    const r = infra('validate', '--spec', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/spec\.json:3:3: invalid JSON: /);
  });

  it('a spec that names the schema with $schema validates and synthesizes', () => {
    const spec = { $schema: `${repoRoot}/libs/service-spec/src/spec.schema.json`, ...JSON.parse(readFileSync(SHOP, 'utf8')) };
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify(spec));
    expect(infra('validate', '--spec', file).code).toBe(0);
    expect(infra('synth', '--spec', file, '--out', join(dir, 'out')).code).toBe(0);
  });

  it('a .ts spec loads through tools/run-ts.mjs', () => {
    const file = join(dir, 'stack.ts');
    writeFileSync(file, `import type { StackSpec } from '@todo/service-spec';\nconst spec: StackSpec = ${readFileSync(SHOP, 'utf8')};\nexport default spec;\n`);
    const r = infra('validate', '--spec', file);
    expect(r.err).toBe('');
    expect(r.out).toContain('is valid (5 services, 3 environments)');
    const broken = join(dir, 'broken.ts');
    writeFileSync(broken, 'export default { name: ;\n');
    const b = infra('validate', '--spec', broken);
    expect(b.code).toBe(1);
    expect(b.err).toContain('cannot load the TypeScript spec');
  }, 30_000);

  it('a JSON key given twice is a parse error naming the key, not a silent "last one wins"', () => {
    const file = join(dir, 'spec.json');
    writeFileSync(file, '{\n  "name": "shop",\n  "name": "other"\n}\n');
    const r = infra('validate', '--spec', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/spec\.json:3:3: invalid JSON: key "name" appears twice/);
  });

  it('YAML merge keys (`<<: *anchor`) share fields between services, as compose files do', () => {
    const file = join(dir, 'spec.yaml');
    const worker = (name: string, extra = '') => `  - name: ${name}\n    ${extra}image: { ref: "busybox:1.36" }\n    command: [sleep, "1000"]\n`;
    writeFileSync(file, `name: merged\nservices:\n${worker('a', '<<: &common { role: worker, writablePaths: [/tmp] }\n    ')}${worker('b', '<<: *common\n    ')}environments:\n  local: { target: compose }\n`);
    const r = infra('validate', '--spec', file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('an empty --spec, a directory as --spec, or an --out inside a file is a usage error that writes nothing', () => {
    const empty = infra('synth', '--spec=', '--out', join(dir, 'out'));
    expect([empty.code, empty.err]).toEqual([2, expect.stringContaining('--spec: the file name is empty')]);
    const folder = infra('validate', '--spec', dir);
    expect([folder.code, folder.err]).toEqual([2, expect.stringContaining('is a directory')]);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const out = infra('synth', '--spec', SHOP, '--out', join(file, 'out'));
    expect([out.code, out.err]).toEqual([2, expect.stringContaining('is a file, not a directory')]);
    expect(readdirSync(dir)).toEqual(['a-file']);
  });

  it('a YAML alias bomb ("billion laughs") is refused naming the file, with no stack trace', () => {
    const file = join(dir, 'lol.yaml');
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g']]) levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    writeFileSync(file, `${levels.join('\n')}\nname: x\nservices: []\nenvironments: {}\n`);
    const r = infra('validate', '--spec', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/lol\.yaml: invalid YAML: too many alias expansions/);
    expect(r.err).not.toMatch(/ReferenceError|\n\s+at /);
  });

  it('data nested far deeper than a spec (2,000 brackets) is refused naming the file, not a stack overflow', () => {
    for (const [name, text] of [['deep.json', `${'['.repeat(2000)}${']'.repeat(2000)}`], ['deep.yaml', `name: x\nservices:\n${Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`]]) {
      writeFileSync(join(dir, name), text);
      const r = infra('validate', '--spec', join(dir, name));
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(new RegExp(`${name.replace('.', '\\.')}: the data is nested more than 32 levels deep`))]);
      expect(r.err).not.toMatch(/RangeError|\n\s+at /);
    }
  });

  it('an env variable named __proto__ is refused at its field (no object can carry it)', () => {
    const spec = JSON.parse(readFileSync(SHOP, 'utf8'));
    spec.services[0].env = JSON.parse('{"__proto__": "x", "OK": "y"}');
    writeFileSync(join(dir, 'proto.json'), JSON.stringify(spec)); // JSON.parse made __proto__ an own key, and stringify keeps it
    const r = infra('validate', '--spec', join(dir, 'proto.json'));
    expect([r.code, r.err]).toEqual([1, expect.stringContaining(`services.${spec.services[0].name}.env.__proto__: is a name this tool cannot carry`)]);
  });

  it('a bad TODO_IMAGE_MIRRORS (missing, not JSON) is exit 1 naming the variable, with no stack trace', () => {
    writeFileSync(join(dir, 'mirrors.json'), '{ not json');
    for (const file of [join(dir, 'missing.json'), join(dir, 'mirrors.json')]) {
      const r = spawnSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', 'images'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, TODO_IMAGE_MIRRORS: file } });
      expect([r.status, r.stderr]).toEqual([1, expect.stringMatching(/^TODO_IMAGE_MIRRORS: /)]);
      expect(r.stderr).not.toMatch(/\n\s+at |failed: Error/);
    }
  });

  it('a spec file over 1 MiB is refused before it is parsed', () => {
    const spec = JSON.parse(readFileSync(SHOP, 'utf8'));
    spec.services[0].env = { BIG: 'x'.repeat(1100 * 1024) };
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify(spec));
    const r = infra('validate', '--spec', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/spec\.json: the spec file is \d+ bytes, over the 1048576-byte \(1 MiB\) limit/);
  });

  it('validate and synth refuse a missing Dockerfile and a file source that symlinks out of the repo, at their fields, writing nothing', () => {
    // The link must live inside the repo to be reachable by a repo-relative source.
    mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
    const inRepo = mkdtempSync(join(repoRoot, 'tmp', 'cli-link-'));
    try {
      symlinkSync('/etc/passwd', join(inRepo, 'passwd'));
      const spec = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'nginx-flask-mysql', 'spec.json'), 'utf8'));
      const built = spec.services.find((x: any) => x.image.build);
      built.image.build.dockerfile = 'docker/does-not-exist/Dockerfile';
      built.files = [{ path: '/etc/app.conf', source: relative(repoRoot, join(inRepo, 'passwd')) }];
      const file = join(dir, 'spec.json');
      writeFileSync(file, JSON.stringify(spec));
      for (const args of [['validate'], ['synth', '--out', join(dir, 'out')]]) {
        const r = infra(...args, '--spec', file);
        expect(r.code).toBe(1);
        // The Dockerfile is named as the repo sees it: its build context joined with the spec's relative path.
        expect(r.err).toContain(`services.${built.name}.image.build.dockerfile: the Dockerfile "${built.image.build!.context}/docker/does-not-exist/Dockerfile" does not exist`);
        expect(r.err).toMatch(new RegExp(`services\\.${built.name}\\.files\\[0\\]\\.source: ".*passwd" resolves to /etc/passwd, outside the repository`));
      }
      expect(existsSync(join(dir, 'out'))).toBe(false);
    } finally {
      rmSync(inRepo, { recursive: true, force: true });
    }
  }, 30_000);

  it('a missing spec file is a usage error', () => {
    const r = infra('validate', '--spec', join(dir, 'nope.json'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('does not exist');
  });
});

describe('images: the build plan', () => {
  it('prints the plan of every built image, and its refs are the ones in the committed output', () => {
    const r = infra('images', '--official');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out);
    expect(plan.builds.map((b: any) => b.services)).toEqual([['backend'], ['frontend']]);
    const compose = readFileSync(join(repoRoot, 'docker/docker-compose.yml'), 'utf8');
    for (const [name, s] of Object.entries(plan.services) as [string, any][]) {
      expect(s.ref).toBe(`${s.repository}:${s.tag}`);
      expect(compose).toContain(`image: ${s.ref}\n`);
      expect(infra('images', '--official', 'ref', name).out.trim()).toBe(s.ref);
    }
    expect(plan.builds[0]).toMatchObject({ dockerfile: 'docker/backend/Dockerfile', context: '.', buildArgs: { PYTHON_IMAGE: 'python:3.13-slim' } });
  });

  it('a service that is not built is a problem (exit 1)', () => {
    const r = infra('images', 'ref', 'postgres');
    expect(r.code).toBe(1);
    expect(r.err).toContain('service "postgres" is not built from this repo (built services: backend, frontend)');
  });
});

describe('schema', () => {
  it('prints the committed schema, or writes it with --out', () => {
    const committed = readFileSync(join(repoRoot, 'libs/service-spec/src/spec.schema.json'), 'utf8');
    expect(`${infra('schema').out}`).toBe(committed);
    expect(infra('schema', '--out', join(dir, 's.json')).code).toBe(0);
    expect(readFileSync(join(dir, 's.json'), 'utf8')).toBe(committed);
  });

  it('refuses to overwrite an existing file unless --force, as init and import do', () => {
    const file = join(dir, 's.json');
    writeFileSync(file, 'mine\n');
    const r = infra('schema', '--out', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain('s.json exists; fix: choose another --out, or pass --force to overwrite it');
    expect(r.err).toContain('Nothing was written.');
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    expect(infra('schema', '--out', file, '--force').code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(repoRoot, 'libs/service-spec/src/spec.schema.json'), 'utf8'));
  });
});

describe('import never replaces the compose file it reads', () => {
  const compose = 'services:\n  web:\n    image: nginx:1.27\n';

  it.each([
    ['--out', (f: string) => ['--out', f]],
    ['--out (another name for it: a symlink)', (f: string) => {
      symlinkSync(f, join(dir, 'link.yml'));
      return ['--out', join(dir, 'link.yml')];
    }],
    ['--report', (f: string) => ['--out', join(dir, 'spec.yaml'), '--report', f]],
  ])('%s naming the input is refused, even with --force', (_, flags) => {
    const file = join(dir, 'x.yml');
    writeFileSync(file, compose);
    const r = infra('import', file, ...flags(file), '--force');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/(--out|--report): .* is the compose file being imported; writing there would replace it; fix: choose another/);
    expect(readFileSync(file, 'utf8')).toBe(compose);
    expect(existsSync(join(dir, 'spec.yaml'))).toBe(false);
  });

  it('an existing --report file is kept unless --force', () => {
    const file = join(dir, 'x.yml');
    writeFileSync(file, compose);
    writeFileSync(join(dir, 'notes.md'), 'mine\n');
    const r = infra('import', file, '--out', join(dir, 'spec.yaml'), '--report', join(dir, 'notes.md'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('notes.md exists; fix: choose another --report, or pass --force');
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(dir, 'spec.yaml'))).toBe(false);
  });
});

describe('init: a starter spec that works as it stands', () => {
  it('writes a commented YAML spec that validates, synthesizes and passes every policy gate', () => {
    const file = join(dir, 'stack.yaml');
    const r = infra('init', '--out', file, '--name', 'shopfront');
    expect(r.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=.*libs\/service-spec\/src\/spec\.schema\.json$/m);
    expect(text.split('\n').filter((l) => l.trim().startsWith('#')).length).toBeGreaterThan(15);
    expect(infra('validate', '--spec', file).code).toBe(0);
    const out = join(dir, 'out');
    const synth = infra('synth', '--spec', file, '--out', out);
    expect(synth.err).toBe('');
    expect(synth.code).toBe(0);
    expect(existsSync(join(out, 'dist/k8s/production/10-db.yaml')) || readdirSync(join(out, 'dist/k8s/production')).length > 3).toBe(true);
    const gates = infra('policy', '--spec', file, '--out', out);
    expect(gates.out).toMatch(/^k8s: \d+ rules, 0 violations$/m);
    expect(gates.out).toMatch(/^secrets: \d+ rules, 0 violations$/m);
    expect(gates.code).toBe(0);
  }, 60_000);

  it('refuses to overwrite an existing file unless --force', () => {
    const file = join(dir, 'stack.yaml');
    writeFileSync(file, 'mine\n');
    const r = infra('init', '--out', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain('exists; fix: choose another --out, or pass --force');
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    expect(infra('init', '--out', file, '--force').code).toBe(0);
  });
});

describe('init, schema and import write their file, never through a symbolic link', () => {
  const compose = 'services:\n  web:\n    image: nginx:1.27\n';
  it.each([
    ['init', (out: string) => ['init', '--out', out]],
    ['schema', (out: string) => ['schema', '--out', out]],
    ['import --out', (out: string) => ['import', join(dir, 'x.yml'), '--out', out]],
    ['import --report', (out: string) => ['import', join(dir, 'x.yml'), '--out', join(dir, 'spec.yaml'), '--report', out]],
  ])('%s: a link to a file that is not there yet, or (with --force) to one that is: exit 1 naming the link; the target is neither created nor replaced', (_, argv) => {
    writeFileSync(join(dir, 'x.yml'), compose);
    mkdirSync(join(dir, 'elsewhere'));
    symlinkSync(join(dir, 'elsewhere', 'new.yaml'), join(dir, 'dangling.yaml'));
    const dangling = infra(...argv(join(dir, 'dangling.yaml')));
    expect([dangling.code, dangling.err]).toEqual([1, expect.stringContaining(`dangling.yaml is a symbolic link (to ${join(dir, 'elsewhere', 'new.yaml')}); infra writes the file itself, never through a link`)]);
    expect(existsSync(join(dir, 'elsewhere', 'new.yaml'))).toBe(false);
    writeFileSync(join(dir, 'elsewhere', 'theirs.yaml'), 'theirs\n');
    symlinkSync(join(dir, 'elsewhere', 'theirs.yaml'), join(dir, 'live.yaml'));
    const forced = infra(...argv(join(dir, 'live.yaml')), '--force');
    expect([forced.code, forced.err]).toEqual([1, expect.stringContaining('live.yaml is a symbolic link')]);
    expect(readFileSync(join(dir, 'elsewhere', 'theirs.yaml'), 'utf8')).toBe('theirs\n');
    expect(existsSync(join(dir, 'spec.yaml'))).toBe(false);
  });
});

describe('policy through the one CLI', () => {
  const good = join(repoRoot, 'libs/policy/src/k8s/__fixtures__/good');

  it('runs one gate on given paths: 0 when clean, 1 on a violation', () => {
    cpSync(good, join(dir, 'k8s'), { recursive: true });
    const ok = infra('policy', 'k8s', join(dir, 'k8s'));
    expect(ok.code).toBe(0);
    expect(ok.out.trim().split('\n').pop()).toMatch(/^k8s: \d+ rules, 0 violations$/);
    const file = join(dir, 'k8s', 'backend.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('image: todo-backend:3f9c2a1b', 'image: todo-backend:latest'));
    expect(infra('policy', 'k8s', join(dir, 'k8s')).code).toBe(1);
  });

  it.each([
    ['k8s', 'a YAML file with no objects', () => writeFileSync(join(dir, 'empty.yaml'), '# nothing yet\n---\n'), 'empty.yaml', 'no Kubernetes objects'],
    ['k8s', 'a folder with no YAML', () => writeFileSync(join(dir, 'notes.txt'), 'x\n'), '.', 'no .yaml/.yml files'],
    ['secrets', 'an empty folder', () => undefined, '.', 'no text files'],
  ])('%s on %s is not "0 violations": exit 1, nothing was checked', (gate, _, plant, path, why) => {
    plant();
    const r = infra('policy', gate, join(dir, path));
    expect(r.out).not.toContain('0 violations');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`policy ${gate}: nothing was checked: `);
    expect(r.err).toContain(why);
  });

  it('dockerfiles given a folder is a usage error naming it, not a stack trace', () => {
    const r = infra('policy', 'dockerfiles', dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`dockerfiles: ${dir} is a directory; give the Dockerfiles themselves`);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('with no gate runs all three on the committed output', () => {
    const r = infra('policy');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^k8s: \d+ rules, 0 violations$/m);
    expect(r.out).toMatch(/^dockerfiles: \d+ rules, 0 violations$/m);
    expect(r.out).toMatch(/^secrets: \d+ rules, 0 violations$/m);
  });
});

describe('relative paths are the user\'s: `npm run infra` from a subdirectory', () => {
  /** `npm run infra` as a user types it in `cwd`; npm itself runs the program from the workspace root. */
  const npmInfra = (cwd: string, ...args: string[]) => {
    const prefix = cwd.startsWith(`${repoRoot}/`) ? [] : ['--prefix', repoRoot];
    const r = spawnSync('npm', [...prefix, 'run', '--silent', 'infra', '--', ...args], { cwd, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it.each([
    ['a subdirectory of the workspace', () => mkdtempSync(join(repoRoot, 'tmp', 'cli-cwd-'))],
    ['a directory outside the workspace', () => mkdtempSync(join(tmpdir(), 'cli-cwd-'))],
  ])('from %s: --out, --spec and the positional file are read and written there', (_, make) => {
    // Where the bug wrote: the test owns it only if it was not there before.
    const stray = join(repoRoot, 'mine.yaml');
    expect(existsSync(stray)).toBe(false);
    const here = make();
    try {
      const init = npmInfra(here, 'init', '--out', 'mine.yaml', '--name', 'cwd-test');
      expect(init.err).toBe('');
      expect(init.out).toContain('init: wrote mine.yaml');
      expect(existsSync(join(here, 'mine.yaml'))).toBe(true);
      expect(existsSync(join(repoRoot, 'mine.yaml'))).toBe(false);
      expect(npmInfra(here, 'validate', '--spec', 'mine.yaml').out).toContain('validate: mine.yaml is valid');
      const synth = npmInfra(here, 'synth', '--spec', 'mine.yaml', '--out', 'out');
      expect(synth.err).toBe('');
      expect(synth.code).toBe(0);
      expect(existsSync(join(here, 'out', 'dist', 'synth-manifest.json'))).toBe(true);
      expect(npmInfra(here, 'check', '--spec', 'mine.yaml', '--out', 'out').code).toBe(0);
      writeFileSync(join(here, 'compose.yml'), 'services:\n  web:\n    image: nginx:1.27\n');
      const imported = npmInfra(here, 'import', 'compose.yml', '--out', 'imported.yaml');
      expect(imported.code).toBe(0);
      expect(existsSync(join(here, 'imported.yaml'))).toBe(true);
    } finally {
      rmSync(here, { recursive: true, force: true });
      rmSync(stray, { force: true });
    }
  }, 60_000);
});
