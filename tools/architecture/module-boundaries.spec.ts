import { createProjectGraphAsync } from '@nx/devkit';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/**
 * Runs the real ESLint CLI on `code` as if it were the file `file` (which need not exist). The
 * boundary rules need no type information, and TypeScript cannot type a file that is not on disk:
 * the rules that need types are off here.
 */
function lint(file: string, code: string): LintMessage[] {
  const run = spawnSync(
    path.join(root, 'node_modules/.bin/eslint'),
    [
      ...['--format', 'json', '--stdin', '--stdin-filename', file],
      ...['--parser-options', 'projectService:false', '--rule', '@typescript-eslint/no-floating-promises: off'],
    ],
    {
      cwd: root,
      input: code,
      encoding: 'utf8',
    },
  );
  const [result] = JSON.parse(run.stdout) as { messages: LintMessage[] }[];
  return result!.messages;
}

async function violations(file: string, code: string): Promise<string[]> {
  return lint(file, code)
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
    .map((m) => m.message);
}

describe('module boundaries (enforced by the lint)', () => {
  // The rule is skipped, silently, without a cached project graph: make sure there is one.
  beforeAll(() => createProjectGraphAsync({ exitOnError: false }), 60_000);

  it.each([
    ['amqplib', "import amqplib from 'amqplib';"],
    ['pg', "import { Pool } from 'pg';"],
    ['express', "import express from 'express';"],
  ])('refuses I/O libraries (%s) in the event contracts', async (_what, code) => {
    expect((await violations('libs/events/src/rogue.ts', `${code}\nexport const x = 1;\n`)).join()).toMatch(
      /"type:contracts" is not allowed to import/,
    );
  });

  it.each(["import fs from 'node:fs';", "import net from 'net';"])(
    'refuses Node I/O modules in the contracts: %s',
    (code) => {
      const messages = lint('libs/events/src/rogue.ts', `${code}\nexport const x = 1;\n`);
      expect(messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
    },
  );

  it('refuses the broker runtime in the event contracts', async () => {
    const found = await violations(
      'libs/events/src/rogue.ts',
      "import { EventPublisher } from '@shopflow/messaging';\nexport const x = EventPublisher;\n",
    );
    expect(found).not.toEqual([]);
  });

  it('refuses test helpers in production code', async () => {
    const messages = lint(
      'libs/messaging/src/rogue.ts',
      "import { eventually } from '@shopflow/testing';\nexport const x = eventually;\n",
    );
    expect(messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });

  it.each([
    ["import { sql } from '@shopflow/postgres';\nexport const x = sql`SELECT 1`;\n"],
    ["import { Pool } from 'pg';\nexport const x = Pool;\n"],
  ])("keeps SQL and drivers in a service's data-access: refused in a use case: %s", (code) => {
    expect(lint('apps/order-service/src/use-cases/rogue.ts', code).map((m) => m.ruleId)).toContain(
      'no-restricted-imports',
    );
    expect(lint('apps/order-service/src/data-access/fine.repository.ts', code).map((m) => m.ruleId)).not.toContain(
      'no-restricted-imports',
    );
  });

  it('lets a use case name the transaction type', () => {
    const code = "import { type SqlClient } from '@shopflow/postgres';\nexport type X = SqlClient;\n";
    expect(lint('apps/order-service/src/use-cases/fine.ts', code).map((m) => m.ruleId)).not.toContain(
      'no-restricted-imports',
    );
  });

  it('lets an operations tool use the broker runtime, which a workspace tool may not', async () => {
    const code = "import { DeadLetterQueue } from '@shopflow/messaging';\nexport const x = DeadLetterQueue;\n";
    expect(await violations('tools/dlq/src/fine.ts', code)).toEqual([]);
    expect((await violations('tools/bench/src/rogue.ts', code)).join()).toMatch(
      /"type:tooling" can only depend on libs tagged with "type:core", "type:contracts", "type:testing", "type:migrations"$/,
    );
  });

  it('refuses test helpers in the code of an operations tool, but not in its tests', () => {
    const code = "import { eventually } from '@shopflow/testing';\nexport const x = eventually;\n";
    expect(lint('tools/dlq/src/rogue.ts', code).map((m) => m.ruleId)).toContain('no-restricted-imports');
    expect(lint('tools/dlq/test/fine.ts', code).map((m) => m.ruleId)).not.toContain('no-restricted-imports');
  });

  it('refuses an operations tool in a service', async () => {
    expect(
      (
        await violations(
          'apps/order-service/src/rogue.ts',
          "import { run } from '@shopflow/dlq/src/cli';\nexport const x = run;\n",
        )
      ).join(),
      // The tool is a runnable project without an entry to import: either refusal keeps it out.
    ).toMatch(/"type:app" can only depend on libs tagged with|Imports of apps are forbidden/);
  });

  it.each(['apps/order-service/src/rogue.ts', 'libs/bootstrap/src/rogue.ts'])(
    'refuses the migration step (Prisma) in %s: a service never migrates its own database',
    async (file) => {
      const code = "import { migrateDeploy } from '@shopflow/migrate';\nexport const x = migrateDeploy;\n";
      expect((await violations(file, code)).join()).toMatch(/can only depend on libs tagged with/);
    },
  );

  it('lets the test helpers, the end-to-end tests and the bench run the migration step', async () => {
    const code = "import { migrateDeploy } from '@shopflow/migrate';\nexport const x = migrateDeploy;\n";
    for (const file of ['libs/testing/src/fine.ts', 'tests/e2e/support/fine.ts', 'tools/bench/src/fine.ts'])
      expect({ file, violations: await violations(file, code) }).toEqual({ file, violations: [] });
  });

  it('allows the contracts in the runtime', async () => {
    expect(
      await violations(
        'libs/messaging/src/fine.ts',
        "import { ALL_EVENTS } from '@shopflow/events';\nexport const x = ALL_EVENTS;\n",
      ),
    ).toEqual([]);
  });
});
