import { DeadLetterError, type DeadLetterQueue } from '@shopflow/messaging';
import { type Command } from '../command-line';
import { CommandFailure } from '../failure';
import { plural } from '../render';
import { describeSelection } from '../selection';
import { type Terminal } from '../terminal';
import { takeSelected } from './take-selected';

/**
 * Redrives the selected dead letters one by one, each acked once the broker confirmed its copy.
 * One that may not or cannot go back (another service's queue, an unbound queue) stays parked and is
 * reported; the others still go. Any other failure stops the run: what was not redriven stays parked.
 */
export async function redrive(
  queue: DeadLetterQueue,
  command: Extract<Command, { name: 'redrive' }>,
  terminal: Terminal,
): Promise<number> {
  const { selected } = await takeSelected(queue, command.selection);
  if (selected.length === 0) {
    terminal.out(
      `nothing to redrive: no dead letter of ${queue.service} matches ${describeSelection(command.selection)}`,
    );
    return 0;
  }
  let redriven = 0;
  const kept: string[] = [];
  for (const letter of selected) {
    try {
      const destination = await queue.redrive(letter);
      redriven += 1;
      terminal.out(`redriven ${letter.id} (${letter.eventType}) to ${destination}, redrive ${letter.redriveCount + 1}`);
    } catch (error) {
      // The lines above say which went back; this one and the rest stay parked.
      if (!(error instanceof DeadLetterError) || error.code === 'not-confirmed') throw error;
      kept.push(letter.id);
      terminal.err(error.message);
    }
  }
  terminal.out(`redrove ${redriven} of ${plural(selected.length, 'selected dead letter')} of ${queue.service}`);
  if (kept.length > 0) {
    throw new CommandFailure(`${plural(kept.length, 'dead letter')} not redriven and still parked: ${kept.join(', ')}`);
  }
  return 0;
}
