export interface StoredAnswer {
  status: number;
  body: unknown;
}

interface Entry {
  /** The request the key was first used for: the same key with another request is refused. */
  request: string;
  answer: Promise<StoredAnswer>;
  storedAt: number;
}

/**
 * Idempotency keys as a card processor keeps them: the first request with a key runs, and every
 * later one with the same key gets its answer (waiting for it if it is still running) and changes
 * nothing. Keys expire after `ttlMs` (Stripe keeps them 24 hours). An answer that says nothing was
 * done (a simulated outage) is not kept, so a retry with the key runs for real.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs = 24 * 3600_000) {}

  /** The stored answer for `key`, or `undefined` and `run` started; 'mismatch' if the key was used for another request. */
  answer(key: string, request: string, run: () => Promise<StoredAnswer>): Promise<StoredAnswer> | 'mismatch' {
    this.expire();
    const found = this.entries.get(key);
    if (found) return found.request === request ? found.answer : 'mismatch';
    const answer = run();
    this.entries.set(key, { request, answer, storedAt: Date.now() });
    answer.then(
      (stored) => stored.status >= 500 && this.entries.delete(key),
      () => this.entries.delete(key),
    );
    return answer;
  }

  private expire(): void {
    const oldest = Date.now() - this.ttlMs;
    // A Map iterates in insertion order: the oldest entries come first.
    for (const [key, entry] of this.entries) {
      if (entry.storedAt >= oldest) break;
      this.entries.delete(key);
    }
  }
}
