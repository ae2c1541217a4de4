import { AppError, ERROR_KINDS } from '@shopflow/errors';
import { retryDelayMs, type RetryPolicy } from './retry-policy';

export type FailureDecision =
  | { action: 'retry'; attempts: number; delayMs: number; error: AppError }
  | { action: 'dead-letter'; attempts: number; error: AppError };

/**
 * The one place that turns a failed delivery into what happens to the message.
 * Permanent errors (invalid message, invalid input...) are parked at once; others are
 * retried with exponential backoff until the policy's attempts are used up.
 */
export function decideOnFailure(error: unknown, previousFailures: number, policy: RetryPolicy): FailureDecision {
  const appError = AppError.from(error);
  const attempts = previousFailures + 1;
  if (!ERROR_KINDS[appError.kind].retryable || attempts >= policy.maxAttempts) {
    return { action: 'dead-letter', attempts, error: appError };
  }
  return {
    action: 'retry',
    attempts,
    delayMs: retryDelayMs(policy, attempts),
    error: appError,
  };
}
