import path from 'node:path';

/**
 * The workspace's root, or in the migrate image /app: this folder's src/ and dist/ sit at the same
 * depth, and the image keeps the repository's paths.
 */
export const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');

/** The services that own a database, in the order the migration step migrates them. */
export const SERVICES = ['order-service', 'inventory-service', 'payment-service', 'notification-service'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const isService = (name: string): name is ServiceName => (SERVICES as readonly string[]).includes(name);

/** A service's Prisma project (its schema and migrations) in a checkout of the workspace. */
export const prismaConfigOf = (service: ServiceName, root = WORKSPACE_ROOT): string =>
  path.join(root, 'apps', service, 'prisma.config.ts');

/** Where the migration step reads a service's database URL: ORDER_DATABASE_URL for order-service. */
export const databaseUrlVariable = (service: ServiceName): string =>
  `${service.replace(/-service$/, '').toUpperCase()}_DATABASE_URL`;
