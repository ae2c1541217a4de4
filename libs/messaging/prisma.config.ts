import path from 'node:path';
import { defineConfig } from 'prisma/config';
// tools/ is workspace tooling, not an Nx project, so it has no package name to import by.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { useOfflineSchemaEngine } from '../../tools/prisma/offline-engine';

useOfflineSchemaEngine();

// Prisma project for the messaging lib's integration tests (outbox/inbox tables).
export default defineConfig({
  schema: path.join(__dirname, 'test/prisma/schema.prisma'),
  migrations: { path: path.join(__dirname, 'test/prisma/migrations') },
  // Not env('DATABASE_URL'): that throws when unset, and `prisma generate` needs no database.
  datasource: { url: process.env['DATABASE_URL'] },
});
