import { runsDeployedNode } from '../system/deployed-node';
import { type BenchReport, type PhaseReport } from './report-model';

const n0 = (value: number) => Math.round(value).toLocaleString('en-US');
const n1 = (value: number) => value.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const n2 = (value: number) => value.toFixed(2);
const ms = (value: number) => (value >= 100 ? n0(value) : n1(value));

/** Columns padded to their widest cell; numbers right-aligned. */
function columns(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const load = (phase: PhaseReport) =>
  phase.mode === 'closed' ? `${phase.concurrency} in flight` : `${n1(phase.rate ?? 0)}/s`;

/** The report as a person reads it: what was measured, then whether the targets hold. */
export function renderTable(report: BenchReport): string {
  const { broker, database } = report.ceilings;
  const lines: string[] = [];
  const m = report.machine;
  lines.push(
    `shopflow saga benchmark (${report.quick ? 'quick' : 'full'}, ${report.mode}) — ${report.startedAt}`,
    `machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}` +
      (runsDeployedNode(m.node, m.deployedNode) ? '' : ` (NOT the images' Node ${m.deployedNode})`) +
      `; everything on this one machine; ` +
      `before the run ${pct(m.backgroundBusyShare)} busy, load average ${m.loadAverageAtStart.toFixed(2)}` +
      (m.backgroundBusyShare > 0.2 ? ' (BUSY: figures are lower than on an idle machine)' : ''),
    `mix: ${pct(report.settings.mix.confirm)} confirm, ${pct(report.settings.mix.declined)} declined card, ${pct(report.settings.mix.outOfStock)} out of stock; ` +
      `services' extra env: ${
        Object.entries(report.settings.serviceEnv)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || 'none'
      }`,
    '',
    'Raw ceilings (same broker, same PostgreSQL, no service code)',
    columns([
      [
        '  RabbitMQ publish, confirms, persistent',
        `${n0(broker.publishPerSecond)} msg/s`,
        `(${broker.window} awaiting confirm; one at a time: ${n0(broker.serialPublishPerSecond)} msg/s)`,
      ],
      [
        '  RabbitMQ consume, ack each',
        `${n0(broker.consumePerSecond)} msg/s`,
        `(prefetch ${broker.prefetch}, ${broker.messageBytes}-byte messages)`,
      ],
      [
        '  PostgreSQL single-row insert transactions',
        `${n0(database.insertTransactionsPerSecond)} tx/s`,
        `(${database.connections} connections; one: ${n0(database.serialInsertTransactionsPerSecond)} tx/s; fsync ${database.settings['fsync']}, synchronous_commit ${database.settings['synchronous_commit']})`,
      ],
    ]),
    '',
    'Sagas (latency: order timeline placed → confirmed/cancelled; POST: client-side)',
    columns([
      [
        '  phase',
        'load',
        'sagas/s',
        'POST/s',
        'saga p50',
        'p95',
        'p99',
        'max ms',
        'POST p50',
        'p95',
        'p99 ms',
        'refused',
        'errors',
        'not final',
        'e-mails/s',
        'notif. queue',
      ],
      ...report.phases.map((p) => [
        `  ${p.name}`,
        load(p),
        n1(p.sagasPerSecond),
        n1(p.postsPerSecond),
        ms(p.sagaLatencyMs.p50),
        ms(p.sagaLatencyMs.p95),
        ms(p.sagaLatencyMs.p99),
        ms(p.sagaLatencyMs.max),
        ms(p.postLatencyMs.p50),
        ms(p.postLatencyMs.p95),
        ms(p.postLatencyMs.p99),
        String(p.refused.count),
        String(p.errors.http + p.errors.wrongOutcome),
        String(p.errors.neverFinal),
        p.emailsPerSecond === undefined ? '-' : n1(p.emailsPerSecond),
        p.notificationQueue
          ? `${p.notificationQueue.start}→${p.notificationQueue.end} (max ${p.notificationQueue.max})`
          : '-',
      ]),
    ]),
    '',
    'CPU seconds per 1,000 completed sagas (measured window; broker and PostgreSQL: all their processes)',
    columns([
      [
        '  phase',
        'order',
        'inventory',
        'payment',
        'notification',
        'services',
        'RabbitMQ',
        'PostgreSQL',
        'bench',
        'machine busy',
      ],
      ...report.phases.flatMap((p) => {
        const c = p.cpu;
        if (!c) return [];
        const per1000 = (seconds: number) =>
          n2(p.sagasPerSecond > 0 ? (seconds / (p.sagasPerSecond * p.windowSeconds)) * 1000 : 0);
        return [
          [
            `  ${p.name}`,
            n2(c.servicesPer1000Sagas['order-service'] ?? 0),
            n2(c.servicesPer1000Sagas['inventory-service'] ?? 0),
            n2(c.servicesPer1000Sagas['payment-service'] ?? 0),
            n2(c.servicesPer1000Sagas['notification-service'] ?? 0),
            n2(c.totalServicesPer1000Sagas),
            n2(c.brokerPer1000Sagas),
            n2(c.postgresPer1000Sagas),
            per1000(c.benchSeconds),
            pct(c.machineBusyShare),
          ],
        ];
      }),
    ]),
    '',
    'Where a confirmed saga spends its time, p50 / p99 ms (its timeline; each hop: commit, outbox relay, broker, handler)',
    columns([
      ['  phase', 'placed → inventory reserved', 'placed → payment succeeded', 'later of the two → confirmed'],
      ...report.phases.map((p) => [
        `  ${p.name}`,
        `${ms(p.hopsMs.toInventory.p50)} / ${ms(p.hopsMs.toInventory.p99)}`,
        `${ms(p.hopsMs.toPayment.p50)} / ${ms(p.hopsMs.toPayment.p99)}`,
        `${ms(p.hopsMs.back.p50)} / ${ms(p.hopsMs.back.p99)}`,
      ]),
    ]),
    ...(report.databasePerSaga
      ? [
          '',
          'Database work per completed saga, whole run (pg_stat_database; a single-statement read is a transaction too)',
          columns([
            ['  service', 'transactions', 'rows inserted', 'updated', 'deleted'],
            ...Object.entries(report.databasePerSaga).map(([service, d]) => [
              `  ${service}`,
              n1(d.transactions),
              n1(d.rowsInserted),
              n1(d.rowsUpdated),
              n1(d.rowsDeleted),
            ]),
          ]),
        ]
      : []),
    '',
    'Memory of each service process (MiB): peak RSS (VmHWM); at the end: RSS, its anonymous part, V8 heap used / total, external (Buffers)',
    columns([
      ['  process', 'pid', 'peak RSS', 'RSS', 'anonymous', 'heap used', 'heap total', 'external'],
      ...report.processes.map((p) => [
        `  ${p.label}`,
        String(p.pid),
        n1(p.peakRssMiB),
        n1(p.rssMiB),
        n1(p.anonymousMiB),
        p.heapUsedMiB === undefined ? '-' : n1(p.heapUsedMiB),
        p.heapTotalMiB === undefined ? '-' : n1(p.heapTotalMiB),
        p.externalMiB === undefined ? '-' : n1(p.externalMiB),
      ]),
    ]),
    '',
    `Ratios: sagas/s ÷ raw publish/s = ${report.ratios.sagasPerRawPublish.toFixed(4)}; sagas/s ÷ raw DB tx/s = ${report.ratios.sagasPerRawDbTransaction.toFixed(4)} (${report.ratios.basis})`,
  );
  if (report.ratios.realisticToLab !== undefined) {
    lines.push(
      `Realistic externals ÷ lab (instant) externals, closed-loop sagas/s: ${n2(report.ratios.realisticToLab)}×`,
    );
  }
  for (const sc of report.scaling ?? []) {
    lines.push(
      `Scaling, ${sc.externals} externals: ${sc.replicas.map((r, i) => `${r} replica(s) ${n1(sc.closedSagasPerSecond[i] ?? 0)} sagas/s`).join(' → ')}; ${n2(sc.speedUp)}×; ` +
        `CPU per saga ${sc.cpuMsPerSaga.map((v) => n2(v)).join(' → ')} ms (${n2(sc.cpuRatio)}×); ` +
        `open-loop saga p99 at the same rate ${sc.openSagaP99Ms.map((v) => `${ms(v)} ms`).join(' → ')} (${n2(sc.openP99Ratio)}×)`,
    );
  }
  lines.push(
    'Targets',
    columns(
      report.targets.map((t) => [
        `  ${t.name}`,
        t.target,
        `${t.unit === 'ms' ? ms(t.actual) : t.unit === 'messages' ? n0(t.actual) : n2(t.actual)} ${t.unit}`.trim(),
        t.met ? 'met' : 'NOT met',
      ]),
    ),
  );
  const totals = report.totals;
  const emails =
    totals.emailsExpected === undefined
      ? ''
      : `; e-mails ${totals.emailsReceived}/${totals.emailsExpected}` +
        (totals.emailCopies
          ? ` (and ${totals.emailCopies} ${totals.emailCopies === 1 ? 'copy' : 'copies'} with a Message-ID already received)`
          : '');
  lines.push(
    `Orders: ${totals.ordersPlaced} placed, ${totals.ordersRefused} refused (overload), ${totals.reachedFinalState} reached a final state, ${totals.neverFinal} never did, ${totals.errors} errors${emails}`,
    report.ok
      ? 'Result: OK (no order lost, no error, every e-mail sent)'
      : 'Result: FAILED (an order was lost, an error occurred or an e-mail is missing; see report.json)',
  );
  return lines.join('\n');
}

const pct = (share: number) => `${Math.round(share * 100)} %`;
