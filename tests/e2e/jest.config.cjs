module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'e2e',
  testTimeout: 120_000,
  // One system at a time: the machine has two cores and every suite runs four services.
  maxWorkers: 1,
};
