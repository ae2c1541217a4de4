/** The value, or an error naming what was missing: for what the code's own logic guarantees. */
export function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`bench bug: no ${what}`);
  return value;
}
