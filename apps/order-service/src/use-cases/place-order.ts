import { AppError } from '@shopflow/errors';
import { createEvent, OrderPlacedV1 } from '@shopflow/events';
import { type Database, type Transaction } from '@shopflow/postgres';
import { v7 as uuidv7 } from 'uuid';
import { SERVICE_NAME } from '../config';
import { findPrices } from '../data-access/catalog.repository';
import { findOrderByIdempotencyKey, insertOrder, isIdempotencyKeyTaken } from '../data-access/orders.repository';
import { asPlaced, newOrder, type Order } from '../domain/order';
import { mergeItems, priceItems, type Pricing } from '../domain/pricing';
import { requestHash, type OrderRequest } from '../domain/request-hash';
import { type OrderDependencies } from './dependencies';

export interface PlaceOrderCommand {
  request: OrderRequest;
  idempotencyKey?: string;
  /** Of the request; the order id when the client sent none. */
  correlationId?: string;
}

export interface PlacedOrder {
  order: Order;
  /** True when an earlier request with the same idempotency key placed it. */
  replayed: boolean;
}

/**
 * Prices the order from the local catalog and stores it PENDING with its order.placed event, in one
 * transaction. With an idempotency key, a repeat of the same request by the same customer answers
 * the order it placed.
 */
export async function placeOrder(deps: OrderDependencies, command: PlaceOrderCommand): Promise<PlacedOrder> {
  const { idempotencyKey } = command;
  const idempotency = idempotencyKey ? { key: idempotencyKey, requestHash: requestHash(command.request) } : null;
  if (idempotency) {
    const earlier = await earlierAnswer(deps.db, command.request.customerId, idempotency);
    if (earlier) return earlier;
  }
  try {
    const order = await deps.transactions.run(async (tx) => store(tx, deps, command, idempotency));
    return { order, replayed: false };
  } catch (error) {
    // A concurrent request with the same key committed first: answer as it did.
    const earlier =
      idempotency && isIdempotencyKeyTaken(error)
        ? await earlierAnswer(deps.db, command.request.customerId, idempotency)
        : undefined;
    if (earlier) return earlier;
    throw error;
  }
}

/** The customer's own earlier answer to this key: keys are per customer, like the orders they place. */
async function earlierAnswer(
  db: Database,
  customerId: string,
  idempotency: { key: string; requestHash: string },
): Promise<PlacedOrder | undefined> {
  const earlier = await findOrderByIdempotencyKey(db, customerId, idempotency.key);
  if (!earlier) return undefined;
  if (earlier.requestHash !== idempotency.requestHash) {
    throw new AppError('unprocessable', 'this Idempotency-Key was already used with a different request body', {
      idempotencyKey: idempotency.key,
    });
  }
  return { order: asPlaced(earlier.order), replayed: true };
}

async function store(
  tx: Transaction,
  deps: OrderDependencies,
  command: PlaceOrderCommand,
  idempotency: { key: string; requestHash: string } | null,
) {
  const { customerId, email, paymentToken } = command.request;
  const items = mergeItems(command.request.items);
  const skus = items.map((item) => item.sku);
  const pricing = priceItems(items, await findPrices(tx, skus));
  if (!pricing.ok) throw pricingError(pricing);

  const { lines, total } = pricing;
  const order = newOrder({ id: uuidv7(), customerId, email, lines, total, createdAt: new Date() });
  const correlationId = command.correlationId ?? order.id;
  const expiresAt = new Date(order.createdAt.getTime() + deps.orderTimeoutMs);
  insertOrder(tx, order, { correlationId, expiresAt, idempotency });
  const placed = createEvent(
    OrderPlacedV1,
    {
      orderId: order.id,
      customerId,
      email,
      items: lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
      total,
      paymentToken,
    },
    { source: SERVICE_NAME, correlationId },
  );
  return { result: order, events: [placed] };
}

function pricingError(pricing: Exclude<Pricing, { ok: true }>): AppError {
  switch (pricing.problem) {
    case 'unknown_skus':
      return new AppError('unprocessable', `unknown sku(s): ${pricing.skus.join(', ')}`, { skus: pricing.skus });
    case 'mixed_currencies':
      return new AppError('unprocessable', 'the items are priced in different currencies', {
        currencies: pricing.currencies,
      });
    case 'total_too_large':
      return new AppError('unprocessable', 'the order total is too large', { limit: pricing.limit });
  }
}
