import { createTestDatabase, createTestVhost, type TestDatabase, type TestVhost } from '@shopflow/testing';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CannotRun } from '../src/cannot-run';
import { WORKSPACE } from '../src/options';
import { ServiceProcess } from '../src/system/service-process';

describe('ServiceProcess.start: a service that cannot start is one line, its cause and the fix', () => {
  let database: TestDatabase;
  let vhost: TestVhost;
  let holder: net.Server;
  let logDir: string;

  beforeAll(async () => {
    // Migrated: a service refuses to start on a database the migration step has not run on.
    database = await createTestDatabase({
      prefix: 'bench_process',
      prismaConfig: path.join(WORKSPACE, 'apps/order-service/prisma.config.ts'),
    });
    vhost = await createTestVhost('bench_process');
    holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-service-process-'));
  });

  afterAll(async () => {
    holder.close();
    await vhost.drop();
    await database.drop();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  it('names the port another process took, and says to run again', async () => {
    const { port } = holder.address() as net.AddressInfo;
    const start = ServiceProcess.start({
      root: WORKSPACE,
      service: 'order-service',
      replica: 1,
      port,
      env: {
        DATABASE_URL: database.url,
        AMQP_URL: vhost.url,
        // Read once a request carries a token: none does here.
        AUTH_JWKS_URL: 'http://127.0.0.1:4020/.well-known/jwks.json',
        AUTH_ISSUER: 'http://127.0.0.1:4020',
        AUTH_AUDIENCE: 'shopflow',
        LOG_LEVEL: 'info',
      },
      logDir,
    });
    await expect(start).rejects.toBeInstanceOf(CannotRun);
    await expect(start).rejects.toThrow(
      new RegExp(
        `^order-service#1 exited as it started \\(1\\): cannot listen on [^\\n]*:${port} \\(EADDRINUSE\\)[^\\n]*: another process took the port the bench chose for it: run the bench again$`,
      ),
    );
  });
});
