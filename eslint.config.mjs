import nx from '@nx/eslint-plugin';

const formats = ['cdk8s', 'cdk8s-plus-27', 'constructs', 'yaml'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/node_modules', '**/dist', 'apps/frontend/**', 'tmp/**', '**/__fixtures__/**', '**/fixtures/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // The model knows no deployment format and does no I/O (DESIGN.md convention 1).
            { sourceTag: 'scope:model', onlyDependOnLibsWithTags: ['scope:model'], bannedExternalImports: formats },
            // Only libs/k8s may import cdk8s, cdk8s-plus-27 or constructs.
            { sourceTag: 'scope:k8s', onlyDependOnLibsWithTags: ['scope:model'], bannedExternalImports: ['yaml'] },
            { sourceTag: 'scope:compose', onlyDependOnLibsWithTags: ['scope:model'], bannedExternalImports: ['cdk8s', 'cdk8s-plus-27', 'constructs', 'yaml'] },
            { sourceTag: 'scope:output', onlyDependOnLibsWithTags: [], bannedExternalImports: ['cdk8s', 'cdk8s-plus-27', 'constructs'] },
            { sourceTag: 'scope:build', onlyDependOnLibsWithTags: ['scope:model'], bannedExternalImports: ['cdk8s', 'cdk8s-plus-27', 'constructs'] },
            { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: ['scope:model', 'scope:build'], bannedExternalImports: ['cdk8s', 'cdk8s-plus-27', 'constructs'] },
            { sourceTag: 'scope:gates', onlyDependOnLibsWithTags: [], bannedExternalImports: ['cdk8s', 'cdk8s-plus-27', 'constructs'] },
            {
              sourceTag: 'scope:infra',
              onlyDependOnLibsWithTags: ['scope:model', 'scope:k8s', 'scope:compose', 'scope:output', 'scope:build', 'scope:gates'],
              bannedExternalImports: ['cdk8s', 'cdk8s-plus-27', 'constructs'],
            },
          ],
        },
      ],
    },
  },
  {
    // Renderers and the model are pure functions: I/O lives in apps/infra and libs/build-inputs.
    files: ['libs/service-spec/src/**/*.ts', 'libs/k8s/src/**/*.ts', 'libs/compose/src/**/*.ts', 'libs/yaml-out/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/__tests__/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['fs', 'node:fs', 'fs/*', 'node:fs/*', 'child_process', 'node:child_process', 'net', 'node:net'], message: 'model and renderers are pure: do I/O in apps/infra' }] }],
    },
  },
];
