// Proves the air-gapped Prisma setup end to end: the real CLI migrates a brand-new database
// through tools/prisma/schema-engine-wasm.mjs, and the Rust-free client works on the result.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@shopflow/testing';
import { PrismaClient } from './generated/prisma/client';

const prismaConfig = path.join(__dirname, '..', 'prisma.config.ts');

describe('messaging test database (Prisma, air-gapped)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'migrate', prismaConfig });
  }, 120_000);
  afterAll(() => db?.drop());

  it('migrate deploy created the tables', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      );
      expect(rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['_prisma_migrations', 'accounts', 'inbox_events', 'outbox_events']),
      );
    } finally {
      await client.end();
    }
  });

  it('migrate status reports the database up to date', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [require.resolve('prisma/build/index.js'), 'migrate', 'status', '--config', prismaConfig],
      { env: { ...process.env, DATABASE_URL: db.url } },
    );
    expect(stdout).toMatch(/Database schema is up to date/);
  }, 60_000);

  it('the generated client writes and reads through @prisma/adapter-pg', async () => {
    const prisma = new PrismaClient({
      adapter: new PrismaPg({ connectionString: db.url }),
    });
    try {
      await prisma.account.create({ data: { id: 'acc-1', balance: 42 } });
      expect(await prisma.account.findUnique({ where: { id: 'acc-1' } })).toEqual({ id: 'acc-1', balance: 42 });
    } finally {
      await prisma.$disconnect();
    }
  });
});
