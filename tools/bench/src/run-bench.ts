import { checkInfrastructure } from '@shopflow/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closedLoop, openLoop, type LoadContext, type LoopRun } from './load/load-loops';
import { OrderMix, prepareCatalog } from './load/order-mix';
import { OrderOutcomes } from './load/order-outcomes';
import { OrderTracker } from './load/order-tracker';
import { type OrderOutcome } from './load/saga-client';
import { ShopApi } from './load/shop-api';
import { must } from './must';
import { WORKSPACE, type BenchOptions } from './options';
import { summariseProfile } from './profile/cpu-profile';
import { measureBroker } from './raw/broker-ceiling';
import { measureDatabase } from './raw/database-ceiling';
import { phaseMetrics } from './report/phase-metrics';
import { appendTimelines } from './report/timelines';
import { type BenchReport, type PhaseReport, type ProcessReport } from './report/report-model';
import { CpuWindow, type WatchedProcess } from './system/cpu-window';
import { type DatabaseActivity } from './system/database-activity';
import { deployedNodeMajor, runsDeployedNode } from './system/deployed-node';
import { benchSettings, LocalSystem } from './system/local-system';
import { checkBuiltServices } from './system/built-services';
import { heapFigures } from './system/heap-metrics';
import { sampleMachineLoad } from './system/machine-load';
import { sampleProcess, serviceOfProcess } from './system/process-stats';
import { littlesLawConcurrency } from './system/externals';
import { checkRunningTarget } from './system/running-target';
import { watchQueueDepth } from './system/queue-depth';

/** How often the tracker looks again at an order that was not final yet. */
const POLL_INTERVAL_MS = 25;

/**
 * One benchmark run: the raw ceilings first (nothing else running), then the system, then for each
 * replica count a closed loop and an open loop, each followed until every order it placed is final.
 */
export async function runBench(options: BenchOptions, log: (line: string) => void): Promise<BenchReport> {
  const started = Date.now();
  fs.mkdirSync(options.outDir, { recursive: true });
  const logDir = path.join(WORKSPACE, 'tmp/bench-logs', path.basename(options.outDir));
  const profileDir = path.join(options.outDir, 'profiles');
  // Appended phase by phase: a folder used before must not keep an earlier run's lines.
  const timelinesFile = path.join(options.outDir, 'timelines.jsonl');
  fs.rmSync(timelinesFile, { force: true });

  // What the bench needs of the machine, checked before anything starts: one clear line if it is missing.
  await checkInfrastructure();
  if (options.target) await checkRunningTarget(options.target);
  else checkBuiltServices(options.servicesRoot);
  const background = await sampleMachineLoad();
  log(
    `machine before the run: ${Math.round(background.busyShare * 100)} % busy, load average ${background.loadAverage1m.toFixed(2)}`,
  );
  if (background.busyShare > 0.2)
    log('warning: the machine is already busy; every figure below is lower than on an idle machine');
  const deployedNode = deployedNodeMajor(options.servicesRoot, 'order-service');
  if (!runsDeployedNode(process.version, deployedNode))
    log(`warning: the services run on Node ${process.version} (this bench's), their images on Node ${deployedNode}`);
  log(`raw ceilings (${options.ceilingSeconds} s each): RabbitMQ publish/consume, PostgreSQL inserts`);
  const broker = await measureBroker(options.ceilingSeconds);
  const database = await measureDatabase(options.ceilingSeconds);

  const phases: PhaseReport[] = [];
  const outcomes: OrderOutcome[] = [];
  const processes: ProcessReport[] = [];
  let emails: { expected: number; received: number; copies: number } | undefined;
  let system: LocalSystem | undefined;
  let api: ShopApi | undefined;
  let tracker: OrderTracker | undefined;
  let orderOutcomes: OrderOutcomes | undefined;
  let activity: Record<string, DatabaseActivity> | undefined;
  try {
    if (options.target) {
      api = new ShopApi(options.target.orderUrls, options.target.inventoryUrl, options.target.identityUrl);
    } else {
      log(`starting the services (logs in ${path.relative(WORKSPACE, logDir)})`);
      system = await LocalSystem.create({
        servicesRoot: options.servicesRoot,
        logDir,
        logLevel: options.logLevel,
        serviceEnv: options.serviceEnv,
        ...(options.profile.length > 0 && { cpuProfile: { services: options.profile, dir: profileDir } }),
      });
      await system.scaleTo(options.replicas[0] ?? 1);
      api = new ShopApi(
        system.replicas('order-service').map((p) => p.url),
        must(system.replicas('inventory-service')[0], 'inventory-service process').url,
        system.identity.url,
      );
    }
    await prepareCatalog(api);
    // Our own services: their broker tells when an order is final. Running services (--target): polls.
    orderOutcomes = system ? await OrderOutcomes.listen(system.vhost.url) : undefined;
    tracker = new OrderTracker(api, {
      pollIntervalMs: POLL_INTERVAL_MS,
      deadlineMs: options.finalDeadlineMs,
      outcomes: orderOutcomes,
    });
    const ctx: LoadContext = { api, tracker, mix: new OrderMix(options.mix) };
    const watched = (): WatchedProcess[] =>
      system
        ? system.all.map((p) => ({ service: p.service, pid: p.pid }))
        : (options.target?.pids ?? []).map((pid) => ({ service: serviceOfProcess(pid), pid }));

    // The closed loops offer every replica the same load: customers in proportion to the replica
    // count. With the same customers spread over twice the replicas each replica would see half the
    // load, hence half-size group-commit batches and more CPU per saga (docs/performance.md); that
    // measures how the work is split, not whether replicas add capacity. The realistic loop's
    // customers come from the lab loop of the same replica count (Little's law).
    const rateOf: Partial<Record<string, number>> = {};
    const scale = (replicas: number) => replicas / (options.replicas[0] ?? 1);
    let labClosed: PhaseReport | undefined;
    const profiles = options.externals.length > 0 ? options.externals : [undefined];
    for (const [index, replicas] of options.replicas.entries()) {
      if (system && index > 0) {
        log(`scaling every service to ${replicas} replicas`);
        await system.scaleTo(replicas);
        api.useOrderUrls(system.replicas('order-service').map((p) => p.url));
      }
      for (const externals of profiles) {
        const profile = externals?.name ?? 'target';
        if (externals) await system?.useExternals(externals);
        const suffix = options.target
          ? 'target'
          : `${replicas} replica${replicas > 1 ? 's' : ''}, ${profile} externals`;
        const windowMs = options.phaseSeconds * 1000;
        const concurrency =
          externals?.name !== 'realistic'
            ? Math.round(options.concurrency * scale(replicas))
            : options.realisticConcurrency !== undefined
              ? Math.round(options.realisticConcurrency * scale(replicas))
              : labClosed
                ? littlesLawConcurrency(labClosed.sagasPerSecond, labClosed.sagaLatencyMs.mean, externals)
                : Math.round(options.concurrency * 4 * scale(replicas));

        const closedName = `closed loop, ${suffix}`;
        log(
          `${closedName}: ${concurrency} customers, ${options.warmupSeconds} s warm-up + ${options.phaseSeconds} s measured`,
        );
        const closedCpu = new CpuWindow(watched());
        const watch = await sideWatch();
        const closed = await closedLoop(ctx, {
          concurrency,
          leadInMs: options.warmupSeconds * 1000,
          windowMs,
          onWindow: (edge) => {
            closedCpu.mark(edge);
            watch.mark(edge);
          },
        });
        const closedPhase = record(
          {
            name: closedName,
            mode: 'closed',
            replicas,
            externals: profile as PhaseReport['externals'],
            concurrency,
            leadInSeconds: options.warmupSeconds,
          },
          closed,
          closedCpu,
          await watch.result(),
        );
        log(summary(closedPhase));
        if (externals?.name === 'lab') labClosed = closedPhase;
        // Same arrival rate for every replica count, so the scaling run compares like with like.
        const rate = (rateOf[profile] ??= options.rate ?? Math.max(1, Math.round(closedPhase.sagasPerSecond / 2)));

        const openName = `open loop, ${suffix}`;
        const leadIn = Math.min(options.warmupSeconds, 3);
        log(`${openName}: ${rate} orders/s, ${leadIn} s lead-in + ${options.phaseSeconds} s measured`);
        await runOpen(openName, { replicas, profile, rate, leadIn, windowMs });

        if (index === 0 && externals?.name === 'realistic' && options.overloadFactor > 0) {
          const offered = Math.max(1, Math.round(closedPhase.sagasPerSecond * options.overloadFactor));
          const overloadName = `overload, ${suffix}`;
          log(`${overloadName}: ${offered} orders/s (${options.overloadFactor} × the closed loop's sagas/s)`);
          await runOpen(overloadName, { replicas, profile, rate: offered, leadIn, windowMs, overload: true });
        }
        system?.assertAlive();
      }
    }

    async function runOpen(
      name: string,
      o: { replicas: number; profile: string; rate: number; leadIn: number; windowMs: number; overload?: boolean },
    ): Promise<void> {
      const cpu = new CpuWindow(watched());
      const watch = await sideWatch();
      const run = await openLoop(ctx, {
        rate: o.rate,
        leadInMs: o.leadIn * 1000,
        windowMs: o.windowMs,
        onWindow: (edge) => {
          cpu.mark(edge);
          watch.mark(edge);
        },
      });
      const shape = {
        name,
        mode: 'open' as const,
        replicas: o.replicas,
        externals: o.profile as PhaseReport['externals'],
        rate: o.rate,
        leadInSeconds: o.leadIn,
        ...(o.overload && { overload: true }),
      };
      log(summary(record(shape, run, cpu, await watch.result())));
    }

    /** E-mails sent and notification-service's queue depth over a phase's window (own services only). */
    async function sideWatch() {
      if (!system) return { mark: () => undefined, result: async () => undefined };
      const mail = system.mail;
      const depth = await watchQueueDepth(system.vhost.url, 'notification-service.events');
      const edges: { start?: { at: number; count: number }; end?: { at: number; count: number } } = {};
      return {
        mark: (edge: 'start' | 'end') => (edges[edge] = { at: Date.now(), count: mail.distinct }),
        result: async () => {
          const queue = await depth.stop();
          const { start, end } = edges;
          const emailsPerSecond = start && end ? (end.count - start.count) / ((end.at - start.at) / 1000) : undefined;
          return { notificationQueue: queue, ...(emailsPerSecond !== undefined && { emailsPerSecond }) };
        },
      };
    }

    if (system) {
      // Every order's "received" e-mail and its "confirmed"/"cancelled" e-mail: wait briefly for the last ones.
      const expected = 2 * outcomes.filter((o) => o.final).length;
      const deadline = Date.now() + 15_000;
      // Counted by Message-ID: a copy the at-least-once sender made after a doubt is not a missing e-mail.
      while (system.mail.distinct < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      emails = { expected, received: system.mail.distinct, copies: system.mail.count - system.mail.distinct };
    }
    const measured = system
      ? system.all.map(({ label, service, replica, pid, url }) => ({ label, service, replica, pid, url }))
      : watched().map((w, i) => ({
          label: `${w.service} (pid ${w.pid})`,
          service: w.service,
          replica: i + 1,
          pid: w.pid,
          url: undefined,
        }));
    for (const { label, service, replica, pid, url } of measured) {
      const sample = sampleProcess(pid);
      const heap = url ? await heapFigures(url) : undefined;
      if (!sample) continue;
      const { peakRssMiB, rssMiB, anonymousMiB, cpuSeconds } = sample;
      processes.push({ label, service, replica, pid, peakRssMiB, rssMiB, anonymousMiB, cpuSeconds, ...heap });
    }
  } finally {
    api?.close();
    await orderOutcomes?.close().catch(() => undefined);
    if (system) {
      log('stopping the services, dropping the vhost and databases');
      await system.stop();
      activity = await system.databaseActivity().catch(() => undefined);
      await system.close();
    }
  }

  function record(
    shape: Parameters<typeof phaseMetrics>[0],
    run: LoopRun,
    cpu: CpuWindow,
    side?: Pick<PhaseReport, 'emailsPerSecond' | 'notificationQueue'>,
  ): PhaseReport {
    outcomes.push(...run.outcomes);
    appendTimelines(timelinesFile, shape.name, run);
    // Lead-in orders count too: an order lost while warming up is lost all the same.
    for (const detail of new Set(run.outcomes.flatMap((o) => (o.error ? [o.error.detail] : []))))
      log(`  error: ${detail}`);
    const phase = { ...phaseMetrics(shape, run, cpu.result()), ...side };
    phases.push(phase);
    return phase;
  }

  const peakRssMiBByService: Record<string, number> = {};
  for (const p of processes)
    peakRssMiBByService[p.service] = Math.max(peakRssMiBByService[p.service] ?? 0, p.peakRssMiB);
  const failed = outcomes.filter((o) => o.error);
  const neverFinal = outcomes.filter((o) => o.error?.kind === 'never-final').length;
  const maxRss = Math.max(0, ...Object.values(peakRssMiBByService));
  const headline = headlinePhases(phases, options);
  const targets = judgeTargets(phases, options, maxRss);
  const emailsOk = !emails || emails.received === emails.expected;
  const profiles = options.profile.flatMap((service) => profileOf(profileDir, service) ?? []);

  return {
    tool: '@shopflow/bench',
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    quick: options.quick,
    mode: options.target ? 'target' : 'local',
    startedAt: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      deployedNode,
      platform: `${os.type()} ${os.release()}`,
      backgroundBusyShare: background.busyShare,
      loadAverageAtStart: background.loadAverage1m,
    },
    settings: {
      concurrency: options.concurrency,
      rate: options.rate ?? 'half of closed-loop sagas/s',
      warmupSeconds: options.warmupSeconds,
      phaseSeconds: options.phaseSeconds,
      replicas: options.replicas,
      mix: { confirm: 1 - options.mix.declined - options.mix.outOfStock, ...options.mix },
      serviceEnv: options.target ? {} : benchSettings(options),
      pollIntervalMs: POLL_INTERVAL_MS,
    },
    ceilings: { broker, database },
    phases,
    processes,
    peakRssMiBByService,
    ratios: {
      sagasPerRawPublish: headline.closed.sagasPerSecond / broker.publishPerSecond,
      sagasPerRawDbTransaction: headline.closed.sagasPerSecond / database.insertTransactionsPerSecond,
      basis: `${headline.closed.name} sagas/s`,
      ...(headline.lab &&
        headline.realistic && {
          realisticToLab: headline.realistic.sagasPerSecond / headline.lab.sagasPerSecond,
        }),
    },
    scaling: scalingOf(phases),
    totals: {
      ordersPlaced: outcomes.filter((o) => o.error?.kind !== 'http' && !o.refused).length,
      ordersRefused: outcomes.filter((o) => o.refused).length,
      reachedFinalState: outcomes.filter((o) => o.final).length,
      neverFinal,
      errors: failed.length,
      errorExamples: [...new Set(failed.map((o) => `${o.error?.kind}: ${o.error?.detail}`))].slice(0, 10),
      ...(emails && { emailsExpected: emails.expected, emailsReceived: emails.received, emailCopies: emails.copies }),
      trackerFailedPolls: tracker?.failedPolls ?? 0,
    },
    ...(activity && { databasePerSaga: perSaga(activity, outcomes.filter((o) => o.final).length) }),
    targets,
    // Nothing lost, nothing failed, every e-mail sent: refusals under overload are not failures.
    ok: outcomes.length > 0 && failed.length === 0 && emailsOk,
    ...(profiles.length > 0 && { profiles }),
    files: {
      json: path.join(options.outDir, 'report.json'),
      table: path.join(options.outDir, 'report.txt'),
      chart: path.join(options.outDir, 'chart.svg'),
      timelines: timelinesFile,
      ...(system && { logs: logDir }),
    },
  };
}

function profileOf(dir: string, service: string): NonNullable<BenchReport['profiles']>[number] | undefined {
  const files = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => f.startsWith(service) && f.endsWith('.cpuprofile'))
    : [];
  const [first] = files.sort();
  if (!first) return undefined;
  const file = path.join(dir, first);
  const summary = summariseProfile(file, 30);
  return {
    service,
    file,
    busySeconds: summary.busyMs / 1000,
    areas: summary.areas.map((a) => ({ name: a.name, selfMs: a.selfMs, share: a.share })),
    top: summary.functions.map((f) => ({ function: f.name, location: f.location, selfMs: f.selfMs, share: f.share })),
  };
}

function summary(p: PhaseReport): string {
  const s = p.sagaLatencyMs;
  return (
    `  ${p.sagasPerSecond.toFixed(1)} sagas/s, ${p.postsPerSecond.toFixed(1)} POST/s; saga p50 ${s.p50} p95 ${s.p95} p99 ${s.p99} max ${s.max} ms; ` +
    `${p.placed} placed, ${p.errors.http + p.errors.wrongOutcome + p.errors.neverFinal} errors`
  );
}

/** A service database's whole-run counts divided by the sagas completed (warm-ups included, like the counts). */
function perSaga(
  activity: Record<string, DatabaseActivity>,
  sagas: number,
): NonNullable<BenchReport['databasePerSaga']> {
  const divide = (value: number) => (sagas > 0 ? value / sagas : 0);
  return Object.fromEntries(
    Object.entries(activity).map(([service, a]) => [
      service,
      {
        transactions: divide(a.transactions),
        rowsInserted: divide(a.rowsInserted),
        rowsUpdated: divide(a.rowsUpdated),
        rowsDeleted: divide(a.rowsDeleted),
      },
    ]),
  );
}

/** The closed loops the summary leads with: 1 replica, realistic externals first, and the lab one beside it. */
function headlinePhases(phases: PhaseReport[], options: BenchOptions) {
  const first = options.replicas[0] ?? 1;
  const closed = (externals: string) =>
    phases.find((p) => p.mode === 'closed' && !p.overload && p.replicas === first && p.externals === externals);
  const realistic = closed('realistic');
  const lab = closed('lab');
  return { realistic, lab, closed: must(realistic ?? lab ?? closed('target'), 'closed-loop phase') };
}

/** Per externals profile, closed and open loop of each replica count against the first one. */
function scalingOf(phases: PhaseReport[]): BenchReport['scaling'] {
  const profiles = [...new Set(phases.map((p) => p.externals))];
  const rows = profiles.flatMap((externals) => {
    const closed = phases.filter((p) => p.mode === 'closed' && p.externals === externals);
    const open = phases.filter((p) => p.mode === 'open' && !p.overload && p.externals === externals);
    const [first] = closed;
    if (!first || closed.length < 2) return [];
    const cpuPerSaga = (p: PhaseReport) =>
      p.cpu ? p.cpu.totalServicesPer1000Sagas + p.cpu.brokerPer1000Sagas + p.cpu.postgresPer1000Sagas : NaN;
    return [
      {
        externals,
        replicas: closed.map((p) => p.replicas),
        closedSagasPerSecond: closed.map((p) => p.sagasPerSecond),
        speedUp: must(closed.at(-1), 'closed loop').sagasPerSecond / first.sagasPerSecond,
        cpuMsPerSaga: closed.map(cpuPerSaga),
        cpuRatio: cpuPerSaga(must(closed.at(-1), 'closed loop')) / cpuPerSaga(first),
        openSagaP99Ms: open.map((p) => p.sagaLatencyMs.p99),
        openP99Ratio: (open.at(-1)?.sagaLatencyMs.p99 ?? NaN) / (open[0]?.sagaLatencyMs.p99 ?? NaN),
      },
    ];
  });
  return rows.length > 0 ? rows : undefined;
}

/** The targets of the issue "Fast against real payment gateways and mail relays", against this run. */
function judgeTargets(phases: PhaseReport[], options: BenchOptions, maxRss: number): BenchReport['targets'] {
  const targets: BenchReport['targets'] = [];
  const add = (name: string, target: string, actual: number | undefined, met: boolean | undefined, unit = '') => {
    if (actual === undefined || met === undefined || !Number.isFinite(actual)) return;
    targets.push({ name, target, actual, unit, met });
  };
  const { realistic, lab } = headlinePhases(phases, options);
  const first = options.replicas[0] ?? 1;
  const realisticOpen = phases.find(
    (p) => p.mode === 'open' && !p.overload && p.replicas === first && p.externals === 'realistic',
  );
  const gatewayP99 = options.externals.find((e) => e.name === 'realistic')?.gateway.p99Ms ?? 0;
  if (realistic && lab) {
    const ratio = realistic.sagasPerSecond / lab.sagasPerSecond;
    add('realistic ÷ lab closed-loop sagas/s', '≥ 0.8', ratio, ratio >= 0.8, '×');
  }
  if (realisticOpen) {
    const p99 = realisticOpen.sagaLatencyMs.p99;
    add(
      `saga p99 at ${realisticOpen.rate}/s, realistic`,
      `≤ ${gatewayP99 + 250} ms`,
      p99,
      p99 <= gatewayP99 + 250,
      'ms',
    );
  }
  if (realistic?.emailsPerSecond !== undefined) {
    const ratio = realistic.emailsPerSecond / Math.max(realistic.sagasPerSecond, 1e-9);
    // Two e-mails per saga; those of the sagas finishing at the window's edges fall outside it.
    add('e-mails/s ÷ sagas/s, realistic closed loop', '≥ 2 (± 5 %)', ratio, ratio >= 1.9, '×');
  }
  if (realistic?.notificationQueue) {
    const { start, end, max } = realistic.notificationQueue;
    // Not growing through the run: what is left at the end is at most what one replica has in hand.
    add(`notification queue at the end (start ${start}, max ${max}), realistic`, '≤ 200', end, end <= 200, 'messages');
  }
  const scaling = scalingOf(phases)?.find((s) => s.externals === 'realistic') ?? scalingOf(phases)?.[0];
  if (scaling) {
    add(
      `${scaling.replicas.at(-1)} ÷ ${scaling.replicas[0]} replicas closed-loop sagas/s, ${scaling.externals}`,
      '≥ 0.85',
      scaling.speedUp,
      scaling.speedUp >= 0.85,
      '×',
    );
    add(
      `CPU per saga, ${scaling.replicas.at(-1)} ÷ ${scaling.replicas[0]} replicas`,
      '≤ 1.15',
      scaling.cpuRatio,
      scaling.cpuRatio <= 1.15,
      '×',
    );
    add(
      `open-loop saga p99, ${scaling.replicas.at(-1)} ÷ ${scaling.replicas[0]} replicas`,
      '≤ 2',
      scaling.openP99Ratio,
      scaling.openP99Ratio <= 2,
      '×',
    );
  }
  const overload = phases.find((p) => p.overload);
  if (overload && realistic) {
    const share = overload.sagasPerSecond / realistic.sagasPerSecond;
    add('overload: completed sagas/s ÷ capacity', '≥ 0.8', share, share >= 0.8, '×');
    add(
      'overload: saga p99 of accepted orders',
      '≤ 1000 ms',
      overload.sagaLatencyMs.p99,
      overload.sagaLatencyMs.p99 <= 1000,
      'ms',
    );
    add(
      'overload: orders refused with Retry-After, per s',
      '> 0',
      overload.refused.perSecond,
      overload.refused.count > 0,
      '/s',
    );
  }
  add('peak RSS per service', '≤ 150 MiB', maxRss, maxRss <= 150, 'MiB');
  return targets;
}
