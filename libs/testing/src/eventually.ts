export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Prefix of the timeout error, to say what was awaited. */
  message?: string;
}

/**
 * Polls `probe` until it returns without throwing (and, if it returns a boolean, until `true`),
 * then resolves with its result. The only way tests here wait for asynchronous effects: a fixed
 * sleep is either flaky or slow, a deadline with polling is neither.
 * On timeout it throws an error carrying `message` and the probe's last failure (also as `cause`).
 */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  { timeoutMs = 10_000, intervalMs = 50, message = 'eventually: condition not met' }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = new Error('probe never completed');
  for (;;) {
    try {
      // Race against the deadline too, so a probe that hangs cannot hang the test.
      const result = await withDeadline(Promise.resolve().then(probe), deadline);
      if (result !== false) return result;
      lastError = new Error('probe returned false');
    } catch (error) {
      if (error !== DEADLINE) lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`${message} (after ${timeoutMs} ms): ${reason}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, deadline - Date.now())));
  }
}

const DEADLINE = Symbol('deadline');

function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(DEADLINE), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
