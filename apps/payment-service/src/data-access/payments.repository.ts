import { type OrderPaymentState, type PaymentStatus } from '../domain/payment-rules';
import { type Db, type Tx } from './prisma-client';

export interface PaymentRecord {
  id: string;
  orderId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  failureReason: string | null;
  gatewayReference: string | null;
  createdAt: Date;
  refundedAt: Date | null;
}

/**
 * Serialises all work on one order across replicas until the transaction ends, so an
 * order.placed and an order.cancelled handled at the same moment cannot both miss each other.
 */
export async function lockOrder(tx: Tx, orderId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${orderId}))`;
}

export async function loadOrderPaymentState(
  tx: Tx,
  orderId: string,
): Promise<OrderPaymentState & { payment?: PaymentRecord }> {
  const [cancellation, payment] = await Promise.all([
    tx.orderCancellation.findUnique({ where: { orderId } }),
    tx.payment.findUnique({ where: { orderId } }),
  ]);
  return { cancelled: cancellation !== null, ...(payment ? { payment } : {}) };
}

export async function savePayment(
  tx: Tx,
  payment: Omit<PaymentRecord, 'createdAt' | 'refundedAt' | 'gatewayReference'> & { gatewayReference?: string },
): Promise<void> {
  await tx.payment.create({ data: payment });
}

export async function markRefunded(tx: Tx, orderId: string): Promise<void> {
  await tx.payment.update({ where: { orderId }, data: { status: 'refunded', refundedAt: new Date() } });
}

export async function rememberCancellation(tx: Tx, orderId: string, reason: string): Promise<void> {
  await tx.orderCancellation.upsert({ where: { orderId }, create: { orderId, reason }, update: {} });
}

export function listPaymentsOfOrder(db: Db, orderId: string): Promise<PaymentRecord[]> {
  return db.payment.findMany({ where: { orderId }, orderBy: { createdAt: 'asc' } });
}
