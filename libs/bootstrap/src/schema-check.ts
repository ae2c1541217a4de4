import { isUndefinedTable, sql, type SqlClient } from '@shopflow/postgres';

/** The service's database lacks the schema this build needs: the migration step has not run on it. */
export class SchemaNotMigrated extends Error {
  override readonly name = 'SchemaNotMigrated';
}

const RUN_THE_STEP =
  'run the migration step first (npm run migrate; in compose the migrate service; elsewhere the init job)';

/**
 * Checks at start-up that the migration step has applied `migration`, the newest one this build of
 * the service knows, so that a service started before its migration (or against the wrong
 * database) stops at once with one line, instead of failing request after request on a column it
 * cannot find. Prisma records what it applied in `_prisma_migrations`.
 */
export async function checkSchemaMigrated(db: SqlClient, migration: string): Promise<void> {
  let applied: { n: number }[];
  try {
    applied = await db.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM _prisma_migrations
      WHERE migration_name = ${migration} AND finished_at IS NOT NULL AND rolled_back_at IS NULL`);
  } catch (error) {
    if (isUndefinedTable(error)) {
      throw new SchemaNotMigrated(`the database has no migrations applied (no _prisma_migrations): ${RUN_THE_STEP}`);
    }
    throw error;
  }
  if (applied[0]?.n !== 1) throw new SchemaNotMigrated(`the database lacks migration ${migration}: ${RUN_THE_STEP}`);
}
