import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { type ServiceName } from './services';

/**
 * Applies a service's Prisma migrations (<root>/apps/<service>/prisma/migrations/<name>/migration.sql,
 * in name order) with plain pg, so the services can start with MIGRATE_ON_START=false. The schema is
 * the same as `prisma migrate deploy` makes; what is saved is its start-up cost (Prisma's
 * WebAssembly schema engine spends seconds of CPU on each service, longer still with four starting
 * at once on two cores), which is no part of what the bench measures.
 */
export async function applyMigrations(root: string, service: ServiceName, databaseUrl: string): Promise<string[]> {
  const dir = path.join(root, 'apps', service, 'prisma/migrations');
  const names = fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'migration.sql')))
    .sort();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const name of names) {
      await client.query('BEGIN');
      await client.query(fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8'));
      await client.query('COMMIT');
    }
  } finally {
    await client.end();
  }
  return names;
}
