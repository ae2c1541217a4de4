import { type CancellationReason } from '@shopflow/events';
import { type Order, type SagaOrder } from '../domain/order';
import { type OrderCursor } from '../domain/order-cursor';
import { type InventoryStatus, type OrderState, type OrderStatus, type PaymentStatus } from '../domain/order-state';
import { type TimelineEntry, type TimelineStep } from '../domain/timeline';
import { Prisma } from '../generated/prisma/client';
import { type Db, type Tx } from './prisma-client';

/** What is stored with an order besides what the API shows of it. */
export interface OrderRecordExtras {
  correlationId: string;
  expiresAt: Date;
  idempotency: { key: string; requestHash: string } | null;
}

const withDetails = {
  items: { orderBy: { position: 'asc' } },
  timeline: { orderBy: [{ at: 'asc' }, { id: 'asc' }] },
} as const satisfies Prisma.OrderInclude;

type OrderWithDetails = Prisma.OrderGetPayload<{ include: typeof withDetails }>;

export async function insertOrder(tx: Tx, order: Order, extras: OrderRecordExtras): Promise<void> {
  await tx.order.create({
    data: {
      id: order.id,
      customerId: order.customerId,
      email: order.email,
      status: order.state.status,
      inventoryStatus: order.state.inventory,
      paymentStatus: order.state.payment,
      reason: order.state.reason,
      totalAmount: order.total.amount,
      currency: order.total.currency,
      correlationId: extras.correlationId,
      idempotencyKey: extras.idempotency?.key ?? null,
      requestHash: extras.idempotency?.requestHash ?? null,
      createdAt: order.createdAt,
      expiresAt: extras.expiresAt,
      items: {
        create: order.lines.map((line, position) => ({
          sku: line.sku,
          position,
          quantity: line.quantity,
          unitPrice: line.unitPrice.amount,
        })),
      },
      timeline: { create: order.timeline },
    },
  });
}

/** True when `error` is the unique violation of another order stored with the same idempotency key. */
export function isIdempotencyKeyTaken(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return false;
  // Driver adapters name the violated index; the native engine lists the columns in `target`.
  return JSON.stringify(error.meta ?? {}).includes('idempotency_key');
}

export async function findOrderByIdempotencyKey(
  db: Db | Tx,
  key: string,
): Promise<{ order: Order; requestHash: string | null } | null> {
  const row = await db.order.findUnique({ where: { idempotencyKey: key }, include: withDetails });
  return row && { order: toOrder(row), requestHash: row.requestHash };
}

export async function findOrder(db: Db | Tx, id: string): Promise<Order | null> {
  const row = await db.order.findUnique({ where: { id }, include: withDetails });
  return row && toOrder(row);
}

/** A customer's orders, newest first, after `cursor` if given. */
export async function listCustomerOrders(
  db: Db,
  query: { customerId: string; limit: number; after?: OrderCursor },
): Promise<Order[]> {
  const { after } = query;
  const rows = await db.order.findMany({
    where: {
      customerId: query.customerId,
      ...(after && {
        OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
      }),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: query.limit,
    include: withDetails,
  });
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

const SAGA_COLUMNS = Prisma.sql`id::text, customer_id, email, status::text, inventory_status::text,
  payment_status::text, reason::text, total_amount, currency, correlation_id, created_at`;

/**
 * Reads an order and locks its row until the transaction ends, so two events of the same order
 * handled at once (by two replicas, say) are applied one after the other, each seeing the other's effect.
 * NO KEY UPDATE, because the id never changes: timeline appends (whose foreign key check takes a
 * KEY SHARE lock) do not wait for it.
 */
export async function lockOrder(tx: Tx, id: string): Promise<SagaOrder | null> {
  const rows = await tx.$queryRaw<
    SagaRow[]
  >`SELECT ${SAGA_COLUMNS} FROM orders WHERE id = ${id}::uuid FOR NO KEY UPDATE`;
  return rows[0] ? toSagaOrder(rows[0]) : null;
}

/**
 * Locks up to `limit` PENDING orders whose deadline passed. Rows another replica has locked are
 * skipped, so two sweepers never cancel the same order.
 */
export async function claimExpiredOrders(tx: Tx, now: Date, limit: number): Promise<SagaOrder[]> {
  const rows = await tx.$queryRaw<SagaRow[]>`
    SELECT ${SAGA_COLUMNS} FROM orders
    WHERE status = 'PENDING' AND expires_at <= ${now}::timestamptz
    ORDER BY expires_at
    LIMIT ${limit}::int
    FOR NO KEY UPDATE SKIP LOCKED`;
  return rows.map(toSagaOrder);
}

export async function saveOrderState(tx: Tx, id: string, state: OrderState): Promise<void> {
  await tx.order.update({
    where: { id },
    data: {
      status: state.status,
      inventoryStatus: state.inventory,
      paymentStatus: state.payment,
      reason: state.reason,
    },
  });
}

export async function appendTimeline(tx: Tx, orderId: string, entries: readonly TimelineEntry[]): Promise<void> {
  await tx.orderTimelineEntry.createMany({ data: entries.map((entry) => ({ orderId, ...entry })) });
}

/**
 * Adds one entry to an order's timeline without locking the order (an append changes nothing the
 * saga reads); false when there is no such order. One statement.
 */
export async function appendTimelineIfOrderExists(tx: Tx, orderId: string, entry: TimelineEntry): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO order_timeline (order_id, step, at, detail)
    SELECT ${orderId}::uuid, ${entry.step}, ${entry.at}::timestamptz, ${entry.detail}
    WHERE EXISTS (SELECT 1 FROM orders WHERE id = ${orderId}::uuid)`;
  return inserted === 1;
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

function toOrder(row: OrderWithDetails): Order {
  const money = (amount: number) => ({ amount, currency: row.currency });
  return {
    id: row.id,
    customerId: row.customerId,
    email: row.email,
    total: money(row.totalAmount),
    state: { status: row.status, inventory: row.inventoryStatus, payment: row.paymentStatus, reason: row.reason },
    lines: row.items.map((item) => ({
      sku: item.sku,
      quantity: item.quantity,
      unitPrice: money(item.unitPrice),
      lineTotal: money(item.unitPrice * item.quantity),
    })),
    createdAt: row.createdAt,
    timeline: row.timeline.map((entry) => ({ step: entry.step as TimelineStep, at: entry.at, detail: entry.detail })),
  };
}
