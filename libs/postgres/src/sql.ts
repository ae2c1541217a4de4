import { join as joinValues, Sql, type RawValue } from 'sql-template-tag';

export { empty, raw, Sql } from 'sql-template-tag';

// sql-template-tag's own types leave out values node-postgres serialises perfectly well (arrays for
// `= ANY($1)` and unnest, Dates, Buffers); these are the same functions, typed to accept them.

/** A statement: the template's text, with every interpolated value sent as a parameter (or nested `Sql`). */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return new Sql(strings, values as RawValue[]);
}

/** Values (or `Sql` fragments) separated by `separator`, e.g. the rows of a multi-row INSERT. */
export function join(values: readonly unknown[], separator?: string): Sql {
  return joinValues(values as RawValue[], separator);
}
