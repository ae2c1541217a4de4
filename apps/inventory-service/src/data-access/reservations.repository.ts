import { type OrderLine } from '../domain/order-lines';
import { type Reservation, type ReservationStatus } from '../domain/reservation-state';
import { type Tx } from './prisma-client';

/**
 * Serialises all work on one order across replicas until the transaction ends, so an
 * order.placed and an order.cancelled handled at the same moment cannot miss each other.
 */
export async function lockOrder(tx: Tx, orderId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${orderId}))`;
}

export async function findReservation(tx: Tx, orderId: string): Promise<Reservation | undefined> {
  const row = await tx.reservation.findUnique({
    where: { orderId },
    select: { status: true, items: { select: { sku: true, quantity: true }, orderBy: { sku: 'asc' } } },
  });
  return row ?? undefined;
}

export async function createReservation(
  tx: Tx,
  orderId: string,
  status: ReservationStatus,
  items: readonly OrderLine[] = [],
): Promise<void> {
  await tx.reservation.create({
    data: { orderId, status, items: { createMany: { data: [...items] } } },
  });
}

export async function setReservationStatus(tx: Tx, orderId: string, status: ReservationStatus): Promise<void> {
  await tx.reservation.update({ where: { orderId }, data: { status } });
}
