import { sql } from './sql';
import { type Transaction } from './sql-client';

/**
 * Takes a lock on `key` that the transaction holds until it ends. Sent without waiting: the
 * transaction's next statements run once the lock is granted, and fail if it is not.
 */
export function lockUntilTransactionEnds(tx: Transaction, key: string): void {
  tx.sendWithoutWaiting(sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`);
}
