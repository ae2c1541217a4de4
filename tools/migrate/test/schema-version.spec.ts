import fs from 'node:fs';
import path from 'node:path';
import { prismaConfigOf, SERVICES } from '../src';

/** The newest of a service's migration folders. */
const newestMigrationOf = (service: (typeof SERVICES)[number]) =>
  fs
    .readdirSync(path.join(path.dirname(prismaConfigOf(service)), 'prisma/migrations'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .at(-1);

/** The migration a service checks for at start-up (src/data-access/schema-version.ts), read as text: tools import no app. */
const checkedMigrationOf = (service: (typeof SERVICES)[number]) => {
  const file = path.join(path.dirname(prismaConfigOf(service)), 'src/data-access/schema-version.ts');
  return /SCHEMA_MIGRATION = '([^']+)'/.exec(fs.readFileSync(file, 'utf8'))?.[1];
};

describe('each service checks at start-up for the newest migration of its schema', () => {
  it.each(SERVICES)(
    '%s: SCHEMA_MIGRATION in src/data-access/schema-version.ts names its newest migration',
    (service) => {
      expect(checkedMigrationOf(service)).toBe(newestMigrationOf(service));
    },
  );
});
