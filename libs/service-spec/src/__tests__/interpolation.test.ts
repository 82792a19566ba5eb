import { validate } from '../validate';
import { mutate } from './fixture';

const svc = (s: any, name: string) => s.services.find((x: any) => x.name === name);
const unresolved = (issues: { path: string; message: string }[]) => issues.filter((i) => i.message.includes('a compose interpolation left unresolved'));

describe('a compose interpolation left unresolved ("${") never reaches Kubernetes', () => {
  it.each([
    ['an image reference', (s: any) => (svc(s, 'db').image.ref = 'postgres:${PG_VERSION:-latest}'), 'services.db.image.ref'],
    ['an env value', (s: any) => (svc(s, 'api').env.LOG_LEVEL = '${LOG_LEVEL:-info}'), 'services.api.env.LOG_LEVEL'],
    ['a command argument (exec form: no shell expands it)', (s: any) => (svc(s, 'api').command = ['serve', '--port=${PORT}']), 'services.api.command[1]'],
    ['an entrypoint word', (s: any) => (svc(s, 'api').entrypoint = ['/app/${BIN}']), 'services.api.entrypoint[0]'],
    ['a probe command', (s: any) => (svc(s, 'db').health.liveness.exec.command = ['pg_isready', '-U', '${POSTGRES_USER}']), 'services.db.health.liveness.exec.command[2]'],
    ['a probe path', (s: any) => (svc(s, 'api').health.liveness.http.path = '/${HEALTH_PATH}'), 'services.api.health.liveness.http.path'],
    ['a volume mount path', (s: any) => (svc(s, 'db').volumes[0].mountPath = '${DATA_DIR:-.}/data'), 'services.db.volumes[0].mountPath'],
    ['a writable path', (s: any) => (svc(s, 'api').writablePaths = ['/${TMP}']), 'services.api.writablePaths[0]'],
    ['a file path', (s: any) => (svc(s, 'api').files = [{ path: '/etc/${APP}.conf', content: 'x' }]), 'services.api.files[0].path'],
    ['a dev mount', (s: any) => (svc(s, 'api').dev = { mounts: [{ source: '${SRC:-.}', target: '/app' }] }), 'services.api.dev.mounts[0].source'],
    ['an ingress host', (s: any) => (s.environments.prod.ingress = { host: '${HOST}.example.com' }), 'environments.prod.ingress.host'],
    ['an environment image override', (s: any) => (s.environments.prod.services = { api: { image: 'example/api:${TAG}' } }), 'environments.prod.services.api.image'],
    ['an environment env override', (s: any) => (s.environments.prod.services = { api: { env: { MODE: '${MODE}' } } }), 'environments.prod.services.api.env.MODE'],
  ])('in %s: refused at the field, with the fix', (_, change, path) => {
    const issues = unresolved(validate(mutate(change)));
    expect(issues).toEqual([{ path, message: expect.stringMatching(/holds "\$\{", a compose interpolation left unresolved: Kubernetes would get this text as is; fix: write the value itself/) }]);
  });

  it('a shell script run as sh -c (or bash -ec) may use ${VAR}: the shell expands it in the container', () => {
    expect(unresolved(validate(mutate((s) => (svc(s, 'api').command = ['sh', '-c', 'exec serve --port=${PORT:-8000}']))))).toEqual([]);
    expect(unresolved(validate(mutate((s) => ((svc(s, 'api').entrypoint = ['/bin/bash', '-ec']), (svc(s, 'api').command = ['echo ${HOME}'])))))).toEqual([]);
    expect(unresolved(validate(mutate((s) => (svc(s, 'db').health.liveness.exec.command = ['sh', '-c', 'pg_isready -U "${POSTGRES_USER}"']))))).toEqual([]);
    // Only the script: another argument of the same command is still checked.
    expect(unresolved(validate(mutate((s) => (svc(s, 'api').command = ['sh', '-c', 'echo $0', '${NAME}'])))).map((i) => i.path)).toEqual(['services.api.command[3]']);
  });

  it('a "$" alone is literal and allowed ($VAR, $(cmd), cost $5)', () => {
    expect(unresolved(validate(mutate((s) => ((svc(s, 'api').env.PRICE = 'cost $5 or $$'), (svc(s, 'api').command = ['serve', '--host=$HOSTNAME', '$(PORT)'])))))).toEqual([]);
  });
});

describe('literalInterpolation: "${" meant as text (a template the program expands, compose\'s $${VAR})', () => {
  const issuesAt = (spec: unknown, prefix: string) => validate(spec).filter((i) => i.path.startsWith(prefix));

  it('an env value, a command word and a probe word it lists are accepted; the same fields unlisted are refused, the message naming the entry to add', () => {
    const change = (s: any) => {
      svc(s, 'api').env.GREETING = 'hello ${NAME}';
      svc(s, 'api').command = ['echo', '${HOME}'];
      svc(s, 'db').health.liveness.exec.command = ['check', '${X}'];
    };
    const refused = unresolved(validate(mutate(change)));
    expect(refused.map((i) => i.path).sort()).toEqual(['services.api.command[1]', 'services.api.env.GREETING', 'services.db.health.liveness.exec.command[1]']);
    expect(refused.find((i) => i.path === 'services.api.env.GREETING')!.message).toContain('list "env.GREETING" in services.api.literalInterpolation');
    expect(refused.find((i) => i.path.startsWith('services.db'))!.message).toContain('list "health.liveness.exec.command[1]" in services.db.literalInterpolation');
    const listed = mutate((s) => {
      change(s);
      svc(s, 'api').literalInterpolation = ['env.GREETING', 'command[1]'];
      svc(s, 'db').literalInterpolation = ['health.liveness.exec.command[1]'];
    });
    expect(validate(listed)).toEqual([]);
  });

  it('an environment override of a listed field may hold it too; the service\'s own value need not', () => {
    const spec = mutate((s) => {
      s.environments.prod.services = { api: { env: { GREETING: 'hi ${NAME}' } } };
      svc(s, 'api').literalInterpolation = ['env.GREETING'];
    });
    expect(validate(spec)).toEqual([]);
  });

  it('a listed field is checked only where listed: another field of the service is still refused', () => {
    const spec = mutate((s) => {
      svc(s, 'api').env.GREETING = 'hello ${NAME}';
      svc(s, 'api').env.LOG_LEVEL = '${LOG_LEVEL:-info}';
      svc(s, 'api').literalInterpolation = ['env.GREETING'];
    });
    expect(unresolved(validate(spec)).map((i) => i.path)).toEqual(['services.api.env.LOG_LEVEL']);
  });

  it('an entry naming a field that cannot hold text (an image, a path) or one without "${" is refused at the entry', () => {
    const spec = mutate((s) => {
      svc(s, 'db').image.ref = 'postgres:${PG}';
      svc(s, 'db').literalInterpolation = ['image.ref'];
      svc(s, 'api').literalInterpolation = ['env.NOT_THERE', 'command[0]'];
    });
    expect(issuesAt(spec, 'services.db.literalInterpolation')).toEqual([{ path: 'services.db.literalInterpolation[0]', message: expect.stringContaining('"image.ref" is not a field that can hold text with "${"') }]);
    expect(unresolved(validate(spec)).map((i) => i.path)).toEqual(['services.db.image.ref']);
    expect(issuesAt(spec, 'services.api.literalInterpolation')).toEqual([
      { path: 'services.api.literalInterpolation[0]', message: '"env.NOT_THERE" holds no "${" (in the service or an environment\'s override); fix: remove the entry' },
      { path: 'services.api.literalInterpolation[1]', message: '"command[0]" holds no "${" (in the service or an environment\'s override); fix: remove the entry' },
    ]);
  });

  it('a shell script (allowed anyway) may be listed: it holds "${", so the entry is not stale', () => {
    const spec = mutate((s) => {
      svc(s, 'api').command = ['sh', '-c', 'echo ${HOME}'];
      svc(s, 'api').literalInterpolation = ['command[2]'];
    });
    expect(validate(spec)).toEqual([]);
  });
});
