import { prismaConfigOf } from '@shopflow/migrate';
import {
  createTestDatabase,
  createTestVhost,
  eventually,
  startTcpProxy,
  uniqueName,
  type TcpProxy,
  type TestDatabase,
  type TestVhost,
  freePort,
  runToExit,
} from '@shopflow/testing';
import path from 'node:path';
import pg from 'pg';
import { ServiceProcess, WORKSPACE } from './support/service-process';

interface Readiness {
  status: number;
  checks: Record<string, string>;
}

/** order-service reaches PostgreSQL and RabbitMQ through proxies the test can cut. */
describe('readiness follows the service’s dependencies', () => {
  let database: TestDatabase;
  let vhost: TestVhost;
  let databaseProxy: TcpProxy;
  let brokerProxy: TcpProxy;
  let service: ServiceProcess;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'e2e_ready', prismaConfig: prismaConfigOf('order-service') });
    vhost = await createTestVhost('e2e-ready');
    const databaseUrl = new URL(database.url);
    const brokerUrl = new URL(vhost.url);
    databaseProxy = await startTcpProxy({ host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) });
    brokerProxy = await startTcpProxy({ host: brokerUrl.hostname, port: Number(brokerUrl.port || 5672) });
    service = await ServiceProcess.start({
      service: 'order-service',
      port: await freePort(),
      env: {
        DATABASE_URL: databaseProxy.via(database.url),
        AMQP_URL: brokerProxy.via(vhost.url),
        READINESS_OUTBOX_MAX_AGE_MS: '5000',
        LOG_LEVEL: 'info',
        // Readiness asks no token: an identity provider that does not exist is never asked.
        AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
        AUTH_ISSUER: 'http://127.0.0.1:9',
      },
      logDir: path.join(WORKSPACE, 'tmp/e2e-logs', uniqueName('ready')),
      replica: 1,
    });
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await databaseProxy?.close();
    await brokerProxy?.close();
    await vhost?.drop();
    await database?.drop();
  });

  async function readiness(): Promise<Readiness> {
    const response = await fetch(`${service.url}/health/ready`);
    const body = (await response.json()) as { checks: { name: string; status: string }[] };
    return { status: response.status, checks: Object.fromEntries(body.checks.map((c) => [c.name, c.status])) };
  }

  const becomes = (status: number, check?: [string, string]) =>
    eventually(
      async () => {
        const now = await readiness();
        if (now.status !== status || (check && now.checks[check[0]] !== check[1])) {
          throw new Error(`readiness is ${JSON.stringify(now)}`);
        }
        return now;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );

  const alive = async () => (await fetch(`${service.url}/health/live`)).status;

  it('is 200 with every check ok', async () => {
    expect(await readiness()).toEqual({
      status: 200,
      checks: { database: 'ok', broker: 'ok', outbox: 'ok', startup: 'ok' },
    });
  });

  it('turns 503 while PostgreSQL is unreachable and 200 once it is back; liveness stays 200', async () => {
    databaseProxy.cut();
    expect((await becomes(503, ['database', 'down'])).checks['broker']).toBe('ok');
    expect(await alive()).toBe(200);
    databaseProxy.restore();
    await becomes(200);
  });

  it('turns 503 while RabbitMQ is unreachable and 200 once the service has reconnected', async () => {
    brokerProxy.cut();
    expect((await becomes(503, ['broker', 'down'])).checks['database']).toBe('ok');
    expect(await alive()).toBe(200);
    brokerProxy.restore();
    await becomes(200);
  });

  it('turns 503 while an outbox event older than the threshold stays unsent, and 200 once it is gone', async () => {
    // An event the relay cannot publish (its exchange does not exist), waiting for 10 s already.
    const sql = new pg.Client(database.url);
    await sql.connect();
    try {
      await sql.query(
        `INSERT INTO outbox_events (id, exchange, routing_key, message, created_at)
         VALUES (gen_random_uuid(), 'no-such-exchange', 'x', '{}', now() - interval '10 seconds')`,
      );
      const stuck = await becomes(503, ['outbox', 'down']);
      expect(stuck.checks).toMatchObject({ database: 'ok', broker: 'ok' });
      await sql.query(`DELETE FROM outbox_events WHERE exchange = 'no-such-exchange'`);
      await becomes(200);
    } finally {
      await sql.end();
    }
  });

  /** order-service's built main.js run to its exit (these starts fail): its exit code and all it wrote to stderr. */
  async function startToExit(env: Record<string, string>): Promise<{ code: unknown; stderr: string }> {
    const { status, stderr } = await runToExit('dist/main.js', {
      cwd: path.join(WORKSPACE, 'apps/order-service'),
      env: {
        AMQP_URL: vhost.url,
        AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
        AUTH_ISSUER: 'http://127.0.0.1:9',
        ...env,
      },
      timeoutMs: 60_000,
    });
    return { code: status, stderr };
  }

  it("a second replica started on the first one's port says so in one line, without a stack, and exits 1", async () => {
    // Started by hand: ServiceProcess would find the first replica ready on that port.
    expect(await startToExit({ PORT: String(service.port), DATABASE_URL: database.url })).toEqual({
      code: 1,
      stderr: `cannot listen on [::]:${service.port} (EADDRINUSE): stop what uses it or set PORT\n`,
    });
    // The first replica is untouched.
    expect((await readiness()).status).toBe(200);
  }, 60_000);

  it('refuses to start on a database the migration step has not run on, in one line saying to run it', async () => {
    const unmigrated = await createTestDatabase({ prefix: 'e2e_unmigrated' });
    try {
      expect(await startToExit({ PORT: String(await freePort()), DATABASE_URL: unmigrated.url })).toEqual({
        code: 1,
        stderr:
          'the database has no migrations applied (no _prisma_migrations): run the migration step first ' +
          '(npm run migrate; in compose the migrate service; elsewhere the init job)\n',
      });
    } finally {
      await unmigrated.drop();
    }
  }, 60_000);
});
