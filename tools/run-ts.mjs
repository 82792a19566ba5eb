#!/usr/bin/env node
// Runs a TypeScript entry point with plain Node: esbuild bundles the workspace
// sources (node_modules stay external) into a cached .mjs keyed by the content
// of every input file (tools/ts-module.mjs), so an unchanged program costs one read and hash per
// input (a few ms) instead of a rebuild.
// ts-node/tsx cost 1-3 s of start-up for the same work.
//
// Run it as `node -- tools/run-ts.mjs <entry.ts> [args...]` (as the `infra` npm script does)
// when the arguments may hold `--env-file`: Node 20 takes `--env-file` as its own option
// anywhere before a `--`, even after the script's name (nodejs/node#54232), and exits 9
// ("node: F: not found") or hangs on a fifo before this file runs. The program still gets
// exactly the arguments after the entry.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleTs } from './ts-module.mjs';

const [entryArg, ...args] = process.argv.slice(2);
if (!entryArg) {
  console.error('usage: node -- tools/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
const entry = resolve(entryArg);
const outPath = await bundleTs(entry);
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(outPath).href);
