import { hasScope, principalOf, requireScope, type Principal } from '@shopflow/auth';
import { AppError } from '@shopflow/errors';
import { paymentTokenSchema, quantitySchema, skuSchema } from '@shopflow/events';
import { parseRequest } from '@shopflow/http';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { type Admission, type AdmissionGate } from '../domain/admission';
import { decodeCursor } from '../domain/order-cursor';
import { type OrderViewer } from '../domain/order-viewer';
import { type OrderDependencies } from '../use-cases/dependencies';
import { placeOrder } from '../use-cases/place-order';
import { getOrder, listOrders } from '../use-cases/query-orders';
import { orderJson } from './order-json';

/** Bounds that keep quantities and totals inside the stored 32-bit integers. */
const MAX_ITEMS = 100;
const MAX_QUANTITY = 1_000_000;

const customerId = z.string().min(1).max(200);

const placeOrderBody = z.object({
  /** The token's subject places the order; the body may repeat it, never name someone else. */
  customerId: customerId.optional(),
  email: z.email(),
  items: z
    .array(z.object({ sku: skuSchema, quantity: quantitySchema.max(MAX_QUANTITY) }))
    .min(1)
    .max(MAX_ITEMS),
  paymentToken: paymentTokenSchema,
});

const placeOrderHeaders = z.object({
  'Idempotency-Key': z.string().min(1).max(255).optional(),
  'X-Correlation-Id': z.string().min(1).max(200).optional(),
});

const listQuery = z.object({
  /** A customer's own by default; support names the customer. */
  customerId: customerId.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .optional()
    .transform((text, ctx) => {
      const cursor = text === undefined ? undefined : decodeCursor(text);
      if (text !== undefined && !cursor) ctx.addIssue({ code: 'custom', message: 'not a valid cursor' });
      return cursor;
    }),
});

const orderId = z.uuid();

/**
 * Passes the request on while `decide` admits it; otherwise answers 503 problem+json (the
 * `unavailable` kind, through the app's one error handler) with Retry-After.
 */
function admissionStep(decide: () => Admission): RequestHandler {
  return (_req, res, next) => {
    const admission = decide();
    if (admission.admitted) return next();
    res.set('Retry-After', String(admission.retryAfterSeconds));
    throw new AppError('unavailable', 'too many orders are still being processed; try again later', {
      reason: admission.reason,
      retryAfterSeconds: admission.retryAfterSeconds,
    });
  };
}

/**
 * Refuses a new order while the backlog of unfinished sagas is over its bounds, before the request
 * is logged, read or authenticated (the app's `admission` step): under overload most requests are
 * refused, and each refusal spends the CPU the sagas in flight are short of. A retry with an
 * Idempotency-Key is refused too: telling it from a new order would take a query per request.
 */
export function screenNewOrders(gate: AdmissionGate): Router {
  return Router().post(
    '/orders',
    admissionStep(() => gate.screen()),
  );
}

/** The customer a token speaks for: its subject, which must be a customer id this service can store. */
function customerOf(principal: Principal): string {
  if (!customerId.safeParse(principal.subject).success) {
    throw new AppError('forbidden', "the access token's subject is not a valid customer id");
  }
  return principal.subject;
}

/** Support and operations (`admin`) see every order; a customer (`orders`) their own. */
const viewerOf = (principal: Principal): OrderViewer =>
  hasScope(principal, 'admin') ? 'anyone' : { customerId: customerOf(principal) };

export function orderRoutes(deps: OrderDependencies, admission: AdmissionGate): Router {
  const router = Router();

  // The order counts against the bounds once its caller is authenticated: a request refused for its
  // token never takes an admitted order's place. It is refused too if the orders admitted since the
  // screening reached the bound.
  const admitNewOrder = admissionStep(() => admission.admit());
  router.post('/orders', requireScope('orders'), admitNewOrder, async (req, res) => {
    const body = parseRequest(placeOrderBody, req.body);
    const customer = customerOf(principalOf(res.locals));
    if (body.customerId !== undefined && body.customerId !== customer) {
      throw new AppError('forbidden', "customerId names another customer than the access token's subject", {
        customerId: body.customerId,
      });
    }
    const request = { ...body, customerId: customer };
    const headers = parseRequest(
      placeOrderHeaders,
      { 'Idempotency-Key': req.get('Idempotency-Key'), 'X-Correlation-Id': req.get('X-Correlation-Id') },
      'request headers',
    );
    const { order, replayed } = await placeOrder(deps, {
      request,
      idempotencyKey: headers['Idempotency-Key'],
      correlationId: headers['X-Correlation-Id'],
    });
    // For the request's log line: the order's flow is correlated by the client's id, else by the order id.
    res.locals['correlationId'] = headers['X-Correlation-Id'] ?? order.id;
    if (replayed) res.set('Idempotent-Replayed', 'true');
    res.status(201).location(`/orders/${order.id}`).json(orderJson(order));
  });

  router.get('/orders/:id', requireScope('orders', 'admin'), async (req, res) => {
    const id = orderId.safeParse(req.params.id);
    const order = id.success
      ? await getOrder(deps, { id: id.data, viewer: viewerOf(principalOf(res.locals)) })
      : undefined;
    if (!order) throw new AppError('not_found', `no order ${req.params.id}`, { orderId: req.params.id });
    res.json(orderJson(order));
  });

  router.get('/orders', requireScope('orders', 'admin'), async (req, res) => {
    const query = parseRequest(listQuery, req.query, 'query');
    const page = await listOrders(deps, {
      customerId: customerToList(viewerOf(principalOf(res.locals)), query.customerId),
      limit: query.limit,
      after: query.cursor,
    });
    res.json({ items: page.orders.map(orderJson), nextCursor: page.nextCursor });
  });

  return router;
}

/** Whose orders a list shows: the customer's own (naming another is refused), or the one support names. */
function customerToList(viewer: OrderViewer, asked: string | undefined): string {
  if (viewer === 'anyone') {
    if (asked === undefined) throw new AppError('invalid_input', 'name the customer: ?customerId=...');
    return asked;
  }
  if (asked !== undefined && asked !== viewer.customerId) {
    throw new AppError('forbidden', "customerId names another customer than the access token's subject", {
      customerId: asked,
    });
  }
  return viewer.customerId;
}
