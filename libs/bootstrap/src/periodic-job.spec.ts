import { createLogger } from '@shopflow/observability';
import { eventually } from '@shopflow/testing';
import { Writable } from 'node:stream';
import { JobSchedule, type PeriodicJob } from './periodic-job';

/** A logger whose lines the test reads. */
function capturedLogger() {
  const lines: { msg: string; job?: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  return { logger: createLogger({ service: 'job-test', level: 'debug', destination }), lines };
}

/** A job whose rounds the test controls: each round waits until released, or fails while `failing`. */
function controlledJob(options: { runAtStart?: boolean } = {}) {
  const state = { rounds: 0, running: 0, mostAtOnce: 0, failing: false, closed: false, closedWhileRunning: false };
  let release: () => void = () => undefined;
  let released = Promise.resolve();
  const job: PeriodicJob = {
    name: 'test job',
    intervalMs: 5,
    runAtStart: options.runAtStart,
    run: async () => {
      state.rounds += 1;
      state.running += 1;
      state.mostAtOnce = Math.max(state.mostAtOnce, state.running);
      try {
        await released;
        if (state.failing) throw new Error('the database is away');
      } finally {
        state.running -= 1;
      }
    },
    close: async () => {
      state.closed = true;
      state.closedWhileRunning = state.running > 0;
    },
  };
  const hold = () => {
    released = new Promise((resolve) => (release = resolve));
  };
  return { job, state, hold, release: () => release() };
}

describe('JobSchedule', () => {
  it('runs rounds one after another, never two at once, and stops only once the round in progress is over', async () => {
    const { logger } = capturedLogger();
    const { job, state, hold, release } = controlledJob();
    const schedule = new JobSchedule(job, logger);
    schedule.start();
    await eventually(() => state.rounds >= 3);
    hold();
    await eventually(() => state.running === 1);
    const stopped = schedule.stop();
    release();
    await stopped;
    expect(state.mostAtOnce).toBe(1);
    expect(state.closed).toBe(true);
    expect(state.closedWhileRunning).toBe(false);
    // Nothing to wait for but time: ten intervals pass without a round.
    const roundsAtStop = state.rounds;
    await new Promise((resolve) => setTimeout(resolve, 10 * job.intervalMs));
    expect(state.rounds).toBe(roundsAtStop);
  });

  it('runs the first round at start-up when the job asks, else one interval later', async () => {
    const { logger } = capturedLogger();
    const atStart = controlledJob({ runAtStart: true });
    const later = controlledJob();
    const schedules = [new JobSchedule(atStart.job, logger), new JobSchedule(later.job, logger)];
    schedules.forEach((schedule) => schedule.start());
    // Synchronously after start(): only the job that asked for it has begun a round.
    expect([atStart.state.rounds, later.state.rounds]).toEqual([1, 0]);
    await Promise.all(schedules.map((schedule) => schedule.stop()));
  });

  it('logs an outage once when it begins and once when the job works again, and keeps running rounds through it', async () => {
    const { logger, lines } = capturedLogger();
    const { job, state } = controlledJob();
    state.failing = true;
    const schedule = new JobSchedule(job, logger);
    schedule.start();
    await eventually(() => state.rounds >= 5);
    state.failing = false;
    await eventually(() => lines.some((line) => line.msg === 'background job works again'));
    await schedule.stop();
    expect(lines.map((line) => [line.msg, line.job])).toEqual([
      ['background job failed; trying again every interval', 'test job'],
      ['background job works again', 'test job'],
    ]);
  });
});
