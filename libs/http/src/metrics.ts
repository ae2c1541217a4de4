import { type ServiceMetrics } from '@shopflow/observability';
import { Router, type RequestHandler } from 'express';

/** The route pattern that answered (`/orders/:id`), never the raw URL: bounded label values. */
function routeOf(req: Parameters<RequestHandler>[0]): string {
  const route: unknown = req.route?.path;
  return typeof route === 'string' ? `${req.baseUrl}${route}` : 'unmatched';
}

/** Counts and times every request once its response is finished. */
export function httpMetricsMiddleware(metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const route = routeOf(req);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpRequestDuration.observe({ method: req.method, route }, seconds);
    });
    next();
  };
}

/** `GET /metrics` in the Prometheus text exposition format. */
export function metricsRoutes(metrics: ServiceMetrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const body = await metrics.registry.metrics();
    res.status(200).set('content-type', metrics.registry.contentType).send(body);
  });
  return router;
}
