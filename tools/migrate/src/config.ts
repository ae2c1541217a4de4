import { z } from 'zod';
import { databaseUrlVariable, isService, prismaConfigOf, SERVICES, type ServiceName } from './services';

export interface MigrationTarget {
  service: ServiceName;
  /** The variable the URL came from, to name in messages. */
  variable: string;
  databaseUrl: string;
  prismaConfig: string;
}

export const USAGE = `usage: npm run migrate -- [service...]   (in the migrate image: the arguments of its command)

Applies each named service's pending Prisma migrations to its database, then exits: 0 once every
database is up to date. No service named: all four (${SERVICES.join(', ')}).
Each service's database URL comes from <SERVICE>_DATABASE_URL (${SERVICES.map(databaseUrlVariable).join(', ')}),
as the role that owns that database. Runs Prisma's offline schema engine unless PRISMA_NATIVE_ENGINE=1.`;

const databaseUrl = z
  .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres: or postgresql: URL' })
  .refine((url) => new URL(url).pathname.length > 1, { message: 'must name the database (…/shopflow_order)' });

/**
 * What to migrate, from the command line (service names) and the environment (their URLs); or one
 * line per problem, each naming the argument or variable and what to do about it.
 */
export function readMigrationTargets(
  args: string[],
  env: NodeJS.ProcessEnv,
): { targets: MigrationTarget[] } | { problems: string[] } {
  const problems: string[] = [];
  const unknown = args.filter((arg) => !isService(arg));
  for (const arg of unknown)
    problems.push(`"${arg}" is no service with a database: name any of ${SERVICES.join(', ')} (or none, for all)`);
  const services = args.length === 0 ? [...SERVICES] : SERVICES.filter((service) => args.includes(service));
  const targets: MigrationTarget[] = [];
  for (const service of services) {
    const variable = databaseUrlVariable(service);
    const value = env[variable];
    if (!value) {
      problems.push(
        `${variable} is not set: set it to ${service}'s database URL, as the role that owns it (or name only the services to migrate)`,
      );
      continue;
    }
    const parsed = databaseUrl.safeParse(value);
    if (!parsed.success) {
      problems.push(`${variable}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
      continue;
    }
    targets.push({ service, variable, databaseUrl: parsed.data, prismaConfig: prismaConfigOf(service) });
  }
  return problems.length > 0 ? { problems } : { targets };
}
