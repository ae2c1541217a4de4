import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's CPU times (100 on every common Linux). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcessSample {
  /** User + system CPU seconds used so far, all threads. */
  cpuSeconds: number;
  /** Peak resident set size so far (VmHWM), in MiB. */
  peakRssMiB: number;
  rssMiB: number;
  /** The anonymous part of RSS (heap, WebAssembly, malloc); the rest is mapped files (the node binary, libraries). */
  anonymousMiB: number;
}

/** Reads a live process's CPU time and memory from /proc; undefined once it is gone. */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return {
      cpuSeconds: (utime + stime) / CLOCK_TICKS,
      peakRssMiB: kib(status, 'VmHWM') / 1024,
      rssMiB: kib(status, 'VmRSS') / 1024,
      anonymousMiB: kib(readOr(`/proc/${pid}/smaps_rollup`), 'Anonymous') / 1024,
    };
  } catch {
    return undefined;
  }
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function kib(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/** CPU seconds so far of every live process whose command name is one of `names`, by pid (e.g. beam.smp, postgres). */
export function cpuByProcess(names: readonly string[]): Map<number, { name: string; cpuSeconds: number }> {
  const found = new Map<number, { name: string; cpuSeconds: number }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!names.includes(name)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.set(Number(entry), { name, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/**
 * CPU seconds each named command used between two cpuByProcess() snapshots: the growth of every
 * process in both, plus all of a process born in between. One that exited in between takes its
 * time with it (a postgres backend of a closed connection), so this is a lower bound; and the
 * servers are shared with anything else running on the machine.
 */
export function cpuUsedBetween(
  before: Map<number, { name: string; cpuSeconds: number }>,
  after: Map<number, { name: string; cpuSeconds: number }>,
): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [pid, { name, cpuSeconds }] of after) {
    used[name] = (used[name] ?? 0) + cpuSeconds - (before.get(pid)?.cpuSeconds ?? 0);
  }
  return used;
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpu(): { busySeconds: number; totalSeconds: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return { busySeconds: (total - idle) / CLOCK_TICKS, totalSeconds: total / CLOCK_TICKS };
}

/** The service a process runs, from its working folder or command line (apps/<service>/…); `pid N` if neither says. */
export function serviceOfProcess(pid: number): string {
  const fromPath = (text: string) => /apps\/([a-z-]+-service)\b/.exec(text)?.[1];
  try {
    const found =
      fromPath(fs.readlinkSync(`/proc/${pid}/cwd`)) ?? fromPath(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    if (found) return found;
  } catch {
    // gone, or not ours to read
  }
  return `pid ${pid}`;
}
