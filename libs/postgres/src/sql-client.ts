import { type Sql } from 'sql-template-tag';

/** What a repository needs: statements on the pool, or on a transaction's connection. */
export interface SqlClient {
  /** The rows a statement returns. */
  query<Row>(statement: Sql): Promise<Row[]>;
  /** How many rows a statement changed (inserted, updated, deleted). */
  execute(statement: Sql): Promise<number>;
}

/**
 * A transaction's connection, as a repository sees it. Statements are pipelined: each goes to the
 * server without waiting for the answers to those before it, and the statements issued in one turn
 * of the event loop leave in one socket write.
 */
export interface Transaction extends SqlClient {
  /**
   * Sends a statement whose result is not needed (a lock, an INSERT of rows nobody reads back)
   * without waiting for it: it costs no round trip of its own. It returns nothing to await, so the
   * lint (no-floating-promises) tells it apart from a `query` or `execute` whose `await` is missing.
   * If it fails, the next `query` or `execute` rejects with its error, and so does the commit.
   */
  sendWithoutWaiting(statement: Sql): void;
}

/**
 * What the messaging runtime (group commit) needs of a transaction beyond a repository's view:
 * waiting for what was sent, and telling whose statement failed. Repositories never see it.
 */
export interface PipelinedTransaction extends Transaction {
  /** Waits for the statements sent so far; rejects with the first failure among them. */
  flush(): Promise<void>;
  /**
   * How many statements this transaction has issued so far (sent or awaited). With
   * `failedStatementNumber` it tells which part of the work sent a statement that failed.
   */
  readonly issued: number;
}

/** Runs work in one transaction: committed if it resolves, rolled back if it throws. */
export interface TransactionRunner {
  transaction<R>(work: (tx: PipelinedTransaction) => Promise<R>): Promise<R>;
}
