export type DeadLetterErrorCode =
  /** The service has no dead-letter queue or retry exchange on this vhost. */
  | 'not-found'
  /** The dead letter may not go where its headers say: another service's queue, or nowhere known. */
  | 'refused'
  /** The retry exchange routed the redrive to no queue: the consumer queue is gone or unbound. */
  | 'unroutable'
  /** The broker did not take the redriven copy (a nack, or the channel closed first). */
  | 'not-confirmed';

/**
 * A dead-letter operation that cannot go on. Its message is one sentence an operator can act on:
 * what is wrong, then what to do. Nothing was lost: the dead letter concerned is still parked.
 */
export class DeadLetterError extends Error {
  override readonly name = 'DeadLetterError';

  constructor(
    readonly code: DeadLetterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
