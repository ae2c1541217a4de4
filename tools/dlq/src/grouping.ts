import { type DeadLetter } from '@shopflow/messaging';

/** Dead letters that failed the same way: the unit an operator fixes, then redrives. */
export interface DeadLetterGroup {
  reason: string;
  errorKind?: string;
  eventType: string;
  letters: DeadLetter[];
}

/** By reason, error kind and event type; the largest group first, ties in order of first appearance. */
export function groupDeadLetters(letters: readonly DeadLetter[]): DeadLetterGroup[] {
  const groups = new Map<string, DeadLetterGroup>();
  for (const letter of letters) {
    const key = JSON.stringify([letter.reason, letter.errorKind ?? null, letter.eventType]);
    let group = groups.get(key);
    if (!group) {
      group = {
        reason: letter.reason,
        ...(letter.errorKind !== undefined && { errorKind: letter.errorKind }),
        eventType: letter.eventType,
        letters: [],
      };
      groups.set(key, group);
    }
    group.letters.push(letter);
  }
  // Array.prototype.sort is stable: equal counts keep the queue's order.
  return [...groups.values()].sort((a, b) => b.letters.length - a.letters.length);
}
