import { bearerChallenge } from '@shopflow/auth';
import { AppError } from '@shopflow/errors';
import { type Logger, type ServiceMetrics } from '@shopflow/observability';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import { type ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import { healthRoutes, type ReadinessCheck } from './health';
import { httpMetricsMiddleware, metricsRoutes } from './metrics';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem-details';

export interface HttpAppOptions {
  logger: Logger;
  routers: Router[];
  /**
   * Runs before every router (and before the 404 of an unknown route, which tells an anonymous
   * caller nothing): `authenticate` of @shopflow/auth. Health checks and metrics come before it:
   * the orchestrator and Prometheus hold no token, which is why /metrics belongs on an internal network.
   */
  authenticate: RequestHandler;
  /**
   * Load shedding: runs first, before a request is logged, its body read or its caller
   * authenticated, so that refusing work costs as little as it can (under overload most requests
   * are refused, and each refusal spends the CPU the work in flight is short of). A refusal is an
   * error it throws, a 503 with Retry-After, answered by the one error handler without a log line of
   * its own: the service counts its refusals and logs when it starts and stops refusing.
   */
  admission?: RequestHandler;
  readiness: ReadinessCheck[];
  /** When given: HTTP request metrics, and `GET /metrics` for Prometheus. */
  metrics?: ServiceMetrics;
}

/** Body-parser failures are the client's: say what was wrong with the body. */
function fromBodyParser(error: { type?: string; message: string }): AppError | undefined {
  if (error.type === 'entity.parse.failed') return new AppError('invalid_input', `malformed JSON: ${error.message}`);
  if (error.type === 'entity.too.large') return new AppError('invalid_input', 'request body too large');
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
    return new AppError('invalid_input', error.message);
  }
  return undefined;
}

export function createHttpApp({
  logger,
  routers,
  authenticate,
  admission,
  readiness,
  metrics,
}: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  if (metrics) app.use(httpMetricsMiddleware(metrics));
  if (admission) app.use(admission);
  app.use(
    pinoHttp({
      logger: logger.child({ component: 'http' }),
      autoLogging: { ignore: (req) => req.url === '/metrics' || (req.url?.startsWith('/health') ?? false) },
      // A route that knows the flow's correlation id (e.g. of the order it placed) sets res.locals.correlationId.
      customProps: (req, res) => ({
        correlationId: (res.locals['correlationId'] as string | undefined) ?? req.headers['x-correlation-id'],
      }),
      customLogLevel: (_req, res, err) => requestLogLevel(res, err),
    }),
  );
  app.use(express.json({ limit: '100kb', type: ['application/json', 'application/*+json'] }));
  app.use(healthRoutes(readiness));
  if (metrics) app.use(metricsRoutes(metrics));
  app.use(authenticate);
  for (const router of routers) app.use(router);

  app.use((req) => {
    throw new AppError('not_found', `no route for ${req.method} ${req.path}`);
  });
  const handleError: ErrorRequestHandler = (error, req, res, _next) => {
    const appError = fromBodyParser(error) ?? AppError.from(error);
    const problem = toProblem(appError, req.originalUrl);
    const challenge = bearerChallenge(appError);
    if (challenge) res.set('WWW-Authenticate', challenge);
    // A 5xx is logged by the request log, in its one line, with this error and its stack; load
    // shedding is not logged there (see isLoadShedding).
    if (problem.status >= 500) res.err = error instanceof Error ? error : appError;
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  };
  app.use(handleError);
  return app;
}

/** The request log's level for an answered request. */
function requestLogLevel(res: ServerResponse, err: Error | undefined): 'silent' | 'error' | 'warn' | 'debug' {
  if (isLoadShedding(res.statusCode, res)) return 'silent';
  if (err || res.statusCode >= 500) return 'error';
  return res.statusCode >= 400 ? 'warn' : 'debug';
}

/**
 * A 503 that tells the client when to come back: the service shedding load as designed. No line
 * per refusal: under overload there are thousands a second, and each line costs the CPU the service
 * is short of. The service counts them, and logs when it starts and stops refusing.
 */
function isLoadShedding(status: number, res: ServerResponse): boolean {
  return status === 503 && res.getHeader('retry-after') !== undefined;
}
