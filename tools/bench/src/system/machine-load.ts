import os from 'node:os';
import { machineCpu } from './process-stats';

export interface MachineLoad {
  /** Share of all cores busy over the sample, before the bench started anything. */
  busyShare: number;
  loadAverage1m: number;
}

/**
 * How busy the machine already is. Every figure of the bench assumes it has the cores to itself;
 * when something else runs (a build, another test suite), the report says so.
 */
export async function sampleMachineLoad(ms = 2000): Promise<MachineLoad> {
  const before = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineCpu();
  const total = after.totalSeconds - before.totalSeconds;
  return {
    busyShare: total > 0 ? (after.busySeconds - before.busySeconds) / total : 0,
    loadAverage1m: os.loadavg()[0] ?? 0,
  };
}
