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

type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * Serialises all work on one order across replicas until the transaction ends, so an
 * order.placed and an order.cancelled handled at the same moment cannot both miss each other.
 */
export async function lockOrder(tx: Tx, orderId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${orderId}))`;
}

/** Whether the order's cancellation arrived, and its payment if any, read in one query. */
export async function loadOrderPaymentState(
  tx: Tx,
  orderId: string,
): Promise<OrderPaymentState & { payment?: PaymentRecord }> {
  // Always one row, from the VALUES list: the payment's columns are null when the order has none.
  const [{ cancelled, ...payment }] = await tx.$queryRaw<[{ cancelled: boolean } & Nullable<PaymentRecord>]>`
    SELECT EXISTS (SELECT FROM order_cancellations c WHERE c.order_id = o.order_id) AS cancelled,
           p.id, p.order_id AS "orderId", p.status::text AS status, p.amount, p.currency,
           p.failure_reason AS "failureReason", p.gateway_reference AS "gatewayReference",
           p.created_at AS "createdAt", p.refunded_at AS "refundedAt"
    FROM (VALUES (${orderId}::uuid)) AS o (order_id)
    LEFT JOIN payments p ON p.order_id = o.order_id`;
  return { cancelled, ...(payment.id === null ? {} : { payment: payment as PaymentRecord }) };
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

/** One INSERT ... ON CONFLICT DO NOTHING; an upsert with nothing to update took three statements. */
export async function rememberCancellation(tx: Tx, orderId: string, reason: string): Promise<void> {
  await tx.orderCancellation.createMany({ data: [{ orderId, reason }], skipDuplicates: true });
}

export function listPaymentsOfOrder(db: Db, orderId: string): Promise<PaymentRecord[]> {
  return db.payment.findMany({ where: { orderId }, orderBy: { createdAt: 'asc' } });
}
