import { AppError, ERROR_KINDS } from '@shopflow/errors';

/** RFC 9457 problem details. Extra members carry what the client needs to fix the request. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The one place an error becomes an HTTP answer. Internal details never leak: a 500 says only that. */
export function toProblem(error: unknown, instance?: string): ProblemDetails {
  const appError = AppError.from(error);
  const rule = ERROR_KINDS[appError.kind];
  const internal = rule.status >= 500 && appError.kind !== 'unavailable';
  return {
    type: `urn:shopflow:problem:${appError.kind}`,
    title: rule.title,
    status: rule.status,
    detail: internal ? 'An unexpected error occurred.' : appError.message,
    ...(instance ? { instance } : {}),
    ...(internal ? {} : appError.details),
  };
}
