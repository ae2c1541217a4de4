import { type QueryConfig } from 'pg';
import { type Sql } from 'sql-template-tag';

/** Statement texts get a name, up to this many distinct texts; beyond it they run unnamed. */
const MAX_PREPARED = 500;
const preparedNames = new Map<string, string>();

/**
 * A named statement: each connection has PostgreSQL parse and plan it once, then only binds new
 * values. The texts come from the code's templates, so there are few of them (a multi-row INSERT
 * makes one per row count); the cap keeps an unexpected variety from growing every session.
 */
export function prepared(statement: Sql): QueryConfig {
  const { text, values } = statement;
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `shopflow_${preparedNames.size}`;
    preparedNames.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}
