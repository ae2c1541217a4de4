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
  refundReference: string | null;
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
  p.refund_reference AS "refundReference",
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
  tx: Transaction,
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

/** The order's payment, if any, read outside any transaction: what is left to ask the processor. */
export async function findPayment(db: SqlClient, orderId: string): Promise<PaymentRecord | undefined> {
  const [payment] = await db.query<PaymentRecord>(sql`
    SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.order_id = ${orderId}::uuid`);
  return payment;
}

/** Records that the order's charge is being made (`pending`); sent without waiting (Transaction.sendWithoutWaiting). */
export function startPayment(
  tx: Transaction,
  payment: Pick<PaymentRecord, 'id' | 'orderId' | 'amount' | 'currency'>,
): void {
  const { id, orderId, amount, currency } = payment;
  // created_at takes its column default.
  tx.sendWithoutWaiting(sql`
    INSERT INTO payments (id, order_id, status, amount, currency)
    VALUES (${id}::uuid, ${orderId}::uuid, 'pending', ${amount}, ${currency})`);
}

/** The processor's answer to the pending charge; the caller checked it is pending, under the order's lock. */
export async function recordChargeAnswer(
  tx: Transaction,
  orderId: string,
  answer:
    { status: 'succeeded' | 'refund_pending'; gatewayReference: string } | { status: 'failed'; failureReason: string },
): Promise<void> {
  const reference = 'gatewayReference' in answer ? answer.gatewayReference : null;
  const reason = 'failureReason' in answer ? answer.failureReason : null;
  await expectOne(
    orderId,
    tx.execute(sql`
      UPDATE payments SET status = ${answer.status}::payment_status, gateway_reference = ${reference},
                          failure_reason = ${reason}
      WHERE order_id = ${orderId}::uuid AND status = 'pending'`),
  );
}

/** Records that the order's refund is being made (`refund_pending`). */
export async function startRefund(tx: Transaction, orderId: string): Promise<void> {
  await expectOne(
    orderId,
    tx.execute(sql`
      UPDATE payments SET status = 'refund_pending' WHERE order_id = ${orderId}::uuid AND status = 'succeeded'`),
  );
}

export async function markRefunded(tx: Transaction, orderId: string, refundReference: string | null): Promise<void> {
  await expectOne(
    orderId,
    tx.execute(sql`
      UPDATE payments SET status = 'refunded', refunded_at = ${new Date()}, refund_reference = ${refundReference}
      WHERE order_id = ${orderId}::uuid AND status = 'refund_pending'`),
  );
}

/** The caller read the payment under the order's lock, and payments are never deleted: exactly one row changes. */
async function expectOne(orderId: string, updated: Promise<number>): Promise<void> {
  if ((await updated) !== 1)
    throw new AppError('internal', `the payment of order ${orderId} was not in the expected state`);
}

/** One INSERT ... ON CONFLICT DO NOTHING, sent without waiting (an upsert with nothing to update took three statements). */
export function rememberCancellation(tx: Transaction, orderId: string, reason: string): void {
  tx.sendWithoutWaiting(sql`
    INSERT INTO order_cancellations (order_id, reason) VALUES (${orderId}::uuid, ${reason})
    ON CONFLICT (order_id) DO NOTHING`);
}

export function listPaymentsOfOrder(db: SqlClient, orderId: string): Promise<PaymentRecord[]> {
  return db.query<PaymentRecord>(sql`
    SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.order_id = ${orderId}::uuid ORDER BY p.created_at`);
}
