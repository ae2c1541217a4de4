import { type GatewaySimulator, startGatewaySimulator } from '@shopflow/gateway-simulator';
import { startIdentityProvider, type IdentityProvider } from '@shopflow/identity-provider';
import {
  createTestVhost,
  type OtlpSink,
  startOtlpSink,
  startSmtpSink,
  uniqueName,
  type TestVhost,
} from '@shopflow/testing';
import pg from 'pg';
import { type ComposeDeployment, MIGRATE_SERVICE, VHOST_SCOPED_DEFINITIONS } from './compose-deployment';
import { localEnvironment, type LocalStandIns } from './compose-environment';
import { type MigrationRun, runMigrationStep } from './migration-step';
import { type Infrastructure, SERVICES, type ServiceName } from './system';

const ADMIN_DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const LOCAL_AMQP_URL = process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const MANAGEMENT_URL = process.env['RABBITMQ_MANAGEMENT_URL'] ?? 'http://guest:guest@127.0.0.1:15672';

/** Every name this module creates starts with it (roles, databases, vhosts and broker users). */
export const STAND_IN_PREFIX = 'e2e_compose_';

export interface ComposeInfrastructure extends Infrastructure {
  readonly standIns: LocalStandIns;
  /** Stands in for Jaeger's OTLP/HTTP receiver: the spans the services export. */
  readonly otlp: OtlpSink;
  /** Stands in for the payment-gateway container: the card processor's simulator, in this process. */
  readonly paymentGateway: GatewaySimulator;
  /** Stands in for the identity-provider container, in this process. */
  readonly identity: IdentityProvider;
  /** The migrate container's run, before any service started. */
  readonly migration: MigrationRun;
}

/**
 * This run's stand-ins for the compose stack's infrastructure, made from the deployment's own files:
 *
 * - PostgreSQL: for each line of the init script, a fresh role with the same password and the
 *   init script's privileges (LOGIN, NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS),
 *   owner of a fresh database on which PUBLIC has no privileges (the script's last step, revoking
 *   CONNECT on the maintenance databases, is the whole server's business here, so it is left out);
 * - RabbitMQ: for each vhost of definitions.json a fresh vhost with the definitions' exchanges (and
 *   any queues, bindings, policies), and for each user but the administrator a fresh user with the
 *   hash render-definitions.sh made from the rabbitmq service's variable and the same permission
 *   regexes on the stand-in vhost (the test's own broker user, guest, stands in for the admin);
 * - Mailpit: a real SMTP server that keeps what it receives;
 * - Jaeger: a real OTLP/HTTP trace receiver that keeps the spans it receives;
 * - payment-gateway: the card processor's simulator itself (@shopflow/gateway-simulator), with its
 *   default settings, which are what compose gives it unless the shell or .env sets a GATEWAY_*
 *   knob (tests/deployment checks that);
 * - identity-provider: the development identity provider itself (@shopflow/identity-provider).
 *
 * Then the migrate service runs, as compose runs it before the services: the migration step's built
 * runner with `localEnvironment()` of its compose environment, so each database is migrated by its
 * own role; it must succeed. Each service's environment is `localEnvironment()` of its compose
 * environment. close()
 * removes everything, in reverse, and is safe to call twice; if making them fails, what was made is
 * removed before the error is thrown.
 */
export async function startComposeInfrastructure(deployment: ComposeDeployment): Promise<ComposeInfrastructure> {
  const cleanups: (() => Promise<unknown>)[] = [];
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const errors: unknown[] = [];
      for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => errors.push(error));
      if (errors.length) throw new AggregateError(errors, 'cleaning up the compose stand-ins failed');
    })());

  try {
    const smtp = await startSmtpSink();
    cleanups.push(() => smtp.close());
    const otlp = await startOtlpSink();
    cleanups.push(() => otlp.close());
    const otlpEndpoint = new URL(otlp.endpoint);
    const paymentGateway = await startGatewaySimulator();
    cleanups.push(() => paymentGateway.close());
    // Its issuer is its own URL, which is what the services' AUTH_ISSUER (http://identity-provider:4020)
    // becomes here, like any compose URL.
    const identity = await startIdentityProvider();
    cleanups.push(() => identity.close());

    const postgres = new URL(ADMIN_DATABASE_URL);
    const amqp = new URL(LOCAL_AMQP_URL);
    const standIns: LocalStandIns = {
      // The container ports of the postgres, rabbitmq and mailpit images, of Jaeger's OTLP/HTTP
      // receiver (deploy/jaeger/config.yaml) and of the simulator's image (its PORT).
      endpoints: {
        'postgres:5432': { host: postgres.hostname, port: Number(postgres.port || 5432) },
        'rabbitmq:5672': { host: amqp.hostname, port: Number(amqp.port || 5672) },
        'mailpit:1025': { host: '127.0.0.1', port: smtp.port },
        'jaeger:4318': { host: otlpEndpoint.hostname, port: Number(otlpEndpoint.port) },
        'payment-gateway:4010': { host: '127.0.0.1', port: paymentGateway.port },
        'identity-provider:4020': { host: '127.0.0.1', port: identity.port },
      },
      databases: {},
      roles: {},
      vhosts: {},
      brokerUsers: {},
    };

    const testVhosts: TestVhost[] = [];
    for (const vhost of deployment.broker.vhosts) {
      const testVhost = await createTestVhost(`${STAND_IN_PREFIX}${vhost}`);
      cleanups.push(() => testVhost.drop());
      testVhosts.push(testVhost);
      standIns.vhosts[vhost] = testVhost.name;
      const scoped = Object.fromEntries(
        VHOST_SCOPED_DEFINITIONS.map((kind) => [
          kind,
          deployment.broker.scoped[kind].filter((item) => item.vhost === vhost).map(({ vhost: _, ...item }) => item),
        ]),
      );
      await management('POST', `/definitions/${seg(testVhost.name)}`, scoped);
    }
    const [vhost] = testVhosts;
    if (!vhost) throw new Error('definitions.json has no vhost');

    for (const user of deployment.broker.users) {
      if (user.tags.includes('administrator')) continue;
      const name = uniqueName(`${STAND_IN_PREFIX}${user.name}`);
      await management('PUT', `/users/${seg(name)}`, {
        password_hash: user.passwordHash,
        hashing_algorithm: user.hashingAlgorithm,
        tags: user.tags.join(','),
      });
      cleanups.push(() => management('DELETE', `/users/${seg(name)}`));
      standIns.brokerUsers[user.name] = name;
      for (const { vhost: composeVhost, configure, write, read } of user.permissions) {
        const testVhost = standIns.vhosts[composeVhost];
        if (!testVhost)
          throw new Error(`definitions.json: permission of ${user.name} on unknown vhost ${composeVhost}`);
        await management('PUT', `/permissions/${seg(testVhost)}/${seg(name)}`, { configure, write, read });
      }
    }

    const id = pg.escapeIdentifier;
    for (const { role, database, password } of deployment.databases) {
      const localRole = uniqueName(`${STAND_IN_PREFIX}${role}`);
      const localDatabase = uniqueName(`${STAND_IN_PREFIX}${database}`);
      await adminQuery(
        `CREATE ROLE ${id(localRole)} WITH LOGIN PASSWORD ${pg.escapeLiteral(password)} ` +
          'NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS',
      );
      cleanups.push(() => adminQuery(`DROP ROLE IF EXISTS ${id(localRole)}`));
      standIns.roles[role] = localRole;
      await adminQuery(`CREATE DATABASE ${id(localDatabase)} OWNER ${id(localRole)}`);
      cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${id(localDatabase)} WITH (FORCE)`));
      await adminQuery(`REVOKE ALL ON DATABASE ${id(localDatabase)} FROM PUBLIC`);
      standIns.databases[database] = localDatabase;
    }

    // All four mapped before anything runs: a refused wiring stops the run here.
    const environments = new Map(SERVICES.map((service) => [service, localEnvironment(service, deployment, standIns)]));
    const migration = await runMigrationStep(localEnvironment(MIGRATE_SERVICE, deployment, standIns));
    if (migration.code !== 0) {
      throw new Error(`compose's ${MIGRATE_SERVICE} service failed (exit ${migration.code}):\n${migration.output}`);
    }
    return {
      vhost,
      smtp,
      otlp,
      paymentGateway,
      identity,
      standIns,
      migration,
      envOf: (service: ServiceName) => {
        const environment = environments.get(service);
        if (!environment) throw new Error(`${service} is not in docker-compose.yml's services here`);
        return environment;
      },
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** What is left of `standIns` on the servers: empty once close() has run. */
export async function leftovers(standIns: LocalStandIns): Promise<string[]> {
  const left: string[] = [];
  const roles = Object.values(standIns.roles);
  const databases = Object.values(standIns.databases);
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    const found = await client.query<{ what: string }>(
      `SELECT 'role ' || rolname AS what FROM pg_roles WHERE rolname = ANY($1)
       UNION ALL SELECT 'database ' || datname FROM pg_database WHERE datname = ANY($2)`,
      [roles, databases],
    );
    left.push(...found.rows.map((row) => row.what));
  } finally {
    await client.end();
  }
  for (const vhost of Object.values(standIns.vhosts)) {
    if ((await management('GET', `/vhosts/${seg(vhost)}`)).status !== 404) left.push(`vhost ${vhost}`);
  }
  for (const user of Object.values(standIns.brokerUsers)) {
    if ((await management('GET', `/users/${seg(user)}`)).status !== 404) left.push(`broker user ${user}`);
  }
  return left;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const seg = encodeURIComponent;

/** The RabbitMQ management API as the test's administrator (RABBITMQ_MANAGEMENT_URL, as in @shopflow/testing). */
async function management(method: 'GET' | 'PUT' | 'POST' | 'DELETE', apiPath: string, body?: unknown) {
  const base = new URL(MANAGEMENT_URL);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`);
  base.username = '';
  base.password = '';
  const response = await fetch(new URL(`api${apiPath}`, base.href.replace(/\/?$/, '/')), {
    method,
    headers: { authorization: `Basic ${auth.toString('base64')}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && response.status !== 404) {
    throw new Error(`RabbitMQ management ${method} ${apiPath}: ${response.status} ${await response.text()}`);
  }
  return { status: response.status };
}
