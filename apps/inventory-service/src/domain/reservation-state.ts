import { type OrderLine } from './order-lines';

export type ReservationStatus = 'RESERVED' | 'REJECTED' | 'RELEASED' | 'SOLD' | 'CANCELLED';

/** What inventory holds for one order; undefined until the first event about the order arrives. */
export interface Reservation {
  status: ReservationStatus;
  items: OrderLine[];
}

/**
 * order.placed: only an order inventory has never heard of gets a reservation. A known one was
 * either handled already or cancelled first (events may arrive in any order): it is left alone, for good.
 */
export const onOrderPlaced = (reservation: Reservation | undefined): 'reserve' | 'ignore' =>
  reservation ? 'ignore' : 'reserve';

export type CancellationDecision =
  { action: 'release'; items: OrderLine[] } | { action: 'remember' } | { action: 'ignore' };

/**
 * order.cancelled: reserved units go back on sale. A cancellation that overtook its order.placed
 * is remembered, so that order.placed reserves nothing when it arrives.
 */
export function onOrderCancelled(reservation: Reservation | undefined): CancellationDecision {
  if (!reservation) return { action: 'remember' };
  return reservation.status === 'RESERVED' ? { action: 'release', items: reservation.items } : { action: 'ignore' };
}

export type ConfirmationDecision = { action: 'sell'; items: OrderLine[] } | { action: 'ignore' };

/** order.confirmed: the reserved units leave the stock for good. Without a live reservation there is nothing to sell. */
export const onOrderConfirmed = (reservation: Reservation | undefined): ConfirmationDecision =>
  reservation?.status === 'RESERVED' ? { action: 'sell', items: reservation.items } : { action: 'ignore' };
