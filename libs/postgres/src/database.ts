import { Pool, type PoolClient, type QueryConfig } from 'pg';
import { type Sql } from 'sql-template-tag';
import { type SqlClient, type TransactionRunner } from './sql-client';

export interface DatabaseOptions {
  url: string;
  /** Connections in the pool: the most statements the service has in flight at once. */
  poolSize?: number;
  /** How long to wait for a free connection: under a burst, queueing beats failing. */
  connectionWaitMs?: number;
  /**
   * The server ends a session left idle inside a transaction longer than this (a handler stuck on
   * a network call), so that its row locks cannot block everyone else.
   */
  idleInTransactionMs?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

/**
 * A service's PostgreSQL: node-postgres' pool, statements written as `sql` tagged templates
 * (values always travel as parameters), and transactions.
 */
export class Database implements SqlClient, TransactionRunner {
  private readonly pool: Pool;

  constructor(options: DatabaseOptions) {
    this.pool = new Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionWaitMs ?? 10_000,
      idle_in_transaction_session_timeout: options.idleInTransactionMs ?? 20_000,
      application_name: options.applicationName,
    });
    // An idle connection that breaks (server restart) is dropped from the pool; the next query opens another.
    this.pool.on('error', () => undefined);
  }

  query<Row>(statement: Sql): Promise<Row[]> {
    return queryRows(this.pool, statement);
  }

  execute(statement: Sql): Promise<number> {
    return countRows(this.pool, statement);
  }

  async transaction<R>(work: (tx: SqlClient) => Promise<R>): Promise<R> {
    const connection = await this.pool.connect();
    // The server may end the session mid-transaction (idle timeout, restart): the failing query
    // reports it; without a listener the connection's 'error' event would crash the process.
    connection.on('error', ignoreConnectionError);
    const tx: SqlClient = {
      query: (statement) => queryRows(connection, statement),
      execute: (statement) => countRows(connection, statement),
    };
    try {
      await connection.query('BEGIN');
      const result = await work(tx);
      await connection.query('COMMIT');
      release(connection);
      return result;
    } catch (error) {
      await rollback(connection);
      throw error;
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

async function queryRows<Row>(client: Pool | PoolClient, statement: Sql): Promise<Row[]> {
  return (await client.query(prepared(statement))).rows as Row[];
}

async function countRows(client: Pool | PoolClient, statement: Sql): Promise<number> {
  return (await client.query(prepared(statement))).rowCount ?? 0;
}

/** Statement texts get a name, up to this many distinct texts; beyond it they run unnamed. */
const MAX_PREPARED = 500;
const preparedNames = new Map<string, string>();

/**
 * A named statement: each connection has PostgreSQL parse and plan it once, then only binds new
 * values. The texts come from the code's templates, so there are few of them (a multi-row INSERT
 * makes one per row count); the cap keeps an unexpected variety from growing every session.
 */
function prepared(statement: Sql): QueryConfig {
  const { text, values } = statement;
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `shopflow_${preparedNames.size}`;
    preparedNames.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}

/** A connection whose rollback failed is in an unknown state: it is closed rather than returned to the pool. */
async function rollback(connection: PoolClient): Promise<void> {
  try {
    await connection.query('ROLLBACK');
    release(connection);
  } catch (error) {
    release(connection, error instanceof Error ? error : new Error(String(error)));
  }
}

function release(connection: PoolClient, broken?: Error): void {
  connection.off('error', ignoreConnectionError);
  connection.release(broken);
}

function ignoreConnectionError(): void {
  // Reported by the query that was running; nothing more to do here.
}
