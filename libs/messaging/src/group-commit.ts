import { context, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { type Envelope } from '@shopflow/events';
import { type Inbox, type InboxOutcome } from './inbox/inbox';
import { insertIntoOutbox, toOutboxMessages, type OutboxMessage } from './outbox/outbox';
import { type SqlClient, type TransactionRunner } from './sql-client';

/** Work waiting for the next batch: an incoming event's (its id is the inbox key) or a request's. */
export interface UnitOfWork<Tx> {
  eventId?: string;
  /** Changes state through `tx` and returns the events to emit. */
  work: (tx: Tx) => Promise<readonly Envelope[]>;
}

interface Queued<Tx> extends UnitOfWork<Tx> {
  /** The caller's trace context: the work's queries and its events' headers belong to the caller's trace. */
  context: Context;
  resolve: (outcome: InboxOutcome) => void;
  reject: (error: unknown) => void;
}

type Settled = { outcome: InboxOutcome } | { error: unknown };

export interface GroupCommitOptions<Tx extends SqlClient> {
  db: TransactionRunner<Tx>;
  inbox: Inbox<Tx>;
  /** Called with the rows the batch wrote to the outbox, once it committed. */
  committed: (messages: OutboxMessage[]) => void;
  /** Units per transaction. At most 64: more savepoints that write would overflow PostgreSQL's subtransaction cache. */
  maxBatch: number;
  limits: { maxWait: number; timeout: number };
}

/**
 * Group commit: units of work submitted while a transaction is running wait, then share the next
 * one. A unit costs its own statements only; the BEGIN and COMMIT (and the fsync behind it), the
 * inbox insert, the outbox insert and the relay's publish round are paid once per batch. Alone, a
 * unit has its transaction to itself: no wait at low load.
 *
 * Each unit of a batch runs after a SAVEPOINT: a failing unit is rolled back to it (its inbox record
 * too) and fails alone, the others commit. Units run one after another, so one acts on what the
 * previous ones wrote, exactly as if they had been committed in that order; one batch runs at a time,
 * so a service's own batches never wait on each other's row locks.
 *
 * Callers learn their outcome only when the batch has committed (or failed): a unit that lost a
 * race on a unique key to an earlier unit of the same batch finds that unit's row committed.
 */
export class GroupCommit<Tx extends SqlClient> {
  private readonly queue: Queued<Tx>[] = [];
  private running?: Promise<void>;

  constructor(private readonly options: GroupCommitOptions<Tx>) {}

  submit(unit: UnitOfWork<Tx>): Promise<InboxOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...unit, context: context.active(), resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    // The batch's own statements belong to no caller's trace.
    this.running = context.with(ROOT_CONTEXT, () => this.commit(batch));
    void this.running.finally(() => {
      this.running = undefined;
      this.next();
    });
  }

  private async commit(batch: Queued<Tx>[]): Promise<void> {
    const settled: Settled[] = [];
    let written: OutboxMessage[] = [];
    try {
      await this.options.db.$transaction(async (tx) => {
        const eventIds = batch.flatMap((unit) => (unit.eventId === undefined ? [] : [unit.eventId]));
        const fresh = await this.options.inbox.record(tx, eventIds);
        const messages: OutboxMessage[] = [];
        for (const unit of batch) settled.push(await this.runUnit(tx, unit, fresh, batch.length > 1, messages));
        await insertIntoOutbox(tx, messages);
        written = messages;
      }, this.options.limits);
    } catch (error) {
      // Nothing was committed: every unit fails, with its own error if it had one.
      batch.forEach((unit, i) => unit.reject(errorOf(settled[i]) ?? error));
      return;
    }
    this.options.committed(written);
    batch.forEach((unit, i) => {
      const result = settled[i];
      if (result && 'outcome' in result) unit.resolve(result.outcome);
      else unit.reject(errorOf(result));
    });
  }

  private async runUnit(
    tx: Tx,
    unit: Queued<Tx>,
    fresh: Set<string>,
    isolated: boolean,
    messages: OutboxMessage[],
  ): Promise<Settled> {
    const eventId = unit.eventId?.toLowerCase();
    // Deleted once taken: a second copy of the same event in this batch is a duplicate too.
    if (eventId !== undefined && !fresh.delete(eventId)) return { outcome: 'duplicate' };
    if (isolated) await tx.$executeRawUnsafe('SAVEPOINT unit_of_work');
    try {
      const emitted = await context.with(unit.context, async () => toOutboxMessages(await unit.work(tx)));
      messages.push(...emitted);
      return { outcome: 'handled' };
    } catch (error) {
      // Alone in its transaction, a failure rolls the whole transaction back.
      if (!isolated) throw error;
      await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT unit_of_work');
      if (eventId !== undefined) await this.options.inbox.forget(tx, eventId);
      return { error };
    }
  }
}

function errorOf(settled: Settled | undefined): unknown {
  return settled && 'error' in settled ? settled.error : undefined;
}
