import { type DeadLetterQueue } from '@shopflow/messaging';
import { type Command } from '../command-line';
import { groupDeadLetters } from '../grouping';
import { renderGroups } from '../render';
import { select } from '../selection';
import { type Terminal } from '../terminal';

/** Reads every dead letter and gives them all back (the queue closes without acking any). */
export async function list(
  queue: DeadLetterQueue,
  command: Extract<Command, { name: 'list' }>,
  terminal: Terminal,
): Promise<number> {
  const letters = await queue.takeAll();
  const groups = groupDeadLetters(select(letters, command.selection).letters);
  if (command.json) {
    terminal.out(
      JSON.stringify({
        queue: queue.names.deadLetterQueue,
        total: letters.length,
        groups: groups.map(({ letters: members, ...group }) => ({
          ...group,
          count: members.length,
          ids: members.map((letter) => letter.id),
        })),
      }),
    );
  } else if (letters.length === 0) {
    terminal.out(`${queue.names.deadLetterQueue} is empty`);
  } else {
    renderGroups(queue.names.deadLetterQueue, letters.length, groups).forEach(terminal.out);
  }
  return 0;
}
