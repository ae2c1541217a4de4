import fs from 'node:fs';
import path from 'node:path';
// The services' own config validators: the code each service runs at start (src/main.ts → readConfig).
// Checking the deployment against them is the point, so these tests reach into the apps on purpose.
/* eslint-disable @nx/enforce-module-boundaries */
import * as inventoryConfig from '../../../apps/inventory-service/src/config';
import * as notificationConfig from '../../../apps/notification-service/src/config';
import * as orderConfig from '../../../apps/order-service/src/config';
import * as paymentConfig from '../../../apps/payment-service/src/config';
// Likewise the gateway simulator's (tools/gateway-simulator: src/main.ts → readSimulatorConfig).
import * as simulatorConfig from '../../../tools/gateway-simulator/src/config';
// And the identity provider's (tools/identity-provider: src/main.ts → readIdentityProviderConfig).
import * as identityProviderConfig from '../../../tools/identity-provider/src/config';
/* eslint-enable @nx/enforce-module-boundaries */

export const ROOT = path.resolve(__dirname, '../../..');

export const readRepoFile = (relative: string): string => fs.readFileSync(path.join(ROOT, relative), 'utf8');
export const repoPathExists = (relative: string): boolean => fs.existsSync(path.join(ROOT, relative));

export interface ServiceConfigModule {
  SERVICE_NAME: string;
  configSchema: { shape: Record<string, unknown> };
  readConfig: (env?: NodeJS.ProcessEnv) => { PORT: number };
}

export interface AppService {
  /** Compose service, app folder, broker user and connection name: `order-service`. */
  name: string;
  /** `order`: database `shopflow_order`, role `order_service`, variables `*_ORDER_PASSWORD`. */
  short: string;
  config: ServiceConfigModule;
}

export const APP_SERVICES: AppService[] = [
  { name: 'order-service', short: 'order', config: orderConfig },
  { name: 'inventory-service', short: 'inventory', config: inventoryConfig },
  { name: 'payment-service', short: 'payment', config: paymentConfig },
  { name: 'notification-service', short: 'notification', config: notificationConfig },
];

/** The card processor's simulator, which payment-service calls (its own image and compose service). */
export const GATEWAY_SIMULATOR = {
  /** Compose service, and the host name in payment-service's PAYMENT_GATEWAY_URL. */
  name: 'payment-gateway',
  folder: 'tools/gateway-simulator',
  /** The variables it reads (PORT, HOST, GATEWAY_*). */
  variables: Object.keys(simulatorConfig.simulatorConfigSchema.in.shape),
  readConfig: (env: NodeJS.ProcessEnv): simulatorConfig.SimulatorConfig => {
    const config = simulatorConfig.readSimulatorConfig(env);
    if ('problems' in config) throw new Error(`invalid configuration: ${config.problems.join('; ')}`);
    return config;
  },
};

/**
 * The development identity provider the services verify tokens against (its own image and compose
 * service; a real deployment points the services' AUTH_* at a real one).
 */
export const IDENTITY_PROVIDER = {
  /** Compose service, and the host name in the services' AUTH_JWKS_URL and AUTH_ISSUER. */
  name: 'identity-provider',
  folder: 'tools/identity-provider',
  /** The variables it reads (PORT, HOST, ISSUER, AUDIENCE, SIGNING_KEY_FILE, MAX_TTL). */
  variables: Object.keys(identityProviderConfig.identityProviderConfigSchema.in.shape),
  readConfig: (env: NodeJS.ProcessEnv): identityProviderConfig.IdentityProviderConfig => {
    const config = identityProviderConfig.readIdentityProviderConfig(env);
    if ('problems' in config) throw new Error(`invalid configuration: ${config.problems.join('; ')}`);
    return config;
  },
};

/** The HTTP port a service listens on when PORT is not set (what its image and the gateway use). */
export const defaultPort = (service: AppService): number =>
  service.config.readConfig({
    DATABASE_URL: 'postgresql://x@localhost/x',
    AMQP_URL: 'amqp://localhost',
    AUTH_JWKS_URL: 'http://localhost/.well-known/jwks.json',
    AUTH_ISSUER: 'http://localhost',
  }).PORT;

/** KEY=VALUE lines of a dotenv file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [, key, value] = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line) ?? [];
    if (key !== undefined && value !== undefined) env[key] = value.trim();
  }
  return env;
}
