import { type DeadLetterQueue } from '@shopflow/messaging';
import { type Command } from '../command-line';
import { CommandFailure } from '../failure';
import { groupDeadLetters } from '../grouping';
import { describeGroup, plural } from '../render';
import { describeSelection } from '../selection';
import { type Terminal } from '../terminal';
import { takeSelected } from './take-selected';

/** Without --yes and without a terminal to ask on, purging is refused before anything is read. */
export function purgeRefusal(
  command: Extract<Command, { name: 'purge' }>,
  terminal: Terminal,
): CommandFailure | undefined {
  if (command.yes || terminal.interactive) return undefined;
  return new CommandFailure(
    `not purging ${command.service}'s dead letters: there is no terminal to confirm on; ` +
      `add --yes to purge them without asking`,
    2,
  );
}

/**
 * Removes exactly the dead letters it showed: they are held from the moment they are read, so one
 * parked while the operator answers is neither counted nor purged.
 */
export async function purge(
  queue: DeadLetterQueue,
  command: Extract<Command, { name: 'purge' }>,
  terminal: Terminal,
): Promise<number> {
  const { held, selected } = await takeSelected(queue, command.selection);
  if (selected.length === 0) {
    terminal.out(
      held === 0
        ? `nothing to purge: ${queue.names.deadLetterQueue} is empty`
        : `nothing to purge: no dead letter of ${queue.service} matches ${describeSelection(command.selection)}`,
    );
    return 0;
  }
  if (!command.yes) {
    for (const group of groupDeadLetters(selected)) {
      terminal.err(`${String(group.letters.length).padStart(6)}  ${describeGroup(group)}`);
    }
    const answer = await terminal.ask(
      `Purge ${plural(selected.length, 'dead letter')} of ${queue.service} for good (${describeSelection(command.selection)})? [y/N] `,
    );
    if (!/^y(es)?$/i.test(answer.trim())) {
      throw new CommandFailure('purge cancelled: nothing was removed');
    }
  }
  selected.forEach((letter) => queue.discard(letter));
  terminal.out(`purged ${plural(selected.length, 'dead letter')} from ${queue.names.deadLetterQueue}`);
  return 0;
}
