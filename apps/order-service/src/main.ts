import { exitOnStartupFailure, onShutdownSignal } from '@shopflow/bootstrap';
import { createLogger } from '@shopflow/observability';
import { readConfig, SERVICE_NAME } from './config';
import { startService } from './service';

async function main() {
  const config = readConfig();
  const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  const service = await startService(config, logger);
  onShutdownSignal(logger, service.stop);
}

main().catch(exitOnStartupFailure(createLogger({ service: SERVICE_NAME })));
