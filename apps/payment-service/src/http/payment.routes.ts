import { requireScope } from '@shopflow/auth';
import { parseRequest } from '@shopflow/http';
import { Router } from 'express';
import { z } from 'zod';
import { listPaymentsOfOrder, type PaymentRecord } from '../data-access/payments.repository';
import { type PaymentDependencies } from '../use-cases/dependencies';

const query = z.object({ orderId: z.uuid() });

const toJson = (p: PaymentRecord) => ({
  id: p.id,
  orderId: p.orderId,
  status: p.status,
  amount: p.amount,
  currency: p.currency,
  failureReason: p.failureReason,
  createdAt: p.createdAt.toISOString(),
  refundedAt: p.refundedAt?.toISOString() ?? null,
});

/** Payments are read by support and operations (`admin`) only; a customer sees their order's status. */
export function paymentRoutes(deps: PaymentDependencies): Router {
  const router = Router();
  router.get('/payments', requireScope('admin'), async (req, res) => {
    const { orderId } = parseRequest(query, req.query, 'query');
    res.json((await listPaymentsOfOrder(deps.db, orderId)).map(toJson));
  });
  return router;
}
