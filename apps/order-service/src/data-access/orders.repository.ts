import { type CancellationReason } from '@shopflow/events';
import {
  empty,
  isForeignKeyViolation,
  isUniqueViolation,
  sql,
  type Sql,
  type SqlClient,
  type Transaction,
} from '@shopflow/postgres';
import { type Order, type SagaOrder } from '../domain/order';
import { type OrderCursor } from '../domain/order-cursor';
import { type InventoryStatus, type OrderState, type OrderStatus, type PaymentStatus } from '../domain/order-state';
import { type TimelineEntry, type TimelineStep } from '../domain/timeline';

/** What is stored with an order besides what the API shows of it. */
export interface OrderRecordExtras {
  correlationId: string;
  expiresAt: Date;
  idempotency: { key: string; requestHash: string } | null;
}

/** Sent without waiting (Transaction.sendWithoutWaiting): a taken idempotency key is reported by the unit's next awaited statement. */
export function insertOrder(tx: Transaction, order: Order, extras: OrderRecordExtras): void {
  const { state, lines } = order;
  // One statement for the order, its items and its timeline (not one per table, nor a read-back of the order).
  // The items' foreign key is checked at the end of the statement, after the order's insert.
  tx.sendWithoutWaiting(sql`
    WITH new_order AS (
      INSERT INTO orders (id, customer_id, email, status, inventory_status, payment_status, reason, total_amount,
                          currency, correlation_id, idempotency_key, request_hash, created_at, expires_at, updated_at)
      VALUES (${order.id}::uuid, ${order.customerId}, ${order.email}, ${state.status}::order_status,
              ${state.inventory}::inventory_status, ${state.payment}::payment_status,
              ${state.reason}::cancellation_reason, ${order.total.amount}::int, ${order.total.currency},
              ${extras.correlationId}, ${extras.idempotency?.key ?? null}, ${extras.idempotency?.requestHash ?? null},
              ${order.createdAt}::timestamptz, ${extras.expiresAt}::timestamptz, ${order.createdAt}::timestamptz)
    ),
    new_items AS (
      INSERT INTO order_items (order_id, sku, position, quantity, unit_price)
      SELECT ${order.id}::uuid, item.sku, item.position, item.quantity, item.unit_price
      FROM unnest(${lines.map((line) => line.sku)}::text[], ${lines.map((_, position) => position)}::int[],
                  ${lines.map((line) => line.quantity)}::int[], ${lines.map((line) => line.unitPrice.amount)}::int[])
        AS item(sku, position, quantity, unit_price)
    )
    INSERT INTO order_timeline (order_id, step, at, detail)
    SELECT ${order.id}::uuid, entry.step, entry.at, entry.detail FROM ${timelineRows(order.timeline)}`);
}

/** True when `error` is the unique violation of another order the customer stored with the same idempotency key. */
export function isIdempotencyKeyTaken(error: unknown): boolean {
  // The unique index on (customer_id, idempotency_key): PostgreSQL names it as the violated constraint.
  return isUniqueViolation(error, 'orders_customer_id_idempotency_key_key');
}

export async function findOrderByIdempotencyKey(
  db: SqlClient,
  customerId: string,
  key: string,
): Promise<{ order: Order; requestHash: string | null } | undefined> {
  const rows = await db.query<OrderRow>(
    sql`${SELECT_ORDER_WITH_DETAILS} WHERE customer_id = ${customerId} AND idempotency_key = ${key}`,
  );
  return rows[0] ? { order: toOrder(rows[0]), requestHash: rows[0].request_hash } : undefined;
}

export async function findOrder(db: SqlClient, id: string): Promise<Order | undefined> {
  const rows = await db.query<OrderRow>(sql`${SELECT_ORDER_WITH_DETAILS} WHERE id = ${id}::uuid`);
  return rows[0] ? toOrder(rows[0]) : undefined;
}

/** A customer's orders, newest first, after `cursor` if given. */
export async function listCustomerOrders(
  db: SqlClient,
  query: { customerId: string; limit: number; after?: OrderCursor },
): Promise<Order[]> {
  const { after } = query;
  const rows = await db.query<OrderRow>(sql`
    ${SELECT_ORDER_WITH_DETAILS}
    WHERE customer_id = ${query.customerId}
      ${after ? sql`AND (created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : empty}
    ORDER BY orders.created_at DESC, orders.id DESC
    LIMIT ${query.limit}::int`);
  return rows.map(toOrder);
}

interface SagaRow {
  id: string;
  customer_id: string;
  email: string;
  status: OrderStatus;
  inventory_status: InventoryStatus;
  payment_status: PaymentStatus;
  reason: CancellationReason | null;
  total_amount: number;
  currency: string;
  correlation_id: string;
  created_at: Date;
}

const SAGA_COLUMNS = sql`id::text, customer_id, email, status::text, inventory_status::text,
  payment_status::text, reason::text, total_amount, currency, correlation_id, created_at`;

interface OrderRow extends SagaRow {
  request_hash: string | null;
  items: { sku: string; quantity: number; unit_price: number }[];
  /** `at` as JSON has it: an ISO 8601 text. */
  timeline: { step: TimelineStep; at: string; detail: string | null }[];
}

/**
 * An order with its items and its timeline, in the order the API shows them, in one statement (not one
 * per table): each list is aggregated to JSON. Callers add WHERE and ORDER BY; the latter names
 * `orders.` columns, since the bare names are the text-cast output columns.
 */
const SELECT_ORDER_WITH_DETAILS = sql`
  SELECT ${SAGA_COLUMNS}, request_hash,
    (SELECT coalesce(json_agg(json_build_object('sku', sku, 'quantity', quantity, 'unit_price', unit_price)
                              ORDER BY position), '[]')
     FROM order_items WHERE order_id = orders.id) AS items,
    (SELECT coalesce(json_agg(json_build_object('step', step, 'at', at, 'detail', detail) ORDER BY at, id), '[]')
     FROM order_timeline WHERE order_id = orders.id) AS timeline
  FROM orders`;

/**
 * Reads an order and locks its row until the transaction ends, so two events of the same order
 * handled at once (by two replicas, say) are applied one after the other, each seeing the other's effect.
 * NO KEY UPDATE, because the id never changes: timeline appends (whose foreign key check takes a
 * KEY SHARE lock) do not wait for it.
 */
export async function lockOrder(tx: Transaction, id: string): Promise<SagaOrder | undefined> {
  const rows = await tx.query<SagaRow>(
    sql`SELECT ${SAGA_COLUMNS} FROM orders WHERE id = ${id}::uuid FOR NO KEY UPDATE`,
  );
  return rows[0] ? toSagaOrder(rows[0]) : undefined;
}

/**
 * Locks up to `limit` PENDING orders whose deadline passed. Rows another replica has locked are
 * skipped, so two sweepers never cancel the same order.
 */
export async function claimExpiredOrders(tx: Transaction, now: Date, limit: number): Promise<SagaOrder[]> {
  const rows = await tx.query<SagaRow>(sql`
    SELECT ${SAGA_COLUMNS} FROM orders
    WHERE status = 'PENDING' AND expires_at <= ${now}::timestamptz
    ORDER BY expires_at
    LIMIT ${limit}::int
    FOR NO KEY UPDATE SKIP LOCKED`);
  return rows.map(toSagaOrder);
}

/**
 * How many orders are PENDING (the sagas not finished yet) and how many of those await their stock
 * reservation (inventory `pending`), in one statement. Read by the backlog monitor every few hundred
 * ms: the PENDING entries of the index on status (orders_status_expires_at_idx) answer the first, the
 * partial index on the orders awaiting their reservation (orders_awaiting_inventory_created_at_idx)
 * the second, both without reading the rest of the table.
 */
export async function countBacklog(db: SqlClient): Promise<{ pending: number; awaitingInventory: number }> {
  const rows = await db.query<{ pending: number; awaiting_inventory: number }>(sql`
    SELECT (SELECT count(*)::int FROM orders WHERE status = 'PENDING') AS pending,
           (SELECT count(*)::int FROM orders WHERE status = 'PENDING' AND inventory_status = 'pending')
             AS awaiting_inventory`);
  return { pending: rows[0]?.pending ?? 0, awaitingInventory: rows[0]?.awaiting_inventory ?? 0 };
}

/**
 * When the orders awaiting their stock reservation from `fromRank` places after the oldest (0: the
 * oldest) to `toRank` were placed, oldest first; fewer when fewer are awaiting it. The partial index
 * orders_awaiting_inventory_created_at_idx holds only those orders, in that order, so this reads
 * `toRank + 1` entries of it.
 */
export async function awaitingInventoryPlacedAt(db: SqlClient, fromRank: number, toRank: number): Promise<Date[]> {
  const rows = await db.query<{ created_at: Date }>(sql`
    SELECT created_at FROM orders WHERE status = 'PENDING' AND inventory_status = 'pending'
    ORDER BY created_at
    OFFSET ${fromRank}::int LIMIT ${toRank - fromRank + 1}::int`);
  return rows.map((row) => row.created_at);
}

/**
 * Saves what a saga step did to an order, in one statement: its new state, when it changed (the
 * UPDATE, a CTE, is left out when `state` is undefined), and the entries it adds to its timeline.
 */
export function saveSagaStep(
  tx: Transaction,
  orderId: string,
  step: { state?: OrderState; entries: readonly TimelineEntry[] },
): void {
  const { state } = step;
  const saveState = state
    ? sql`WITH saved_state AS (
        UPDATE orders
        SET status = ${state.status}::order_status, inventory_status = ${state.inventory}::inventory_status,
            payment_status = ${state.payment}::payment_status, reason = ${state.reason}::cancellation_reason,
            updated_at = now()
        WHERE id = ${orderId}::uuid
      )`
    : empty;
  tx.sendWithoutWaiting(sql`
    ${saveState}
    INSERT INTO order_timeline (order_id, step, at, detail)
    SELECT ${orderId}::uuid, entry.step, entry.at, entry.detail FROM ${timelineRows(step.entries)}`);
}

/**
 * Adds one entry to an order's timeline without locking the order (an append changes nothing the
 * saga reads). Sent without waiting (Transaction.sendWithoutWaiting): for an order that does not exist, the unit
 * fails with the foreign key's violation (see isUnknownOrder).
 */
export function appendTimeline(tx: Transaction, orderId: string, entry: TimelineEntry): void {
  tx.sendWithoutWaiting(sql`
    INSERT INTO order_timeline (order_id, step, at, detail)
    VALUES (${orderId}::uuid, ${entry.step}, ${entry.at}::timestamptz, ${entry.detail})`);
}

/** True when `error` says a timeline entry named an order that does not exist. */
export function isUnknownOrder(error: unknown): boolean {
  return isForeignKeyViolation(error, 'order_timeline_order_id_fkey');
}

function toSagaOrder(row: SagaRow): SagaOrder {
  return {
    id: row.id,
    customerId: row.customer_id,
    email: row.email,
    total: { amount: row.total_amount, currency: row.currency },
    correlationId: row.correlation_id,
    placedAt: row.created_at,
    state: { status: row.status, inventory: row.inventory_status, payment: row.payment_status, reason: row.reason },
  };
}

function toOrder(row: OrderRow): Order {
  const money = (amount: number) => ({ amount, currency: row.currency });
  return {
    id: row.id,
    customerId: row.customer_id,
    email: row.email,
    total: money(row.total_amount),
    state: { status: row.status, inventory: row.inventory_status, payment: row.payment_status, reason: row.reason },
    lines: row.items.map((item) => ({
      sku: item.sku,
      quantity: item.quantity,
      unitPrice: money(item.unit_price),
      lineTotal: money(item.unit_price * item.quantity),
    })),
    createdAt: row.created_at,
    timeline: row.timeline.map((entry) => ({ step: entry.step, at: new Date(entry.at), detail: entry.detail })),
  };
}

/** `entries` as rows (step, at, detail) to insert into order_timeline: unnest yields them in array order. */
function timelineRows(entries: readonly TimelineEntry[]): Sql {
  const steps = entries.map((entry) => entry.step);
  const ats = entries.map((entry) => entry.at);
  const details = entries.map((entry) => entry.detail);
  return sql`unnest(${steps}::text[], ${ats}::timestamptz[], ${details}::text[]) AS entry(step, at, detail)`;
}
