import { type Logger } from '@shopflow/observability';

/**
 * Background work a service does every interval, on every replica (a sweeper, a monitor): the one
 * shape every job has. The job says what a round does; `JobSchedule` owns the timer, so no job
 * writes its own loop, overlap guard, shutdown or error handling.
 */
export interface PeriodicJob {
  /** Names the job in logs and in the shutdown steps. */
  readonly name: string;
  readonly intervalMs: number;
  /** Runs a first round at start-up rather than one interval after it. */
  readonly runAtStart?: boolean;
  /** One round. A failure is logged and the next interval tries again; rounds never overlap. */
  run(): Promise<void>;
  /** Releases what the job holds (its own connection, say), once its last round is over. */
  close?(): Promise<void>;
}

/**
 * Runs a job's rounds one after another, an interval apart (from the end of one round to the start
 * of the next, so a slow round never piles up behind itself). A failing job is logged once when it
 * starts failing and once when it works again, not at every interval of an outage.
 */
export class JobSchedule {
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = true;
  private failing = false;

  constructor(
    private readonly job: PeriodicJob,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.job.runAtStart) this.runRound();
    else this.scheduleNext();
  }

  /** Lets a round in progress finish, then releases the job's resources. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    await this.job.close?.();
  }

  private scheduleNext(): void {
    if (!this.stopped) this.timer = setTimeout(() => this.runRound(), this.job.intervalMs);
  }

  private runRound(): void {
    this.round = this.job
      .run()
      .then(
        () => {
          if (this.failing) this.logger.info({ job: this.job.name }, 'background job works again');
          this.failing = false;
        },
        (err: unknown) => {
          if (!this.failing) {
            this.logger.error({ err, job: this.job.name }, 'background job failed; trying again every interval');
          }
          this.failing = true;
        },
      )
      .finally(() => {
        this.round = undefined;
        this.scheduleNext();
      });
  }
}
