import { createTestDatabase } from '@shopflow/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface DatabaseCeiling {
  /** BEGIN; INSERT one row; COMMIT, over `connections` connections at once. */
  insertTransactionsPerSecond: number;
  /** The same over a single connection. */
  serialInsertTransactionsPerSecond: number;
  connections: number;
  /** The server settings that decide the cost of a commit. */
  settings: Record<string, string>;
}

const ROW = JSON.stringify({
  type: 'order.placed',
  payload: { orderId: randomUUID(), total: { amount: 1000, currency: 'EUR' } },
});

/**
 * The database's own ceiling with pg, no service code: single-row insert transactions per second
 * on this PostgreSQL, with as many connections as a service's pool, on a database of its own
 * (dropped afterwards). Each commit waits for its WAL flush, as the services' commits do.
 */
export async function measureDatabase(seconds: number, connections = 10): Promise<DatabaseCeiling> {
  const database = await createTestDatabase({ prefix: 'bench_ceiling' });
  const pool = new pg.Pool({ connectionString: database.url, max: connections });
  // An idle connection the server ends is replaced by the pool; a running query reports its own error.
  pool.on('error', () => undefined);
  try {
    await pool.query(
      'CREATE TABLE ceiling (id uuid PRIMARY KEY, message jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
    );
    const settings: Record<string, string> = {};
    for (const name of ['fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers', 'max_connections']) {
      settings[name] = (await pool.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name] ?? '';
    }
    const run = async (lanes: number) => {
      let committed = 0;
      const until = Date.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          const client = await pool.connect();
          try {
            while (Date.now() < until) {
              await client.query('BEGIN');
              await client.query('INSERT INTO ceiling (id, message) VALUES ($1, $2)', [randomUUID(), ROW]);
              await client.query('COMMIT');
              committed += 1;
            }
          } finally {
            client.release();
          }
        }),
      );
      return committed / ((performance.now() - started) / 1000);
    };
    const insertTransactionsPerSecond = await run(connections);
    const serialInsertTransactionsPerSecond = await run(1);
    return { insertTransactionsPerSecond, serialInsertTransactionsPerSecond, connections, settings };
  } finally {
    await pool.end().catch(() => undefined);
    await database.drop();
  }
}
