import { AppError } from '@shopflow/errors';
import { z } from 'zod';

/** Validates request input; a mismatch is a 400 listing each problem by field. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown, what = 'request body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new AppError('invalid_input', `invalid ${what}`, {
      errors: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  return result.data;
}
