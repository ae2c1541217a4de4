import { AppError } from '@shopflow/errors';
import { ALL_EVENTS, findEventDefinition, type Envelope } from '@shopflow/events';
import { traceHeaders } from '../message-tracing';
import { type OutgoingMessage } from '../publisher';
import { join, sql, type Transaction } from '@shopflow/postgres';

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
  tx.send(sql`INSERT INTO outbox_events (id, exchange, routing_key, message, headers) VALUES ${join(rows)}`);
}
