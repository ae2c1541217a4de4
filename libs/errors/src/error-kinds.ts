import { type ErrorKind } from './app-error';

export interface ErrorKindRule {
  /** HTTP status when the error answers a request. */
  status: number;
  /** Short, stable problem title (RFC 9457 `title`). */
  title: string;
  /**
   * Whether a message whose handling failed with this error may succeed later.
   * Permanent failures go straight to the dead-letter queue: retrying them only delays the verdict.
   */
  retryable: boolean;
}

export const ERROR_KINDS: Readonly<Record<ErrorKind, ErrorKindRule>> = {
  invalid_input: { status: 400, title: 'Invalid request', retryable: false },
  /** No credentials, or credentials that prove nothing (expired, wrongly signed, for someone else). */
  unauthenticated: { status: 401, title: 'Unauthorized', retryable: false },
  /** Who the caller is is known, and they may not do this. */
  forbidden: { status: 403, title: 'Forbidden', retryable: false },
  not_found: { status: 404, title: 'Not found', retryable: true },
  conflict: { status: 409, title: 'Conflict', retryable: true },
  unprocessable: {
    status: 422,
    title: 'Unprocessable request',
    retryable: false,
  },
  invalid_message: { status: 400, title: 'Invalid message', retryable: false },
  unavailable: { status: 503, title: 'Service unavailable', retryable: true },
  internal: { status: 500, title: 'Internal error', retryable: true },
};
