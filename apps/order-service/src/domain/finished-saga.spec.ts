import { sagaDurationSeconds } from './finished-saga';

describe('sagaDurationSeconds', () => {
  it('is the time from placed to final, in seconds', () => {
    const placedAt = new Date('2026-11-27T10:00:00.000Z');
    const finishedAt = new Date('2026-11-27T10:00:01.250Z');
    expect(sagaDurationSeconds({ outcome: 'confirmed', placedAt, finishedAt })).toBe(1.25);
  });

  it('is zero rather than negative when the final step is stamped before the placement', () => {
    const placedAt = new Date('2026-11-27T10:00:01.000Z');
    const finishedAt = new Date('2026-11-27T10:00:00.990Z');
    expect(sagaDurationSeconds({ outcome: 'cancelled', placedAt, finishedAt })).toBe(0);
  });
});
