// Shared Jest settings: TypeScript through SWC (fast, no type-check; `typecheck` does that).
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['**/?(*.)+(spec|test).ts'],
  reporters: ['default', require.resolve('./tools/dev/summary-reporter.cjs')],
};
