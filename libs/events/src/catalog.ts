import { type EventDefinition, type EventOf } from './define-event';
import {
  InventoryProductUpdatedV1,
  InventoryReleasedV1,
  InventoryReservationFailedV1,
  InventoryReservedV1,
} from './inventory/inventory-events';
import { NotificationSentV1 } from './notifications/notification-events';
import { OrderCancelledV1, OrderConfirmedV1, OrderPlacedV1 } from './orders/order-events';
import { PaymentFailedV1, PaymentRefundedV1, PaymentSucceededV1 } from './payments/payment-events';

/** Every event of the system, each version listed on its own. */
export const ALL_EVENTS = [
  OrderPlacedV1,
  OrderConfirmedV1,
  OrderCancelledV1,
  InventoryReservedV1,
  InventoryReservationFailedV1,
  InventoryReleasedV1,
  InventoryProductUpdatedV1,
  PaymentSucceededV1,
  PaymentFailedV1,
  PaymentRefundedV1,
  NotificationSentV1,
] as const;

export type AnyEventDefinition = (typeof ALL_EVENTS)[number];
/** A union of every event type, discriminated by `type`. */
export type AnyEvent = EventOf<AnyEventDefinition>;

export function findEventDefinition<D extends EventDefinition>(
  definitions: readonly D[],
  type: string,
  version: number,
): D | undefined {
  return definitions.find((d) => d.type === type && d.version === version);
}

/** Envelope paths of personal data in any event, for log redaction. */
export const PERSONAL_DATA_PATHS: readonly string[] = [...new Set(ALL_EVENTS.flatMap((d) => d.personalDataPaths))];
