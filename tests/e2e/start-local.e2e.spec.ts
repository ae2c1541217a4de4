import {
  createTestDatabase,
  createTestVhost,
  eventually,
  freePort,
  type TestDatabase,
  type TestVhost,
} from '@shopflow/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { WORKSPACE } from './support/service-process';

const SERVICES = ['order', 'payment', 'notification', 'inventory'];

/** An offset from 3001–3004 at which all four ports are free. */
async function freePortOffset(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = net.createServer().once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (;;) {
    const offset = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = [3001, 3002, 3003, 3004].map((port) => port + offset);
    if ((await Promise.all(ports.map(free))).every(Boolean)) return offset;
  }
}

/**
 * `npm start` (tools/dev/start-local.mjs) as a developer runs it in a terminal, where Ctrl-C sends
 * SIGINT to the whole foreground process group: every service must still drain, once.
 */
describe('npm start and Ctrl-C', () => {
  let databases: TestDatabase[] = [];
  let vhost: TestVhost;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    databases = await Promise.all(SERVICES.map((s) => createTestDatabase({ prefix: `e2e_start_${s}` })));
    vhost = await createTestVhost('e2e-start');
  });

  afterAll(async () => {
    // Whatever is left of the group (the test failed half-way): gone, then the test's own resources.
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    await vhost?.drop();
    for (const database of databases) await database.drop();
  });

  it('drains every service once: SIGINT to the whole group, one signal each, all exit 0', async () => {
    const offset = await freePortOffset();
    child = spawn(process.execPath, ['tools/dev/start-local.mjs', '--no-build'], {
      cwd: WORKSPACE,
      env: {
        ...process.env,
        PORT_OFFSET: String(offset),
        AMQP_URL: vhost.url,
        ...Object.fromEntries(SERVICES.map((s, i) => [`${s.toUpperCase()}_DATABASE_URL`, databases[i]!.url])),
        SMTP_PORT: String(await freePort()),
        GATEWAY_SIMULATOR_PORT: String(await freePort()),
        IDENTITY_PROVIDER_PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A group of its own, as a terminal makes for the command it runs.
      detached: true,
    });
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => (output += chunk));
    const exited = once(child, 'exit');
    await eventually(
      () => {
        if (child!.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
        expect(output).toContain('shopflow is ready');
      },
      { timeoutMs: 150_000, intervalMs: 250, message: 'npm start ready' },
    );

    process.kill(-child.pid!, 'SIGINT');
    const [code] = await Promise.race([
      exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit:\n${output}`)), 60_000).unref()),
    ]);
    expect(code).toBe(0);
    expect(output).not.toContain('second signal');
    for (const service of SERVICES) {
      expect(output).toMatch(new RegExp(`\\[${service}-service#1\\] .*"msg":"stopped"`));
    }
  }, 240_000);
});
