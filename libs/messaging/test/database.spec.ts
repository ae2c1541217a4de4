// Proves the air-gapped Prisma setup end to end: the real CLI migrates a brand-new database
// through tools/prisma/schema-engine-wasm.mjs, and the runtime's node-postgres Database works on the result.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Database, sql } from '@shopflow/postgres';
import { createTestDatabase, type TestDatabase } from '@shopflow/testing';

const prismaConfig = path.join(__dirname, '..', 'prisma.config.ts');

describe('messaging test database (Prisma migrations, air-gapped)', () => {
  let testDatabase: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    testDatabase = await createTestDatabase({ prefix: 'migrate', prismaConfig });
    db = new Database({ url: testDatabase.url });
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await testDatabase?.drop();
  });

  it('migrate deploy created the tables', async () => {
    const rows = await db.query<{ table_name: string }>(
      sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['_prisma_migrations', 'accounts', 'inbox_events', 'outbox_events']),
    );
  });

  it('migrate status reports the database up to date', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [require.resolve('prisma/build/index.js'), 'migrate', 'status', '--config', prismaConfig],
      { env: { ...process.env, DATABASE_URL: testDatabase.url } },
    );
    expect(stdout).toMatch(/Database schema is up to date/);
  }, 60_000);

  it('the migrated accounts table takes a write and gives it back through Database (node-postgres)', async () => {
    expect(await db.execute(sql`INSERT INTO accounts (id, balance) VALUES (${'acc-1'}, ${42})`)).toBe(1);
    expect(await db.query(sql`SELECT id, balance FROM accounts WHERE id = ${'acc-1'}`)).toEqual([
      { id: 'acc-1', balance: 42 },
    ]);
  });
});
