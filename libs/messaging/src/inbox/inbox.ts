import { type Envelope } from '@shopflow/events';
import { type SqlClient, type TransactionRunner } from '../sql-client';

export type InboxOutcome = 'handled' | 'duplicate';

// Sorted, so that two transactions recording overlapping ids take the key locks in the same order.
const RECORD = `
  INSERT INTO inbox_events (consumer, event_id)
  SELECT $1, id FROM unnest($2::uuid[]) AS id ORDER BY id
  ON CONFLICT DO NOTHING
  RETURNING event_id::text`;
const FORGET = `DELETE FROM inbox_events WHERE consumer = $1 AND event_id = $2::uuid`;

/**
 * Idempotent consumer: the event id is recorded in the same transaction as the
 * handler's effects. A redelivered or duplicated event finds its id taken (a concurrent
 * duplicate waits on the unique key, then finds it) and is skipped with no effect.
 */
export class Inbox<Tx extends SqlClient> {
  constructor(
    private readonly db: TransactionRunner<Tx>,
    /** Names the handling side, usually the consumer's queue. */
    private readonly consumer: string,
    private readonly limits?: { maxWait: number; timeout: number },
  ) {}

  handleOnce(event: Pick<Envelope, 'id'>, work: (tx: Tx) => Promise<void>): Promise<InboxOutcome> {
    return this.db.$transaction(async (tx) => {
      const recorded = await this.record(tx, [event.id]);
      if (recorded.size === 0) return 'duplicate';
      await work(tx);
      return 'handled';
    }, this.limits);
  }

  /** Records the ids in one statement; returns those that were new (lower-case), i.e. the events to handle. */
  async record(tx: SqlClient, eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows = await tx.$queryRawUnsafe<{ event_id: string }[]>(RECORD, this.consumer, [...new Set(eventIds)]);
    return new Set(rows.map((row) => row.event_id));
  }

  /** Takes back a record whose handling failed, inside the transaction that made it. */
  async forget(tx: SqlClient, eventId: string): Promise<void> {
    await tx.$executeRawUnsafe(FORGET, this.consumer, eventId);
  }
}
