import pg from 'pg';
import { createTestDatabase } from './test-database';

const adminUrl = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  it('creates a fresh database and drops it even with a connection still open', async () => {
    const db = await createTestDatabase({ prefix: 'testing_db' });
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => undefined); // the forced drop terminates this connection
    try {
      await client.connect();
      const { rows } = await client.query<{ name: string }>('SELECT current_database() AS name');
      expect(rows[0]?.name).toBe(db.name);
      expect(db.name).toMatch(/^testing_db_/);

      await db.drop();
      expect(await databaseExists(db.name)).toBe(false);
      await db.drop(); // idempotent, so it can sit in afterAll after an explicit drop
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  it('gives every call its own database', async () => {
    const [a, b] = await Promise.all([
      createTestDatabase({ prefix: 'testing_db' }),
      createTestDatabase({ prefix: 'testing_db' }),
    ]);
    try {
      expect(a.name).not.toBe(b.name);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});
