import { DeadLetterQueue } from '@shopflow/messaging';
import { brokerAddress, type BrokerAddress } from './broker-address';
import { parseCommandLine, USAGE } from './command-line';
import { list } from './commands/list';
import { purge, purgeRefusal } from './commands/purge';
import { redrive } from './commands/redrive';
import { show } from './commands/show';
import { explainFailure } from './failure';
import { type Terminal } from './terminal';

/** Runs one command line; resolves with the exit status. Never throws: a failure is one line on stderr. */
export async function run(argv: readonly string[], terminal: Terminal): Promise<number> {
  let broker: BrokerAddress | undefined;
  try {
    const command = parseCommandLine(argv);
    if (command.name === 'help') {
      terminal.out(USAGE);
      return 0;
    }
    broker = brokerAddress(terminal.env);
    if (command.name === 'purge') {
      const refusal = purgeRefusal(command, terminal);
      if (refusal) throw refusal;
    }
    const queue = await DeadLetterQueue.open({ url: broker.url, service: command.service, connectionName: 'dlq' });
    try {
      switch (command.name) {
        case 'list':
          return await list(queue, command, terminal);
        case 'show':
          return await show(queue, command, terminal);
        case 'redrive':
          return await redrive(queue, command, terminal);
        case 'purge':
          return await purge(queue, command, terminal);
      }
    } finally {
      // Gives back every dead letter read and not redriven or purged.
      await queue.close();
    }
  } catch (error) {
    const { line, exitCode } = explainFailure(error, broker);
    terminal.err(`dlq: ${line.replace(/\s*\n\s*/g, ' ')}`);
    if (terminal.env['DLQ_DEBUG']) terminal.err(String((error as Error).stack ?? error));
    return exitCode;
  }
}
