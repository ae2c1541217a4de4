import { type DeadLetter } from '@shopflow/messaging';
import { type Selection } from './command-line';

export interface Selected {
  letters: DeadLetter[];
  /** Ids asked for that no dead letter has. */
  missing: string[];
}

/** Every copy of an id is selected: a message parked twice is redriven or purged twice, which is harmless. */
export function select(letters: readonly DeadLetter[], selection: Selection): Selected {
  if (selection.ids.length > 0) {
    const wanted = new Set(selection.ids);
    return {
      letters: letters.filter((letter) => wanted.has(letter.id)),
      missing: selection.ids.filter((id) => !letters.some((letter) => letter.id === id)),
    };
  }
  return {
    letters: letters.filter(
      (letter) =>
        selection.all ||
        ((selection.reason === undefined || letter.reason === selection.reason) &&
          (selection.type === undefined || letter.eventType === selection.type) &&
          (selection.kind === undefined || letter.errorKind === selection.kind)),
    ),
    missing: [],
  };
}

/** The filters as a person typed them, for messages such as "nothing matches …". */
export function describeSelection(selection: Selection): string {
  if (selection.ids.length > 0) return selection.ids.join(', ');
  if (selection.all) return 'all';
  return [
    selection.reason !== undefined && `--reason '${selection.reason}'`,
    selection.type !== undefined && `--type ${selection.type}`,
    selection.kind !== undefined && `--kind ${selection.kind}`,
  ]
    .filter(Boolean)
    .join(' ');
}
