/**
 * The simulated gateway's answer for a payment token. Deterministic so tests and demos
 * can pick an outcome: documented in the README.
 */
export const TEST_TOKENS = {
  tok_ok: 'approved',
  tok_declined: 'declined',
  tok_insufficient_funds: 'insufficient_funds',
} as const;

export type CardVerdict = 'approved' | 'declined' | 'insufficient_funds';

/** Any token not in the table is declined, as a real gateway declines an unknown card. */
export function cardVerdict(token: string): CardVerdict {
  return Object.hasOwn(TEST_TOKENS, token) ? TEST_TOKENS[token as keyof typeof TEST_TOKENS] : 'declined';
}
