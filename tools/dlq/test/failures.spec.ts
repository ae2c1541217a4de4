import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createTestVhost, freePort, type TestVhost } from '@shopflow/testing';
import { broker, dlq, dlqProcess, failedWith } from './harness';

const ROOT = path.resolve(__dirname, '../../..');
const DLQ = path.join(__dirname, '../src/main.ts');

describe('npm run dlq -- failures: one line with the cause and the fix, and a non-zero exit', () => {
  let vhost: TestVhost;

  beforeAll(async () => {
    vhost = await createTestVhost('dlq_failures');
    const look = await broker(vhost.url);
    await look.declareServices();
    await look.close();
  });

  afterAll(() => vhost.drop());

  it('names an unreachable broker and how to point at another, without a stack trace', async () => {
    const port = await freePort();
    const { code, stderr } = await dlqProcess(['list', '--service', 'order-service'], {
      AMQP_URL: `amqp://guest:secret@127.0.0.1:${port}`,
    });
    expect(stderr).toBe(
      `dlq: cannot reach RabbitMQ at 127.0.0.1:${port} (ECONNREFUSED): start it, or set AMQP_URL to your broker's URL\n`,
    );
    expect(code).toBe(1);
  });

  it.each([
    ['an HTTP server, e.g. the management API', () => http.createServer((_req, res) => res.end('{}'))],
    ['a server that hangs up on the AMQP greeting', () => net.createServer((socket) => socket.end())],
  ])('names a port where %s answers instead of RabbitMQ', async (_case, makeServer) => {
    const server = makeServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const { code, stderr } = await dlqProcess(['list', '--service', 'order-service'], {
        AMQP_URL: `amqp://guest:guest@127.0.0.1:${port}`,
      });
      expect(stderr).toMatch(
        new RegExp(
          `^dlq: 127\\.0\\.0\\.1:${port} does not speak AMQP \\([^\\n]+\\): set AMQP_URL to RabbitMQ's AMQP port, ` +
            '5672 by default \\(15672 is its management API\\)\\n$',
        ),
      );
      expect(code).toBe(1);
    } finally {
      server.close();
    }
  });

  it('finishes without a stack trace when its reader stops early (| head)', async () => {
    const parked = await broker(vhost.url);
    await parked.park({ type: 'order.placed', headers: failedWith('internal', 'db down') });
    await parked.close();
    const child = spawn(process.execPath, ['--import', 'tsx', DLQ, 'list', '--service', 'order-service'], {
      cwd: ROOT,
      env: { ...process.env, AMQP_URL: vhost.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader is gone before the first line: every write the tool makes meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('names a service that has no dead-letter queue, and creates none', async () => {
    const { code, err } = await dlq(vhost.url, ['list', '--service', 'ordre-service']);
    expect(err).toEqual([
      `dlq: there is no queue ordre-service.dead-letter on vhost '${vhost.name}': check the service name ` +
        '(a service declares its dead-letter queue and retry exchange when it first starts) and the vhost in the URL',
    ]);
    expect(code).toBe(1);
    expect(await vhost.queue('ordre-service.dead-letter')).toBeUndefined();
  });

  it('names a vhost the broker will not open', async () => {
    const url = new URL(vhost.url);
    url.pathname = '/no_such_vhost';
    const { code, err } = await dlq(url.toString(), ['list', '--service', 'order-service']);
    expect(err).toEqual([
      `dlq: RabbitMQ at ${url.hostname}:${url.port} would not open vhost 'no_such_vhost' for user 'guest' (no such vhost, ` +
        "or no permission on it): put the right vhost in AMQP_URL's path (e.g. amqp://host:5672/shopflow) or grant the user access",
    ]);
    expect(code).toBe(1);
  });

  it('names a refused login without printing the password', async () => {
    const url = new URL(vhost.url);
    url.password = 'wrong-password';
    const { code, err } = await dlq(url.toString(), ['list', '--service', 'order-service']);
    expect(err).toEqual([
      `dlq: RabbitMQ at ${url.hostname}:${url.port} refused the login of user 'guest': check the user and password in AMQP_URL`,
    ]);
    expect(code).toBe(1);
  });

  it.each([
    [['list'], 'list needs --service, e.g. --service order-service'],
    [
      ['redrive', '-s', 'order-service'],
      'redrive needs exactly one of: message ids, --all, or filters (--reason, --type, --kind)',
    ],
    [
      ['redrive', '-s', 'order-service', 'id-1', '--all'],
      'redrive needs exactly one of: message ids, --all, or filters (--reason, --type, --kind)',
    ],
    [['drop', '-s', 'order-service'], "unknown command 'drop': use list, show, redrive or purge"],
    [['show', '-s', 'order-service', '--yes'], 'show takes no --yes'],
    [['list', '-s', 'order-service', '--colour'], "Unknown option '--colour'"],
  ])('refuses the command line %j with exit status 2', async (argv, message) => {
    const { code, err, out } = await dlq(vhost.url, argv);
    expect(err).toEqual([`dlq: ${message} (npm run dlq -- --help)`]);
    expect(out).toEqual([]);
    expect(code).toBe(2);
  });

  it('prints its usage with --help', async () => {
    const { code, out } = await dlq(vhost.url, ['--help']);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^Usage: npm run dlq -- <command> --service <service>/);
  });
});
