// The pod runner's tests, then the minikube manifests end to end: serial, real containers.
const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'e2e-k8s',
  rootDir: __dirname,
  testMatch: ['**/runner.test.ts', '**/*.e2e.test.ts'],
  testSequencer: require.resolve('./sequencer.js'),
  maxWorkers: 1,
  testTimeout: 5 * 60 * 1000,
};
