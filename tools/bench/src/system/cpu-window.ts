import { cpuByProcess, cpuUsedBetween, machineCpu, sampleProcess } from './process-stats';

export interface WatchedProcess {
  service: string;
  pid: number;
}

interface Snapshot {
  services: Map<number, number>;
  bench: number;
  servers: ReturnType<typeof cpuByProcess>;
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
    const servers = cpuUsedBetween(start.servers, end.servers);
    return {
      servicesSeconds,
      benchSeconds: end.bench - start.bench,
      brokerSeconds: servers['beam.smp'] ?? 0,
      postgresSeconds: servers['postgres'] ?? 0,
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
      servers: cpuByProcess(['beam.smp', 'postgres']),
      machine: machineCpu(),
    };
  }
}
