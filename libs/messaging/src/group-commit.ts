import { context, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { type Envelope } from '@shopflow/events';
import { isLockConflict, sql, type Transaction, type TransactionRunner } from '@shopflow/postgres';
import { type Inbox, type InboxOutcome } from './inbox/inbox';
import { insertIntoOutbox, toOutboxMessages, type OutboxMessage } from './outbox/outbox';

/** Work waiting for the next batch: an incoming event's (its id is the inbox key) or a request's. */
export interface UnitOfWork {
  eventId?: string;
  /** Changes state through `tx` and returns the events to emit. */
  work: (tx: Transaction) => Promise<readonly Envelope[]>;
}

interface Queued extends UnitOfWork {
  /** The caller's trace context: the work's queries and its events' headers belong to the caller's trace. */
  context: Context;
  /** Set once the unit gave up a lock wait inside a batch: it then gets a transaction of its own. */
  alone: boolean;
  resolve: (outcome: InboxOutcome) => void;
  reject: (error: unknown) => void;
}

/** 'run-alone': gave up a lock wait; 'not-run': after that, the batch stopped before reaching it. */
type Settled = { outcome: InboxOutcome } | { error: unknown } | 'run-alone' | 'not-run';

export interface GroupCommitOptions {
  db: TransactionRunner;
  inbox: Inbox;
  /** Called with the rows the batch wrote to the outbox, once it committed. */
  committed: (messages: OutboxMessage[]) => void;
  /** Units per transaction. At most 64: more savepoints that write would overflow PostgreSQL's subtransaction cache. */
  maxBatch: number;
  /** How long a unit in a batch may wait for a lock before it is taken out and run alone. */
  lockWaitMs?: number;
}

/**
 * Group commit: units of work submitted while a transaction is running wait, then share the next
 * one. A unit costs its own statements only; the BEGIN and COMMIT (and the fsync behind it), the
 * inbox insert, the outbox insert and the relay's publish round are paid once per batch. Alone, a
 * unit has its transaction to itself: no wait at low load.
 *
 * Each unit of a batch runs after a SAVEPOINT: a failing unit is rolled back to it (its inbox record
 * too) and fails alone, the others commit. Units run one after another, so one acts on what the
 * previous ones wrote, exactly as if they had been committed in that order; one batch runs at a time.
 *
 * A batch holds the locks of all its units until it commits, in no particular order, so two batches
 * (of two replicas) can deadlock where single units, each locking in its service's fixed order,
 * cannot. So a unit in a batch waits for a lock only `lockWaitMs`: past that it is rolled back to
 * its savepoint, the batch commits what it has done so far (releasing its locks), and the unit runs
 * again, alone, in the next transaction, followed by the units the batch had not reached. A deadlock
 * costs one such wait, not PostgreSQL's deadlock timeout and a retry; under contention batches get
 * shorter, and so does the time they hold their locks.
 *
 * Callers learn their outcome only when the batch has committed (or failed): a unit that lost a
 * race on a unique key to an earlier unit of the same batch finds that unit's row committed.
 */
export class GroupCommit {
  private readonly queue: Queued[] = [];
  private running?: Promise<void>;
  private readonly lockWaitMs: number;

  constructor(private readonly options: GroupCommitOptions) {
    this.lockWaitMs = options.lockWaitMs ?? 50;
  }

  submit(unit: UnitOfWork): Promise<InboxOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...unit, context: context.active(), alone: false, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue[0]?.alone ? this.queue.splice(0, 1) : this.queue.splice(0, this.options.maxBatch);
    // The batch's own statements belong to no caller's trace.
    this.running = context.with(ROOT_CONTEXT, () => this.commit(batch));
    void this.running.finally(() => {
      this.running = undefined;
      this.next();
    });
  }

  private async commit(batch: Queued[]): Promise<void> {
    const settled: Settled[] = [];
    let written: OutboxMessage[] = [];
    let failure: { error: unknown } | undefined;
    try {
      await this.options.db.transaction(async (tx) => {
        const isolated = batch.length > 1;
        const eventIds = batch.flatMap((unit) => (unit.eventId === undefined ? [] : [unit.eventId]));
        const fresh = await this.options.inbox.record(tx, eventIds);
        if (isolated) tx.send(sql`SELECT set_config('lock_timeout', ${`${this.lockWaitMs}ms`}, true)`);
        const messages: OutboxMessage[] = [];
        for (const unit of batch) {
          const conflicted = settled.includes('run-alone');
          settled.push(conflicted ? 'not-run' : await this.runUnit(tx, unit, fresh, isolated, messages));
        }
        // Ids this batch recorded but never got to (still in `fresh`): they are recorded when handled.
        this.options.inbox.forgetAll(tx, [...fresh]);
        insertIntoOutbox(tx, messages);
        written = messages;
      });
    } catch (error) {
      failure = { error };
    }
    if (!failure) this.options.committed(written);
    // Back to the front of the queue, in their order: the unit that waited first, on its own.
    const again = batch.flatMap((unit, i) =>
      settled[i] === 'run-alone' ? [{ ...unit, alone: true }] : settled[i] === 'not-run' ? [unit] : [],
    );
    this.queue.unshift(...again);
    batch.forEach((unit, i) => settle(unit, settled[i], failure));
  }

  private async runUnit(
    tx: Transaction,
    unit: Queued,
    fresh: Set<string>,
    isolated: boolean,
    messages: OutboxMessage[],
  ): Promise<Settled> {
    const eventId = unit.eventId?.toLowerCase();
    // Deleted once taken: a second copy of the same event in this batch is a duplicate too.
    if (eventId !== undefined && !fresh.delete(eventId)) return { outcome: 'duplicate' };
    if (isolated) tx.send(sql`SAVEPOINT unit_of_work`);
    try {
      const emitted = await context.with(unit.context, async () => toOutboxMessages(await unit.work(tx)));
      // A statement the unit sent without waiting may still fail: that is the unit's failure.
      await tx.flush();
      messages.push(...emitted);
      return { outcome: 'handled' };
    } catch (error) {
      // Alone in its transaction, a failure rolls the whole transaction back.
      if (!isolated) throw error;
      await tx.execute(sql`ROLLBACK TO SAVEPOINT unit_of_work`);
      if (eventId !== undefined) this.options.inbox.forget(tx, eventId);
      return isLockConflict(error) ? 'run-alone' : { error };
    }
  }
}

/** Answers the caller: its own outcome or error, else the batch's failure. A unit to run again waits on. */
function settle(unit: Queued, settled: Settled | undefined, failure: { error: unknown } | undefined): void {
  if (settled === 'run-alone' || settled === 'not-run') return;
  if (settled && 'error' in settled) unit.reject(settled.error);
  else if (failure) unit.reject(failure.error);
  else if (settled) unit.resolve(settled.outcome);
}
