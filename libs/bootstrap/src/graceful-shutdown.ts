import { type Logger } from '@shopflow/observability';
import { isListenFailure, listenFailure } from '@shopflow/errors';
import { ConfigError } from './load-config';
import { SchemaNotMigrated } from './schema-check';

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown>;
}

/**
 * Runs every step in order, even after one failed, and reports the failures together.
 * Order matters: stop taking work first, close connections last.
 */
export async function runShutdownSteps(steps: ShutdownStep[], logger: Logger): Promise<void> {
  const failures: string[] = [];
  for (const step of steps) {
    try {
      await step.run();
    } catch (err) {
      failures.push(step.name);
      logger.error({ err, step: step.name }, 'shutdown step failed');
    }
  }
  if (failures.length > 0) throw new Error(`shutdown steps failed: ${failures.join(', ')}`);
}

/**
 * Calls `stop` on SIGTERM/SIGINT, then exits. A second signal, or a step that hangs past the deadline, forces the exit.
 */
export function onShutdownSignal(logger: Logger, stop: () => Promise<void>, timeoutMs = 20_000): void {
  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown took too long: exiting');
      process.exit(1);
    }, timeoutMs).unref();
    const failed = await stop().then(
      () => false,
      (err) => (logger.error({ err }, 'shutdown failed'), true),
    );
    clearTimeout(deadline);
    logger.info('stopped');
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGTERM', shutdown).on('SIGINT', shutdown);
}

/** For `main`: logs why the service could not start and exits non-zero. */
export function exitOnStartupFailure(logger: Logger) {
  return (error: unknown) => {
    // Said plainly on stderr too, without a stack: whoever starts the service with a bad config or
    // on a port in use reads this first, and the fix is theirs to make.
    const plain =
      error instanceof ConfigError || error instanceof SchemaNotMigrated
        ? error.message
        : isListenFailure(error)
          ? listenFailure(error)
          : undefined;
    if (plain) {
      process.stderr.write(`${plain}\n`);
      logger.fatal(plain);
    } else {
      logger.fatal({ err: error }, error instanceof Error ? error.message : 'start-up failed');
    }
    process.exit(1);
  };
}
