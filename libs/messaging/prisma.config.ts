import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Prisma project for the messaging lib's integration tests (outbox/inbox tables), migrated by
// createTestDatabase through the migration step's code (tools/migrate), which chooses the schema engine.
export default defineConfig({
  schema: path.join(__dirname, 'test/prisma/schema.prisma'),
  migrations: { path: path.join(__dirname, 'test/prisma/migrations') },
  // Not env('DATABASE_URL'): that throws when unset, and `prisma generate` needs no database.
  datasource: { url: process.env['DATABASE_URL'] },
});
