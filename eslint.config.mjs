import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';

/**
 * Architecture rules. Tags live in each project's package.json ("nx.tags").
 *  - type:core       pure building blocks every layer may use (the error type): no I/O
 *  - type:contracts  pure event contracts: may import only core and other contracts, and no I/O library
 *  - type:runtime    broker/database plumbing: may import core and contracts
 *  - type:testing    helpers for integration tests only
 *  - type:app        a service: may import contracts and runtime libs, never another app
 *  - type:tooling    workspace tools (architecture checks, the benchmark): drive the system from outside,
 *                    like the end-to-end tests, so they may import contracts and test helpers only
 *  - type:ops        operators' tools (the dead-letter tool): act on a running system's broker with the
 *                    runtime's own plumbing, so they may import core, contracts and runtime; no app imports them
 *  - type:migrations the migration step (tools/migrate): Prisma's CLI against the services' databases, run
 *                    before they start. It imports no other project; the test helpers, the end-to-end
 *                    tests and the workspace tools run it, a service or library never does
 */
const IO_MODULES = [
  'amqplib',
  'amqp-connection-manager',
  'pg',
  '@prisma/*',
  'express',
  'pino',
  'nodemailer',
  'node:*',
  'fs',
  'net',
  'http',
  'https',
  'child_process',
];

const TEST_HELPERS = {
  name: '@shopflow/testing',
  message: 'test helpers are for tests only',
};

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/jest.config.cjs', '**/dist', '**/out-tsc', '**/node_modules', '**/.nx'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:core',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: IO_MODULES,
            },
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: ['type:core', 'type:contracts'],
              bannedExternalImports: IO_MODULES,
            },
            {
              sourceTag: 'type:runtime',
              onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:runtime', 'type:testing'],
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:testing', 'type:migrations'],
            },
            {
              sourceTag: 'type:e2e',
              onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:testing', 'type:migrations'],
            },
            {
              sourceTag: 'type:tooling',
              onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:testing', 'type:migrations'],
            },
            {
              sourceTag: 'type:migrations',
              onlyDependOnLibsWithTags: [],
            },
            {
              sourceTag: 'type:ops',
              onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:runtime', 'type:testing'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:core', 'type:contracts', 'type:runtime', 'type:testing'],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    // Type information for the rules that need it: each file's own tsconfig, found by the project service.
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A promise nobody awaits, returns or marks `void` is a forgotten `await`: the statement after it
      // runs before it is done, and its failure goes nowhere. (Statements sent without waiting for their
      // answer, `tx.send`, return nothing, so the rule tells them apart.)
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Test helpers never ship: only specs and test folders may use them.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/test/**', 'libs/testing/**', 'tests/**', 'tools/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [TEST_HELPERS] }] },
  },
  {
    // Operators run the ops tools against production: test helpers stay in their tests there too.
    files: ['tools/dlq/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/test/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [TEST_HELPERS] }] },
  },
  {
    // In a service, SQL and database drivers live in data-access/ only: entry points, use cases and the
    // domain go through repositories (they may still name the types, e.g. the transaction's SqlClient).
    files: ['apps/*/src/**/*.ts'],
    ignores: ['apps/*/src/data-access/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            TEST_HELPERS,
            {
              name: '@shopflow/postgres',
              importNames: ['sql', 'join', 'raw', 'empty', 'Sql'],
              message: 'SQL belongs in src/data-access (a repository)',
            },
          ],
          patterns: [{ group: ['pg', 'pg-*', '@prisma/*'], message: 'database drivers belong in src/data-access' }],
        },
      ],
    },
  },
  {
    // Node's built-in modules are not npm dependencies, so the tag rule above cannot see them.
    files: ['libs/events/**/*.ts', 'libs/errors/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [TEST_HELPERS, ...builtinModules],
          // node:crypto only makes ids here (createEvent's UUIDv7), which is no I/O.
          patterns: [{ group: ['node:*', '!node:crypto'], message: 'contracts do no I/O' }],
        },
      ],
    },
  },
  prettier,
];
