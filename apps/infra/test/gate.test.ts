import { renderKubernetes } from '@todo/k8s';
import { resolve, validate, type StackSpec } from '@todo/service-spec';
import { gateKubernetes } from '../src/gate';
import { renderOutputs } from '../src/outputs';

/** One rule source: what validates passes the policy gate, and synth runs the gate before writing, naming the spec field. */
const stack = (change: (s: any) => void = () => undefined): StackSpec => {
  const s: any = {
    name: 'gated',
    services: [
      { name: 'app', role: 'api', image: { ref: 'example/app:1.0' }, ports: [{ name: 'http', port: 8080 }], env: { MODE: 'fast' }, health: { liveness: { tcp: { port: 'http' } } } },
      { name: 'worker', role: 'worker', image: { ref: 'example/app:1.0' }, command: ['work'], talksTo: ['app'] },
    ],
    environments: { k: { target: 'kubernetes' }, c: { target: 'compose' } },
  };
  change(s);
  return s;
};
const synth = (spec: StackSpec) => renderOutputs(spec, {});

describe('the policy gate inside synth', () => {
  it('passes a service without a health check: the spec waives the probes rule for it, and the parity report says so', () => {
    const { warnings } = synth(stack());
    expect(warnings.filter((w) => w.path === 'services.worker.health').map((w) => w.target).sort()).toEqual(['compose', 'kubernetes']);
  });

  it('fails synth, naming the escape-hatch patch that broke a rule', () => {
    const spec = stack((s) => (s.environments.k.patches = { kubernetes: [{ kind: 'Deployment', name: 'app', patch: [{ op: 'replace', path: '/spec/template/spec/containers/0/securityContext/runAsUser', value: 0 }] }] }));
    expect(validate(spec)).toEqual([]);
    expect(() => synth(spec)).toThrow(/environments\.k\.patches\.kubernetes\[0\]: the policy gate rejects environment "k" \(pss-run-as-user\)/);
  });

  it('host access through a patch is refused by validation already, on both targets alike', () => {
    const privileged = stack((s) => (s.environments.k.patches = { kubernetes: [{ kind: 'Deployment', name: 'app', patch: [{ op: 'replace', path: '/spec/template/spec/containers/0/securityContext/privileged', value: true }] }] }));
    expect(validate(privileged)).toEqual([{ path: 'environments.k.patches.kubernetes[0].patch[0]', message: expect.stringContaining('(trivy KSV-0017) refuse on Kubernetes too') }]);
    const compose = stack((s) => (s.environments.c.patches = { compose: { app: { privileged: true } } }));
    expect(validate(compose)).toEqual([{ path: 'environments.c.patches.compose.app.privileged', message: expect.stringContaining('(trivy KSV-0017) refuse on Kubernetes too') }]);
  });

  it('checks what a patch touched against the format schemas, naming the patch', () => {
    const kube = stack((s) => (s.environments.k.patches = { kubernetes: [{ kind: 'Deployment', name: 'app', patch: [{ op: 'add', path: '/spec/template/spec/nodeSelectr', value: { disk: 'ssd' } }] }] }));
    expect(() => synth(kube)).toThrow(/environments\.k\.patches\.kubernetes\[0\]: the patched Deployment "app" is not valid Kubernetes: \/spec\/template\/spec\/nodeSelectr: unknown field/);
    const compose = stack((s) => (s.environments.c.patches = { compose: { app: { shm_size: ['no'] } } }));
    expect(() => synth(compose)).toThrow(/environments\.c\.patches\.compose\.app: the compose file is not valid against the Compose Specification: \/services\/app\/shm_size/);
  });

  it('traces a violation in rendered output to the spec field of the right service', () => {
    const spec = stack((s) => (s.services[1].name = 'app-worker'));
    const resolved = resolve(spec, 'k');
    const files = renderKubernetes(resolved).map((f) => ({ path: `dist/k8s/k/${f.name}`, objects: f.objects as object[] }));
    const tampered = files.map((f) =>
      f.path.endsWith('-app-worker.yaml')
        ? { ...f, objects: JSON.parse(JSON.stringify(f.objects).replace('"readOnlyRootFilesystem":true', '"readOnlyRootFilesystem":false')) }
        : f,
    );
    expect(tampered).not.toEqual(files);
    expect(() => gateKubernetes(resolved, files)).not.toThrow();
    expect(() => gateKubernetes(resolved, tampered)).toThrow(/services\.app-worker\.readOnlyRootFilesystem: the policy gate rejects environment "k" \(read-only-root-filesystem\)/);
  });

  it('reports the problems of every environment at once', () => {
    const spec = stack((s) => {
      s.environments.k.patches = { kubernetes: [{ kind: 'Deployment', name: 'app', patch: [{ op: 'remove', path: '/spec/paused' }] }] };
      s.environments.c.patches = { compose: { app: { shm_size: ['no'] } } };
    });
    expect(() => synth(spec)).toThrow(/2 problems:\n {2}environments\.c\.patches\.compose\.app: .*\n {2}environments\.k\.patches\.kubernetes\[0\]\.patch\[0\]: remove \/spec\/paused no longer applies/);
  });

  it('lets a harmless patch through', () => {
    const spec = stack((s) => (s.environments.k.patches = { kubernetes: [{ kind: 'NetworkPolicy', name: 'allow-app', patch: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }] }] }));
    expect(() => synth(spec)).not.toThrow();
  });

  it('honours a waiver the spec states, and lists it in the parity report', () => {
    const spec = stack((s) => Object.assign(s.services[0], { readOnlyRootFilesystem: false, gateWaivers: [{ rule: 'read-only-root-filesystem', reason: 'the vendor image writes to /var/cache at will' }] }));
    const { files, warnings } = synth(spec);
    expect(files.find((f) => f.path === 'dist/k8s/k/20-app.yaml')!.content).toContain('readOnlyRootFilesystem: false');
    expect(warnings.map((w) => w.path)).toContain('services.app.gateWaivers.read-only-root-filesystem');
  });

  // Plain env names and values the gate's ConfigMap rule rejects: validation must reject each first.
  it.each([
    ['STRIPE_SECRET_KEY', 'sk_live_0123456789abcdef'],
    ['DB_PASSWORD', 'hunter2'],
    ['apiKey', 'abc'],
    ['DATABASE_URL', 'postgresql://u@db/x'],
    ['SENTRY_DSN', 'https://k@o.ingest.sentry.io/1'],
    ['UPSTREAM', 'https://bob:hunter2@example.com'],
    ['OPENAI', 'sk-abcdefghijklmnopqrstuvwxyz012345'],
    ['AWS_ID', 'AKIAABCDEFGHIJKLMNOP'],
    ['CERT', '-----BEGIN RSA PRIVATE KEY-----'],
  ])('env %s: if validation lets it through, the gate must too', (name, value) => {
    const spec = stack((s) => (s.services[0].env = { [name]: value }));
    const issues = validate(spec);
    if (issues.length === 0) expect(() => synth(spec)).not.toThrow();
    else expect(issues.map((i) => i.path)).toContain(`services.app.env.${name}`);
  });

  // A secret-looking name whose value only names a file holds no secret: validation and the gate let it be plain env;
  // the same name with a value that is not a file path (a base64 token may start with '/') stays a secret for both.
  it.each([
    ['SSL_KEY', '/run/secrets/key.pem', true],
    ['GOOGLE_APPLICATION_CREDENTIALS', '/etc/gcp/credentials.json', true],
    ['DB_PASSWORD_PATH', '/run/secrets/db_password', true],
    ['TLS_KEY', './certs/tls.key', true],
    ['SECRET_KEY', '/K8sd9fQ2mZ/aXb7Lq0', false],
    ['API_KEY', 'https://keys.example.com/a.pem', false],
  ])('env %s=%s: plain is %s, and validation and the gate agree', (name, value, plain) => {
    const spec = stack((s) => (s.services[0].env = { [name]: value }));
    if (plain) {
      expect(validate(spec)).toEqual([]);
      expect(synth(spec).files.find((f) => f.path === 'dist/k8s/k/20-app.yaml')!.content).toContain(value);
    } else expect(validate(spec).map((i) => i.path)).toEqual([`services.app.env.${name}`]);
  });

  it.each([['TOKEN_TTL_SECONDS'], ['PUBLIC_KEY_URL'], ['LOG_LEVEL'], ['PASSWORD_FILE']])('env %s=plain: validation and the gate agree', (name) => {
    const spec = stack((s) => (s.services[0].env = { [name]: 'plain' }));
    const valid = validate(spec).length === 0;
    let gated = true;
    try {
      synth(spec);
    } catch {
      gated = false;
    }
    expect(valid).toBe(gated);
  });
});
