// The messaging tables as the migration step makes them (tools/migrate: the real Prisma CLI, air-gapped,
// on a brand-new database), and the runtime's node-postgres Database working on the result.
import path from 'node:path';
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

  it('the migrated accounts table takes a write and gives it back through Database (node-postgres)', async () => {
    expect(await db.execute(sql`INSERT INTO accounts (id, balance) VALUES (${'acc-1'}, ${42})`)).toBe(1);
    expect(await db.query(sql`SELECT id, balance FROM accounts WHERE id = ${'acc-1'}`)).toEqual([
      { id: 'acc-1', balance: 42 },
    ]);
  });
});
