import { type DeadLetterQueue } from '@shopflow/messaging';
import { type Command } from '../command-line';
import { CommandFailure } from '../failure';
import { payloadValue, renderDeadLetter } from '../render';
import { select } from '../selection';
import { type Terminal } from '../terminal';

/** Every copy of each id asked for; all are given back to the queue. */
export async function show(
  queue: DeadLetterQueue,
  command: Extract<Command, { name: 'show' }>,
  terminal: Terminal,
): Promise<number> {
  const letters = await queue.takeAll();
  const { letters: found, missing } = select(letters, { ids: command.ids, all: false });
  if (missing.length > 0) throw notFound(queue, missing, letters.length);
  if (command.json) {
    const view = found.map(({ content, ...letter }) => ({ ...letter, payload: payloadValue(content) }));
    terminal.out(JSON.stringify(view));
  } else {
    found.forEach((letter, i) => {
      if (i > 0) terminal.out('');
      renderDeadLetter(queue.names.deadLetterQueue, letter).forEach(terminal.out);
    });
  }
  return 0;
}

export function notFound(queue: DeadLetterQueue, missing: readonly string[], total: number): CommandFailure {
  return new CommandFailure(
    `no dead letter with id ${missing.join(', ')} in ${queue.names.deadLetterQueue} (it holds ${total}): ` +
      `npm run dlq -- list --service ${queue.service} prints the ids`,
  );
}
