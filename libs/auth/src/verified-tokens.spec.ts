import { VerifiedTokens } from './verified-tokens';

const ada = { subject: 'ada', scopes: new Set(['orders']) };
const bob = { subject: 'bob', scopes: new Set(['orders']) };

describe('VerifiedTokens', () => {
  it('trusts a token until its time is up, then forgets it', () => {
    const tokens = new VerifiedTokens(10);
    tokens.set('t1', ada, 1000);
    expect(tokens.get('t1', 999)).toBe(ada);
    expect(tokens.get('t1', 1000)).toBeUndefined();
    expect(tokens.size).toBe(0);
    expect(tokens.get('never-seen', 0)).toBeUndefined();
  });

  it('makes room by forgetting the oldest entry, never growing past its capacity', () => {
    const tokens = new VerifiedTokens(2);
    tokens.set('t1', ada, 1000);
    tokens.set('t2', bob, 1000);
    tokens.set('t3', ada, 1000);
    expect(tokens.size).toBe(2);
    expect(tokens.get('t1', 0)).toBeUndefined();
    expect(tokens.get('t2', 0)).toBe(bob);
    expect(tokens.get('t3', 0)).toBe(ada);
  });
});
