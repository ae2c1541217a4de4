import { run } from './cli';
import { processTerminal } from './terminal';

run(process.argv.slice(2), processTerminal()).then((exitCode) => {
  process.exitCode = exitCode;
});
