import path from 'node:path';
import { parseArgs } from 'node:util';
import { LAB, REALISTIC, type Externals } from './system/externals';
import { SERVICES, type ServiceName } from './system/services';

export const WORKSPACE = path.resolve(__dirname, '../../..');

export interface BenchOptions {
  quick: boolean;
  /** Where report.json, report.txt and chart.svg go. */
  outDir: string;
  /** Benchmark services already running at these URLs instead of starting our own. */
  target?: { orderUrls: string[]; inventoryUrl: string; identityUrl: string; pids: number[] };
  /** Closed loop: virtual customers, each with one saga in flight (with lab externals). */
  concurrency: number;
  /** Closed loop with realistic externals; undefined: from the lab run by Little's law. */
  realisticConcurrency?: number;
  /** How the processor and the mail relay answer, one pass each per replica count, in this order. */
  externals: Externals[];
  /** The overload phase's arrival rate as a multiple of the realistic closed-loop sagas/s; 0: none. */
  overloadFactor: number;
  /** Open loop: orders per second; undefined = half the closed-loop throughput of the same run. */
  rate?: number;
  warmupSeconds: number;
  /** Length of each measured phase (closed loop, open loop). */
  phaseSeconds: number;
  /** The scaling run: replicas of every service, in order (e.g. [1, 2]); [1] skips it. */
  replicas: number[];
  /** Length of each raw-ceiling measurement. */
  ceilingSeconds: number;
  /** Shares of orders that must be cancelled: declined payment, out of stock. The rest confirm. */
  mix: { declined: number; outOfStock: number };
  /**
   * Extra environment for the service processes, applied last: `KEY` for every service (e.g.
   * PREFETCH), `service:KEY` for one (e.g. order-service:PREFETCH), which wins over the former.
   */
  serviceEnv: Record<string, string>;
  logLevel: string;
  /** Runs these services with `node --cpu-prof` and summarises each profile (first replica's). */
  profile: ServiceName[];
  /** How long an order may stay PENDING before the bench calls it lost (beyond ORDER_TIMEOUT_MS's 60 s). */
  finalDeadlineMs: number;
  /** The checkout whose built services (and their migrations and Dockerfile flags) run: this one by default. */
  servicesRoot: string;
}

/** Full run: long enough for stable percentiles; quick: a smoke check that finishes in about a minute. */
const PROFILES = {
  full: { concurrency: 32, warmupSeconds: 10, phaseSeconds: 30, ceilingSeconds: 5, finalDeadlineMs: 90_000 },
  quick: { concurrency: 16, warmupSeconds: 1, phaseSeconds: 3, ceilingSeconds: 1, finalDeadlineMs: 20_000 },
} as const;

export const USAGE = `npm run bench -- [options]

  --quick                 smoke run, about a minute (what CI runs)
  --externals LIST        how the card processor and mail relay answer: lab,realistic (default, both
                          in one run), realistic or lab. realistic: processor p50 150 ms / p99 600 ms,
                          each SMTP command answered after 20 ms; lab: both at once (a lab figure)
  --gateway-p50 MS, --gateway-p99 MS, --smtp-delay MS
                          the realistic externals' figures
  --concurrency N         closed loop, lab externals: customers with one saga in flight (full 32, quick 16)
                          for the first replica count; other counts get as many per replica
  --realistic-concurrency N  closed loop, realistic externals, likewise (default: by Little's law from
                          the lab run of the same replica count)
  --overload FACTOR       an open loop at FACTOR × the realistic closed-loop sagas/s, 1 replica, to see
                          admission control refuse the excess (default 2; 0: no overload phase)
  --rate N                open loop: orders per second (default: half the closed-loop sagas/s)
  --duration S            seconds of each measured phase (full 30, quick 3)
  --warmup S              seconds of warm-up before measuring (full 10, quick 1)
  --replicas 1,2          scaling run: replicas of every service, one pass each (--replicas 1: no scaling run)
  --ceiling-seconds S     length of each raw broker/database measurement (full 5, quick 1)
  --declined SHARE        share of orders with a declined card (default 0.1)
  --out-of-stock SHARE    share of orders for a sold-out product (default 0.1)
  --env KEY=VALUE         extra environment for every service (repeatable), e.g. --env PREFETCH=50;
                          SERVICE:KEY=VALUE for one, e.g. --env order-service:PREFETCH=200
  --log-level LEVEL       services' LOG_LEVEL (default info, as deployed)
  --profile SERVICE[,..]  run those services (or all) with node --cpu-prof; print where their CPU went
  --out DIR               results folder (default bench-results/<timestamp>)
  --services-from DIR     run the built services of another checkout (a git worktree), with this bench
                          (npm run bench:compare -- REF does that for two commits at once)
  --target                benchmark running services instead of starting them:
    --order-url URL[,URL]   order-service replica(s) (default http://127.0.0.1:3001)
    --inventory-url URL     inventory-service (default http://127.0.0.1:3002)
    --identity-url URL      the identity provider whose POST /tokens gives the bench its access
                            tokens (default http://127.0.0.1:4020, the one npm start runs)
    --pids PID[,PID]        their process ids, for memory and CPU figures
`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      'realistic-concurrency': { type: 'string' },
      externals: { type: 'string', default: 'lab,realistic' },
      'gateway-p50': { type: 'string' },
      'gateway-p99': { type: 'string' },
      'smtp-delay': { type: 'string' },
      overload: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      replicas: { type: 'string' },
      'ceiling-seconds': { type: 'string' },
      declined: { type: 'string' },
      'out-of-stock': { type: 'string' },
      env: { type: 'string', multiple: true, default: [] },
      'log-level': { type: 'string', default: 'info' },
      profile: { type: 'string' },
      out: { type: 'string' },
      target: { type: 'boolean', default: false },
      'order-url': { type: 'string', default: 'http://127.0.0.1:3001' },
      'inventory-url': { type: 'string', default: 'http://127.0.0.1:3002' },
      'identity-url': { type: 'string', default: 'http://127.0.0.1:4020' },
      pids: { type: 'string' },
      'services-from': { type: 'string' },
    },
  });
  if (values.help) throw new UsageError('');
  const profile = values.quick ? PROFILES.quick : PROFILES.full;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const replicas = values.replicas === undefined ? [1, 2] : list(values.replicas, 'replicas').map(Number);
  if (replicas.some((n) => !Number.isInteger(n) || n < 1))
    throw new UsageError('--replicas takes counts ≥ 1, e.g. 1,2');
  const profiled =
    values.profile === undefined ? [] : values.profile === 'all' ? [...SERVICES] : list(values.profile, 'profile');
  const unknown = profiled.filter((s) => !(SERVICES as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new UsageError(`--profile takes all or some of ${SERVICES.join(', ')}; not ${unknown.join(', ')}`);
  const realistic: Externals = {
    name: 'realistic',
    gateway: {
      p50Ms: nonNegative(values['gateway-p50'], 'gateway-p50') ?? REALISTIC.gateway.p50Ms,
      p99Ms: nonNegative(values['gateway-p99'], 'gateway-p99') ?? REALISTIC.gateway.p99Ms,
    },
    smtpReplyDelayMs: nonNegative(values['smtp-delay'], 'smtp-delay') ?? REALISTIC.smtpReplyDelayMs,
  };
  const externals = list(values.externals, 'externals').map((name) => {
    if (name === 'lab') return LAB;
    if (name === 'realistic') return realistic;
    throw new UsageError(`--externals takes lab and/or realistic, not ${name}`);
  });
  const options: BenchOptions = {
    quick: values.quick,
    outDir: path.resolve(
      values.out ?? path.join(WORKSPACE, 'bench-results', `${values.quick ? 'quick' : 'full'}-${stamp}`),
    ),
    concurrency: positive(values.concurrency, 'concurrency') ?? profile.concurrency,
    realisticConcurrency: positive(values['realistic-concurrency'], 'realistic-concurrency'),
    externals: values.target ? [] : externals,
    overloadFactor: nonNegative(values.overload, 'overload') ?? 2,
    rate: positive(values.rate, 'rate'),
    warmupSeconds: nonNegative(values.warmup, 'warmup') ?? profile.warmupSeconds,
    phaseSeconds: positive(values.duration, 'duration') ?? profile.phaseSeconds,
    replicas: values.target ? [1] : replicas,
    ceilingSeconds: positive(values['ceiling-seconds'], 'ceiling-seconds') ?? profile.ceilingSeconds,
    mix: {
      declined: share(values.declined, 'declined', 0.1),
      outOfStock: share(values['out-of-stock'], 'out-of-stock', 0.1),
    },
    serviceEnv: Object.fromEntries(
      values.env.map((pair) => {
        const at = pair.indexOf('=');
        if (at < 1) throw new UsageError(`--env takes KEY=VALUE or SERVICE:KEY=VALUE, got ${pair}`);
        const key = pair.slice(0, at);
        const service = key.includes(':') ? key.slice(0, key.indexOf(':')) : undefined;
        if (service !== undefined && !(SERVICES as readonly string[]).includes(service))
          throw new UsageError(`--env ${pair}: ${service} is none of ${SERVICES.join(', ')}`);
        return [key, pair.slice(at + 1)];
      }),
    ),
    logLevel: values['log-level'],
    profile: profiled as ServiceName[],
    finalDeadlineMs: profile.finalDeadlineMs,
    servicesRoot: path.resolve(values['services-from'] ?? WORKSPACE),
  };
  if (options.mix.declined + options.mix.outOfStock > 1) throw new UsageError('--declined + --out-of-stock exceed 1');
  if (values.target) {
    options.target = {
      orderUrls: list(values['order-url'], 'order-url').map((url) => httpUrl(url, 'order-url')),
      inventoryUrl: httpUrl(values['inventory-url'], 'inventory-url'),
      identityUrl: httpUrl(values['identity-url'], 'identity-url'),
      pids: values.pids === undefined ? [] : list(values.pids, 'pids').map(Number),
    };
  }
  return options;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const list = (value: string, flag: string): string[] => {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`--${flag} is empty`);
  return items;
};

function httpUrl(value: string, flag: string): string {
  if (!/^https?:$/.test(URL.parse(value)?.protocol ?? ''))
    throw new UsageError(`--${flag} takes an http(s) URL such as http://127.0.0.1:3001, got ${value}`);
  return value;
}

function positive(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!(number > 0)) throw new UsageError(`--${flag} must be a positive number, got ${value}`);
  return number;
}

function nonNegative(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!(number >= 0)) throw new UsageError(`--${flag} must be ≥ 0, got ${value}`);
  return number;
}

function share(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!(number >= 0 && number <= 1)) throw new UsageError(`--${flag} must be between 0 and 1, got ${value}`);
  return number;
}
