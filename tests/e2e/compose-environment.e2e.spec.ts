import { eventually, freePort, uniqueName } from '@shopflow/testing';
import amqplib from 'amqplib';
import { execFile } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { Api, customer, customerCaller } from './support/api';
import { type ComposeDeployment, MIGRATE_SERVICE, readComposeDeployment } from './support/compose-deployment';
import { ComposeEnvironmentError, localEnvironment } from './support/compose-environment';
import { type ComposeInfrastructure, leftovers, startComposeInfrastructure } from './support/compose-infrastructure';
import { ServiceProcess, WORKSPACE } from './support/service-process';
import { SERVICES, System } from './support/system';

/** The test's own administrator URL (TEST_DATABASE_URL), on `database`. */
function adminUrlOf(database: string): string {
  const url = new URL(process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Runs a built service as ServiceProcess does, until it exits (at most 30 s); its exit code and output.
 * (ServiceProcess.start would keep polling a process that has exited until its 60 s timeout.)
 */
async function exitOf(service: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const port = await freePort();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--enable-source-maps', path.join(WORKSPACE, 'apps', service, 'dist/main.js')],
      {
        cwd: path.join(WORKSPACE, 'apps', service),
        env: { PATH: process.env['PATH'] ?? '', ...env, PORT: String(port) },
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: stdout + stderr }),
    );
  });
}

/**
 * The four services started with docker-compose.yml's own environment (resolved by docker-compose
 * with .env.example), only the compose network's names replaced by this run's stand-ins
 * (support/compose-environment.ts): a wrong or missing variable in compose fails here.
 */
describe("the system started from docker-compose.yml's own environment", () => {
  let deployment: ComposeDeployment;
  let infrastructure: ComposeInfrastructure | undefined;
  let system: System | undefined;
  let api: Api;

  beforeAll(async () => {
    deployment = readComposeDeployment();
    infrastructure = await startComposeInfrastructure(deployment);
    system = await System.startOn(infrastructure);
    api = new Api(system);
  }, 120_000);

  afterAll(async () => {
    await system?.close();
    await infrastructure?.close();
  });

  /** A copy of the deployment with one compose variable changed (or removed, with `undefined`). */
  const withVariable = (service: string, name: string, value: string | undefined): ComposeDeployment => {
    const changed = structuredClone(deployment);
    if (value === undefined) delete changed.environments[service]![name];
    else changed.environments[service]![name] = value;
    return changed;
  };
  const mapped = (changed: ComposeDeployment, service = 'order-service') =>
    localEnvironment(service, changed, infrastructure!.standIns);
  const refusalOf = (changed: ComposeDeployment, service: string): string => {
    try {
      mapped(changed, service);
      return 'accepted';
    } catch (error) {
      return error instanceof ComposeEnvironmentError
        ? error.message
        : `not a ComposeEnvironmentError: ${String(error)}`;
    }
  };

  it('gives each service its compose variables, with only the compose network names replaced', () => {
    const { standIns } = infrastructure!;
    const url = (value: string | undefined) => new URL(value!);
    for (const service of SERVICES) {
      const compose = deployment.environments[service]!;
      const local = system!.envOf(service);
      expect(Object.keys(local).sort()).toEqual(Object.keys(compose).sort());
      const database = url(local['DATABASE_URL']);
      const role = service.replace(/-/g, '_');
      expect(database).toMatchObject({
        hostname: '127.0.0.1',
        username: standIns.roles[role],
        password: url(compose['DATABASE_URL']).password,
        pathname: `/${standIns.databases[deployment.databases.find((d) => d.role === role)!.database]}`,
      });
      const broker = url(local['AMQP_URL']);
      expect(broker).toMatchObject({
        hostname: '127.0.0.1',
        username: standIns.brokerUsers[service],
        password: url(compose['AMQP_URL']).password,
        pathname: `/${standIns.vhosts['shopflow']}`,
      });
      expect(local['OTEL_EXPORTER_OTLP_ENDPOINT']).toBe(infrastructure!.otlp.endpoint);
      // The identity provider compose names (identity-provider:4020) is the test's, whose issuer is its URL.
      expect(local['AUTH_JWKS_URL']).toBe(infrastructure!.identity.jwksUrl);
      expect(local['AUTH_ISSUER']).toBe(infrastructure!.identity.issuer);
      const replaced = [
        'DATABASE_URL',
        'AMQP_URL',
        'SMTP_HOST',
        'SMTP_PORT',
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        'AUTH_JWKS_URL',
        'AUTH_ISSUER',
      ];
      const rest = Object.keys(compose).filter((key) => ![...replaced, 'PAYMENT_GATEWAY_URL'].includes(key));
      for (const key of rest)
        expect({ service, key, value: local[key] }).toEqual({ service, key, value: compose[key] });
    }
    expect(system!.envOf('notification-service')).toMatchObject({
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(system!.smtp.port),
    });
    // The card processor compose names (payment-gateway:4010) is the test's simulator here.
    expect(deployment.environments['payment-service']!['PAYMENT_GATEWAY_URL']).toBe('http://payment-gateway:4010');
    expect(system!.envOf('payment-service')['PAYMENT_GATEWAY_URL']).toBe(infrastructure!.paymentGateway.url);
  });

  it("ran compose's migrate service first: every database migrated by the role that owns it, which owns every table", async () => {
    const { standIns, migration } = infrastructure!;
    for (const service of SERVICES) expect(migration.output).toMatch(new RegExp(`migrate: ${service}: applied \\d+`));
    for (const { role, database } of deployment.databases) {
      const client = new pg.Client({ connectionString: adminUrlOf(standIns.databases[database]!) });
      await client.connect();
      try {
        const { rows } = await client.query<{ tableowner: string; tablename: string }>(
          "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'",
        );
        expect(rows.map((row) => row.tablename)).toContain('_prisma_migrations');
        expect({ database, owners: [...new Set(rows.map((row) => row.tableowner))] }).toEqual({
          database,
          owners: [standIns.roles[role]],
        });
      } finally {
        await client.end();
      }
    }
  });

  it('happy path: the order is confirmed, stock taken, paid once, and both e-mails arrive', async () => {
    const product = await api.newProduct(5, 1500);
    const who = customer();
    const placed = await api.placeOrder({ ...who, items: [{ sku: product.sku, quantity: 2 }], paymentToken: 'tok_ok' });
    expect(placed.status).toBe('PENDING');

    const order = await api.finalOrder(placed.id);
    expect(order).toMatchObject({ status: 'CONFIRMED', reason: null, total: { amount: 3000, currency: 'EUR' } });
    await eventually(async () => (await api.product(product.sku)).stock === 3);
    expect(await api.product(product.sku)).toMatchObject({ stock: 3, reserved: 0 });
    expect(await api.payments(order.id)).toMatchObject([{ status: 'succeeded', amount: 3000 }]);
    // Charged once, by the card processor compose points payment-service at.
    expect(infrastructure!.paymentGateway.charges().filter((c) => c.orderId === order.id)).toMatchObject([
      { amount: 3000, currency: 'EUR', source: 'tok_ok', refunded: false },
    ]);
    const templates = async () => (await api.notifications(order.id)).map((n) => n.template).sort();
    await eventually(async () => (await templates()).length === 2);
    expect(await templates()).toEqual(['order-confirmed', 'order-received']);
    await eventually(() => system!.smtp.messages.filter((m) => m.to.includes(who.email)).length === 2, {
      message: 'the two e-mails did not reach the SMTP server compose names',
    });
  });

  it("exports every service's spans where compose sends them (Jaeger's OTLP/HTTP receiver; here its stand-in)", async () => {
    const product = await api.newProduct(5);
    const placed = await api.placeOrder({
      ...customer(),
      items: [{ sku: product.sku, quantity: 1 }],
      paymentToken: 'tok_ok',
    });
    expect((await api.finalOrder(placed.id)).status).toBe('CONFIRMED');
    const exporting = () => [...new Set(infrastructure!.otlp.spans.map((span) => span.service))].sort();
    // Compose leaves the batch delay at its default (5 s).
    await eventually(() => exporting().length === SERVICES.length, {
      timeoutMs: 30_000,
      message: `spans only from ${exporting().join(', ') || 'no service'}`,
    });
    expect(exporting()).toEqual([...SERVICES].sort());
  });

  it('a replica started while Jaeger is down becomes ready and takes orders (nothing waits for traces)', async () => {
    const env: Record<string, string> = {
      ...system!.envOf('order-service'),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    };
    expect(env['TRACING_ENABLED']).toBe('true');
    // ServiceProcess.start resolves once GET /health/ready answers 200.
    const replica = await ServiceProcess.start({
      service: 'order-service',
      port: await freePort(),
      env,
      logDir: path.join(WORKSPACE, 'tmp/e2e-logs', uniqueName('jaeger-down')),
      replica: 1,
    });
    try {
      const product = await api.newProduct(5);
      const who = customer();
      const response = await fetch(`${replica.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await api.authorization(customerCaller(who.customerId))) },
        body: JSON.stringify({ ...who, items: [{ sku: product.sku, quantity: 1 }], paymentToken: 'tok_ok' }),
      });
      expect(response.status).toBe(201);
      const { id } = (await response.json()) as { id: string };
      expect((await api.finalOrder(id)).status).toBe('CONFIRMED');
      expect((await fetch(`${replica.url}/health/ready`)).status).toBe(200);
    } finally {
      // The spans it cannot flush cost a warning, not a failed or slow shutdown (compose waits 10 s).
      const stopping = Date.now();
      expect(await replica.stop()).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(5000);
    }
  });

  it("refuses a compose environment wired to another service's database or broker user, or to nothing here", () => {
    const order = deployment.environments['order-service']!;
    const inventory = deployment.environments['inventory-service']!;
    const inventoryPassword = deployment.databases.find((d) => d.role === 'inventory_service')!.password;
    const orderVariable = (name: string, value: string) =>
      ['order-service', withVariable('order-service', name, value)] as const;
    const smtpVariable = (name: string, value: string | undefined) =>
      ['notification-service', withVariable('notification-service', name, value)] as const;
    const paymentVariable = (name: string, value: string) =>
      ['payment-service', withVariable('payment-service', name, value)] as const;
    const migrateVariable = (name: string, value: string) =>
      [MIGRATE_SERVICE, withVariable(MIGRATE_SERVICE, name, value)] as const;
    const refusals: [string, readonly [string, ComposeDeployment], RegExp][] = [
      [
        'inventory database and role',
        orderVariable('DATABASE_URL', inventory['DATABASE_URL']!),
        /own role is "order_service"/,
      ],
      [
        'own role, inventory database',
        orderVariable('DATABASE_URL', order['DATABASE_URL']!.replace(/shopflow_order$/, 'shopflow_inventory')),
        /role order_service owns "shopflow_order"/,
      ],
      [
        "the inventory role's password",
        orderVariable('DATABASE_URL', order['DATABASE_URL']!.replace(/:[^:@/]+@/, `:${inventoryPassword}@`)),
        /the password is not POSTGRES_ORDER_PASSWORD/,
      ],
      [
        "the migrate step on order-service's database as inventory's role",
        migrateVariable('ORDER_DATABASE_URL', inventory['DATABASE_URL']!),
        /order-service's own role is "order_service"/,
      ],
      ['inventory broker user', orderVariable('AMQP_URL', inventory['AMQP_URL']!), /own is "order-service"/],
      [
        'misspelt vhost',
        orderVariable('AMQP_URL', order['AMQP_URL']!.replace(/\/shopflow$/, '/shopflw')),
        /vhost "shopflw"/,
      ],
      [
        'misspelt host',
        orderVariable('DATABASE_URL', order['DATABASE_URL']!.replace('@postgres:', '@postgress:')),
        /"postgress" is not a compose service/,
      ],
      [
        'wrong port',
        orderVariable('AMQP_URL', order['AMQP_URL']!.replace(':5672/', ':5673/')),
        /nothing stands in for rabbitmq:5673/,
      ],
      ['mailpit on another port', smtpVariable('SMTP_PORT', '1026'), /nothing stands in for mailpit:1026/],
      ['SMTP_PORT misspelt, so unset', smtpVariable('SMTP_PORT', undefined), /SMTP_PORT is not set/],
      ['misspelt SMTP host', smtpVariable('SMTP_HOST', 'mailpitt'), /"mailpitt" is not a compose service/],
      [
        'OTLP/gRPC port instead of OTLP/HTTP',
        orderVariable('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://jaeger:4317'),
        /nothing stands in for jaeger:4317/,
      ],
      [
        'card processor on another port',
        paymentVariable('PAYMENT_GATEWAY_URL', 'http://payment-gateway:4011'),
        /nothing stands in for payment-gateway:4011/,
      ],
      [
        'the REST gateway (Caddy) instead of the card processor',
        paymentVariable('PAYMENT_GATEWAY_URL', 'http://gateway:8080'),
        /nothing stands in for gateway:8080/,
      ],
    ];
    for (const [what, [service, changed], message] of refusals) {
      expect({ what, refusal: refusalOf(changed, service) }).toEqual({ what, refusal: expect.stringMatching(message) });
    }
    // The deployment as it is maps: each refusal above is its change's doing.
    for (const service of [...SERVICES, MIGRATE_SERVICE])
      expect({ service, refusal: refusalOf(deployment, service) }).toEqual({ service, refusal: 'accepted' });
  });

  it('passes a misspelt variable through, and the service refuses to start without the one it needs', async () => {
    const changed = withVariable('order-service', 'DATABASE_URL', undefined);
    changed.environments['order-service']!['DATABSE_URL'] = deployment.environments['order-service']!['DATABASE_URL']!;
    const env = mapped(changed);
    expect(env['DATABASE_URL']).toBeUndefined();
    expect(env['DATABSE_URL']).toBe(system!.envOf('order-service')['DATABASE_URL']);
    const run = await exitOf('order-service', env);
    expect(run).toEqual({ code: 1, output: expect.stringMatching(/invalid configuration[\s\S]*DATABASE_URL/) });
  });

  it("the broker refuses a password that is not the rabbitmq service's for that user", async () => {
    const amqpUrl = system!.envOf('order-service')['AMQP_URL']!;
    const connection = await amqplib.connect(amqpUrl);
    await connection.close();
    const wrong = new URL(amqpUrl);
    wrong.password = new URL(deployment.environments['payment-service']!['AMQP_URL']!).password;
    await expect(amqplib.connect(wrong.toString())).rejects.toThrow(/403 \(ACCESS-REFUSED\)/);
  });

  it('cleans up: services stopped, databases, roles, vhost and broker users gone, the gateway simulator closed', async () => {
    const { standIns, paymentGateway } = infrastructure!;
    expect(Object.keys(standIns.databases)).toHaveLength(4);
    expect(Object.keys(standIns.brokerUsers)).toHaveLength(4);
    expect((await fetch(`${paymentGateway.url}/health`)).status).toBe(200);
    await system!.close();
    expect(SERVICES.flatMap((service) => system!.replicas(service))).toEqual([]);
    expect(await leftovers(standIns)).toEqual([]);
    await expect(fetch(`${paymentGateway.url}/health`)).rejects.toThrow();
  });
});
