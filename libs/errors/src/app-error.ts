/**
 * The one error type of the system. Its `kind` alone decides how an error is
 * answered: the HTTP status of a problem+json response, and whether a failed
 * message is retried or dead-lettered (see error-kinds.ts).
 */
export type ErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'invalid_message'
  | 'unavailable'
  | 'internal';

export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Any thrown value as an AppError; unknown errors are `internal` (retryable). */
  static from(error: unknown): AppError {
    if (error instanceof AppError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new AppError('internal', message, {}, { cause: error });
  }
}
