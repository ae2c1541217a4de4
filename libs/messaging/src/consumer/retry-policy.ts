export interface RetryPolicy {
  /** Total handling attempts, the first included, before a message is parked in the dead-letter queue. */
  maxAttempts: number;
  initialDelayMs: number;
  multiplier: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 500,
  multiplier: 4,
};

/** Delay before attempt `attempt + 1`, after `attempt` failures (1-based): exponential backoff. */
export function retryDelayMs(policy: RetryPolicy, failedAttempts: number): number {
  return Math.round(policy.initialDelayMs * policy.multiplier ** (failedAttempts - 1));
}

/** Every distinct delay of the policy; each one gets its own delay queue. */
export function retryDelays(policy: RetryPolicy): number[] {
  return Array.from({ length: Math.max(0, policy.maxAttempts - 1) }, (_, i) => retryDelayMs(policy, i + 1));
}
