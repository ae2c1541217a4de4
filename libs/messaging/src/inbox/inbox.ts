import { type Envelope } from '@shopflow/events';
import { sql, type SqlClient, type Transaction, type TransactionRunner } from '@shopflow/postgres';

export type InboxOutcome = 'handled' | 'duplicate';

/**
 * Idempotent consumer: the event id is recorded in the same transaction as the
 * handler's effects. A redelivered or duplicated event finds its id taken (a concurrent
 * duplicate waits on the unique key, then finds it) and is skipped with no effect.
 */
export class Inbox {
  constructor(
    private readonly db: TransactionRunner,
    /** Names the handling side, usually the consumer's queue. */
    private readonly consumer: string,
  ) {}

  handleOnce(event: Pick<Envelope, 'id'>, work: (tx: Transaction) => Promise<void>): Promise<InboxOutcome> {
    return this.db.transaction(async (tx) => {
      const recorded = await this.record(tx, [event.id]);
      if (recorded.size === 0) return 'duplicate';
      await work(tx);
      return 'handled';
    });
  }

  /** Records the ids in one statement; returns those that were new (lower-case), i.e. the events to handle. */
  async record(tx: SqlClient, eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    // Sorted, so that two transactions recording overlapping ids take the key locks in the same order.
    const rows = await tx.query<{ event_id: string }>(sql`
      INSERT INTO inbox_events (consumer, event_id)
      SELECT ${this.consumer}, id FROM unnest(${[...new Set(eventIds)]}::uuid[]) AS id ORDER BY id
      ON CONFLICT DO NOTHING
      RETURNING event_id::text`);
    return new Set(rows.map((row) => row.event_id));
  }

  /** Takes back records, inside the transaction that made them (sent: nothing waits); nothing to do for none. */
  forgetAll(tx: Transaction, eventIds: readonly string[]): void {
    if (eventIds.length === 0) return;
    tx.sendWithoutWaiting(
      sql`DELETE FROM inbox_events WHERE consumer = ${this.consumer} AND event_id = ANY(${[...eventIds]}::uuid[])`,
    );
  }
}
