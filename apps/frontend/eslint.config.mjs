import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import jsxA11y from 'eslint-plugin-jsx-a11y';

const config = [
  ...nextVitals,
  ...nextTs,
  { files: ['**/*.tsx'], rules: jsxA11y.flatConfigs.strict.rules },
  // The production entry point is plain CommonJS run by node, beside the generated server.js.
  { files: ['serve.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { ignores: ['.next/**', 'node_modules/**', 'e2e/artifacts/**', 'next-env.d.ts'] },
];

export default config;
