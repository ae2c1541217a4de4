import { type PoolClient, type QueryResult } from 'pg';
import { type Writable } from 'node:stream';
import { type Sql } from 'sql-template-tag';
import { prepared } from './prepared-statements';
import { type PipelinedTransaction as Pipelined } from './sql-client';

type Outcome = { result: QueryResult } | { error: unknown };

const sentStatementNumbers = new WeakMap<object, number>();

/**
 * For an error a transaction reported for a statement sent with `sendWithoutWaiting`, that
 * statement's number: it was the `issued + 1`th of its transaction. Undefined for any other error.
 */
export function failedStatementNumber(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? sentStatementNumbers.get(error) : undefined;
}

/**
 * One transaction on a connection in pipeline mode (see PipelinedTransaction in sql-client.ts). Answers come back in the
 * order the statements were sent, so once a statement is answered, every statement sent before it
 * is too: a failed `sendWithoutWaiting` is reported by the next statement the caller waits for.
 */
export class PipelineModeTransaction implements Pipelined {
  /** Settles once every statement sent so far has; never rejects. */
  private sent: Promise<void> = Promise.resolve();
  /** Statements are numbered in the order they were sent. */
  private sequence = 0;
  /** The first failure of a sent statement not yet reported to the caller. */
  private failure?: { error: unknown; sequence: number };

  constructor(private readonly connection: PoolClient) {}

  get issued(): number {
    return this.sequence;
  }

  async query<Row>(statement: Sql): Promise<Row[]> {
    return (await this.answer(statement)).rows as Row[];
  }

  async execute(statement: Sql): Promise<number> {
    return (await this.answer(statement)).rowCount ?? 0;
  }

  sendWithoutWaiting(statement: Sql | string): void {
    const sequence = ++this.sequence;
    const settled = this.submit(statement).then(
      () => undefined,
      (error: unknown) => {
        if (typeof error === 'object' && error !== null) sentStatementNumbers.set(error, sequence);
        this.failure ??= { error, sequence };
      },
    );
    this.sent = Promise.all([this.sent, settled]).then(() => undefined);
  }

  async flush(): Promise<void> {
    await this.sent;
    this.reportFailureBefore(Infinity);
  }

  /** Sends BEGIN: the work's first statements follow it in the same write. */
  begin(): void {
    this.sendWithoutWaiting('BEGIN');
  }

  /**
   * COMMIT, right behind the last statements sent. A transaction in which a statement failed is
   * rolled back by PostgreSQL's COMMIT (it answers ROLLBACK): that is reported as a failure too.
   */
  async commit(): Promise<void> {
    const committed = settle(this.submit('COMMIT'));
    await this.flush();
    const outcome = await committed;
    if ('error' in outcome) throw outcome.error;
    if (outcome.result.command !== 'COMMIT') throw new Error('PostgreSQL rolled the transaction back');
  }

  async rollback(): Promise<void> {
    await this.connection.query('ROLLBACK');
  }

  private async answer(statement: Sql): Promise<QueryResult> {
    const sequence = ++this.sequence;
    const sentBefore = this.sent;
    const answered = settle(this.submit(statement));
    await sentBefore;
    // A statement after a failed one fails with "current transaction is aborted": report the cause.
    this.reportFailureBefore(sequence);
    const outcome = await answered;
    if ('error' in outcome) throw outcome.error;
    return outcome.result;
  }

  /** Throws (once) the failure of a statement sent before statement number `sequence`. */
  private reportFailureBefore(sequence: number): void {
    const failure = this.failure;
    if (!failure || failure.sequence >= sequence) return;
    this.failure = undefined;
    throw failure.error;
  }

  private submit(statement: Sql | string): Promise<QueryResult> {
    corkUntilNextTick(this.connection);
    return this.connection.query(typeof statement === 'string' ? statement : prepared(statement));
  }
}

function settle(query: Promise<QueryResult>): Promise<Outcome> {
  return query.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
}

/**
 * Holds the connection's socket writes until the current turn of the event loop ends, so that the
 * statements issued in it (each several protocol messages) leave in one system call: on a busy
 * machine a write to a local socket costs more than the statement's own work.
 */
function corkUntilNextTick(connection: PoolClient): void {
  // pg keeps the socket on its internal `connection`; without it the writes simply go one by one.
  const socket = (connection as unknown as { connection?: { stream?: Partial<Writable> } }).connection?.stream;
  if (!isCorkable(socket)) {
    warnOnce('node-postgres keeps its socket elsewhere: statements are written one by one (see corkUntilNextTick)');
    return;
  }
  if (socket.writableCorked > 0) return;
  socket.cork();
  process.nextTick(() => socket.uncork());
}

function isCorkable(socket: Partial<Writable> | undefined): socket is Writable {
  return typeof socket?.cork === 'function' && typeof socket.uncork === 'function';
}

let warned = false;

/** Node's warning channel (stderr by default): this library has no logger, and it must not fail a statement for it. */
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  process.emitWarning(message, 'ShopflowPerformanceWarning');
}
