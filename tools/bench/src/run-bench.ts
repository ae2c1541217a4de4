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
import { type BenchReport, type PhaseReport, type ProcessReport } from './report/report-model';
import { CpuWindow, type WatchedProcess } from './system/cpu-window';
import { type DatabaseActivity } from './system/database-activity';
import { deployedNodeMajor, runsDeployedNode } from './system/deployed-node';
import { benchSettings, LocalSystem } from './system/local-system';
import { heapFigures } from './system/heap-metrics';
import { sampleMachineLoad } from './system/machine-load';
import { sampleProcess, serviceOfProcess } from './system/process-stats';

/** How often the tracker looks again at an order that was not final yet. */
const POLL_INTERVAL_MS = 25;
/** The targets, reported against the current figures. */
const TARGETS = { sagasPerSecond: 300, p99AtHalfRateMs: 250, rssPerServiceMiB: 150 };

/**
 * One benchmark run: the raw ceilings first (nothing else running), then the system, then for each
 * replica count a closed loop and an open loop, each followed until every order it placed is final.
 */
export async function runBench(options: BenchOptions, log: (line: string) => void): Promise<BenchReport> {
  const started = Date.now();
  fs.mkdirSync(options.outDir, { recursive: true });
  const logDir = path.join(WORKSPACE, 'tmp/bench-logs', path.basename(options.outDir));
  const profileDir = path.join(options.outDir, 'profiles');

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
  let emails: { expected: number; received: number } | undefined;
  let system: LocalSystem | undefined;
  let api: ShopApi | undefined;
  let tracker: OrderTracker | undefined;
  let orderOutcomes: OrderOutcomes | undefined;
  let rate = options.rate;
  let activity: Record<string, DatabaseActivity> | undefined;
  try {
    if (options.target) {
      api = new ShopApi(options.target.orderUrls, options.target.inventoryUrl);
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

    for (const [index, replicas] of options.replicas.entries()) {
      if (system && index > 0) {
        log(`scaling every service to ${replicas} replicas`);
        await system.scaleTo(replicas);
        api.useOrderUrls(system.replicas('order-service').map((p) => p.url));
      }
      const suffix = options.target ? 'target' : `${replicas} replica${replicas > 1 ? 's' : ''}`;
      const windowMs = options.phaseSeconds * 1000;

      const closedName = `closed loop, ${suffix}`;
      log(
        `${closedName}: ${options.concurrency} customers, ${options.warmupSeconds} s warm-up + ${options.phaseSeconds} s measured`,
      );
      const closedCpu = new CpuWindow(watched());
      const closed = await closedLoop(ctx, {
        concurrency: options.concurrency,
        leadInMs: options.warmupSeconds * 1000,
        windowMs,
        onWindow: (edge) => closedCpu.mark(edge),
      });
      const closedPhase = record(
        {
          name: closedName,
          mode: 'closed',
          replicas,
          concurrency: options.concurrency,
          leadInSeconds: options.warmupSeconds,
        },
        closed,
        closedCpu,
      );
      log(summary(closedPhase));
      // Same arrival rate for every replica count, so the scaling run compares like with like.
      rate ??= Math.max(1, Math.round(closedPhase.sagasPerSecond / 2));

      const openName = `open loop, ${suffix}`;
      const leadIn = Math.min(options.warmupSeconds, 3);
      log(`${openName}: ${rate} orders/s, ${leadIn} s lead-in + ${options.phaseSeconds} s measured`);
      const openCpu = new CpuWindow(watched());
      const open = await openLoop(ctx, {
        rate,
        leadInMs: leadIn * 1000,
        windowMs,
        onWindow: (edge) => openCpu.mark(edge),
      });
      log(summary(record({ name: openName, mode: 'open', replicas, rate, leadInSeconds: leadIn }, open, openCpu)));
      system?.assertAlive();
    }

    if (system) {
      // Every order's "received" e-mail and its "confirmed"/"cancelled" e-mail: wait briefly for the last ones.
      const expected = 2 * outcomes.filter((o) => o.final).length;
      const deadline = Date.now() + 15_000;
      while (system.mail.count < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      emails = { expected, received: system.mail.count };
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

  function record(shape: Parameters<typeof phaseMetrics>[0], run: LoopRun, cpu: CpuWindow): PhaseReport {
    outcomes.push(...run.outcomes);
    // Lead-in orders count too: an order lost while warming up is lost all the same.
    for (const detail of new Set(run.outcomes.flatMap((o) => (o.error ? [o.error.detail] : []))))
      log(`  error: ${detail}`);
    const phase = phaseMetrics(shape, run, cpu.result());
    phases.push(phase);
    return phase;
  }

  const peakRssMiBByService: Record<string, number> = {};
  for (const p of processes)
    peakRssMiBByService[p.service] = Math.max(peakRssMiBByService[p.service] ?? 0, p.peakRssMiB);
  const closedPhases = phases.filter((p) => p.mode === 'closed');
  const openPhases = phases.filter((p) => p.mode === 'open');
  const firstClosed = must(closedPhases[0], 'closed-loop phase');
  const firstOpen = must(openPhases[0], 'open-loop phase');
  const failed = outcomes.filter((o) => o.error);
  const neverFinal = outcomes.filter((o) => o.error?.kind === 'never-final').length;
  const maxRss = Math.max(0, ...Object.values(peakRssMiBByService));
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
      sagasPerRawPublish: firstClosed.sagasPerSecond / broker.publishPerSecond,
      sagasPerRawDbTransaction: firstClosed.sagasPerSecond / database.insertTransactionsPerSecond,
      basis: `${firstClosed.name} sagas/s`,
    },
    ...(closedPhases.length > 1 && {
      scaling: {
        replicas: closedPhases.map((p) => p.replicas),
        closedSagasPerSecond: closedPhases.map((p) => p.sagasPerSecond),
        speedUp: must(closedPhases.at(-1), 'closed-loop phase').sagasPerSecond / firstClosed.sagasPerSecond,
        openSagaP99Ms: openPhases.map((p) => p.sagaLatencyMs.p99),
      },
    }),
    totals: {
      ordersPlaced: outcomes.filter((o) => o.error?.kind !== 'http').length,
      reachedFinalState: outcomes.filter((o) => o.final).length,
      neverFinal,
      errors: failed.length,
      errorExamples: [...new Set(failed.map((o) => `${o.error?.kind}: ${o.error?.detail}`))].slice(0, 10),
      ...(emails && { emailsExpected: emails.expected, emailsReceived: emails.received }),
      trackerFailedPolls: tracker?.failedPolls ?? 0,
    },
    ...(activity && { databasePerSaga: perSaga(activity, outcomes.filter((o) => o.final).length) }),
    targets: {
      sagasPerSecond: {
        target: TARGETS.sagasPerSecond,
        actual: firstClosed.sagasPerSecond,
        met: firstClosed.sagasPerSecond >= TARGETS.sagasPerSecond,
      },
      p99AtHalfRateMs: {
        target: TARGETS.p99AtHalfRateMs,
        actual: firstOpen.sagaLatencyMs.p99,
        rate: firstOpen.rate ?? 0,
        met: firstOpen.sagaLatencyMs.p99 < TARGETS.p99AtHalfRateMs,
      },
      rssPerServiceMiB: { target: TARGETS.rssPerServiceMiB, actual: maxRss, met: maxRss <= TARGETS.rssPerServiceMiB },
    },
    ok: outcomes.length > 0 && failed.length === 0,
    ...(profiles.length > 0 && { profiles }),
    files: {
      json: path.join(options.outDir, 'report.json'),
      table: path.join(options.outDir, 'report.txt'),
      chart: path.join(options.outDir, 'chart.svg'),
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
