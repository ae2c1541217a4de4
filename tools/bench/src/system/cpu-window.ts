import { cpuSecondsByCommand, machineCpu, sampleProcess } from './process-stats';

export interface WatchedProcess {
  service: string;
  pid: number;
}

interface Snapshot {
  services: Map<number, number>;
  bench: number;
  byCommand: Record<string, number>;
  machine: { busySeconds: number; totalSeconds: number };
}

export interface WindowCpu {
  servicesSeconds: Record<string, number>;
  benchSeconds: number;
  brokerSeconds: number;
  postgresSeconds: number;
  machineBusyShare: number;
}

/** CPU time spent between a phase's window edges: each service, the bench, the broker, PostgreSQL, the machine. */
export class CpuWindow {
  private start?: Snapshot;
  private end?: Snapshot;

  constructor(private readonly processes: readonly WatchedProcess[]) {}

  mark(edge: 'start' | 'end'): void {
    const snapshot = this.snapshot();
    if (edge === 'start') this.start = snapshot;
    else this.end = snapshot;
  }

  result(): WindowCpu | undefined {
    const { start, end } = this;
    if (!start || !end) return undefined;
    const servicesSeconds: Record<string, number> = {};
    for (const { service, pid } of this.processes) {
      const before = start.services.get(pid);
      const after = end.services.get(pid);
      if (before === undefined || after === undefined) continue;
      servicesSeconds[service] = (servicesSeconds[service] ?? 0) + (after - before);
    }
    const machineTotal = end.machine.totalSeconds - start.machine.totalSeconds;
    return {
      servicesSeconds,
      benchSeconds: end.bench - start.bench,
      brokerSeconds: (end.byCommand['beam.smp'] ?? 0) - (start.byCommand['beam.smp'] ?? 0),
      postgresSeconds: Math.max(0, (end.byCommand['postgres'] ?? 0) - (start.byCommand['postgres'] ?? 0)),
      machineBusyShare: machineTotal > 0 ? (end.machine.busySeconds - start.machine.busySeconds) / machineTotal : 0,
    };
  }

  private snapshot(): Snapshot {
    const services = new Map<number, number>();
    for (const { pid } of this.processes) {
      const sample = sampleProcess(pid);
      if (sample) services.set(pid, sample.cpuSeconds);
    }
    const usage = process.cpuUsage();
    return {
      services,
      bench: (usage.user + usage.system) / 1e6,
      byCommand: cpuSecondsByCommand(['beam.smp', 'postgres']),
      machine: machineCpu(),
    };
  }
}
