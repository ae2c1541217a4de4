import { type Envelope } from '@shopflow/events';
import { type Logger, type OutboxStats, type ServiceMetrics } from '@shopflow/observability';
import { type EventPublisher } from '../publisher';
import { planEachTime, sql, type SqlClient, type TransactionRunner } from '@shopflow/postgres';
import { type OutboxMessage } from './outbox';

interface OutboxRow {
  id: string;
  exchange: string;
  routing_key: string;
  message: Envelope;
  headers: Record<string, unknown>;
}

export interface OutboxRelayOptions {
  db: TransactionRunner & SqlClient;
  publisher: EventPublisher;
  logger: Logger;
  batchSize?: number;
  /** Fallback poll for rows left unsent (a crash, a failed publish); local commits call `dispatch()`. */
  pollIntervalMs?: number;
  /**
   * The poll leaves rows younger than this alone: they are being dispatched by the process that
   * wrote them, and claiming them too would only publish duplicates. Default 0 (claim everything).
   */
  claimAfterMs?: number;
  /**
   * How long rows published by `dispatch()` wait for the service's next transaction to delete them
   * (see takeDeletions) before the relay deletes them with a statement of its own.
   */
  deleteWithinMs?: number;
  /** Test seam: runs after a batch was published and confirmed, before its rows are deleted. */
  afterPublish?: (ids: string[]) => Promise<void>;
  /** Backlog size and oldest unsent age, measured when the metrics are scraped. */
  metrics?: ServiceMetrics;
}

// Planned at every execution, like the deletes below: the outbox's size swings.
const claimBatch = (limit: number, olderThanSeconds: number) =>
  planEachTime(sql`
    SELECT id, exchange, routing_key, message, headers FROM outbox_events
    WHERE created_at <= now() - make_interval(secs => ${olderThanSeconds}::float8)
    ORDER BY created_at
    LIMIT ${limit}::int
    FOR UPDATE SKIP LOCKED`);
/**
 * A published row has done its job and is deleted: the outbox is a queue, not an archive. Deleting
 * costs PostgreSQL far less than marking the row sent, which wrote a new version of the whole row
 * (its JSON included) and new entries in both indexes, and kept the table growing.
 * Planned at every execution: the table holds a few live rows among many dead ones until autovacuum
 * comes by, and a generic plan made when it was nearly empty (a sequential scan) went on reading
 * every page of it, dead rows included, for every delete of a few rows (docs/performance-history.md).
 */
const deleteSent = (ids: string[]) => planEachTime(sql`DELETE FROM outbox_events WHERE id = ANY(${ids}::uuid[])`);
/**
 * deleteSent as a transaction of its own that does not wait for the disk: lost in a crash, the
 * delete only has the poll publish those events again, and the consumers' inbox absorbs the copies.
 * set_config(..., true) is SET LOCAL: it lasts until this one statement's implicit transaction
 * commits, so the pooled session keeps synchronous_commit on.
 */
const deleteSentWithoutFlush = (ids: string[]) =>
  planEachTime(sql`
    WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
    DELETE FROM outbox_events USING relaxed WHERE id = ANY(${ids}::uuid[])`);
// Every row is unsent: the table holds only the backlog, so counting it all is cheap.
const MEASURE_BACKLOG = sql`
  SELECT count(*)::int AS backlog,
         COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest_age
  FROM outbox_events`;

/**
 * Gets outbox rows to the broker, two ways:
 * - `dispatch()`: the rows a local transaction has just committed are published at once and
 *   deleted with one statement: the fast path, no claiming transaction;
 * - the poll: rows left unsent (a crash, a failed publish) are claimed, published with confirms
 *   and deleted inside one transaction that holds their row locks, so replicas skip each
 *   other's rows.
 * Either way a crash between the publish and the delete leaves the row unsent, to be published again
 * (a duplicate, absorbed by the consumers' inbox; never a loss).
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly logger: Logger;
  private running?: Promise<void>;
  private stopped = false;
  private wakeUp?: () => void;
  private wakeRequested = false;
  private readonly claimAfterSeconds: number;
  /** Committed here, not yet published: the next dispatch round takes them all. */
  private readonly pending: OutboxMessage[] = [];
  private flushing?: Promise<void>;
  /** Published by dispatch(), rows still to delete: the next transaction takes them (takeDeletions). */
  private published: string[] = [];
  private deleteTimer?: NodeJS.Timeout;
  private deleting?: Promise<void>;
  private readonly deleteWithinMs: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.claimAfterSeconds = (options.claimAfterMs ?? 0) / 1000;
    this.deleteWithinMs = options.deleteWithinMs ?? 50;
    this.logger = options.logger.child({ component: 'outbox-relay' });
    options.metrics?.watchOutbox(() => this.measureBacklog());
  }

  start(): void {
    this.stopped = false;
    this.running ??= this.loop().finally(() => (this.running = undefined));
  }

  /** Polls now rather than at the next interval, e.g. once rows were written outside `dispatch()`. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /**
   * Publishes rows that were just committed, and deletes them. Runs in the background (the
   * caller's work is committed whatever happens here); a row it fails on is left to the poll.
   * Rows committed while a dispatch is under way go together in the next one: under load, one
   * publish round and one DELETE serve many transactions.
   */
  dispatch(messages: readonly OutboxMessage[]): void {
    this.pending.push(...messages);
    this.flushPending();
  }

  /** Resolves once the dispatches under way have published their events (their rows may still wait to be deleted). */
  async dispatched(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * The rows of events dispatch() has published, for the caller to delete in a transaction it is
   * about to commit anyway (EventTransactions does, with withPublishedRowsDeleted): under load the deletes
   * cost no transaction and no round trip of their own. A caller whose transaction fails gives them
   * back. Rows nobody takes within `deleteWithinMs` are deleted by the relay itself.
   */
  takeDeletions(): string[] {
    const ids = this.published;
    this.published = [];
    return ids;
  }

  giveBackDeletions(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.published.push(...ids);
    this.scheduleDeletes();
  }

  /** Finishes the batch and the dispatches in progress (so nothing is left half-done) and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await Promise.all([this.running, this.flushing]);
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
    await this.deleteLeftovers();
  }

  private flushPending(): void {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = this.publishPending().finally(() => {
      this.flushing = undefined;
      this.flushPending();
    });
  }

  private async publishPending(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.batchSize);
      const sent = await this.publishEach(batch, 'outbox dispatch failed; the poll will publish these events');
      this.giveBackDeletions(sent);
    }
  }

  private scheduleDeletes(): void {
    if (this.deleteTimer || this.published.length === 0) return;
    this.deleteTimer = setTimeout(() => {
      this.deleteTimer = undefined;
      void this.deleteLeftovers();
    }, this.deleteWithinMs);
  }

  /** Deletes, with a statement of its own, the published rows no transaction took. */
  private async deleteLeftovers(): Promise<void> {
    await this.deleting;
    const ids = this.takeDeletions();
    if (ids.length === 0) return;
    this.deleting = this.options.db
      .execute(deleteSentWithoutFlush(ids))
      .then(() => undefined)
      .catch((err: unknown) => {
        // Published but not deleted: the poll publishes them again, and the consumers' inbox absorbs the copies.
        this.logger.warn({ err, events: ids.length }, 'could not delete dispatched outbox events');
      });
    await this.deleting;
  }

  /** Publishes one batch; returns how many events it sent. */
  async publishBatch(): Promise<number> {
    return this.options.db.transaction(async (tx) => {
      const rows = await tx.query<OutboxRow>(claimBatch(this.batchSize, this.claimAfterSeconds));
      if (rows.length === 0) return 0;
      const messages = rows.map((row) => ({
        id: row.id,
        exchange: row.exchange,
        routingKey: row.routing_key,
        event: row.message,
        headers: row.headers,
      }));
      const sent = await this.publishEach(messages, 'outbox events not published; they stay unsent');
      if (sent.length === 0) return 0;
      await this.options.afterPublish?.(sent);
      await tx.execute(deleteSent(sent));
      return sent.length;
    });
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      this.wakeRequested = false;
      let published = 0;
      try {
        published = await this.publishBatch();
        failures = 0;
        if (published > 0) this.logger.debug({ published }, 'outbox batch published');
      } catch (err) {
        failures += 1;
        this.logger.error({ err, failures }, 'outbox batch failed; it stays unsent and will be retried');
      }
      if (published < this.batchSize && !this.wakeRequested && !this.stopped) {
        await this.idle(failures > 0 ? Math.min(30_000, 500 * 2 ** failures) : this.pollIntervalMs);
      }
    }
  }

  /**
   * Publishes every message, each on its own: one the broker refuses does not hold back the others.
   * Returns the ids confirmed; the rest stay unsent, for the next poll.
   */
  private async publishEach(messages: readonly OutboxMessage[], whenFailed: string): Promise<string[]> {
    const outcomes = await Promise.all(
      messages.map((message) =>
        this.options.publisher.publish(message).then(
          () => ({ id: message.id, error: undefined }),
          (error: unknown) => ({ id: message.id, error }),
        ),
      ),
    );
    const failed = outcomes.filter((outcome) => outcome.error !== undefined);
    if (failed.length > 0) {
      this.logger.warn({ err: failed[0]?.error, failed: failed.length, ids: failed.map((f) => f.id) }, whenFailed);
    }
    return outcomes.filter((outcome) => outcome.error === undefined).map((outcome) => outcome.id);
  }

  /** Unsent rows and the age of the oldest: one index-backed query, run when metrics are scraped. */
  async measureBacklog(): Promise<OutboxStats> {
    const [row] = await this.options.db.query<{ backlog: number; oldest_age: number }>(MEASURE_BACKLOG);
    return { backlog: row?.backlog ?? 0, oldestAgeSeconds: row?.oldest_age ?? 0 };
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
