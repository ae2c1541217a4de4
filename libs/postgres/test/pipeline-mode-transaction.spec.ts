import { countSocketWrites, createTestDatabase, type TestDatabase } from '@shopflow/testing';
import { Pool, type PoolClient } from 'pg';
import { type Writable } from 'node:stream';
import { sql } from '../src';
import { PipelineModeTransaction } from '../src/pipeline-mode-transaction';

describe('PipelineModeTransaction on a real PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  let connection: PoolClient;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'pgpipe' });
    pool = new Pool({ connectionString: database.url, max: 1, pipeline: true } as ConstructorParameters<
      typeof Pool
    >[0]);
    connection = await pool.connect();
  });

  afterAll(async () => {
    connection.release();
    await pool.end();
    await database.drop();
  });

  /** Counts the socket writes node-postgres makes while `work` runs. */
  function socketWritesDuring(work: () => Promise<void>): Promise<number> {
    // pg's internal socket: if a pg upgrade moves it, this test says so before the bench does.
    return countSocketWrites((connection as unknown as { connection: { stream: Writable } }).connection.stream, work);
  }

  it('writes the statements of one turn of the event loop, BEGIN and COMMIT included, in one go', async () => {
    const tx = new PipelineModeTransaction(connection);
    let answers: number[][] = [];
    const writes = await socketWritesDuring(async () => {
      tx.begin();
      tx.sendWithoutWaiting(sql`SELECT ${1}::int AS n`);
      const reads = [2, 3].map((n) => tx.query<{ n: number }>(sql`SELECT ${n}::int AS n`));
      const commit = tx.commit();
      answers = (await Promise.all(reads)).map((rows) => rows.map((row) => row.n));
      await commit;
    });

    expect(answers).toEqual([[2], [3]]);
    expect(writes).toBe(1);
  });
});
