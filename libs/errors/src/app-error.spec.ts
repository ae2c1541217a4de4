import { AppError, ERROR_KINDS, type ErrorKind } from './index';

describe('AppError', () => {
  it('keeps an AppError as it is', () => {
    const error = new AppError('not_found', 'no order 42', { orderId: '42' });
    expect(AppError.from(error)).toBe(error);
  });

  it('turns anything else into a retryable internal error that keeps the cause', () => {
    const cause = new Error('connection reset');
    const error = AppError.from(cause);
    expect(error).toMatchObject({ kind: 'internal', message: 'connection reset', cause });
    expect(ERROR_KINDS[error.kind].retryable).toBe(true);
    expect(AppError.from('plain string').message).toBe('plain string');
  });

  it('maps client mistakes to 4xx that are never retried, and outages to retryable 5xx', () => {
    const permanent: ErrorKind[] = [
      'invalid_input',
      'unauthenticated',
      'forbidden',
      'unprocessable',
      'invalid_message',
    ];
    for (const kind of permanent) {
      expect(ERROR_KINDS[kind].status).toBeGreaterThanOrEqual(400);
      expect(ERROR_KINDS[kind].status).toBeLessThan(500);
      expect(ERROR_KINDS[kind].retryable).toBe(false);
    }
    expect(ERROR_KINDS.unavailable).toMatchObject({ status: 503, retryable: true });
    expect(ERROR_KINDS.internal).toMatchObject({ status: 500, retryable: true });
  });
});
