import { type Envelope } from '@shopflow/events';
import { Inbox, type InboxOutcome } from './inbox/inbox';
import { appendToOutbox, type OutboxMessage } from './outbox/outbox';
import { type SqlClient, type TransactionRunner } from './sql-client';

export interface TransactionLimits {
  /** How long to wait for a pooled connection: under a burst, queueing beats failing. */
  maxWait: number;
  /** How long the transaction may run, network calls inside it (gateway, SMTP) included. */
  timeout: number;
}

export const DEFAULT_TRANSACTION_LIMITS: TransactionLimits = { maxWait: 10_000, timeout: 20_000 };

/** Publishes what a transaction wrote to the outbox, once it has committed. */
export interface OutboxDispatcher {
  dispatch(messages: readonly OutboxMessage[]): void;
}

/**
 * A service's unit of work: its state change, the events it emits (outbox) and, for an
 * incoming event, the inbox record all commit in one transaction. After the commit the
 * events are handed to the relay, which publishes them at once rather than at its next poll.
 */
export class EventTransactions<Tx extends SqlClient> {
  private readonly inbox: Inbox<Tx>;

  constructor(
    private readonly db: TransactionRunner<Tx>,
    private readonly relay: OutboxDispatcher,
    /** Names the consumer in the inbox, usually its queue. */
    consumer: string,
    private readonly limits: TransactionLimits = DEFAULT_TRANSACTION_LIMITS,
  ) {
    this.inbox = new Inbox(db, consumer, limits);
  }

  /** For work started by a request: returns `result`, publishes `events`. */
  async run<R>(work: (tx: Tx) => Promise<{ result: R; events: readonly Envelope[] }>): Promise<R> {
    let written: OutboxMessage[] = [];
    const result = await this.db.$transaction(async (tx) => {
      const { result, events } = await work(tx);
      written = await appendToOutbox(tx, events);
      return result;
    }, this.limits);
    this.relay.dispatch(written);
    return result;
  }

  /** For work triggered by an event: done once per event id, whatever the redeliveries. */
  async handleOnce(event: Pick<Envelope, 'id'>, work: (tx: Tx) => Promise<readonly Envelope[]>): Promise<InboxOutcome> {
    let written: OutboxMessage[] = [];
    const outcome = await this.inbox.handleOnce(event, async (tx) => {
      written = await appendToOutbox(tx, await work(tx));
    });
    this.relay.dispatch(written);
    return outcome;
  }
}
