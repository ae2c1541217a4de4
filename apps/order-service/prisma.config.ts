import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Read by Prisma's CLI only, which the migration step runs (`npm run migrate`, the migrate image),
// or `npm run prisma -- <command> --config <this file>`: they choose its schema engine (tools/migrate).
export default defineConfig({
  schema: path.join(__dirname, 'prisma/schema'),
  migrations: { path: path.join(__dirname, 'prisma/migrations') },
  // Not env('DATABASE_URL'): that throws when unset, even for commands that need no database.
  datasource: { url: process.env['DATABASE_URL'] },
});
