import { type DeadLetter, type DeadLetterQueue } from '@shopflow/messaging';
import { type Selection } from '../command-line';
import { CommandFailure } from '../failure';
import { select } from '../selection';

/**
 * Takes every dead letter of the queue (held until settled or given back) and the ones `selection`
 * names. Named ids must all be there: a mistyped one means the operator is looking at something
 * else, so the command fails before it does anything.
 */
export async function takeSelected(
  queue: DeadLetterQueue,
  selection: Selection,
): Promise<{ held: number; selected: DeadLetter[] }> {
  const letters = await queue.takeAll();
  const { letters: selected, missing } = select(letters, selection);
  if (missing.length > 0) throw notFound(queue, missing, letters.length);
  return { held: letters.length, selected };
}

function notFound(queue: DeadLetterQueue, missing: readonly string[], total: number): CommandFailure {
  return new CommandFailure(
    `no dead letter with id ${missing.join(', ')} in ${queue.names.deadLetterQueue} (it holds ${total}): ` +
      `npm run dlq -- list --service ${queue.service} prints the ids`,
  );
}
