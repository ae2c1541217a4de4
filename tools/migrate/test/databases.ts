import crypto from 'node:crypto';
import pg from 'pg';

const ADMIN_URL = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface OwnedDatabase {
  role: string;
  /** The owner's URL: what the migration step is given. */
  url: string;
  /** The tables of its public schema, each with its owner. */
  tables(): Promise<{ name: string; owner: string }[]>;
  /** Migration names in Prisma's history, finished and not rolled back, oldest first. */
  appliedMigrations(): Promise<string[]>;
  drop(): Promise<void>;
}

/**
 * A fresh database owned by a fresh login role that may create nothing else, as deploy/postgres
 * makes one per service (no CREATEDB, CONNECT revoked from PUBLIC).
 * (@shopflow/testing runs this tool, so its tests make their databases themselves.)
 */
export async function createOwnedDatabase(prefix: string): Promise<OwnedDatabase> {
  const name = `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const password = crypto.randomUUID();
  await admin(
    `CREATE ROLE "${name}" WITH LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`,
    `CREATE DATABASE "${name}" OWNER "${name}"`,
    `REVOKE ALL ON DATABASE "${name}" FROM PUBLIC`,
  );
  const url = new URL(ADMIN_URL);
  url.username = name;
  url.password = password;
  url.pathname = `/${name}`;
  const query = async <R extends pg.QueryResultRow>(text: string): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return (await client.query<R>(text)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    role: name,
    url: url.toString(),
    tables: () =>
      query<{ name: string; owner: string }>(
        "SELECT tablename AS name, tableowner AS owner FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      ),
    appliedMigrations: async () =>
      (
        await query<{ migration_name: string }>(
          'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
        )
      ).map((row) => row.migration_name),
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, `DROP ROLE IF EXISTS "${name}"`),
  };
}

async function admin(...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}
