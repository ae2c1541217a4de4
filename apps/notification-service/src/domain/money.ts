import { type Money } from '@shopflow/events';

const LOCALE = 'en-US';

/** Minor units as an exact decimal string (1234, 2 → "12.34"), so no float ever rounds a price. */
function toDecimal(amount: number, digits: number): Intl.StringNumericLiteral {
  if (digits === 0) return `${amount}`;
  const padded = String(amount).padStart(digits + 1, '0');
  return `${padded.slice(0, -digits)}.${padded.slice(-digits)}` as Intl.StringNumericLiteral;
}

interface CurrencyFormat {
  format: Intl.NumberFormat;
  /** Decimals of the currency (2 for EUR, 0 for JPY, 3 for BHD); Intl always resolves them for a currency. */
  digits: number;
}

// Building a NumberFormat, and reading its resolved options, is costly (both showed in profiles);
// there are only a few currencies.
const formats = new Map<string, CurrencyFormat>();

function formatFor(currency: string): CurrencyFormat {
  let entry = formats.get(currency);
  if (!entry) {
    const format = new Intl.NumberFormat(LOCALE, { style: 'currency', currency });
    entry = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
    formats.set(currency, entry);
  }
  return entry;
}

/** `{ amount: 123456, currency: 'EUR' }` → "€1,234.56". */
export function formatMoney({ amount, currency }: Money): string {
  const { format, digits } = formatFor(currency);
  return format.format(toDecimal(amount, digits));
}

/** The price of `quantity` units, in the same currency. */
export function multiply({ amount, currency }: Money, quantity: number): Money {
  return { amount: amount * quantity, currency };
}
