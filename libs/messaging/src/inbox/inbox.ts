import { type Envelope } from '@shopflow/events';
import { type SqlClient, type TransactionRunner } from '../sql-client';

export type InboxOutcome = 'handled' | 'duplicate';

const RECORD = `INSERT INTO inbox_events (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING`;

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
      const recorded = await tx.$executeRawUnsafe(RECORD, this.consumer, event.id);
      if (recorded === 0) return 'duplicate';
      await work(tx);
      return 'handled';
    }, this.limits);
  }
}
