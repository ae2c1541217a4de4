import { readIdentityProviderConfig } from './config';

describe('readIdentityProviderConfig', () => {
  it('defaults to port 4020 on the loopback, audience shopflow, a key in memory, 30 days at most, and an issuer from the port', () => {
    expect(readIdentityProviderConfig({})).toEqual({
      port: 4020,
      host: '127.0.0.1',
      issuer: undefined,
      audience: 'shopflow',
      signingKeyFile: undefined,
      maxTtl: '30d',
    });
  });

  it('reads every variable', () => {
    expect(
      readIdentityProviderConfig({
        PORT: '4999',
        HOST: '0.0.0.0',
        ISSUER: 'http://identity-provider:4020',
        AUDIENCE: 'shop',
        SIGNING_KEY_FILE: '/keys/signing-key.json',
        MAX_TTL: '12h',
      }),
    ).toEqual({
      port: 4999,
      host: '0.0.0.0',
      issuer: 'http://identity-provider:4020',
      audience: 'shop',
      signingKeyFile: '/keys/signing-key.json',
      maxTtl: '12h',
    });
  });

  it('names each wrong variable once, on its own line', () => {
    const config = readIdentityProviderConfig({
      PORT: '70000',
      ISSUER: 'http://127.0.0.1:4020/?tenant=a',
      AUDIENCE: '',
      MAX_TTL: '1 month',
    });
    expect(config).toEqual({
      problems: [
        expect.stringMatching(/^PORT: /),
        'ISSUER: must be an http(s) URL without query or fragment, e.g. http://127.0.0.1:4020',
        expect.stringMatching(/^AUDIENCE: /),
        'MAX_TTL: must be a duration such as 90s, 15m, 1h or 7d',
      ],
    });
  });

  it.each(['identity-provider:4020', 'ftp://identity-provider', 'http://x/#a'])('refuses ISSUER %s', (issuer) => {
    expect(readIdentityProviderConfig({ ISSUER: issuer })).toEqual({ problems: [expect.stringMatching(/^ISSUER: /)] });
  });
});
