import { OrderCancelledV1, OrderConfirmedV1, OrderPlacedV1 } from '@shopflow/events';

/** The events order-service publishes, all on its `orders` exchange. */
export const ORDER_EVENTS = [OrderPlacedV1, OrderConfirmedV1, OrderCancelledV1] as const;
