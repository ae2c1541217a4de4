import { readConfig } from './config';

const required = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/notifications',
  AMQP_URL: 'amqp://127.0.0.1',
  AUTH_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
  AUTH_ISSUER: 'https://idp.example.com/',
};

describe('notification-service config', () => {
  it('defaults to a local mail catcher on port 1025, pooled, without TLS or login', () => {
    const config = readConfig(required);
    expect(config.SMTP_USER).toBeUndefined();
    expect(config).toMatchObject({
      PORT: 3004,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: 1025,
      SMTP_SECURE: false,
      SMTP_POOL: true,
      SMTP_MAX_CONNECTIONS: 50,
      MAIL_FROM: 'shopflow <orders@shopflow.local>',
    });
  });

  it("keeps 200 messages in hand and 50 SMTP connections by default: sends take the SMTP server's time", () => {
    expect(readConfig(required)).toMatchObject({ PREFETCH: 200, SMTP_MAX_CONNECTIONS: 50 });
    expect(readConfig({ ...required, PREFETCH: '20', SMTP_MAX_CONNECTIONS: '8' })).toMatchObject({
      PREFETCH: 20,
      SMTP_MAX_CONNECTIONS: 8,
    });
  });

  it.each(['0', '501', '2.5'])('refuses SMTP_MAX_CONNECTIONS=%s', (value) => {
    expect(() => readConfig({ ...required, SMTP_MAX_CONNECTIONS: value })).toThrow(/SMTP_MAX_CONNECTIONS/);
  });

  it('reads the SMTP settings from the environment', () => {
    const config = readConfig({
      ...required,
      SMTP_HOST: 'smtp.example.com',
      SMTP_PORT: '465',
      SMTP_SECURE: 'true',
      SMTP_POOL: 'false',
      SMTP_USER: 'mailer',
      SMTP_PASSWORD: 'secret',
    });
    expect(config).toMatchObject({
      SMTP_HOST: 'smtp.example.com',
      SMTP_PORT: 465,
      SMTP_SECURE: true,
      SMTP_POOL: false,
    });
  });

  it('refuses a password without a user', () => {
    expect(() => readConfig({ ...required, SMTP_PASSWORD: 'secret' })).toThrow(
      /SMTP_USER: SMTP_PASSWORD needs SMTP_USER/,
    );
  });
});
