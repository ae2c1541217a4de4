/**
 * What keeps the bench from measuring (a service that will not start, running services that do not
 * answer, a checkout that is not built): its message is the one line that names it and the fix,
 * printed without a stack trace. Anything else is the bench's own failure, printed with its stack.
 */
export class CannotRun extends Error {
  override readonly name = 'CannotRun';
}
