/** What the simulator does with a payment token, as a real processor does with a test card. */
export const TEST_TOKENS = {
  tok_ok: 'succeeded',
  tok_declined: 'card_declined',
  tok_insufficient_funds: 'insufficient_funds',
} as const;

export type ChargeDecision = (typeof TEST_TOKENS)[keyof typeof TEST_TOKENS];

/** Any token not in the table is declined, as a real processor declines an unknown card. */
export function decideCharge(token: string): ChargeDecision {
  return Object.hasOwn(TEST_TOKENS, token) ? TEST_TOKENS[token as keyof typeof TEST_TOKENS] : 'card_declined';
}
