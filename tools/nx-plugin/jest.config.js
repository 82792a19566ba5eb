// The plugin against the real workspace: Nx runs, one file at a time.
module.exports = { ...require('../../jest.preset.js'), displayName: 'nx-plugin', rootDir: __dirname, maxWorkers: 1, testTimeout: 5 * 60 * 1000 };
