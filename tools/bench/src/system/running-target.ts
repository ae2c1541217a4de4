import { CannotRun } from '../cannot-run';
import { type BenchOptions } from '../options';

/**
 * Checks, before anything is measured, that the running services named with --target answer:
 * each order-service and inventory-service ready, the identity provider up. Otherwise one line
 * names the first that does not and the option that points at it.
 */
export async function checkRunningTarget(target: NonNullable<BenchOptions['target']>): Promise<void> {
  const expected = [
    ...target.orderUrls.map((url) => ({ what: 'order-service', url, path: '/health/ready', flag: '--order-url' })),
    { what: 'inventory-service', url: target.inventoryUrl, path: '/health/ready', flag: '--inventory-url' },
    { what: 'identity provider', url: target.identityUrl, path: '/health', flag: '--identity-url' },
  ];
  for (const { what, url, path, flag } of expected) {
    const answer = await fetch(new URL(path, url), { signal: AbortSignal.timeout(5_000) }).then(
      (res) => {
        void res.body?.cancel(); // only the status matters
        return { status: res.status };
      },
      (error: unknown) => ({ error: failureCode(error) }),
    );
    if ('error' in answer) {
      throw new CannotRun(
        `no ${what} answers at ${url} (${answer.error}): start the system with \`npm start\`, or name yours with ${flag}`,
      );
    }
    if (answer.status !== 200) {
      throw new CannotRun(
        `the ${what} at ${url} answered ${answer.status} to GET ${path}: wait until it is ready (its log says ` +
          `what it waits for), or check that ${flag} names the ${what}`,
      );
    }
  }
}

/** Why fetch failed: ECONNREFUSED and the like are in its cause; a timeout is the AbortSignal's. */
function failureCode(error: unknown): string {
  const { name, cause } = error as { name?: string; cause?: { code?: string; message?: string } };
  if (name === 'TimeoutError') return 'no answer within 5 s';
  return cause?.code ?? cause?.message ?? String(error);
}
