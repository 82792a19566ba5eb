import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './support';

/** The module-boundary rules really restrict: planted imports that break the architecture fail lint. */
describe('module boundaries', () => {
  // The real eslint CLI with the workspace config, on planted source passed through stdin.
  const lint = async (file: string, code: string): Promise<string[]> => {
    const r = spawnSync(join(repoRoot, 'node_modules/.bin/eslint'), ['--stdin', '--stdin-filename', file, '--format', 'json'], { cwd: repoRoot, input: code, encoding: 'utf8' });
    const [result] = JSON.parse(r.stdout);
    return result.messages.filter((m: any) => ['@nx/enforce-module-boundaries', 'no-restricted-imports'].includes(m.ruleId)).map((m: any) => m.message);
  };

  it.each([
    ['libs/service-spec/src/planted.ts', "import { App } from 'cdk8s';\nexport const a = App;\n", 'cdk8s'],
    ['libs/service-spec/src/planted.ts', "import { stringify } from 'yaml';\nexport const a = stringify;\n", 'yaml'],
    ['libs/service-spec/src/planted.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n", 'node:fs'],
    ['libs/compose/src/planted.ts', "import { Chart } from 'cdk8s';\nexport const a = Chart;\n", 'cdk8s'],
    ['libs/compose/src/planted.ts', "import { renderKubernetes } from '@todo/k8s';\nexport const a = renderKubernetes;\n", 'scope:k8s'],
    ['apps/infra/src/planted.ts', "import * as kplus from 'cdk8s-plus-27';\nexport const a = kplus;\n", 'cdk8s-plus-27'],
  ])('%s may not import %j', async (file, code, what) => {
    const messages = await lint(file, code);
    expect(messages.length).toBe(1);
    expect(messages[0]).toContain(what.startsWith('scope:') ? 'tagged with' : what);
  }, 60_000);

  it('allows the intended direction: k8s imports the model and cdk8s', async () => {
    expect(await lint('libs/k8s/src/planted.ts', "import { Chart } from 'cdk8s';\nimport { todoStack } from '@todo/service-spec';\nexport const a = [Chart, todoStack];\n")).toEqual([]);
  }, 60_000);
});
