import { createTestDatabase, type TestDatabase } from '@shopflow/testing';
import { Database, isUniqueViolation, join, planEachTime, sql } from '../src';

describe('Database on a real PostgreSQL', () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'pgdb' });
    db = new Database({ url: database.url, poolSize: 3, idleInTransactionMs: 500 });
    await db.execute(
      sql`CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())`,
    );
  });

  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  const bodies = async (ids: number[]) =>
    (await db.query<{ body: string }>(sql`SELECT body FROM notes WHERE id IN (${join(ids)}) ORDER BY id`)).map(
      (row) => row.body,
    );

  it('sends values as parameters, never as SQL', async () => {
    const body = `it's'); DROP TABLE notes; --`;
    expect(await db.execute(sql`INSERT INTO notes (id, body) VALUES (${1}, ${body})`)).toBe(1);
    const [row] = await db.query<{ body: string; at: Date }>(sql`SELECT body, at FROM notes WHERE id = ${1}`);
    expect(row?.body).toBe(body);
    expect(row?.at).toBeInstanceOf(Date);
  });

  it('commits a transaction that resolves, and rolls back one that throws', async () => {
    expect(
      await db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO notes (id, body) VALUES (${2}, ${'kept'})`);
        return 'done';
      }),
    ).toBe('done');
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO notes (id, body) VALUES (${3}, ${'lost'})`);
        throw new Error('rule broken');
      }),
    ).rejects.toThrow('rule broken');
    expect(await bodies([2, 3])).toEqual(['kept']);
  });

  it('prepares each statement once per connection, then only binds new values', async () => {
    const names = await db.transaction(async (tx) => {
      for (const id of [1, 2]) await tx.query(sql`SELECT id FROM notes WHERE id = ${id}`);
      return tx.query<{ name: string }>(
        sql`SELECT name FROM pg_prepared_statements WHERE statement = ${'SELECT id FROM notes WHERE id = $1'}`,
      );
    });
    expect(names).toEqual([{ name: expect.stringMatching(/^shopflow_\d+$/) }]);
  });

  it('runs prepared statements on a generic plan from their first execution: no planning per execution', async () => {
    const plans = await db.transaction(async (tx) => {
      for (const ids of [[1], [1, 2], [2]]) await tx.query(sql`SELECT body FROM notes WHERE id = ANY(${ids}::int[])`);
      return tx.query<{ generic_plans: string; custom_plans: string }>(
        sql`SELECT generic_plans, custom_plans FROM pg_prepared_statements
            WHERE statement = ${'SELECT body FROM notes WHERE id = ANY($1::int[])'}`,
      );
    });
    expect(plans).toEqual([{ generic_plans: '3', custom_plans: '0' }]);
  });

  it('plans a planEachTime statement at every execution: it is never prepared', async () => {
    const prepared = await db.transaction(async (tx) => {
      for (const id of [1, 2]) await tx.query(planEachTime(sql`SELECT body FROM notes WHERE id = ${id}`));
      return tx.query<{ name: string }>(
        sql`SELECT name FROM pg_prepared_statements WHERE statement = ${'SELECT body FROM notes WHERE id = $1'}`,
      );
    });
    expect(prepared).toEqual([]);
  });

  it('recognises a unique violation, by constraint', async () => {
    const error = await db.execute(sql`INSERT INTO notes (id, body) VALUES (${2}, ${'again'})`).catch((e) => e);
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, 'notes_pkey')).toBe(true);
    expect(isUniqueViolation(error, 'other_key')).toBe(false);
    expect(isUniqueViolation(new Error('duplicate key'))).toBe(false);
  });

  it('gets its connection back after failed transactions: the pool does not leak', async () => {
    for (let i = 0; i < 5; i += 1) {
      await expect(
        db.transaction(async (tx) => tx.execute(sql`INSERT INTO notes (id, body) VALUES (${2}, ${'dup'})`)),
      ).rejects.toThrow(/duplicate key/);
    }
    // Three connections in the pool: five leaked ones would make this wait forever.
    expect(await Promise.all([1, 2, 3, 4].map(() => db.transaction((tx) => tx.query(sql`SELECT 1 AS one`))))).toEqual(
      Array(4).fill([{ one: 1 }]),
    );
  });

  it('lets the server abort a transaction left idle too long, releasing its locks', async () => {
    const stuck = db.transaction(async (tx) => {
      await tx.query(sql`SELECT id FROM notes WHERE id = ${1} FOR UPDATE`);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await tx.query(sql`SELECT 1`);
    });
    await expect(stuck).rejects.toThrow();
    // The row lock went with the aborted session: another transaction takes it at once.
    const locked = await db.transaction((tx) => tx.query(sql`SELECT id FROM notes WHERE id = ${1} FOR UPDATE NOWAIT`));
    expect(locked).toEqual([{ id: 1 }]);
  });
});
