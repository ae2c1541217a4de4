import { type Envelope } from '@shopflow/events';
import { type EventTransactions } from '@shopflow/messaging';
import { type Transaction } from '@shopflow/postgres';

export interface Handled<O extends string> {
  outcome: O;
  events: readonly Envelope[];
}

/**
 * `EventTransactions.handleOnce`, also saying what the work decided (for the handler's log):
 * 'duplicate' when the event had been handled before and the work did not run.
 */
export async function handleOnce<O extends string>(
  transactions: EventTransactions,
  event: Pick<Envelope, 'id'>,
  work: (tx: Transaction) => Promise<Handled<O>>,
): Promise<O | 'duplicate'> {
  let outcome: O | 'duplicate' = 'duplicate';
  await transactions.handleOnce(event, async (tx) => {
    const handled = await work(tx);
    outcome = handled.outcome;
    return handled.events;
  });
  return outcome;
}
