import { repoPath as whereInRepo } from '@todo/build-inputs';
import { validate } from '@todo/service-spec';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve as resolvePath } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { parse, ProblemError, refuseLink, shown, UsageError, workspaceRoot } from '../args';
import { importCompose } from '../import/compose-import';
import type { ReadResult } from '../import/compose-variables';
import { DotenvError } from '../import/dotenv';
import { ComposeImportError } from '../import/errors';
import { lookupIn, projectVariables, type VariableFile } from '../import/variables';
import { formatReport } from '../import/report';
import { SpecParseError } from '../spec-file';
import type { Command } from './command';
import { SCHEMA_IN_REPO } from './spec-tools';

/** The largest env file (.env, --env-file, env_file:) import reads: 1 MiB, as for a spec file. */
export const MAX_ENV_FILE_BYTES = 1024 * 1024;

export const importCommand: Command = {
  name: 'import',
  summary: 'turn a docker-compose.yml into a spec, with a report of what mapped and what did not',
  help: `usage: infra import COMPOSE_FILE [--out FILE] [--name NAME] [--report FILE] [--force]
                   [--env-file FILE]... [--env KEY=VALUE]...

Reads a compose file (the docker-compose 1.29 \`version: "3"\` form or the Compose
Specification form) and writes a YAML spec. Prints an import report, field by field:
  Needs a decision  carried over with a choice to confirm (a health check, a pinned
                    tag, a uid, a secret's value, ...); the spec says what was chosen
  Cannot map        not expressible in the spec; not in the output
  Mapped            carried over as is
Build contexts and bind mounts are made relative to the workspace root.

Compose interpolation ($VAR, \${VAR}, \${VAR:-default}, \${VAR:?error}, \${VAR:+alt},
$$, nested defaults) is applied to every field first, as compose does, with the
variables of .env beside the compose file, or of the --env-file files instead of
it, and --env over both. The process environment is NOT read: the same files
give the same spec on every machine. A variable with no value and no default is
"" (as in compose) and a decision in the report; \${VAR:?error} without a value
stops the import, as it stops compose. A service's env_file is read into its
environment (environment wins over it); secret-looking values become secrets.

  --out FILE     the spec to write (default: stack.yaml)
  --name NAME    stack name when the compose file has no \`name\` (default: its folder's name)
  --report FILE  also write the report as Markdown
  --force        overwrite the --out and --report files if they exist
                 (never the compose file being imported)
  --env-file FILE  variables to interpolate with, in the .env syntax, instead of
                 the .env beside the compose file; repeat it: a later file wins
  --env KEY=VALUE  a variable to interpolate with, over the files; repeatable
  -h, --help     this text`,
  run(argv, io) {
    const { values, positionals } = parse(argv, { out: { type: 'string' }, name: { type: 'string' }, report: { type: 'string' }, force: { type: 'boolean' }, env: { type: 'string', multiple: true }, 'env-file': { type: 'string', multiple: true } }, 1);
    if (values.help) {
      io.out(this.help);
      return 0;
    }
    const [source] = positionals;
    if (source === undefined) throw new UsageError('name the compose file to import');
    const file = resolvePath(io.cwd, source);
    if (!existsSync(file)) throw new UsageError(`${source} does not exist`);
    if (!statSync(file).isFile()) throw new UsageError(`${source} is not a file; name the compose file itself (e.g. ${source.replace(/\/+$/, '') || '.'}/docker-compose.yml)`);
    const out = resolvePath(io.cwd, (values.out as string | undefined) ?? 'stack.yaml');
    if (!/\.ya?ml$/.test(out)) throw new UsageError('--out: the spec is written as YAML; name a .yaml or .yml file');
    const report = values.report === undefined ? undefined : resolvePath(io.cwd, values.report as string);
    // The same file under two names (a symlink, `./x`, `../dir/x`) is the same file: compare where they lead.
    const same = (a: string, b: string) => existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b);
    for (const [flag, path] of [['--out', out], ['--report', report]] as const) {
      if (path === undefined) continue;
      if (same(path, file)) throw new UsageError(`${flag}: ${shown(path, io.cwd)} is the compose file being imported; writing there would replace it; fix: choose another ${flag}`);
      refuseLink(path, flag, io.cwd);
      if (existsSync(path) && !values.force) throw new ProblemError(`${shown(path, io.cwd)} exists; fix: choose another ${flag}, or pass --force`);
    }
    if (report !== undefined && (report === out || same(report, out))) throw new UsageError('--report: it names the same file as --out; fix: give the report its own file');

    const text = readFileSync(file, 'utf8');
    const doc = parseDocument(text, { uniqueKeys: true, merge: true });
    if (doc.errors.length) {
      const e = doc.errors[0];
      throw new SpecParseError(`${shown(file, io.cwd)}:${e.linePos?.[0].line}:${e.linePos?.[0].col}: invalid YAML: ${e.message.split('\n')[0]}`);
    }
    let data: unknown;
    try {
      data = doc.toJS();
    } catch (e) {
      // An alias without its anchor, or aliases that would blow the data up exponentially (the yaml package's ReferenceError).
      throw new SpecParseError(`${shown(file, io.cwd)}: invalid YAML: ${(e as Error).message}`);
    }
    const repoRoot = workspaceRoot(io);
    // Variables: .env beside the compose file, or the --env-file files instead; --env over them (variables.ts).
    // An env file holds variables, not data: one over MAX_ENV_FILE_BYTES is refused before it is read.
    const tooBig = (bytes: number) => `is ${bytes} bytes, over the ${MAX_ENV_FILE_BYTES}-byte (1 MiB) limit for an env file; fix: keep large values in files the service reads, not in variables`;
    const readText = (path: string, what: string): string => {
      if (!existsSync(path)) throw new UsageError(`${what}: ${shown(path, io.cwd)} does not exist`);
      const stat = statSync(path);
      if (!stat.isFile()) throw new UsageError(`${what}: ${shown(path, io.cwd)} is not a file`);
      if (stat.size > MAX_ENV_FILE_BYTES) throw new ProblemError(`${what}: ${shown(path, io.cwd)} ${tooBig(stat.size)}`);
      return readFileSync(path, 'utf8');
    };
    const dotenvPath = join(dirname(file), '.env');
    const envFiles: VariableFile[] = ((values['env-file'] as string[] | undefined) ?? []).map((f) => ({ from: `--env-file ${f}`, text: readText(resolvePath(io.cwd, f), '--env-file') }));
    let variables;
    try {
      variables = projectVariables({
        dotenv: !envFiles.length && existsSync(dotenvPath) && statSync(dotenvPath).isFile() ? { from: '.env', text: readText(dotenvPath, '.env') } : undefined,
        envFiles,
        env: (values.env as string[] | undefined) ?? [],
      });
    } catch (e) {
      if (!(e instanceof DotenvError)) throw e;
      if (e.message.startsWith('--env ')) throw new UsageError(e.message);
      throw new ProblemError(e.message.startsWith('.env:') ? `${shown(dotenvPath, io.cwd)}${e.message.slice(4)}` : e.message);
    }
    // A file the compose file names (env_file): relative to it, and only inside the repository.
    const readFile = (p: string): ReadResult => {
      const abs = resolvePath(dirname(file), p);
      const where = whereInRepo(repoRoot, relative(repoRoot, abs) || '.');
      if (where.state === 'outside') return { state: 'outside', real: where.real };
      if (where.state === 'missing') return { state: 'missing' };
      try {
        const stat = statSync(where.real);
        if (!stat.isFile()) return { state: 'unreadable', why: 'it is not a file' };
        if (stat.size > MAX_ENV_FILE_BYTES) return { state: 'unreadable', why: `it ${tooBig(stat.size)}` };
        return { state: 'inside', text: readFileSync(where.real, 'utf8') };
      } catch (e) {
        return { state: 'unreadable', why: (e as Error).message };
      }
    };
    const folder = basename(dirname(file)).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'imported';
    let result;
    try {
      result = importCompose(data, {
        name: (values.name as string | undefined) ?? folder,
        repoPath: (p) => {
          // A path that is not a string (a list where compose wants a path) is no path in the repository.
          if (typeof p !== 'string') return undefined;
          const rel = relative(repoRoot, resolvePath(dirname(file), p));
          return rel.startsWith('..') || isAbsolute(rel) ? undefined : rel || '.';
        },
        variables: lookupIn(variables),
        readFile,
      });
    } catch (e) {
      // Anything else is a bug: the CLI reports it as an internal error (the fuzz test looks for those).
      if (!(e instanceof ComposeImportError)) throw e;
      throw new ProblemError(`${shown(file, io.cwd)}: ${e.message}`);
    }
    const schema = relative(dirname(out), join(repoRoot, SCHEMA_IN_REPO));
    const header = [
      `yaml-language-server: $schema=${schema}`,
      `Imported from ${shown(file, repoRoot)} by \`infra import\`.`,
      'Read the import report: every "needs a decision" line names a choice made here for you.',
    ].join('\n');
    const body = stringify(result.spec, { lineWidth: 0 });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${header.split('\n').map((l) => `# ${l}`).join('\n')}\n${body}`);
    const reportText = formatReport(shown(file, io.cwd), result.report);
    if (report !== undefined) writeFileSync(report, reportText);
    io.out(reportText.trimEnd());
    const issues = validate(result.spec);
    io.out(`\nimport: wrote ${shown(out, io.cwd)} (${result.spec.services.length} services)`);
    if (issues.length) {
      io.out(`It validates once these are decided (${issues.length}):`);
      for (const i of issues) io.out(`  ${i.path}: ${i.message}`);
    } else io.out(`It validates as it stands: npm run infra -- synth --spec ${shown(out, io.cwd)}   (writes dist/stacks/<stack name>/ under the workspace root; --out DIR for elsewhere)`);
    return 0;
  },
};
