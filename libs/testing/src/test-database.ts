import { migrateDeploy } from '@shopflow/migrate';
import pg from 'pg';
import { uniqueName } from './unique-name';

const DEFAULT_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  /** Connection URL of the new database. */
  url: string;
  /** Drops the database, closing whatever connections the test left open. Safe to call twice. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  prefix: string;
  /**
   * A prisma.config.ts whose migrations are applied, by the migration step's own code (tools/migrate:
   * the real `prisma migrate deploy`), as they are before a deployed service starts.
   */
  prismaConfig?: string;
}

/**
 * A fresh, uniquely named PostgreSQL database, so tests never share state and can run in parallel.
 * Server and credentials come from TEST_DATABASE_URL (any database on that server).
 */
export async function createTestDatabase({ prefix, prismaConfig }: TestDatabaseOptions): Promise<TestDatabase> {
  const adminUrl = process.env['TEST_DATABASE_URL'] ?? DEFAULT_URL;
  const name = uniqueName(prefix);
  const url = withDatabase(adminUrl, name);
  // uniqueName() yields [a-z0-9_] only, so the quoted identifier needs no escaping.
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const drop = () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  if (prismaConfig) {
    try {
      await migrateDeploy({ prismaConfig, databaseUrl: url });
    } catch (error) {
      await drop();
      throw error;
    }
  }
  return { name, url, drop };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
