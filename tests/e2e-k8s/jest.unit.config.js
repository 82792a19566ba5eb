// The pod runner's pure parts (manifest admission, NetworkPolicy rules, expansion): no Docker.
const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'e2e-k8s-unit',
  rootDir: __dirname,
  testMatch: ['**/*.unit.test.ts'],
};
