import { type Sql } from 'sql-template-tag';

/** What a repository needs: statements on the pool, or on a transaction's connection. */
export interface SqlClient {
  /** The rows a statement returns. */
  query<Row>(statement: Sql): Promise<Row[]>;
  /** How many rows a statement changed (inserted, updated, deleted). */
  execute(statement: Sql): Promise<number>;
}

/** Runs work in one transaction: committed if it resolves, rolled back if it throws. */
export interface TransactionRunner {
  transaction<R>(work: (tx: SqlClient) => Promise<R>): Promise<R>;
}
