import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { decideCharge } from './card-tokens';
import { IdempotencyStore, type StoredAnswer } from './idempotency-store';
import { latencySampler, type LatencySettings } from './latency';

export interface SimulatorSettings {
  latency: LatencySettings;
  /** Share (0..1) of requests answered 503 before anything is done: an outage; a retry may pass. */
  failureRate: number;
  /**
   * Share (0..1) of requests that are carried out but answered only after `hangMs`: the caller times
   * out without knowing the outcome, and only its retry with the same idempotency key tells it.
   */
  timeoutRate: number;
  hangMs: number;
}

export const DEFAULT_SETTINGS: SimulatorSettings = {
  latency: { p50Ms: 0, p99Ms: 0 },
  failureRate: 0,
  timeoutRate: 0,
  hangMs: 30_000,
};

export interface Charge {
  id: string;
  amount: number;
  currency: string;
  source: string;
  status: 'succeeded';
  orderId: string | undefined;
  refunded: boolean;
  created: number;
}

export interface Refund {
  id: string;
  charge: string;
  amount: number;
  status: 'succeeded';
  created: number;
}

export interface GatewaySimulator {
  url: string;
  port: number;
  /** Charges made (declined attempts are not charges), oldest first. */
  charges(): readonly Charge[];
  refunds(): readonly Refund[];
  /** Requests received on a route such as `POST /v1/charges` (repeats with the same key included). */
  requestsReceived(route: string): number;
  settings(): SimulatorSettings;
  configure(changes: Partial<SimulatorSettings>): void;
  close(): Promise<void>;
}

type Answer = StoredAnswer;

const cardError = (code: string): Answer => ({ status: 402, body: { error: { type: 'card_error', code } } });
const requestError = (status: number, code: string, message: string): Answer => ({
  status,
  body: { error: { type: status === 400 ? 'invalid_request_error' : 'api_error', code, message } },
});
const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/**
 * A card processor's API over HTTP (the subset payment-service uses), for development, tests, the
 * benchmark and compose: `POST /v1/charges` and `POST /v1/refunds`, each with an `Idempotency-Key`
 * that makes a repeated request return the first answer and do nothing more; outcomes decided by the
 * payment token (card-tokens.ts); knobs for latency, outages and timeouts (`PUT /simulator/settings`
 * changes them while it runs). `GET /v1/charges?order_id=…` and `GET /v1/refunds?charge=…` list
 * what was done, as a processor's dashboard would.
 */
export async function startGatewaySimulator(
  options: { port?: number; host?: string; settings?: Partial<SimulatorSettings>; random?: () => number } = {},
): Promise<GatewaySimulator> {
  const random = options.random ?? Math.random;
  let settings: SimulatorSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  let sampleLatency = latencySampler(settings.latency, random);
  const charges = new Map<string, Charge>();
  const refunds: Refund[] = [];
  const keys = new IdempotencyStore();
  const received = new Map<string, number>();

  const configure = (changes: Partial<SimulatorSettings>) => {
    settings = { ...settings, ...changes, latency: { ...settings.latency, ...changes.latency } };
    sampleLatency = latencySampler(settings.latency, random);
  };

  /** Waits the drawn latency, then fails as an outage or does the work. */
  const perform = async (work: () => Answer): Promise<Answer> => {
    const latency = sampleLatency();
    if (latency > 0) await delay(latency);
    if (random() < settings.failureRate) return requestError(503, 'service_unavailable', 'simulated outage');
    return work();
  };

  const charge = (body: Record<string, unknown>): Answer => {
    const { amount, currency, source, metadata } = body;
    if (!Number.isInteger(amount) || (amount as number) < 1)
      return requestError(400, 'parameter_invalid_integer', 'amount must be a positive integer (minor units)');
    if (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency))
      return requestError(400, 'parameter_invalid', 'currency must be an ISO 4217 code');
    if (typeof source !== 'string' || source === '')
      return requestError(400, 'parameter_missing', 'source (a payment token) is required');
    const decision = decideCharge(source);
    if (decision !== 'succeeded') return cardError(decision);
    const orderId = (metadata as { orderId?: unknown } | undefined)?.orderId;
    const made: Charge = {
      id: newId('ch'),
      amount: amount as number,
      currency: currency.toUpperCase(),
      source,
      status: 'succeeded',
      orderId: typeof orderId === 'string' ? orderId : undefined,
      refunded: false,
      created: Date.now(),
    };
    charges.set(made.id, made);
    return { status: 200, body: { id: made.id, status: made.status, amount: made.amount, currency: made.currency } };
  };

  const refund = (body: Record<string, unknown>): Answer => {
    const charged = typeof body['charge'] === 'string' ? charges.get(body['charge']) : undefined;
    if (!charged) return requestError(404, 'resource_missing', `no such charge: ${String(body['charge'])}`);
    if (charged.refunded) return requestError(400, 'charge_already_refunded', `${charged.id} was refunded already`);
    charged.refunded = true;
    const made: Refund = {
      id: newId('re'),
      charge: charged.id,
      amount: charged.amount,
      status: 'succeeded',
      created: Date.now(),
    };
    refunds.push(made);
    return { status: 200, body: { id: made.id, status: made.status, charge: made.charge, amount: made.amount } };
  };

  const routes: Record<string, (body: Record<string, unknown>) => Answer> = {
    'POST /v1/charges': charge,
    'POST /v1/refunds': refund,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /health') return send(res, { status: 200, body: { status: 'ok' } });
    if (route === 'GET /simulator/settings') return send(res, { status: 200, body: settings });
    if (route === 'PUT /simulator/settings') {
      configure((await readJson(req)) as Partial<SimulatorSettings>);
      return send(res, { status: 200, body: settings });
    }
    if (route === 'GET /v1/charges') {
      const orderId = url.searchParams.get('order_id');
      const data = [...charges.values()].filter((c) => orderId === null || c.orderId === orderId);
      return send(res, { status: 200, body: { data } });
    }
    if (route === 'GET /v1/refunds') {
      const charge = url.searchParams.get('charge');
      return send(res, { status: 200, body: { data: refunds.filter((r) => charge === null || r.charge === charge) } });
    }
    const work = routes[route];
    if (!work) return send(res, requestError(404, 'resource_missing', `no route ${route}`));
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '' || key.length > 255)
      return send(
        res,
        requestError(400, 'idempotency_key_missing', 'an Idempotency-Key header (1-255 characters) is required'),
      );
    const body = await readJson(req);
    if (body === undefined) return send(res, requestError(400, 'parameter_invalid', 'the body must be a JSON object'));
    received.set(route, (received.get(route) ?? 0) + 1);
    const answer = keys.answer(key, `${route} ${JSON.stringify(body)}`, () => perform(() => work(body)));
    if (answer === 'mismatch')
      return send(res, requestError(400, 'idempotency_error', 'this Idempotency-Key was used with another request'));
    const answered = await answer;
    // Withheld after the work is done (a replay's answer too): only a retry tells the caller.
    if (answered.status < 500 && random() < settings.timeoutRate) await delay(settings.hangMs);
    send(res, answered);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      send(res, requestError(500, 'internal', error instanceof Error ? error.message : String(error))),
    );
  });
  server.keepAliveTimeout = 65_000;
  // A port in use or a host that is not this machine's rejects, rather than crashing the process.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    charges: () => [...charges.values()],
    refunds: () => [...refunds],
    requestsReceived: (route) => received.get(route) ?? 0,
    settings: () => settings,
    configure,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The request's JSON object, or undefined for anything else (an empty body too). */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) return undefined;
    chunks.push(chunk);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, { status, body }: Answer): void {
  // The caller may have given up (a simulated timeout): there is nobody to answer.
  if (res.destroyed || res.writableEnded) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
