import { Pool, type PoolClient } from 'pg';
import { type Sql } from 'sql-template-tag';
import { PipelineModeTransaction } from './pipeline-mode-transaction';
import { prepared } from './prepared-statements';
import { type PipelinedTransaction, type SqlClient, type TransactionRunner } from './sql-client';

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
      // A transaction sends its statements without waiting for each answer (see PipelineModeTransaction).
      pipeline: true,
      // Every statement is prepared (see prepared()), and PostgreSQL's default plans a prepared statement
      // anew at each execution for as long as plans made for its actual values look cheaper than the
      // generic one. For this code's statements (a few rows by key, arrays of a few skus) they always
      // did, and the sessions spent much of their CPU planning the same statements again (the profile
      // is in docs/performance-history.md). A statement that needs plans for its
      // actual values and the table's current size says so with planEachTime().
      options: '-c plan_cache_mode=force_generic_plan',
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

  async transaction<R>(work: (tx: PipelinedTransaction) => Promise<R>): Promise<R> {
    const connection = await this.pool.connect();
    // The server may end the session mid-transaction (idle timeout, restart): the failing query
    // reports it; without a listener the connection's 'error' event would crash the process.
    connection.on('error', ignoreConnectionError);
    const tx = new PipelineModeTransaction(connection);
    try {
      tx.begin();
      const result = await work(tx);
      await tx.commit();
      release(connection);
      return result;
    } catch (error) {
      await rollback(tx, connection);
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

/** A connection whose rollback failed is in an unknown state: it is closed rather than returned to the pool. */
async function rollback(tx: PipelineModeTransaction, connection: PoolClient): Promise<void> {
  try {
    await tx.rollback();
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
