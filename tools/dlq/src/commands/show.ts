import { type DeadLetterQueue } from '@shopflow/messaging';
import { type Command } from '../command-line';
import { payloadValue, renderDeadLetter } from '../render';
import { type Terminal } from '../terminal';
import { takeSelected } from './take-selected';

/** Every copy of each id asked for; all are given back to the queue. */
export async function show(
  queue: DeadLetterQueue,
  command: Extract<Command, { name: 'show' }>,
  terminal: Terminal,
): Promise<number> {
  const { selected: found } = await takeSelected(queue, { ids: command.ids, all: false });
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
