import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { type ServiceMetrics } from '@shopflow/observability';
import { type TransactionRunner } from '@shopflow/postgres';
import { runBatch, type BatchUnit, type Settled, type UnitOfWork } from './batch-in-transaction';
import { type Inbox, type InboxOutcome } from './inbox/inbox';
import { withPublishedRowsDeleted, type OutboxMessage, type PublishedRows } from './outbox/outbox';

interface Queued extends BatchUnit {
  /** Set once the unit gave up a lock wait inside a batch: it then gets a transaction of its own. */
  alone: boolean;
  resolve: (outcome: InboxOutcome) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  db: TransactionRunner;
  inbox: Inbox;
  /** Called with the rows the batch wrote to the outbox, once it committed. */
  committed: (messages: OutboxMessage[]) => void;
  /** Rows of published events a batch deletes on the way (see OutboxRelay.takeDeletions). */
  published?: PublishedRows;
  /** Units per transaction. At most 64: more savepoints that write would overflow PostgreSQL's subtransaction cache. */
  maxBatch: number;
  /** How long a unit in a batch may wait for a lock before it is taken out and run alone. */
  lockWaitMs?: number;
  /** Batches run at once, each on a connection of its own; more than one only while half a batch waits (default 1). */
  maxConcurrentBatches?: number;
  /** Where each batch's size and duration are observed. */
  metrics?: BatchMetrics;
}

/** The metrics a group commit observes: each batch's units and how long it ran. */
export type BatchMetrics = Pick<ServiceMetrics, 'transactionBatchUnits' | 'transactionBatchDuration'>;

/**
 * Group commit: units of work submitted while a transaction is running wait, then share the next
 * one. A unit costs its own statements only; the BEGIN and COMMIT (and the fsync behind it), the
 * inbox insert, the outbox insert and the relay's publish round are paid once per batch. Alone, a
 * unit has its transaction to itself: no wait at low load.
 *
 * Each unit of a batch runs after a SAVEPOINT: a failing unit is rolled back to it (its inbox record
 * too) and fails alone, the others commit (runBatch, which also lets a unit's statements travel with
 * the next unit's). Units run one after another, so one acts on what the previous ones wrote,
 * exactly as if they had been committed in that order. One batch runs at a time, unless
 * `maxConcurrentBatches` lets another start beside it (see mayStart): two batches of one replica
 * relate as two replicas' batches do, below.
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
  private running = 0;
  private scheduled?: NodeJS.Immediate;
  private readonly lockWaitMs: number;
  private readonly maxConcurrentBatches: number;

  constructor(private readonly options: GroupCommitOptions) {
    this.lockWaitMs = options.lockWaitMs ?? 50;
    this.maxConcurrentBatches = options.maxConcurrentBatches ?? 1;
  }

  submit(unit: UnitOfWork): Promise<InboxOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...unit, context: context.active(), alone: false, resolve, reject });
      this.scheduleNext();
    });
  }

  /**
   * The next batch starts once the current turn of the event loop is over, not at the first unit:
   * the deliveries of one socket read (or the requests of one turn) are handled in one turn, and
   * so share one transaction instead of the first going alone and the others waiting for it.
   */
  private scheduleNext(): void {
    if (this.scheduled || !this.mayStart()) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.next();
    });
  }

  /**
   * Whether a batch may start now. The first whenever units wait; another beside it only once half a
   * batch waits: a backlog that one transaction at a time does not keep up with. Fewer wait for the
   * running batch and share the next, as many per transaction (and fsync) as arrived meanwhile.
   */
  private mayStart(): boolean {
    if (this.queue.length === 0 || this.running >= this.maxConcurrentBatches) return false;
    return this.running === 0 || this.queue.length >= this.options.maxBatch / 2;
  }

  private next(): void {
    if (!this.mayStart()) return;
    const batch = this.queue[0]?.alone ? this.queue.splice(0, 1) : this.queue.splice(0, this.options.maxBatch);
    this.running += 1;
    const endTimer = this.options.metrics?.transactionBatchDuration.startTimer();
    // The batch's own statements belong to no caller's trace.
    const committed = context.with(ROOT_CONTEXT, () => this.commit(batch));
    void committed.finally(() => {
      endTimer?.();
      this.options.metrics?.transactionBatchUnits.observe(batch.length);
      this.running -= 1;
      this.scheduleNext();
    });
    this.scheduleNext();
  }

  private async commit(batch: Queued[]): Promise<void> {
    let settled: Settled[] = [];
    let written: OutboxMessage[] = [];
    let failure: { error: unknown } | undefined;
    try {
      await withPublishedRowsDeleted(this.options.published ?? {}, (deleteRows) =>
        this.options.db.transaction(async (tx) => {
          deleteRows(tx);
          ({ settled, written } = await runBatch(tx, batch, {
            inbox: this.options.inbox,
            lockWaitMs: this.lockWaitMs,
          }));
        }),
      );
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
}

/** Answers the caller: its own outcome or error, else the batch's failure. A unit to run again waits on. */
function settle(unit: Queued, settled: Settled | undefined, failure: { error: unknown } | undefined): void {
  if (settled === 'run-alone' || settled === 'not-run') return;
  if (settled && 'error' in settled) unit.reject(settled.error);
  else if (failure) unit.reject(failure.error);
  else if (settled) unit.resolve(settled.outcome);
}
