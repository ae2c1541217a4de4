import { DatabaseError } from 'pg';

/** True when `error` is PostgreSQL's unique violation, of `constraint` if named. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return (
    error instanceof DatabaseError &&
    error.code === '23505' &&
    (constraint === undefined || error.constraint === constraint)
  );
}
