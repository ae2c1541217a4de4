import { type BrokerCeiling } from '../raw/broker-ceiling';
import { type DatabaseCeiling } from '../raw/database-ceiling';
import { type Distribution } from './percentiles';

/** CPU seconds spent during a phase's measured window, and per 1,000 sagas completed in it. */
export interface CpuUse {
  /** Per service, all replicas together. */
  servicesSeconds: Record<string, number>;
  servicesPer1000Sagas: Record<string, number>;
  totalServicesPer1000Sagas: number;
  /** The bench process itself (load generator, tracker, SMTP server): it shares the cores. */
  benchSeconds: number;
  /** beam.smp (RabbitMQ) and every postgres process on the machine, whoever they work for. */
  brokerSeconds: number;
  postgresSeconds: number;
  brokerPer1000Sagas: number;
  postgresPer1000Sagas: number;
  /** Share of the machine's CPU time (all cores) that was busy in the window. */
  machineBusyShare: number;
}

export interface PhaseReport {
  name: string;
  mode: 'closed' | 'open';
  replicas: number;
  /** How the card processor and the mail relay answered (see externals.ts); `target`: whatever the running system has. */
  externals: 'realistic' | 'lab' | 'target';
  /** An open loop offered more than the closed loop could finish: admission control's phase. */
  overload?: boolean;
  concurrency?: number;
  /** Open loop: the arrival rate asked for. */
  rate?: number;
  leadInSeconds: number;
  windowSeconds: number;
  /** Orders that reached their final state (confirmed or cancelled) inside the window, per second. */
  sagasPerSecond: number;
  /** POST /orders answered 201 inside the window, per second. */
  postsPerSecond: number;
  /** Orders whose POST was sent inside the window: the latency figures are theirs. */
  placed: number;
  /** Of those, refused with 503/429 and Retry-After (nothing stored): per second of the window too. */
  refused: { count: number; perSecond: number };
  /** E-mails the mail relay accepted inside the window, per second. */
  emailsPerSecond?: number;
  /** Depth of notification-service's queue at the window's start and end, and its highest sample. */
  notificationQueue?: { start: number; end: number; max: number };
  outcomes: { confirmed: number; cancelled: Record<string, number> };
  /** Timeline `placed` → `confirmed`/`cancelled`, from the order's own timestamps. */
  sagaLatencyMs: Distribution;
  /** POST /orders as the client measured it. */
  postLatencyMs: Distribution;
  /**
   * Where a confirmed saga's time goes, from its timeline: order placed → inventory's and payment's
   * reports (order-service's commit and outbox relay, the broker, the participant's handler), then
   * the later of the two → confirmed (the participant's relay, the broker, order-service's handler).
   */
  hopsMs: { toInventory: Distribution; toPayment: Distribution; back: Distribution };
  errors: { http: number; neverFinal: number; wrongOutcome: number; rate: number; examples: string[] };
  /** GET /orders/:id per order the tracker needed to see it final (the bench's own load on order-service). */
  pollsPerOrder: number;
  /** Open loop: the latest an order left after its scheduled time. */
  maxSendLagMs?: number;
  cpu?: CpuUse;
}

export interface ProcessReport {
  label: string;
  service: string;
  replica: number;
  pid: number;
  peakRssMiB: number;
  /** At the end of the run, with what V8 says of it (GET /metrics), to tell heap from the rest. */
  rssMiB: number;
  /** Of which anonymous memory (the rest: mapped files such as the node binary). */
  anonymousMiB: number;
  heapUsedMiB?: number;
  heapTotalMiB?: number;
  externalMiB?: number;
  cpuSeconds: number;
}

export interface BenchReport {
  tool: '@shopflow/bench';
  command: string;
  quick: boolean;
  mode: 'local' | 'target';
  startedAt: string;
  durationSeconds: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    /** The node that ran the bench and the services it started, e.g. `v26.12.1`. */
    node: string;
    /** The Node.js major of the services' images (their Dockerfiles). */
    deployedNode: number;
    platform: string;
    /** How busy the machine was in the 2 s before the bench started anything (others' work skews every figure). */
    backgroundBusyShare: number;
    loadAverageAtStart: number;
  };
  settings: {
    concurrency: number;
    rate: number | 'half of closed-loop sagas/s';
    warmupSeconds: number;
    phaseSeconds: number;
    replicas: number[];
    mix: { confirm: number; declined: number; outOfStock: number };
    /** The environment the bench gives every service on top of the per-run URLs. */
    serviceEnv: Record<string, string>;
    pollIntervalMs: number;
  };
  ceilings: { broker: BrokerCeiling; database: DatabaseCeiling };
  phases: PhaseReport[];
  processes: ProcessReport[];
  /** Highest VmHWM of any replica of each service. */
  peakRssMiBByService: Record<string, number>;
  ratios: {
    sagasPerRawPublish: number;
    sagasPerRawDbTransaction: number;
    basis: string;
    /** Closed-loop sagas/s with realistic externals ÷ with instant ones (1 replica). */
    realisticToLab?: number;
  };
  /** Per externals profile: each replica count against the first. */
  scaling?: {
    externals: string;
    replicas: number[];
    closedSagasPerSecond: number[];
    speedUp: number;
    /** Services + RabbitMQ + PostgreSQL CPU ms per saga in each closed loop, and last ÷ first. */
    cpuMsPerSaga: number[];
    cpuRatio: number;
    openSagaP99Ms: number[];
    openP99Ratio: number;
  }[];
  totals: {
    ordersPlaced: number;
    /** Refused under overload (503/429 with Retry-After): nothing was stored. */
    ordersRefused: number;
    reachedFinalState: number;
    neverFinal: number;
    errors: number;
    /** The first distinct errors of the whole run, lead-ins included. */
    errorExamples: string[];
    emailsExpected?: number;
    /** Distinct e-mails received, by Message-ID. */
    emailsReceived?: number;
    /** E-mails received again with a Message-ID already received: notification-service's at-least-once copies. */
    emailCopies?: number;
    trackerFailedPolls: number;
  };
  /**
   * Each service database's transactions and row changes per completed saga, over the whole run
   * (pg_stat_database; single-statement reads count as transactions, the bench's GET /orders/:id too).
   */
  databasePerSaga?: Record<
    string,
    { transactions: number; rowsInserted: number; rowsUpdated: number; rowsDeleted: number }
  >;
  /** The current issue's targets, each against this run's figure. */
  targets: { name: string; target: string; actual: number; unit: string; met: boolean }[];
  /** Every order placed reached a final state, none was an error, and every e-mail was sent. */
  ok: boolean;
  /** With --profile: where each profiled service's CPU time went (self time, first replica's whole lifetime). */
  profiles?: {
    service: string;
    file: string;
    busySeconds: number;
    areas: { name: string; selfMs: number; share: number }[];
    top: { function: string; location: string; selfMs: number; share: number }[];
  }[];

  /** `timelines`: a JSON line per order placed (see appendTimelines). */
  files: { json: string; table: string; chart: string; timelines: string; logs?: string };
}
