module.exports = { ...require('../../jest.preset.js'), displayName: 'build-inputs', rootDir: __dirname };
