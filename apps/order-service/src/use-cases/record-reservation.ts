import { type EventOf, type InventoryReservationFailedV1, type InventoryReservedV1 } from '@shopflow/events';
import { type OrderTransactions } from './order-transactions';
import { recordParticipantReport, type ParticipantFact, type ReportOutcome } from './record-participant-report';

export type ReservationEvent = EventOf<typeof InventoryReservedV1> | EventOf<typeof InventoryReservationFailedV1>;

/** Inventory reserved the order's items, or could not: confirms or cancels the order if that decides it. */
export function recordReservation(transactions: OrderTransactions, event: ReservationEvent): Promise<ReportOutcome> {
  const fact: ParticipantFact =
    event.type === 'inventory.reserved'
      ? { kind: 'inventory-reserved' }
      : { kind: 'inventory-reservation-failed', reason: event.payload.reason };
  return recordParticipantReport(transactions, event, fact);
}
