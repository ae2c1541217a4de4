import { readSimulatorConfig } from './config';
import { startGatewaySimulator } from './gateway-simulator';
import { isListenFailure, listenFailure } from '@shopflow/errors';

/** `node dist/main.js`: the simulator as its own process (npm start, the e2e suite, the bench, compose). */
async function main(): Promise<void> {
  const config = readSimulatorConfig(process.env);
  if ('problems' in config) {
    process.stderr.write(`gateway simulator: invalid configuration: ${config.problems.join('; ')}\n`);
    process.exit(1);
  }
  const simulator = await startGatewaySimulator(config).catch((error: NodeJS.ErrnoException) => {
    const line = isListenFailure(error)
      ? listenFailure(error, config.host, config.port)
      : `cannot start: ${error.message}`;
    process.stderr.write(`gateway simulator: ${line}\n`);
    process.exit(1);
  });
  const { latency, failureRate, timeoutRate } = config.settings;
  process.stdout.write(
    `gateway simulator listening on ${config.host}:${simulator.port} ` +
      `(latency p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms, failures ${failureRate}, timeouts ${timeoutRate})\n`,
  );
  const stop = () => void simulator.close().then(() => process.exit(0));
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

void main();
