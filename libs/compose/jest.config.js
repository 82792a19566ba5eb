module.exports = { ...require('../../jest.preset.js'), displayName: 'compose', rootDir: __dirname };
