import { specSchema, todoStack } from '@todo/service-spec';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import { parse, ProblemError, refuseLink, shown, SPEC_HELP, SPEC_OPTION, UsageError, workspaceRoot } from '../args';
import { readSpecData, validateSpec } from '../spec-file';
import type { Command } from './command';
import { starterSpec } from './starter-spec';

export const SCHEMA_IN_REPO = 'libs/service-spec/src/spec.schema.json';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a spec (shape, then meaning) and write nothing',
  help: `usage: infra validate [--spec FILE]

Reads the spec and reports every problem with its path, e.g.
  services.api.ports[0].port: port 70000 is out of range 1-65535
Parse errors name the file, line and column. Nothing is written.

${SPEC_HELP}
  -h, --help    this text`,
  run(argv, io) {
    const { values } = parse(argv, SPEC_OPTION);
    if (values.help) {
      io.out(this.help);
      return 0;
    }
    const repoRoot = workspaceRoot(io);
    const data = values.spec === undefined ? todoStack : readSpecData(values.spec as string, repoRoot, io.cwd);
    const issues = validateSpec(data, repoRoot);
    if (issues.length) {
      io.err(`${values.spec ?? 'the todo stack'}: ${issues.length} problem${issues.length === 1 ? '' : 's'}:`);
      for (const i of issues) io.err(`  ${i.path}: ${i.message}`);
      return 1;
    }
    const spec = data as { services?: unknown[]; environments?: object };
    io.out(`validate: ${values.spec ?? 'the todo stack'} is valid (${spec.services?.length} services, ${Object.keys(spec.environments ?? {}).length} environments)`);
    return 0;
  },
};

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print (or write) the JSON Schema of the spec, generated from its TypeScript types',
  help: `usage: infra schema [--out FILE] [--force]

Prints the JSON Schema of the service spec. Editors complete and check a spec that names it:
  JSON: "$schema": "<path to the schema>"
  YAML: # yaml-language-server: $schema=<path to the schema>
The committed copy is ${SCHEMA_IN_REPO}.

  --out FILE    write the schema to FILE instead of printing it
  --force       overwrite FILE if it exists
  -h, --help    this text`,
  run(argv, io) {
    const { values } = parse(argv, { out: { type: 'string' }, force: { type: 'boolean' } });
    if (values.help) {
      io.out(this.help);
      return 0;
    }
    const text = `${JSON.stringify(specSchema, null, 2)}\n`;
    if (values.out === undefined) {
      io.out(text.trimEnd());
      return 0;
    }
    if (values.out === '') throw new UsageError('--out: the file name is empty; give a .json file, or no --out to print the schema');
    const file = resolvePath(io.cwd, values.out as string);
    refuseLink(file, '--out', io.cwd);
    if (existsSync(file) && !values.force) throw new ProblemError(`${shown(file, io.cwd)} exists; fix: choose another --out, or pass --force to overwrite it`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    io.out(`schema: wrote ${shown(file, io.cwd)}`);
    return 0;
  },
};

export const initCommand: Command = {
  name: 'init',
  summary: 'write a commented starter spec (a web app with a PostgreSQL database)',
  help: `usage: infra init [--out FILE] [--name NAME] [--force]

Writes a commented YAML spec for a web app with a database. It synthesizes and
passes the policy gates as it stands; replace the web image with your own.

  --out FILE    where to write it (default: <name>.stack.yaml, which the
                docker-build targets of the Nx plugin pick up)
  --name NAME   the stack name, a DNS-1123 label (default: app)
  --force       overwrite FILE if it exists
  -h, --help    this text`,
  run(argv, io) {
    const { values } = parse(argv, { out: { type: 'string' }, name: { type: 'string' }, force: { type: 'boolean' } });
    if (values.help) {
      io.out(this.help);
      return 0;
    }
    const name = (values.name as string | undefined) ?? 'app';
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 40) throw new UsageError(`--name: "${name}" is not a DNS-1123 label of at most 40 characters`);
    const file = resolvePath(io.cwd, (values.out as string | undefined) ?? `${name}.stack.yaml`);
    if (!/\.ya?ml$/.test(file)) throw new UsageError('--out: the starter spec is YAML (with comments); name a .yaml or .yml file');
    refuseLink(file, '--out', io.cwd);
    if (existsSync(file) && !values.force) throw new ProblemError(`${shown(file, io.cwd)} exists; fix: choose another --out, or pass --force to overwrite it`);
    const schema = relative(dirname(file), join(workspaceRoot(io), SCHEMA_IN_REPO));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, starterSpec(name, schema));
    io.out(`init: wrote ${shown(file, io.cwd)}\nnext: npm run infra -- validate --spec ${shown(file, io.cwd)}\n      npm run infra -- synth --spec ${shown(file, io.cwd)}    (writes dist/stacks/${name}/ under the workspace root; --out DIR for elsewhere)`);
    return 0;
  },
};


