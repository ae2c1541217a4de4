import { context, type Context } from '@opentelemetry/api';
import { type Envelope } from '@shopflow/events';
import {
  failedStatementNumber,
  isLockConflict,
  raw,
  sql,
  type PipelinedTransaction,
  type Transaction,
} from '@shopflow/postgres';
import { type Inbox, type InboxOutcome } from './inbox/inbox';
import { insertIntoOutbox, toOutboxMessages, type OutboxMessage } from './outbox/outbox';

/** Work waiting for the next batch: an incoming event's (its id is the inbox key) or a request's. */
export interface UnitOfWork {
  eventId?: string;
  /**
   * Changes state through `tx` and returns the events to emit. Statements it sends without waiting
   * are confirmed by the next one awaited, maybe in a later unit: before acting outside the database
   * (a network call), a unit awaits a statement (see runBatch).
   */
  work: (tx: Transaction) => Promise<readonly Envelope[]>;
}

/** One unit of a batch, as the transaction sees it. */
export interface BatchUnit extends UnitOfWork {
  /** The caller's trace context: the work's queries and its events' headers belong to the caller's trace. */
  context: Context;
}

/**
 * What became of a unit. 'run-alone': it gave up a lock wait; 'not-run': the batch stopped before
 * reaching it, or undid it (see below). Both are to be submitted again.
 */
export type Settled = { outcome: InboxOutcome } | { error: unknown } | 'run-alone' | 'not-run';

interface UnitRun {
  settled: Settled;
  messages: OutboxMessage[];
  /** The number of the unit's first statement in the transaction (see PipelinedTransaction.issued). */
  firstStatement: number;
}

/**
 * Runs a batch's units in the transaction `tx`, then writes their outbox rows; returns what became
 * of each unit and the rows written.
 *
 * Each unit of a batch of several runs after a SAVEPOINT of its own. A unit does not wait for the
 * statements it sent (Transaction.sendWithoutWaiting) before the next unit starts: they travel with the next
 * statements, and a failure among them is reported by whichever statement is awaited next, maybe in
 * a later unit. The failed statement's number tells whose it was: the transaction goes back to that
 * unit's savepoint, the unit fails alone, and the units after it, undone too, are run again later.
 * They never reached past their first awaited statement, or sent only: a unit must await a
 * statement before it acts outside the database, which confirms what was sent before.
 *
 * The inbox is not waited for either: the first unit runs while its answer travels, after a
 * savepoint, and is undone if its event turns out a duplicate (see InboxRecords).
 */
export async function runBatch(
  tx: PipelinedTransaction,
  units: readonly BatchUnit[],
  options: { inbox: Inbox; lockWaitMs: number },
): Promise<{ settled: Settled[]; written: OutboxMessage[] }> {
  const isolated = units.length > 1;
  const records = new InboxRecords(
    options.inbox.record(
      tx,
      units.flatMap((unit) => unit.eventId ?? []),
    ),
  );
  if (isolated) tx.sendWithoutWaiting(sql`SELECT set_config('lock_timeout', ${`${options.lockWaitMs}ms`}, true)`);
  const runs: UnitRun[] = [];
  let stopped = false;
  for (const [index, unit] of units.entries()) {
    if (stopped) {
      runs.push({ settled: 'not-run', messages: [], firstStatement: tx.issued + 1 });
      continue;
    }
    const run = await runUnit(tx, unit, index, records, isolated);
    runs.push(run);
    if ('failure' in run) stopped = await undoFailed(tx, runs, run.failure);
  }
  // The last units' sent statements: one wait for all, then the same rule for a failure. A unit
  // alone needs no wait of its own: a failure among them fails the whole transaction either way,
  // and the COMMIT that follows them reports it.
  if (isolated) await tx.flush().catch((error: unknown) => undoFailed(tx, runs, error));
  // Records this transaction made for units that did not commit (and for those never reached) are
  // taken back: they are recorded when handled. Only its own: a unit undone after it was found a
  // duplicate has a record that an earlier transaction committed, which must stay.
  const recorded = await records.recorded;
  const undone = runs.flatMap((run, i) => (committed(run.settled) ? [] : (units[i]?.eventId?.toLowerCase() ?? [])));
  options.inbox.forgetAll(tx, [...new Set(undone.filter((id) => recorded.has(id)))]);
  const written = runs.flatMap((run) => run.messages);
  insertIntoOutbox(tx, written);
  return { settled: runs.map((run) => run.settled), written };
}

/**
 * The inbox's answer for a batch's events, asked for without waiting. The batch does not wait for it
 * before its first unit: that unit's first awaited statement brings both answers back in one round
 * trip, where waiting would cost one more per batch. So the first unit, if it has an event, runs
 * ahead of the answer, after a savepoint, and is rolled back to it if the event was handled before.
 * Nothing is lost by running ahead: a unit acts on the database only, in this transaction.
 */
class InboxRecords {
  /** The events recorded as new (lower-case). */
  readonly recorded: Promise<Set<string>>;
  /** Those not yet taken by a unit, once the answer is in. */
  private fresh?: Set<string>;

  constructor(recording: Promise<Set<string>>) {
    this.recorded = recording;
    // Its failure is reported where it is awaited; until then it must not count as unhandled.
    void recording.catch(() => undefined);
  }

  /** Whether the event is new and not yet taken by another unit of the batch (a second copy is a duplicate). */
  async take(eventId: string): Promise<boolean> {
    this.fresh ??= new Set(await this.recorded);
    return this.fresh.delete(eventId);
  }
}

async function runUnit(
  tx: PipelinedTransaction,
  unit: BatchUnit,
  index: number,
  records: InboxRecords,
  isolated: boolean,
): Promise<UnitRun | (UnitRun & { failure: unknown })> {
  const eventId = unit.eventId?.toLowerCase();
  const firstStatement = tx.issued + 1;
  // Only the first unit runs ahead: before it, the batch's own statements alone can fail.
  const ahead = eventId !== undefined && index === 0;
  if (eventId !== undefined && !ahead && !(await records.take(eventId))) return duplicate(firstStatement);
  if (isolated || ahead) tx.sendWithoutWaiting(sql`SAVEPOINT ${savepoint(index)}`);
  const ran: { messages: OutboxMessage[] } | { failure: unknown } = await context.with(unit.context, async () => {
    try {
      return { messages: toOutboxMessages(await unit.work(tx)) };
    } catch (failure) {
      return { failure };
    }
  });
  // Whatever a duplicate's work did or ran into is undone with it: the event was handled before.
  if (ahead && !(await records.take(eventId))) return undoDuplicate(tx, index, firstStatement);
  if ('messages' in ran) return { settled: { outcome: 'handled' }, messages: ran.messages, firstStatement };
  // Alone in its transaction, a failure rolls the whole transaction back.
  if (!isolated) throw ran.failure;
  return { settled: { error: ran.failure }, messages: [], firstStatement, failure: ran.failure };
}

/**
 * Undoes a unit that ran ahead of the inbox's answer, its event a duplicate: a failure of the
 * statements it sent is its own, and goes too; one of a statement before it fails the batch.
 */
async function undoDuplicate(tx: PipelinedTransaction, index: number, firstStatement: number): Promise<UnitRun> {
  await tx.flush().catch((error: unknown) => {
    if ((failedStatementNumber(error) ?? firstStatement) < firstStatement) throw error;
  });
  await tx.execute(sql`ROLLBACK TO SAVEPOINT ${savepoint(index)}`);
  return duplicate(firstStatement);
}

function duplicate(firstStatement: number): UnitRun {
  return { settled: { outcome: 'duplicate' }, messages: [], firstStatement };
}

/**
 * Goes back to the savepoint of the unit whose statement failed; it fails (or is to run alone after
 * a lock wait), the units after it are undone. Returns whether the batch must stop: it goes on only
 * when the failed unit is the last one run and had to wait for no lock.
 */
async function undoFailed(tx: PipelinedTransaction, runs: UnitRun[], error: unknown): Promise<boolean> {
  const culprit = culpritOf(runs, error);
  // A statement of the batch's own (before any unit) failed: the whole batch fails.
  if (culprit < 0) throw error;
  await tx.execute(sql`ROLLBACK TO SAVEPOINT ${savepoint(culprit)}`);
  const lockWait = isLockConflict(error);
  runs.forEach((run, i) => {
    if (i < culprit) return;
    run.messages = [];
    run.settled = i > culprit ? 'not-run' : lockWait ? 'run-alone' : { error };
  });
  return lockWait || culprit < runs.length - 1;
}

/** The index of the unit that issued the failed statement: the last unit run unless the failure was a sent statement. */
function culpritOf(runs: readonly UnitRun[], error: unknown): number {
  const statement = failedStatementNumber(error);
  if (statement === undefined) return runs.length - 1;
  return runs.findLastIndex((run) => run.firstStatement <= statement);
}

function committed(settled: Settled): boolean {
  return typeof settled === 'object' && 'outcome' in settled;
}

/** A distinct name per unit, so that going back to one unit's savepoint undoes the units after it too. */
function savepoint(index: number) {
  return raw(`unit_of_work_${index}`);
}
