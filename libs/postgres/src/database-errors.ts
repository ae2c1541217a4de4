import { DatabaseError } from 'pg';

/** True when `error` is PostgreSQL's unique violation, of `constraint` if named. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return (
    error instanceof DatabaseError &&
    error.code === '23505' &&
    (constraint === undefined || error.constraint === constraint)
  );
}

/** True when a statement gave up waiting for a lock (lock_timeout) or was chosen to break a deadlock. */
export function isLockConflict(error: unknown): boolean {
  return error instanceof DatabaseError && (error.code === '55P03' || error.code === '40P01');
}

/** True when `error` is PostgreSQL's foreign key violation, of `constraint` if named. */
export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  return (
    error instanceof DatabaseError &&
    error.code === '23503' &&
    (constraint === undefined || error.constraint === constraint)
  );
}

/** True when a statement names a table that does not exist (e.g. before the schema is migrated). */
export function isUndefinedTable(error: unknown): boolean {
  return error instanceof DatabaseError && error.code === '42P01';
}
