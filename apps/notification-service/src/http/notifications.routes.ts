import { requireScope } from '@shopflow/auth';
import { parseRequest } from '@shopflow/http';
import { Router } from 'express';
import { z } from 'zod';
import { listNotifications } from '../data-access/notifications.repository';
import { type NotificationDependencies } from '../use-cases/dependencies';

const listQuery = z.object({ orderId: z.uuid() });

export function notificationRoutes(deps: NotificationDependencies): Router {
  const router = Router();

  /**
   * The e-mails about one order: `{ id, orderId, template, to, subject, messageId, sentAt }[]`, sentAt
   * null for one being sent (claimed, not yet accepted by the SMTP server), listed last. For support
   * and operations (`admin`) only: they carry customers' e-mail addresses.
   */
  router.get('/notifications', requireScope('admin'), async (req, res) => {
    const { orderId } = parseRequest(listQuery, req.query, 'query');
    res.json(await listNotifications(deps.db, orderId));
  });

  return router;
}
