import { decodeCursor, encodeCursor } from './order-cursor';

describe('order cursor', () => {
  const cursor = { createdAt: new Date('2026-05-06T07:08:09.123Z'), id: '0b6f3f5e-1f5c-4c43-9d8e-0f4f2d7c8a11' };

  it('round-trips through an opaque, URL-safe string', () => {
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(cursor);
  });

  it.each([
    ['garbage', 'not a cursor'],
    ['empty', ''],
    ['JSON that is not a pair', Buffer.from('{"a":1}').toString('base64url')],
    ['a bad date', Buffer.from('["yesterday","0b6f3f5e-1f5c-4c43-9d8e-0f4f2d7c8a11"]').toString('base64url')],
    ['a bad id', Buffer.from('["2026-05-06T07:08:09.123Z","42"]').toString('base64url')],
  ])('refuses %s', (_what, text) => {
    expect(decodeCursor(text)).toBeUndefined();
  });
});
