import { type BenchReport } from './report-model';

/**
 * The chart: throughput and saga latency percentiles per phase, side by side, as SVG (vega-lite,
 * rendered headless: no browser or canvas needed).
 */
export async function renderChart(report: BenchReport): Promise<string> {
  // vega and vega-lite ship ES modules only.
  const vega = await import('vega');
  const vegaLite = await import('vega-lite');
  const throughput = report.phases.flatMap((phase) => [
    { phase: phase.name, measure: 'completed sagas/s', value: round(phase.sagasPerSecond) },
    { phase: phase.name, measure: 'POST /orders per s', value: round(phase.postsPerSecond) },
  ]);
  const latency = report.phases.flatMap((phase) =>
    (['p50', 'p95', 'p99'] as const).map((p) => ({
      phase: phase.name,
      percentile: p,
      value: round(phase.sagaLatencyMs[p]),
    })),
  );
  const phases = report.phases.map((phase) => phase.name);
  const x = {
    field: 'phase',
    type: 'nominal',
    sort: phases,
    title: null,
    axis: { labelAngle: -30, labelLimit: 200 },
  } as const;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `shopflow saga benchmark (${report.quick ? 'quick' : 'full'})`,
      subtitle: `${report.machine.cpus} cores, Node ${report.machine.node}, ${report.startedAt}`,
    },
    hconcat: [
      {
        title: 'Throughput',
        data: { values: throughput },
        width: 320,
        height: 240,
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x,
          xOffset: { field: 'measure', type: 'nominal' },
          y: { field: 'value', type: 'quantitative', title: 'per second' },
          color: {
            field: 'measure',
            type: 'nominal',
            title: null,
            legend: { orient: 'bottom', direction: 'horizontal' },
          },
        },
      },
      {
        title: 'Saga latency (placed → final)',
        data: { values: latency },
        width: 320,
        height: 240,
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x,
          xOffset: { field: 'percentile', type: 'nominal', sort: ['p50', 'p95', 'p99'] },
          y: { field: 'value', type: 'quantitative', title: 'milliseconds' },
          color: {
            field: 'percentile',
            type: 'nominal',
            title: null,
            sort: ['p50', 'p95', 'p99'],
            legend: { orient: 'bottom', direction: 'horizontal' },
          },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const round = (value: number) => Math.round(value * 10) / 10;
