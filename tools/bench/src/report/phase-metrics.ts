import { type LoopRun } from '../load/load-loops';
import { type FinalOrder } from '../load/order-tracker';
import { distribution } from './percentiles';
import { type CpuUse, type PhaseReport } from './report-model';

type PhaseShape = Pick<
  PhaseReport,
  'name' | 'mode' | 'replicas' | 'concurrency' | 'rate' | 'leadInSeconds' | 'externals' | 'overload'
>;

/** Turns a loop's orders into the phase's figures: throughput in the window, latency of orders placed in it, errors. */
export function phaseMetrics(
  shape: PhaseShape,
  run: LoopRun,
  cpu?: Omit<
    CpuUse,
    'servicesPer1000Sagas' | 'totalServicesPer1000Sagas' | 'brokerPer1000Sagas' | 'postgresPer1000Sagas'
  >,
): PhaseReport {
  const { windowStart, windowEnd } = run;
  const seconds = (windowEnd - windowStart) / 1000;
  const inWindow = (t: number) => t >= windowStart && t < windowEnd;
  const placedInWindow = run.outcomes.filter((o) => inWindow(o.postStartedAt));
  const completed = run.outcomes.filter((o) => o.final && inWindow(o.final.finalAt)).length;
  const answered = run.outcomes.filter(
    (o) => o.error?.kind !== 'http' && !o.refused && inWindow(o.postStartedAt + o.postMs),
  ).length;
  const refused = placedInWindow.filter((o) => o.refused);
  const finals = placedInWindow.flatMap((o) => (o.final ? [o.final] : []));
  const cancelled: Record<string, number> = {};
  for (const final of finals)
    if (final.status === 'CANCELLED') cancelled[final.reason ?? 'none'] = (cancelled[final.reason ?? 'none'] ?? 0) + 1;
  const errors = placedInWindow.filter((o) => o.error);
  const count = (kind: string) => errors.filter((o) => o.error?.kind === kind).length;
  const per1000 = (value: number) => (completed > 0 ? (value / completed) * 1000 : 0);
  return {
    ...shape,
    windowSeconds: seconds,
    sagasPerSecond: completed / seconds,
    postsPerSecond: answered / seconds,
    placed: placedInWindow.length,
    refused: { count: refused.length, perSecond: refused.length / seconds },
    outcomes: { confirmed: finals.filter((f) => f.status === 'CONFIRMED').length, cancelled },
    sagaLatencyMs: distribution(finals.map((f) => f.finalAt - f.placedAt)),
    hopsMs: hops(finals),
    postLatencyMs: distribution(
      placedInWindow.filter((o) => o.error?.kind !== 'http' && !o.refused).map((o) => o.postMs),
    ),
    errors: {
      http: count('http'),
      neverFinal: count('never-final'),
      wrongOutcome: count('wrong-outcome'),
      rate: placedInWindow.length > 0 ? errors.length / placedInWindow.length : 0,
      examples: [...new Set(errors.map((o) => o.error?.detail ?? ''))].slice(0, 5),
    },
    pollsPerOrder: finals.length > 0 ? placedInWindow.reduce((sum, o) => sum + o.polls, 0) / placedInWindow.length : 0,
    ...(run.maxSendLagMs !== undefined && { maxSendLagMs: run.maxSendLagMs }),
    ...(cpu && {
      cpu: {
        ...cpu,
        servicesPer1000Sagas: Object.fromEntries(Object.entries(cpu.servicesSeconds).map(([s, v]) => [s, per1000(v)])),
        totalServicesPer1000Sagas: per1000(Object.values(cpu.servicesSeconds).reduce((a, b) => a + b, 0)),
        brokerPer1000Sagas: per1000(cpu.brokerSeconds),
        postgresPer1000Sagas: per1000(cpu.postgresSeconds),
      },
    }),
  };
}

function hops(finals: FinalOrder[]): PhaseReport['hopsMs'] {
  const confirmed = finals.flatMap(({ status, placedAt, finalAt, steps }) => {
    const reserved = steps['inventory-reserved'];
    const paid = steps['payment-succeeded'];
    return status === 'CONFIRMED' && reserved !== undefined && paid !== undefined
      ? [{ placedAt, finalAt, reserved, paid }]
      : [];
  });
  return {
    toInventory: distribution(confirmed.map((o) => o.reserved - o.placedAt)),
    toPayment: distribution(confirmed.map((o) => o.paid - o.placedAt)),
    back: distribution(confirmed.map((o) => o.finalAt - Math.max(o.reserved, o.paid))),
  };
}
