import { parseRequest } from '@shopflow/http';
import { Router } from 'express';
import { z } from 'zod';
import { listNotifications } from '../data-access/notifications.repository';
import { type Db } from '../data-access/prisma-client';

const listQuery = z.object({ orderId: z.uuid() });

export function notificationRoutes(db: Db): Router {
  const router = Router();

  /** The e-mails sent about one order: `{ id, orderId, template, to, subject, messageId, sentAt }[]`. */
  router.get('/notifications', async (req, res) => {
    const { orderId } = parseRequest(listQuery, req.query, 'query');
    res.json(await listNotifications(db, orderId));
  });

  return router;
}
