import { parseCommandLine, UsageError } from './command-line';

describe('parseCommandLine', () => {
  it('reads a filtered list', () => {
    expect(parseCommandLine(['list', '-s', 'order-service', '--reason', 'invalid message', '--json'])).toEqual({
      name: 'list',
      service: 'order-service',
      selection: { ids: [], all: false, reason: 'invalid message' },
      json: true,
    });
  });

  it('reads a redrive of ids, of a group, or of everything', () => {
    expect(parseCommandLine(['redrive', '--service', 'order-service', 'a', 'b'])).toMatchObject({
      selection: { ids: ['a', 'b'], all: false },
    });
    expect(
      parseCommandLine(['redrive', '-s', 'order-service', '--type', 'order.placed', '--kind', 'internal']),
    ).toMatchObject({
      selection: { ids: [], all: false, type: 'order.placed', kind: 'internal' },
    });
    expect(parseCommandLine(['redrive', '-s', 'order-service', '--all'])).toMatchObject({ selection: { all: true } });
  });

  it('purges everything when nothing is selected, and asks unless --yes', () => {
    expect(parseCommandLine(['purge', '-s', 'order-service'])).toMatchObject({ selection: { all: true }, yes: false });
    expect(parseCommandLine(['purge', '-s', 'order-service', '--all', '-y'])).toMatchObject({
      selection: { all: true },
      yes: true,
    });
    expect(parseCommandLine(['purge', '-s', 'order-service', 'id-1'])).toMatchObject({
      selection: { ids: ['id-1'], all: false },
    });
  });

  it.each([
    [['purge', '-s', 'order-service', 'id-1', '--reason', 'x']],
    [['purge', '-s', 'order-service', '--all', '--type', 'x']],
    [['redrive', '-s', 'order-service', '--all', '--type', 'x']],
    [['list', '-s', 'order-service', 'id-1']],
    [['show', '-s', 'order-service']],
    [['show', '-s', '  ', 'id-1']],
  ])('refuses %j', (argv) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
  });

  it('is help without a command', () => {
    expect(parseCommandLine([])).toEqual({ name: 'help' });
    expect(parseCommandLine(['list', '--help'])).toEqual({ name: 'help' });
  });
});
