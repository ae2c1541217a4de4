import pg from 'pg';

export interface DatabaseActivity {
  /** Committed and rolled-back transactions, single-statement reads included (each is one). */
  transactions: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
}

/**
 * What PostgreSQL counted for each database (pg_stat_database). Read once the services have
 * stopped: a backend reports its counts when it exits, so they are then exact for the whole run.
 */
export async function databaseActivity(adminUrl: string, names: string[]): Promise<Map<string, DatabaseActivity>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string; xacts: string; ins: string; upd: string; del: string }>(
      `SELECT datname, xact_commit + xact_rollback AS xacts, tup_inserted AS ins, tup_updated AS upd, tup_deleted AS del
       FROM pg_stat_database WHERE datname = ANY($1)`,
      [names],
    );
    return new Map(
      rows.map((row) => [
        row.datname,
        {
          transactions: Number(row.xacts),
          rowsInserted: Number(row.ins),
          rowsUpdated: Number(row.upd),
          rowsDeleted: Number(row.del),
        },
      ]),
    );
  } finally {
    await client.end();
  }
}
