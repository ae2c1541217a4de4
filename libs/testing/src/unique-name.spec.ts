import { uniqueName } from './unique-name';

describe('uniqueName', () => {
  it('is a distinct, identifier-safe name starting with the prefix', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('My-Test.db')));
    expect(names.size).toBe(100);
    for (const name of names) expect(name).toMatch(/^my_test_db_[a-z0-9]+_[0-9a-f]{8}$/);
  });

  it('fits a PostgreSQL identifier even with a long prefix', () => {
    expect(uniqueName('x'.repeat(100)).length).toBeLessThanOrEqual(63);
  });
});
