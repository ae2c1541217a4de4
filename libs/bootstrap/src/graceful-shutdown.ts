import { type Logger } from '@shopflow/observability';
import { ConfigError } from './load-config';

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown>;
}

/**
 * Runs the steps in order on SIGTERM/SIGINT (stop taking work first, close connections
 * last), then exits. A second signal, or a step that hangs past the deadline, forces the exit.
 */
export function onShutdownSignal(logger: Logger, steps: ShutdownStep[], timeoutMs = 20_000): void {
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
    let failed = false;
    for (const step of steps) {
      try {
        await step.run();
      } catch (err) {
        failed = true;
        logger.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
    clearTimeout(deadline);
    logger.info('stopped');
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGTERM', shutdown).on('SIGINT', shutdown);
}

/** For `main`: logs why the service could not start and exits non-zero. */
export function exitOnStartupFailure(logger: Logger) {
  return (error: unknown) => {
    // Said plainly on stderr too: whoever starts the service with a bad config reads this first.
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    logger.fatal({ err: error }, error instanceof Error ? error.message : 'start-up failed');
    process.exit(1);
  };
}
