import { AppError } from '@shopflow/errors';
import { lockUntilTransactionEnds, sql, type SqlClient, type Transaction } from '@shopflow/postgres';
import { type OrderPaymentState, type PaymentStatus } from '../domain/payment-rules';

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
 * A PaymentRecord from `payments p`: node-postgres returns the uuids and the enum as strings,
 * the int4 amount as a number and the timestamptz columns as Dates.
 */
const PAYMENT_COLUMNS = sql`
  p.id, p.order_id AS "orderId", p.status::text AS status, p.amount, p.currency,
  p.failure_reason AS "failureReason", p.gateway_reference AS "gatewayReference",
  p.created_at AS "createdAt", p.refunded_at AS "refundedAt"`;

/**
 * Serialises all work on one order across replicas until the transaction ends, so an
 * order.placed and an order.cancelled handled at the same moment cannot both miss each other.
 */
export function lockOrder(tx: Transaction, orderId: string): void {
  lockUntilTransactionEnds(tx, orderId);
}

/** Whether the order's cancellation arrived, and its payment if any, read in one query. */
export async function loadOrderPaymentState(
  tx: SqlClient,
  orderId: string,
): Promise<OrderPaymentState & { payment?: PaymentRecord }> {
  // Always one row, from the VALUES list: the payment's columns are null when the order has none.
  type Row = { cancelled: boolean } & Nullable<PaymentRecord>;
  const [{ cancelled, ...payment }] = (await tx.query<Row>(sql`
    SELECT EXISTS (SELECT FROM order_cancellations c WHERE c.order_id = o.order_id) AS cancelled, ${PAYMENT_COLUMNS}
    FROM (VALUES (${orderId}::uuid)) AS o (order_id)
    LEFT JOIN payments p ON p.order_id = o.order_id`)) as [Row];
  return { cancelled, ...(payment.id === null ? {} : { payment: payment as PaymentRecord }) };
}

/** Sent without waiting (Transaction.send). */
export function savePayment(
  tx: Transaction,
  payment: Omit<PaymentRecord, 'createdAt' | 'refundedAt' | 'gatewayReference'> & { gatewayReference?: string },
): void {
  const { id, orderId, status, amount, currency, failureReason, gatewayReference } = payment;
  // created_at takes its column default.
  tx.send(sql`
    INSERT INTO payments (id, order_id, status, amount, currency, failure_reason, gateway_reference)
    VALUES (${id}::uuid, ${orderId}::uuid, ${status}::payment_status, ${amount}, ${currency},
            ${failureReason}, ${gatewayReference ?? null})`);
}

export async function markRefunded(tx: SqlClient, orderId: string): Promise<void> {
  const updated = await tx.execute(sql`
    UPDATE payments SET status = 'refunded', refunded_at = ${new Date()}
    WHERE order_id = ${orderId}::uuid`);
  // The caller read the payment under the order's lock, and payments are never deleted.
  if (updated !== 1) throw new AppError('internal', `no payment of order ${orderId} to mark refunded`);
}

/** One INSERT ... ON CONFLICT DO NOTHING, sent without waiting (an upsert with nothing to update took three statements). */
export function rememberCancellation(tx: Transaction, orderId: string, reason: string): void {
  tx.send(sql`
    INSERT INTO order_cancellations (order_id, reason) VALUES (${orderId}::uuid, ${reason})
    ON CONFLICT (order_id) DO NOTHING`);
}

export function listPaymentsOfOrder(db: SqlClient, orderId: string): Promise<PaymentRecord[]> {
  return db.query<PaymentRecord>(sql`
    SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.order_id = ${orderId}::uuid ORDER BY p.created_at`);
}
