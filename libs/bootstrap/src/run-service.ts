import { createLogger, type Logger } from '@shopflow/observability';
import { exitOnStartupFailure, onShutdownSignal } from './graceful-shutdown';

export interface ServiceEntry<C extends { LOG_LEVEL: string }> {
  name: string;
  readConfig: () => C;
  start: (config: C, logger: Logger) => Promise<{ stop(): Promise<void> }>;
}

/**
 * What every service's `main.ts` does: validate the config (a bad one stops the process with
 * the list of problems), start, and stop gracefully on SIGTERM/SIGINT. The signal handlers are
 * in place before start-up begins, so a stop requested mid-start waits for it, then stops cleanly.
 */
export function runService<C extends { LOG_LEVEL: string }>({ name, readConfig, start }: ServiceEntry<C>): void {
  let config: C;
  try {
    config = readConfig();
  } catch (error) {
    return exitOnStartupFailure(createLogger({ service: name }))(error);
  }
  const logger = createLogger({ service: name, level: config.LOG_LEVEL });
  // A promise nobody awaited failed: the process state is unknown. Say what it was, then exit
  // non-zero so the orchestrator restarts the service (unacked messages are redelivered).
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection: exiting');
    process.exit(1);
  });
  const starting = start(config, logger);
  onShutdownSignal(logger, async () => (await starting).stop());
  starting.catch(exitOnStartupFailure(logger));
}
