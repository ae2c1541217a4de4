import { execFile } from 'node:child_process';
import path from 'node:path';
import { databaseUrlVariable, SERVICES } from '../src';
import { createOwnedDatabase, type OwnedDatabase } from './databases';

const MAIN = path.join(__dirname, '../dist/main.js');

/** The built runner, as the migrate image runs it: its exit code and every line it wrote. */
function migrate(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { cwd: path.dirname(path.dirname(MAIN)), env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: stdout + stderr }),
    );
  });
}

describe('the migration step (`npm run migrate`, the migrate image): dist/main.js', () => {
  const databases: OwnedDatabase[] = [];
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it('says which variable is missing, for each service to migrate, and migrates nothing', async () => {
    const run = await migrate([], {});
    expect(run.code).toBe(2);
    expect(run.output.trim().split('\n')).toEqual(
      SERVICES.map(
        (service) =>
          `migrate: ${databaseUrlVariable(service)} is not set: set it to ${service}'s database URL, as the role that owns it (or name only the services to migrate)`,
      ),
    );
  });

  it('refuses a name that is no service, and a URL that is no PostgreSQL one', async () => {
    const run = await migrate(['order-service', 'billing-service'], { ORDER_DATABASE_URL: 'mysql://db/shop' });
    expect(run.code).toBe(2);
    expect(run.output).toContain('migrate: "billing-service" is no service with a database: name any of');
    expect(run.output).toContain('migrate: ORDER_DATABASE_URL: must be a postgres: or postgresql: URL');
  });

  it('migrates only the services it is given, one line each, and again finds them up to date', async () => {
    const [order, payment] = await Promise.all([createOwnedDatabase('cli_order'), createOwnedDatabase('cli_payment')]);
    databases.push(order!, payment!);
    const env = { ORDER_DATABASE_URL: order!.url, PAYMENT_DATABASE_URL: payment!.url };
    const first = await migrate(['payment-service', 'order-service'], env);
    expect(first).toEqual({ code: 0, output: expect.stringMatching(/^migrate: order-service: applied \d+ migration/) });
    expect(first.output).toMatch(/\nmigrate: payment-service: applied \d+ migration\(s\) in [\d.]+ s: \d{14}_init/);
    const again = await migrate(['order-service', 'payment-service'], env);
    expect(again.code).toBe(0);
    expect(again.output.trim().split('\n')).toEqual([
      expect.stringMatching(/^migrate: order-service: up to date \([\d.]+ s\)$/),
      expect.stringMatching(/^migrate: payment-service: up to date \([\d.]+ s\)$/),
    ]);
  });

  it('exits 1 naming the database it could not migrate and the variable it came from, after the others', async () => {
    const payment = await createOwnedDatabase('cli_fails');
    databases.push(payment);
    const unknownRole = new URL(payment.url);
    unknownRole.username = `${payment.role}_nobody`;
    const run = await migrate(['order-service', 'payment-service'], {
      ORDER_DATABASE_URL: unknownRole.toString(),
      PAYMENT_DATABASE_URL: payment.url,
    });
    expect(run.code).toBe(1);
    expect(run.output).toContain('  order-service | Error: P1001: role');
    expect(run.output).toMatch(
      /migrate: order-service \(ORDER_DATABASE_URL\) failed: prisma migrate deploy .* exited with 1: /,
    );
    expect(run.output).toMatch(/migrate: payment-service: applied \d+/);
    expect(run.output.trim().split('\n').at(-1)).toBe(
      'migrate: order-service not migrated (see above): fix the cause and run the step again; their services must not start before it succeeds',
    );
  });

  it('explains itself with --help', async () => {
    const run = await migrate(['--help'], {});
    expect(run).toEqual({ code: 0, output: expect.stringContaining('usage: npm run migrate -- [service...]') });
  });
});
