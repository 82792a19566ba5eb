// Renders the Kubernetes manifests of a stack spec (e.g. a public stack under
// apps/infra/test/fixtures) into a directory the pod runner can apply, with one tag for every
// built image, so other stacks than the todo app run through the same runner.
//   node tools/run-ts.mjs tests/e2e-k8s/render-stack.ts SPEC.json ENV OUT_DIR [TAG]
import { validate, type StackSpec } from '@todo/service-spec';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOutputs } from '../../apps/infra/src/outputs';

const [specFile, env, out, tag = 'e2ek8s'] = process.argv.slice(2);
if (!specFile || !env || !out) throw new Error('usage: render-stack.ts SPEC.json ENV OUT_DIR [TAG]');
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as StackSpec;
const issues = validate(spec);
if (issues.length) throw new Error(`${specFile} is invalid: ${JSON.stringify(issues)}`);
const tags = Object.fromEntries(spec.services.filter((s) => s.image.build).map((s) => [s.name, tag]));
const files = renderOutputs(spec, tags).files.filter((f) => f.path.startsWith(`dist/k8s/${env}/`));
if (!files.length) throw new Error(`${specFile}: environment ${env} has no Kubernetes target`);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const f of files) writeFileSync(join(out, f.path.split('/').pop()!), f.content);
console.log(`${files.length} files in ${out}`);
