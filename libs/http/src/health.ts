import { Router } from 'express';

export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency is usable; rejects (or times out) otherwise. */
  check: () => Promise<unknown>;
}

const withTimeout = (promise: Promise<unknown>, ms: number) =>
  Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref()),
  ]);

/**
 * `/health/live`: the process runs (restart it if not). `/health/ready`: it can do its job
 * now, every dependency answered (take it out of the load balancer if not).
 */
export function healthRoutes(checks: ReadinessCheck[], timeoutMs = 2000): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), timeoutMs);
          return { name, status: 'ok' as const };
        } catch (error) {
          return { name, status: 'down' as const, error: (error as Error).message };
        }
      }),
    );
    const ready = results.every((r) => r.status === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks: results });
  });
  return router;
}
