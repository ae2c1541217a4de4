import { eventually } from './eventually';

describe('eventually', () => {
  it('resolves with the first result that does not throw', async () => {
    let calls = 0;
    const result = await eventually(
      () => {
        if (++calls < 3) throw new Error('not yet');
        return 'done';
      },
      { intervalMs: 1 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('waits for a boolean probe to return true', async () => {
    let calls = 0;
    await expect(eventually(() => ++calls === 3, { intervalMs: 1 })).resolves.toBe(true);
  });

  it('times out with the message and the last error', async () => {
    const error = await eventually(
      () => {
        throw new Error('still broken');
      },
      { timeoutMs: 50, intervalMs: 5, message: 'widget ready' },
    ).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/^widget ready \(after 50 ms\): still broken$/);
    expect((error as Error).cause).toEqual(new Error('still broken'));
  });

  it('does not hang on a probe that never settles', async () => {
    const never = () => new Promise<never>(() => undefined);
    await expect(eventually(never, { timeoutMs: 50 })).rejects.toThrow(/after 50 ms/);
  });
});
