#!/usr/bin/env node
// Generates the JSON Schema of the service spec from libs/service-spec/src/types.ts.
// The shape phase of validation runs on this schema, so the types and the checks
// cannot drift apart; a test fails when the committed file is stale.
//   node libs/service-spec/scripts/generate-schema.mjs          rewrite the committed schema
//   node libs/service-spec/scripts/generate-schema.mjs --check  exit 1 when it is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const lib = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_FILE = join(lib, 'src', 'spec.schema.json');

/** @param types the types file to read (a test points it at a planted copy) */
export function generateSchema(types = join(lib, 'src', 'types.ts')) {
  const schema = createGenerator({
    path: types,
    tsconfig: join(lib, 'tsconfig.json'),
    type: 'StackSpec',
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    additionalProperties: false,
    sortProps: true,
    skipTypeCheck: true,
  }).createSchema('StackSpec');
  tighten(schema);
  schema.$id = 'https://todo-deploy.local/schemas/stack-spec.schema.json';
  schema.title = 'Service spec (StackSpec)';
  // Spec files may name this schema so editors complete and check them.
  const root = schema.definitions.StackSpec;
  root.properties = { $schema: { type: 'string', description: 'Path or URL of this JSON Schema, for editors.' }, ...root.properties };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/**
 * Rules the TypeScript types cannot state, applied uniformly so they stay rules, not exceptions:
 * - every number in the spec counts whole units (ports, ids, replicas, seconds, MiB, GiB): integer;
 * - a named field that is a string must not be empty, except text that may legitimately be
 *   empty: command arguments (array items), env, label and annotation values, file content,
 *   and JSON patch operations;
 * - a JSDoc `@default` that is prose (e.g. "the image's CMD") documents, it is not a default value.
 */
const MAY_BE_EMPTY = new Set(['env', 'labels', 'annotations', 'content']);

function tighten(node, name, definition) {
  if (Array.isArray(node)) return node.forEach((n) => tighten(n, name, definition));
  if (!node || typeof node !== 'object') return;
  if (node.type === 'number') node.type = 'integer';
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties') {
      for (const [field, shared] of Object.entries(v)) {
        // The generator shares one node between fields of the same type (every Record<string, string>):
        // each field gets its own copy, so that a rule for one field does not reach the others.
        const prop = (v[field] = { ...shared });
        if (prop.type === 'string' && !prop.enum && field !== '$schema' && !MAY_BE_EMPTY.has(field) && definition !== 'JsonPatchOperation') prop.minLength = 1;
        if (typeof prop.default === 'string' && (prop.type !== 'string' || /[\s`']/.test(prop.default))) delete prop.default;
        tighten(prop, field, definition);
      }
    } else if (k === 'additionalProperties' && typeof v === 'object') {
      const own = (node[k] = { ...v });
      if (own.type === 'string' && !MAY_BE_EMPTY.has(name)) own.minLength = 1;
      tighten(own, name, definition);
    } else if (k === 'definitions') {
      for (const [def, d] of Object.entries(v)) tighten(d, def, def);
    } else if (typeof v === 'object') {
      tighten(v, name, definition);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const fresh = generateSchema();
  if (process.argv.includes('--check')) {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (committed !== fresh) {
      console.error(`${SCHEMA_FILE} is stale: run node libs/service-spec/scripts/generate-schema.mjs and commit it`);
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_FILE, fresh);
  }
}
