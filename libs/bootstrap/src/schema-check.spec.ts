import { Database, sql } from '@shopflow/postgres';
import { createTestDatabase, type TestDatabase } from '@shopflow/testing';
import { checkSchemaMigrated, SchemaNotMigrated } from './schema-check';

describe('checkSchemaMigrated, on a real PostgreSQL', () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'schema_check' });
    db = new Database({ url: database.url });
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('stops a start on a database the migration step never ran on, saying what to run', async () => {
    const failure = await checkSchemaMigrated(db, '20260101000000_init').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SchemaNotMigrated);
    expect((failure as Error).message).toMatch(
      /^the database has no migrations applied .*: run the migration step first/,
    );
  });

  it('passes once the migration is applied, and stops a start when it is missing or was rolled back', async () => {
    // The table Prisma keeps its history in, with the columns the check reads.
    await db.execute(sql`CREATE TABLE _prisma_migrations (
      migration_name text NOT NULL, finished_at timestamptz, rolled_back_at timestamptz)`);
    await db.execute(sql`INSERT INTO _prisma_migrations VALUES
      ('20260101000000_init', now(), NULL),
      ('20260102000000_half_done', NULL, NULL),
      ('20260103000000_rolled_back', now(), now())`);
    await expect(checkSchemaMigrated(db, '20260101000000_init')).resolves.toBeUndefined();
    for (const migration of ['20260104000000_newer', '20260102000000_half_done', '20260103000000_rolled_back']) {
      await expect(checkSchemaMigrated(db, migration)).rejects.toThrow(
        new SchemaNotMigrated(
          `the database lacks migration ${migration}: run the migration step first (npm run migrate; in compose the migrate service; elsewhere the init job)`,
        ),
      );
    }
  });
});
