import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { composeIsV1, corpusRoundTrip, exempt, matchReport, names, parityComposePaths, semanticDifferences, type CorpusRun } from './import-round-trip';

/**
 * The acceptance test of `infra import` (issue 19, item 9): every compose file of the corpus
 * (fixtures/import/<name>/, sources in fixtures/import/SOURCES.md) goes import -> the user's
 * answers (decisions.ts) -> synth -> compose config, and every difference from the source is
 * named by a report line, and every decision or cannot-map line names a difference.
 */
const CORPUS = join(__dirname, 'fixtures', 'import');
const fixtures = readdirSync(CORPUS, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

/**
 * Fixtures that fail today only for a feature of issue 19 another change is building, with the
 * feature. A fixture listed here must still fail (the test says when it starts passing: remove
 * it then); one not listed must pass. Empty this map as the features land.
 */
export const PENDING: Readonly<Record<string, string>> = {};

/** Fixtures in Compose Specification keys docker-compose 1.29 refuses: they run where Compose v2 is installed. */
const COMPOSE_V2_ONLY: Readonly<Record<string, string>> = { 'v2-proxy-app-db': 'top-level name, long-form port with host_ip' };
const runnable = fixtures.filter((n) => !(composeIsV1() && COMPOSE_V2_ONLY[n]));
const skipped = fixtures.filter((n) => !runnable.includes(n));

/** What the round trip found, as one text: empty when it passes. */
function failures(r: CorpusRun): string {
  return [
    ...r.problems.map((p) => `problem: ${p}`),
    ...r.matching.unexplained.map((d) => `difference no report line names: ${d.what}   [${d.fields.join(' | ')}]`),
    ...r.matching.unmatched.map((l) => `${l.status} line names no difference: \`${l.path}\`: ${l.message}`),
  ].join('\n');
}

const table: string[] = [];
afterAll(() => {
  // The closing note's per-stack counts.
  process.stdout.write(['', '| stack | services | decisions asked | answers applied | differences | explained | unexplained | lines with no difference | exempt lines | status |', '|---|---|---|---|---|---|---|---|---|---|', ...table, ''].join('\n'));
});

describe('import corpus: compose -> spec -> synth -> compose config keeps the meaning, or a report line says what changed', () => {
  it('holds at least 10 stacks that the installed compose reads', () => expect(runnable.length).toBeGreaterThanOrEqual(10));
  it('PENDING names only corpus fixtures', () => expect(Object.keys(PENDING).filter((n) => !fixtures.includes(n))).toEqual([]));

  if (skipped.length) it.skip.each(skipped)('%s (needs Compose v2)', () => undefined);
  it.each(runnable)('%s', (name) => {
    const r = corpusRoundTrip(join(CORPUS, name));
    try {
      const found = failures(r);
      if (process.env.IMPORT_CORPUS_VERBOSE) {
        const explained = r.differences.filter((d) => !r.matching.unexplained.includes(d));
        process.stdout.write(`\n## ${name}\n${explained.map((d) => `explained: ${d.what}   [${d.fields.join(' | ')}]`).join('\n')}\n${r.matching.exempted.map((l) => `exempt: \`${l.path}\`: ${l.message}`).join('\n')}\n${found}\n`);
      }
      table.push(`| ${name} | ${r.services} | ${r.decisionsAsked} | ${r.answersApplied} | ${r.differences.length} | ${r.differences.length - r.matching.unexplained.length} | ${r.matching.unexplained.length} | ${r.matching.unmatched.length} | ${r.matching.exempted.length} | ${r.problems.length ? 'stopped' : found ? 'fails' : 'passes'}${PENDING[name] ? ' (pending)' : ''} |`);
      if (PENDING[name]) {
        if (!found) throw new Error(`${name} passes now: remove it from PENDING (it waited for: ${PENDING[name]})`);
        return;
      }
      expect(found).toBe('');
      // Not vacuous: the comparison saw the stack (every stack here differs somewhere, e.g. 127.0.0.1 binds).
      expect(r.differences.length).toBeGreaterThan(0);
    } finally {
      if (!process.env.KEEP_IMPORT_CORPUS) rmSync(r.work, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the round trip reads the source as compose does: extends merged before it asks where a variable came from', () => {
  it('a variable a service inherits through extends from the base\'s env_file is named at that env_file, as the import names it', () => {
    // web extends base, whose env_file sets DB_HOST=my_db; my_db is imported as my-db, so DB_HOST changes in web too.
    const r = corpusRoundTrip(join(__dirname, 'fixtures', 'import-extends-env'));
    try {
      expect(r.problems).toEqual([]);
      const web = r.differences.find((d) => d.service === 'web' && d.what.startsWith('environment DB_HOST'));
      expect(web?.fields).toEqual(expect.arrayContaining(['services.web.environment.DB_HOST', 'services.web.env_file.DB_HOST', 'services.web.env_file[0].DB_HOST']));
      expect(r.report).toContainEqual(expect.objectContaining({ path: 'services.web.env_file.DB_HOST', status: 'decision', message: expect.stringContaining('"my_db" rewritten to "my-db"') }));
      expect(failures(r)).toBe('');
    } finally {
      if (!process.env.KEEP_IMPORT_CORPUS) rmSync(r.work, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the semantic comparison and the two-way rule', () => {
  const source = {
    services: {
      web: { image: 'a:1', ports: ['8080:80'], environment: { A: '1', FROM_FILE: 'x' }, depends_on: { db: { condition: 'service_healthy' } }, healthcheck: { test: 'curl -f x' }, profiles: ['dev'] },
      db: { image: 'postgres:16', volumes: ['data:/var/lib/postgresql/data'] },
    },
    volumes: { data: {} },
  };
  const raw = { services: { web: { ...source.services.web, environment: { A: '1' }, env_file: ['.env'] }, db: source.services.db } };
  const generated = {
    services: {
      web: { image: 'a:1', ports: ['127.0.0.1:8080:80'], environment: { A: '1' }, depends_on: { db: { condition: 'service_started' } }, healthcheck: { test: ['CMD', 'sh', '-c', 'curl -f x'], interval: '10s' }, cap_drop: ['ALL'] },
      db: { image: 'postgres:16', volumes: [{ type: 'volume', source: 'db-data', target: '/var/lib/postgresql/data' }] },
    },
  };
  const diffs = semanticDifferences({ source, generated, raw, sourceDir: '/s', generatedDir: '/g' });
  const at = (what: string) => diffs.find((d) => d.what.startsWith(what));

  it('finds each change at the compose path of the source, and nothing where the meaning is kept', () => {
    expect(at('ports 80/tcp')?.fields).toEqual(['services.web.ports[0]']);
    // A variable that came from env_file is named by the env_file too.
    expect(at('environment FROM_FILE')?.fields).toEqual(['services.web.environment.FROM_FILE', 'services.web.env_file.FROM_FILE', 'services.web.env_file[0].FROM_FILE']);
    expect(at('depends_on db')?.fields).toEqual(['services.web.depends_on.db']);
    expect(at('mount /var/lib/postgresql/data')?.fields).toEqual(['services.db.volumes[0]']);
    expect(at('profiles')?.fields).toEqual(['services.web.profiles']);
    expect(at('healthcheck interval')?.what).toBe('healthcheck interval 30s -> 10s');
    expect(at('cap_drop')?.fields).toEqual(['services.web.cap_drop']);
    // CMD-SHELL-as-string and CMD sh -c are the same test; image and env A are unchanged.
    expect(diffs.map((d) => d.what.split(' ')[0]).sort()).toEqual(['cap_drop', 'depends_on', 'environment', 'healthcheck', 'mount', 'ports', 'profiles']);
  });

  it('a difference needs a decision or cannot-map line at its path (or a compose parity line); a line needs a difference unless it is exempt', () => {
    const line = (path: string, status: 'decision' | 'unmapped' | 'mapped' = 'decision', message = 'm') => ({ path, status, message });
    const all = [line('services.web.ports[0]'), line('services.web.env_file', 'unmapped'), line('services.web.depends_on.db'), line('services.db.volumes[0]'), line('services.web.profiles', 'unmapped'), line('services.web.healthcheck'), line('services.web.cap_drop')];
    expect(matchReport(diffs, all, [])).toEqual({ unexplained: [], unmatched: [], exempted: [] });
    // A mapped line explains nothing.
    expect(matchReport(diffs, [...all.slice(1), line('services.web.ports[0]', 'mapped')], []).unexplained.map((d) => d.what.split(':')[0])).toEqual(['ports 80/tcp']);
    // A whole-service line does not explain a field.
    expect(matchReport(diffs, [...all.slice(0, -1), line('services.web')], []).unexplained.map((d) => d.what.split(' ')[0])).toEqual(['cap_drop']);
    // A line with nothing changed at its path fails, unless it is a Kubernetes-only matter.
    expect(matchReport(diffs, [...all, line('services.web.user')], []).unmatched).toEqual([line('services.web.user')]);
    const role = line('services.web', 'decision', 'role "web" inferred from the name and image');
    expect(matchReport(diffs, [...all, role], [])).toMatchObject({ unmatched: [], exempted: [role] });
    // The parity report's compose section explains, by the compose path of its spec field.
    const parity = [{ environment: 'local', target: 'compose' as const, path: 'services.web.dependsOn.db', message: 'x' }];
    expect(matchReport(diffs, all.filter((l) => l.path !== 'services.web.depends_on.db'), parity).unexplained).toEqual([]);
    expect(matchReport(diffs, all.filter((l) => l.path !== 'services.web.depends_on.db'), [{ ...parity[0], target: 'kubernetes' }]).unexplained).toHaveLength(1);
  });

  it('path rules', () => {
    expect([names('services.a.volumes[0]', 'services.a.volumes'), names('services.a.healthcheck', 'services.a.healthcheck.interval'), names('services.a', 'services.a.user'), names('services.a.user', 'services.a.user')]).toEqual([true, true, false, true]);
    expect(parityComposePaths('services.db_x.resources.cpuMillis.request', new Map([['db-x', 'db_x']]))).toEqual(['services.db_x.deploy.resources.reservations.cpus']);
    expect(exempt({ path: 'services.a.user', status: 'decision', message: 'role "web" inferred' })).toBeUndefined();
  });
});
