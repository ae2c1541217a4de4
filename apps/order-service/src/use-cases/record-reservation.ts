import { type EventOf, type InventoryReservationFailedV1, type InventoryReservedV1 } from '@shopflow/events';
import { type InboxOutcome } from '@shopflow/messaging';
import { type OrderTransactions } from './order-transactions';
import { recordParticipantReport, type ParticipantFact } from './record-participant-report';

export type ReservationEvent = EventOf<typeof InventoryReservedV1> | EventOf<typeof InventoryReservationFailedV1>;

/** Inventory reserved the order's items, or could not: confirms or cancels the order if that decides it. */
export function recordReservation(transactions: OrderTransactions, event: ReservationEvent): Promise<InboxOutcome> {
  const fact: ParticipantFact =
    event.type === 'inventory.reserved'
      ? { kind: 'inventory-reserved' }
      : { kind: 'inventory-reservation-failed', reason: event.payload.reason };
  return transactions.handleOnce(event, (tx) => recordParticipantReport(tx, event, fact));
}
