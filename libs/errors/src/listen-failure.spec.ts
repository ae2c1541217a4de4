import { isListenFailure, listenFailure, type ListenError } from './listen-failure';

const failure = (fields: Partial<ListenError>): ListenError => Object.assign(new Error('listen failed'), fields);

describe('listenFailure', () => {
  it('names the address, the port, the code and the fix, an IPv6 address in brackets', () => {
    expect(listenFailure(failure({ syscall: 'listen', code: 'EADDRINUSE', address: '::', port: 3001 }))).toBe(
      'cannot listen on [::]:3001 (EADDRINUSE): stop what uses it or set PORT',
    );
    expect(listenFailure(failure({ syscall: 'listen', code: 'EACCES' }), '127.0.0.1', 80)).toBe(
      'cannot listen on 127.0.0.1:80 (EACCES): a port below 1024 needs privileges: set PORT to 1024 or above',
    );
  });

  it("tells listen()'s own failures from any other", () => {
    expect(isListenFailure(failure({ syscall: 'listen', code: 'EADDRINUSE' }))).toBe(true);
    expect(isListenFailure(failure({ syscall: 'connect', code: 'ECONNREFUSED' }))).toBe(false);
    expect(isListenFailure(undefined)).toBe(false);
  });
});
