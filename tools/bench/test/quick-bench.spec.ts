import { uniqueName } from '@shopflow/testing';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type BenchReport } from '../src/report/report-model';

const BENCH = path.resolve(__dirname, '..');
const WORKSPACE = path.resolve(BENCH, '../..');

/** Runs the bench as `npm run bench` does (tsx, its own process), against the built services. */
function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'src/main.ts', ...args], { cwd: BENCH });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk); // progress, so a slow CI run shows where it is
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run bench -- --quick (real services, broker and database)', () => {
  const out = path.join(WORKSPACE, 'tmp/bench-test', uniqueName('quick'));
  let run: Awaited<ReturnType<typeof runBench>>;
  let report: BenchReport;

  beforeAll(async () => {
    run = await runBench(['--quick', '--out', out]);
    if (run.code !== 0) throw new Error(`the bench exited with ${run.code}:\n${run.stderr.slice(-4000)}`);
    report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as BenchReport;
  }, 170_000);

  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('loses no order: every order placed reached a final state, with the outcome its scenario calls for', () => {
    expect(report.totals.ordersPlaced).toBeGreaterThan(0);
    expect(report.totals.neverFinal).toBe(0);
    expect(report.totals.errors).toBe(0);
    expect(report.totals.reachedFinalState).toBe(report.totals.ordersPlaced);
    expect(report.ok).toBe(true);
    for (const phase of report.phases) {
      expect({ phase: phase.name, errors: phase.errors }).toEqual({
        phase: phase.name,
        errors: { http: 0, neverFinal: 0, wrongOutcome: 0, rate: 0, examples: [] },
      });
    }
  });

  it("writes each order's timeline, a line per order placed: the measured window's as many as each phase reports", () => {
    const lines = fs
      .readFileSync(report.files.timelines, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { phase: string; inWindow: boolean; steps?: Record<string, number> });
    for (const phase of report.phases) {
      const placed = lines.filter((line) => line.phase === phase.name && line.inWindow);
      expect({ phase: phase.name, placed: placed.length }).toEqual({ phase: phase.name, placed: phase.placed });
    }
    const confirmed = lines.flatMap((line) => (line.steps?.['confirmed'] ? [line.steps] : []));
    expect(confirmed.length).toBeGreaterThan(0);
    for (const steps of confirmed) expect(steps['confirmed']).toBeGreaterThanOrEqual(steps['placed']!);
  });

  it('runs both paths of the saga and every phase: lab and realistic externals, closed and open loop, overload, 1 and 2 replicas', () => {
    expect(report.phases.map((p) => [p.mode, p.replicas, p.externals, p.overload ?? false])).toEqual([
      ['closed', 1, 'lab', false],
      ['open', 1, 'lab', false],
      ['closed', 1, 'realistic', false],
      ['open', 1, 'realistic', false],
      ['open', 1, 'realistic', true],
      ['closed', 2, 'lab', false],
      ['open', 2, 'lab', false],
      ['closed', 2, 'realistic', false],
      ['open', 2, 'realistic', false],
    ]);
    // Little's law: the realistic closed loop has more customers in flight than the lab one.
    const [lab, realistic] = report.phases.filter((p) => p.mode === 'closed');
    expect(realistic!.concurrency).toBeGreaterThan(lab!.concurrency!);
    // The same load per replica: twice the lab loop's customers for twice the replicas.
    const labLoops = report.phases.filter((p) => p.mode === 'closed' && p.externals === 'lab');
    expect(labLoops.map((p) => [p.replicas, p.concurrency])).toEqual([
      [1, 16],
      [2, 32],
    ]);
    const confirmed = report.phases.reduce((sum, p) => sum + p.outcomes.confirmed, 0);
    const cancelled = report.phases.flatMap((p) => Object.keys(p.outcomes.cancelled));
    expect(confirmed).toBeGreaterThan(0);
    expect(new Set(cancelled)).toEqual(new Set(['payment_declined', 'out_of_stock']));
    expect(report.totals.emailsReceived).toBe(report.totals.emailsExpected);
  });

  it('reports throughput, latency, memory, CPU, the raw ceilings, their ratios and the speed-up', () => {
    // Figures, not timing: only that each was measured. A closed loop always completes sagas in its
    // window (it opens once sagas complete); an open loop on a very busy machine may finish them after it.
    for (const phase of report.phases) {
      expect(phase.sagaLatencyMs.count).toBeGreaterThan(0);
      expect(phase.sagaLatencyMs.p99).toBeGreaterThanOrEqual(phase.sagaLatencyMs.p50);
      expect(phase.postLatencyMs.count).toBeGreaterThan(0);
      expect(Number.isFinite(phase.sagasPerSecond)).toBe(true);
      if (phase.mode === 'closed') {
        expect(phase.sagasPerSecond).toBeGreaterThan(0);
        expect(phase.cpu?.totalServicesPer1000Sagas).toBeGreaterThan(0);
      }
    }
    expect(report.processes).toHaveLength(8);
    for (const process of report.processes) expect(process.peakRssMiB).toBeGreaterThan(0);
    expect(report.ceilings.broker.publishPerSecond).toBeGreaterThan(0);
    expect(report.ceilings.broker.consumePerSecond).toBeGreaterThan(0);
    expect(report.ceilings.database.insertTransactionsPerSecond).toBeGreaterThan(0);
    expect(report.ratios.sagasPerRawPublish).toBeGreaterThan(0);
    expect(report.ratios.sagasPerRawDbTransaction).toBeGreaterThan(0);
    expect(report.ratios.realisticToLab).toBeGreaterThan(0);
    expect(report.scaling?.map((s) => s.externals)).toEqual(['lab', 'realistic']);
    for (const scaling of report.scaling ?? []) expect(scaling.speedUp).toBeGreaterThan(0);
    expect(report.targets.map((t) => t.name)).toEqual(
      expect.arrayContaining(['realistic ÷ lab closed-loop sagas/s', 'overload: completed sagas/s ÷ capacity']),
    );
  });

  it('writes the table (also on stdout), the JSON report and an SVG chart to the results folder', () => {
    const table = fs.readFileSync(path.join(out, 'report.txt'), 'utf8');
    expect(run.stdout).toContain(table.trim());
    expect(table).toContain('Result: OK');
    expect(table).toMatch(/Realistic externals ÷ lab \(instant\) externals, closed-loop sagas\/s: \d/);
    expect(fs.readFileSync(path.join(out, 'chart.svg'), 'utf8')).toMatch(
      /^<svg[^>]*>[\s\S]*completed sagas\/s[\s\S]*<\/svg>$/,
    );
  });
});
