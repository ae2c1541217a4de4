import { type QueryConfig } from 'pg';
import { type Sql } from 'sql-template-tag';

/** Statement texts get a name, up to this many distinct texts; beyond it they run unnamed. */
const MAX_PREPARED = 500;
const preparedNames = new Map<string, string>();

const plannedEachTime = new WeakSet<Sql>();

/**
 * Has PostgreSQL plan this statement at every execution, with its actual values and the table's
 * size at that moment, instead of preparing it once per connection. For statements on a table whose
 * size swings, such as a queue: a prepared statement soon runs a generic plan, made once, and one
 * made while the table was nearly empty scans the whole table on every execution once it has grown.
 */
export function planEachTime(statement: Sql): Sql {
  plannedEachTime.add(statement);
  return statement;
}

/**
 * A named statement: each connection has PostgreSQL parse and plan it once, then only binds new
 * values. The texts come from the code's templates, so there are few of them (a multi-row INSERT
 * makes one per row count); the cap keeps an unexpected variety from growing every session.
 */
export function prepared(statement: Sql): QueryConfig {
  const { text, values } = statement;
  if (plannedEachTime.has(statement)) return { text, values };
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `shopflow_${preparedNames.size}`;
    preparedNames.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}
