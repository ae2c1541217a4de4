import { run } from './cli';
import { processTerminal } from './terminal';

// run() answers every failure with its exit code; anything else escaping it is a bug, left unhandled.
void run(process.argv.slice(2), processTerminal()).then((exitCode) => {
  process.exitCode = exitCode;
});
