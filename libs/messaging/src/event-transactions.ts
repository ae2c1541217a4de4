import { type Envelope } from '@shopflow/events';
import { type Transaction, type TransactionRunner } from '@shopflow/postgres';
import { GroupCommit, type BatchMetrics } from './group-commit';
import { Inbox } from './inbox/inbox';
import { appendToOutbox, withPublishedRowsDeleted, type OutboxMessage, type PublishedRows } from './outbox/outbox';

export interface EventTransactionsOptions {
  /**
   * Most units of work committed in one transaction (group commit, see GroupCommit). 1, the default:
   * each unit has its own transaction and they run side by side, as many as the pool allows. The
   * right choice when units wait on the network inside their transaction (a batch runs its units
   * one after another, so it would add up those waits).
   */
  maxBatch?: number;
  /** With group commit: batches run at once when a backlog builds (default 1, see GroupCommit). */
  maxConcurrentBatches?: number;
  /** With group commit: where each batch's size and duration are observed. */
  metrics?: BatchMetrics;
}

/** What a unit of work decided: its result for the caller, and the events to publish once it commits. */
export interface WorkOutput<R> {
  result: R;
  events: readonly Envelope[];
}

/**
 * A service's unit of work: reads and changes state through `tx` (its repositories), and says what
 * it decided. Whether it has a transaction of its own or shares one with others (group commit) is
 * the runtime's business: the work is written the same either way.
 */
export type Work<R> = (tx: Transaction) => Promise<WorkOutput<R>>;

/** What `handleOnce` did: ran the work (its result), or found the event handled before. */
export type HandledOnce<R> = { outcome: 'handled'; result: R } | { outcome: 'duplicate' };

/** Publishes what a transaction wrote to the outbox, once it has committed. */
export interface OutboxDispatcher extends PublishedRows {
  dispatch(messages: readonly OutboxMessage[]): void;
}

/**
 * A service's unit of work: its state change, the events it emits (outbox) and, for an
 * incoming event, the inbox record all commit in one transaction. After the commit the
 * events are handed to the relay, which publishes them at once rather than at its next poll.
 */
export class EventTransactions {
  private readonly inbox: Inbox;
  private readonly batches?: GroupCommit;

  constructor(
    private readonly db: TransactionRunner,
    private readonly relay: OutboxDispatcher,
    /** Names the consumer in the inbox, usually its queue. */
    consumer: string,
    options: EventTransactionsOptions = {},
  ) {
    this.inbox = new Inbox(db, consumer);
    const maxBatch = options.maxBatch ?? 1;
    if (maxBatch > 1) {
      this.batches = new GroupCommit({
        db,
        inbox: this.inbox,
        committed: (messages) => relay.dispatch(messages),
        published: relay,
        maxBatch,
        maxConcurrentBatches: options.maxConcurrentBatches,
        metrics: options.metrics,
      });
    }
  }

  /** For work started by a request (or a timer): returns the work's `result`, publishes its `events`. */
  async run<R>(work: Work<R>): Promise<R> {
    const { events, result } = keepResult(work);
    if (this.batches) await this.batches.submit({ work: events });
    else await this.alone((body) => this.db.transaction(body), events);
    return result();
  }

  /**
   * For work triggered by an event: done once per event id, whatever the redeliveries. Returns the
   * work's `result`, or `duplicate` when the event had been handled before and the work did not run.
   */
  async handleOnce<R>(event: Pick<Envelope, 'id'>, work: Work<R>): Promise<HandledOnce<R>> {
    const { events, result } = keepResult(work);
    const outcome = this.batches
      ? await this.batches.submit({ eventId: event.id, work: events })
      : await this.alone((body) => this.inbox.handleOnce(event, body), events);
    return outcome === 'duplicate' ? { outcome } : { outcome, result: result() };
  }

  /**
   * A unit in a transaction of its own (`transaction`: a plain one, or the inbox's): its events go
   * to the outbox in it, with the deletion of rows already published, and to the relay once it commits.
   */
  private async alone<T>(
    transaction: (body: (tx: Transaction) => Promise<void>) => Promise<T>,
    events: (tx: Transaction) => Promise<readonly Envelope[]>,
  ): Promise<T> {
    let written: OutboxMessage[] = [];
    const answer = await withPublishedRowsDeleted(this.relay, (deleteRows) =>
      transaction(async (tx) => {
        deleteRows(tx);
        written = appendToOutbox(tx, await events(tx));
      }),
    );
    this.relay.dispatch(written);
    return answer;
  }
}

/**
 * Splits a unit of work for the runtime, which deals in events only (a batch's outbox rows), from
 * the caller, who gets the result once the transaction has committed.
 */
function keepResult<R>(work: Work<R>) {
  let output: { result: R } | undefined;
  return {
    events: async (tx: Transaction) => {
      const { result, events } = await work(tx);
      output = { result };
      return events;
    },
    result: (): R => {
      if (!output) throw new Error('the unit of work committed without running');
      return output.result;
    },
  };
}

/** For a log line: what the work decided, or `duplicate` when it did not run. */
export function outcomeOf<R>(handled: HandledOnce<R>): R | 'duplicate' {
  return handled.outcome === 'handled' ? handled.result : 'duplicate';
}
