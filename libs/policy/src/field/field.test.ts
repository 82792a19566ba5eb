import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { globToRegExp, parseWaiverFile, type ToolWaiver } from '../core/waivers';
import { formatJudged, judge, type Finding } from './findings';
import { ALL_RULE_IDS } from '../main';
import { BUILD_COMMAND, main } from './main';

const ROOT = resolve(__dirname, '../../../..');

describe('waivers file: field tool entries', () => {
  const parse = (waivers: unknown[]) => parseWaiverFile(JSON.stringify({ waivers }), 'w.json', new Set(['image-tag']));

  it('reads tool, rule, reason, expires, target and object, and keeps policy entries apart', () => {
    const r = parse([
      { tool: 'kube-score', rule: 'container-image-pull-policy', reason: 'images pinned by tag', expires: '2027-01-31', target: 'dist/**' },
      { tool: 'grype', rule: 'CVE-2026-0001', reason: 'not reachable in our use', expires: '2027-01-31', object: 'todo-backend' },
      { rule: 'image-tag', object: 'Deployment/todo/x', reason: 'demo image rebuilt' },
    ]);
    expect(r.tools).toEqual([
      { at: 'waivers[0]', tool: 'kube-score', rule: 'container-image-pull-policy', reason: 'images pinned by tag', expires: '2027-01-31', target: 'dist/**' },
      { at: 'waivers[1]', tool: 'grype', rule: 'CVE-2026-0001', reason: 'not reachable in our use', expires: '2027-01-31', object: 'todo-backend' },
    ]);
    expect(r.policy).toEqual([{ rule: 'image-tag', object: 'Deployment/todo/x', reason: 'demo image rebuilt' }]);
  });

  it('requires an expiry date on a tool waiver and names each bad field with its fix', () => {
    expect(() => parse([{ tool: 'Kube Score', rule: '', reason: 'short', expires: '2027-02-30', extra: 1 }, { tool: 'trivy', rule: 'KSV-0017', reason: 'a good long reason' }])).toThrow(
      [
        'w.json: waivers[0].tool: "Kube Score" is not a tool name; fix: name the tool as its gate prints it (kube-score, trivy, ...)',
        "w.json: waivers[0].rule: missing; fix: give the tool's own rule id (or vulnerability id) as the gate prints it",
        'w.json: waivers[0].reason: missing or shorter than 10 characters; fix: say why the rule does not apply',
        'w.json: waivers[0].expires: "2027-02-30" is not a date; fix: give the last day it applies as YYYY-MM-DD',
        'w.json: waivers[0].extra: unknown field; fix: remove it',
        'w.json: waivers[1].expires: missing; fix: give the last day it applies as YYYY-MM-DD',
      ].join('\n'),
    );
  });

  it('matches target globs: * within a segment, ** across segments', () => {
    expect(globToRegExp('dist/k8s/*/x.yaml').test('dist/k8s/production/x.yaml')).toBe(true);
    expect(globToRegExp('dist/k8s/*/x.yaml').test('dist/k8s/a/b/x.yaml')).toBe(false);
    expect(globToRegExp('apps/infra/test/fixtures/*/expected/**').test('apps/infra/test/fixtures/shop/expected/k8s/production/40-api.yaml')).toBe(true);
    expect(globToRegExp('**/Dockerfile').test('Dockerfile')).toBe(true);
    expect(globToRegExp('docker/*.yml').test('docker/docker-compose.yml')).toBe(true);
  });
});

describe('judge', () => {
  const f = (rule: string, file: string): Finding => ({ tool: 'kube-score', rule, file, object: 'Deployment/todo/api', message: 'm' });
  const w = (over: Partial<ToolWaiver>): ToolWaiver => ({ at: 'waivers[0]', tool: 'kube-score', rule: 'a', reason: 'because it must', expires: '2027-01-01', ...over });

  it('waives by tool, rule and target; an expired waiver waives nothing and is reported; other tools are left alone', () => {
    const findings = [f('a', 'dist/k8s/p/1.yaml'), f('a', 'other/1.yaml'), f('b', 'dist/k8s/p/1.yaml')];
    const live = w({ target: 'dist/**' });
    const old = w({ at: 'waivers[1]', rule: 'b', expires: '2026-12-06' });
    const grype = w({ at: 'waivers[2]', tool: 'grype', rule: 'CVE-1' });
    const j = judge(findings, [live, old, grype], ['kube-score', 'trivy'], '2026-12-07');
    expect(j.waived.map((x) => x.finding)).toEqual([findings[0]]);
    expect(j.open).toEqual([findings[1], findings[2]]);
    expect(j.expired).toEqual([old]);
    expect(j.unused).toEqual([]);
    // The last day of a waiver still counts.
    expect(judge(findings, [old], ['kube-score'], '2026-12-06').open).toEqual([findings[0], findings[1]]);
    expect(formatJudged(j, 'w.json', { 'kube-score': 3 })).toContain(
      'FAIL expired waiver w.json: waivers[1] (kube-score b) expired on 2026-12-06; fix: fix the finding, or renew "expires" with a reason that still holds',
    );
  });
});

/**
 * The gate end to end with the real tools: a privileged container planted in a temp dir fails
 * it, naming each tool's rule id; a waiver passes it; an expired waiver fails it again.
 */
describe('scan-config on a planted finding (real kube-score and trivy)', () => {
  const bin = join(ROOT, 'tmp/go-tools/bin');
  const built = ['kube-score', 'trivy'].every((t) => existsSync(join(bin, t)));
  const missing = `kube-score and trivy are not built in ${bin}; run \`${BUILD_COMMAND}\` first`;
  if (!built && process.env.CI !== 'true') {
    it.skip(`(skipped outside CI: ${missing})`, () => undefined);
    return;
  }
  let dir: string;
  beforeAll(() => {
    if (!built) throw new Error(missing);
    dir = mkdtempSync(join(tmpdir(), 'scan-config-test-'));
    mkdirSync(join(dir, 'planted'));
    writeFileSync(
      join(dir, 'planted/app.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: app, namespace: demo}',
        'spec:',
        '  replicas: 1',
        '  selector: {matchLabels: {app: app}}',
        '  template:',
        '    metadata: {labels: {app: app}}',
        '    spec:',
        '      containers:',
        '        - name: app',
        '          image: example/app:1.0',
        '          securityContext: {privileged: true}',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  const run = (waivers: object[], today = '2026-12-07') => {
    writeFileSync(join(dir, 'w.json'), JSON.stringify({ waivers }));
    const out: string[] = [];
    const err: string[] = [];
    const code = main(['planted', '--waivers', 'w.json'], { cwd: dir, env: { ...process.env, GO_TOOLS_BIN: bin, WAIVERS_TODAY: today }, out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const failing = (out: string) => [...new Set([...out.matchAll(/^FAIL (kube-score|trivy) (\S+):/gm)].map((m) => `${m[1]} ${m[2]}`))];

  it('fails naming kube-score container-security-context-privileged and trivy KSV-0017', () => {
    const r = run([]);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL kube-score container-security-context-privileged: \S*planted\/app\.yaml Deployment\/demo\/app: \(app\) The container is privileged/m);
    expect(r.out).toMatch(/^FAIL trivy KSV-0017: \S*planted\/app\.yaml: line \d+: \[HIGH\] Container 'app' of Deployment 'app' should set 'securityContext.privileged' to false/m);
  });

  it('passes when every finding is waived, and fails again when a waiver has expired', () => {
    const rules = failing(run([]).out);
    expect(rules).toContain('kube-score container-security-context-privileged');
    const waivers = (expires: (rule: string) => string) =>
      rules.map((tr) => {
        const [tool, rule] = tr.split(' ');
        return { tool, rule, target: '**/planted/*.yaml', reason: 'planted by the test on purpose', expires: expires(tr) };
      });
    const ok = run(waivers(() => '2027-01-31'));
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^WAIVED kube-score container-security-context-privileged in \*\*\/planted\/\*\.yaml: 1 findings until 2027-01-31/m);
    expect(ok.out).toMatch(/, 0 open, \d+ waived$/);

    const expired = run(waivers((tr) => (tr === 'trivy KSV-0017' ? '2026-12-06' : '2027-01-31')));
    expect(expired.code).toBe(1);
    expect(expired.out).toMatch(/^FAIL trivy KSV-0017: .*planted\/app\.yaml/m);
    expect(expired.out).toMatch(/^FAIL expired waiver w\.json: waivers\[\d+\] \(trivy KSV-0017 \*\*\/planted\/\*\.yaml\) expired on 2026-12-06; fix: /m);
  });

  it('no waiver outside the waivers file: kube-score/ignore annotations, trivy:ignore comments, a .trivyignore or trivy.yaml beside the run', () => {
    const base = readFileSync(join(dir, 'planted/app.yaml'), 'utf8');
    try {
      writeFileSync(
        join(dir, 'planted/app.yaml'),
        base
          .replace('metadata: {name: app, namespace: demo}', 'metadata: {name: app, namespace: demo, annotations: {kube-score/ignore: container-security-context-privileged}}')
          .replace('          securityContext: {privileged: true}', '          # trivy:ignore:KSV-0017\n          securityContext: {privileged: true}'),
      );
      writeFileSync(join(dir, '.trivyignore'), 'KSV-0017\n');
      writeFileSync(join(dir, 'trivy.yaml'), 'misconfiguration:\n  scanners: []\nseverity: [LOW]\n');
      const r = run([]);
      expect(r.code).toBe(1);
      expect(failing(r.out)).toEqual(expect.arrayContaining(['kube-score container-security-context-privileged', 'trivy KSV-0017', 'trivy inline-ignore']));
      expect(r.out).toMatch(/^FAIL trivy inline-ignore: \S*planted\/app\.yaml: line 13: a trivy:ignore comment waives checks in the file itself/m);
    } finally {
      writeFileSync(join(dir, 'planted/app.yaml'), base);
      rmSync(join(dir, '.trivyignore'), { force: true });
      rmSync(join(dir, 'trivy.yaml'), { force: true });
    }
  });

  it('exits 2 naming the build command when a tool is missing', () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(['planted'], { cwd: dir, env: { ...process.env, GO_TOOLS_BIN: join(dir, 'nothing') }, out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(`fix: run \`${BUILD_COMMAND}\``);
  });
});

it('the repository waivers file parses, and every tool waiver in it has a reason and an expiry', () => {
  const { tools } = parseWaiverFile(readFileSync(join(ROOT, 'libs/policy/waivers.json'), 'utf8'), 'libs/policy/waivers.json', ALL_RULE_IDS);
  expect(tools.length).toBeGreaterThan(0);
});
