import { type LatencySettings } from '@shopflow/gateway-simulator';

/**
 * How the systems outside ours answer: the card processor (its answer time, a log-normal with this
 * median and 99th percentile) and the mail relay (each SMTP command answered this much later).
 */
export interface Externals {
  name: 'realistic' | 'lab';
  gateway: LatencySettings;
  smtpReplyDelayMs: number;
}

/** A typical card processor (p50 150 ms, p99 600 ms) and a mail relay across a network. */
export const REALISTIC: Externals = {
  name: 'realistic',
  gateway: { p50Ms: 150, p99Ms: 600 },
  smtpReplyDelayMs: 20,
};

/** Both answer at once: a lab figure of our own code, which no deployment sees. */
export const LAB: Externals = { name: 'lab', gateway: { p50Ms: 0, p99Ms: 0 }, smtpReplyDelayMs: 0 };

/** The mean of the log-normal answer time (above its median: the tail pulls it up). */
export function meanGatewayMs({ p50Ms, p99Ms }: LatencySettings): number {
  if (p50Ms <= 0 || p99Ms <= p50Ms) return p50Ms;
  const sigma = Math.log(p99Ms / p50Ms) / 2.326_347_874;
  return p50Ms * Math.exp((sigma * sigma) / 2);
}

/**
 * Customers a closed loop needs to keep the system as busy with slow externals as with instant ones
 * (Little's law: in flight = throughput × time per saga): the lab run's throughput times its saga
 * time plus the processor's mean answer time, with a quarter more so that the loop is not the limit.
 */
export function littlesLawConcurrency(labSagasPerSecond: number, labSagaMeanMs: number, externals: Externals): number {
  const sagaSeconds = (labSagaMeanMs + meanGatewayMs(externals.gateway)) / 1000;
  return Math.max(1, Math.ceil(labSagasPerSecond * sagaSeconds * 1.25));
}
