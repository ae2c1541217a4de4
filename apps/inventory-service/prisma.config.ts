import path from 'node:path';
import { defineConfig } from 'prisma/config';
// tools/ is workspace tooling, not an Nx project, so it has no package name to import by.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { useOfflineSchemaEngine } from '../../tools/prisma/offline-engine';

useOfflineSchemaEngine();

export default defineConfig({
  schema: path.join(__dirname, 'prisma/schema'),
  migrations: { path: path.join(__dirname, 'prisma/migrations') },
  // Not env('DATABASE_URL'): that throws when unset, even for commands that need no database.
  datasource: { url: process.env['DATABASE_URL'] },
});
