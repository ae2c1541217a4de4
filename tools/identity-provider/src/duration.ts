const SECONDS_PER_UNIT = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** What a duration looks like, for messages. */
export const DURATION_EXAMPLES = '90s, 15m, 1h or 7d';

/**
 * `90s`, `15m`, `1h`, `7d` in seconds (a whole number of one unit, as `jose` and most token tools
 * write them); undefined for anything else, zero included: a token that expires as it is issued
 * proves nothing.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})([smhd])$/.exec(text);
  if (!match) return undefined;
  const seconds = Number(match[1]) * SECONDS_PER_UNIT[match[2] as keyof typeof SECONDS_PER_UNIT];
  return seconds > 0 ? seconds : undefined;
}
