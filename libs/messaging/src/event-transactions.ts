import { type Envelope } from '@shopflow/events';
import { type Transaction, type TransactionRunner } from '@shopflow/postgres';
import { GroupCommit } from './group-commit';
import { Inbox, type InboxOutcome } from './inbox/inbox';
import { appendToOutbox, withPublishedRowsDeleted, type OutboxMessage, type PublishedRows } from './outbox/outbox';

export interface EventTransactionsOptions {
  /**
   * Most units of work committed in one transaction (group commit, see GroupCommit). 1, the default:
   * each unit has its own transaction and they run side by side, as many as the pool allows. The
   * right choice when units wait on the network inside their transaction (a batch runs its units
   * one after another, so it would add up those waits).
   */
  maxBatch?: number;
}

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
      });
    }
  }

  /** For work started by a request: returns `result`, publishes `events`. */
  async run<R>(work: (tx: Transaction) => Promise<{ result: R; events: readonly Envelope[] }>): Promise<R> {
    let output: { result: R } | undefined;
    const workAndKeep = async (tx: Transaction) => {
      const { result, events } = await work(tx);
      output = { result };
      return events;
    };
    if (this.batches) {
      await this.batches.submit({ work: workAndKeep });
    } else {
      let written: OutboxMessage[] = [];
      await withPublishedRowsDeleted(this.relay, (deleteRows) =>
        this.db.transaction(async (tx) => {
          deleteRows(tx);
          written = appendToOutbox(tx, await workAndKeep(tx));
        }),
      );
      this.relay.dispatch(written);
    }
    return (output as { result: R }).result;
  }

  /** For work triggered by an event: done once per event id, whatever the redeliveries. */
  async handleOnce(
    event: Pick<Envelope, 'id'>,
    work: (tx: Transaction) => Promise<readonly Envelope[]>,
  ): Promise<InboxOutcome> {
    if (this.batches) return this.batches.submit({ eventId: event.id, work });
    let written: OutboxMessage[] = [];
    const outcome = await withPublishedRowsDeleted(this.relay, (deleteRows) =>
      this.inbox.handleOnce(event, async (tx) => {
        deleteRows(tx);
        written = appendToOutbox(tx, await work(tx));
      }),
    );
    this.relay.dispatch(written);
    return outcome;
  }
}
