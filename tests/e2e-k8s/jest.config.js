// The Kubernetes output on a real cluster (kubectl's context): serial, one cluster.
const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'e2e-k8s',
  rootDir: __dirname,
  testMatch: ['**/*.e2e.test.ts'],
  testSequencer: require.resolve('./sequencer.js'),
  maxWorkers: 1,
  testTimeout: 5 * 60 * 1000,
};
