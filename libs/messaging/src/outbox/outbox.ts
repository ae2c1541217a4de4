import { AppError } from '@shopflow/errors';
import { ALL_EVENTS, findEventDefinition, type Envelope } from '@shopflow/events';
import { traceHeaders } from '../message-tracing';
import { type OutgoingMessage } from '../publisher';
import { join, planEachTime, sql, type Transaction } from '@shopflow/postgres';

/** A row written to the outbox, as the publisher needs it. */
export interface OutboxMessage extends Required<OutgoingMessage> {
  id: string;
}

/**
 * Records events to publish in the caller's transaction, next to the state change they
 * describe: both commit or neither does. The relay publishes them afterwards, in the trace
 * that was active here: its context is stored in the row's headers.
 */
export function appendToOutbox(tx: Transaction, events: readonly Envelope[]): OutboxMessage[] {
  const messages = toOutboxMessages(events);
  insertIntoOutbox(tx, messages);
  return messages;
}

/** The outbox rows for `events`, carrying the trace context active now. */
export function toOutboxMessages(events: readonly Envelope[]): OutboxMessage[] {
  if (events.length === 0) return [];
  const headers = traceHeaders();
  return events.map((event) => {
    const definition = findEventDefinition(ALL_EVENTS, event.type, event.version);
    if (!definition) throw new AppError('internal', `no contract for ${event.type} v${event.version}`);
    return { id: event.id, exchange: definition.exchange, routingKey: definition.routingKey, event, headers };
  });
}

/** Sends the rows' INSERT, one statement whatever their number (nothing waits for it: see Transaction.send). */
export function insertIntoOutbox(tx: Transaction, messages: readonly OutboxMessage[]): void {
  if (messages.length === 0) return;
  const rows = messages.map(
    (m) =>
      sql`(${m.id}::uuid, ${m.exchange}, ${m.routingKey}, ${JSON.stringify(m.event)}::jsonb, ${JSON.stringify(m.headers)}::jsonb)`,
  );
  tx.sendWithoutWaiting(
    sql`INSERT INTO outbox_events (id, exchange, routing_key, message, headers) VALUES ${join(rows)}`,
  );
}

/** Where the rows of events already published wait to be deleted (OutboxRelay.takeDeletions). */
export interface PublishedRows {
  takeDeletions?(): string[];
  giveBackDeletions?(ids: readonly string[]): void;
}

/**
 * Runs a transaction that also deletes the outbox rows of events published since: `deleteRows(tx)`
 * sends one DELETE (no wait) in a transaction that commits anyway, instead of a transaction of their
 * own. Rows the relay's poll holds are skipped, not waited for (the poll deletes them itself), so the
 * statement can neither wait nor fail on a lock. If the transaction fails, the rows are given back.
 */
export async function withPublishedRowsDeleted<T>(
  published: PublishedRows,
  run: (deleteRows: (tx: Transaction) => void) => Promise<T>,
): Promise<T> {
  let taken: string[] = [];
  try {
    return await run((tx) => {
      taken = published.takeDeletions?.() ?? [];
      if (taken.length === 0) return;
      tx.sendWithoutWaiting(
        planEachTime(sql`
          DELETE FROM outbox_events WHERE id IN (
            SELECT id FROM outbox_events WHERE id = ANY(${taken}::uuid[]) FOR UPDATE SKIP LOCKED)`),
      );
    });
  } catch (error) {
    published.giveBackDeletions?.(taken);
    throw error;
  }
}
