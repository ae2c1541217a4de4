import { readIdentityProviderConfig } from './config';
import { startIdentityProvider } from './identity-provider';
import { isListenFailure, listenFailure } from '@shopflow/errors';
import { SigningKeyFileError } from './signing-key';

/** `node dist/main.js`: the identity provider as its own process (npm start, the e2e suite, the bench, compose). */
async function main(): Promise<void> {
  const config = readIdentityProviderConfig(process.env);
  if ('problems' in config) {
    process.stderr.write(`identity provider: invalid configuration: ${config.problems.join('; ')}\n`);
    process.exit(1);
  }
  const provider = await startIdentityProvider(config).catch((error: NodeJS.ErrnoException) => {
    if (error instanceof SigningKeyFileError) {
      process.stderr.write(`identity provider: SIGNING_KEY_FILE ${error.message}\n`);
    } else if (isListenFailure(error)) {
      process.stderr.write(`identity provider: ${listenFailure(error, config.host, config.port)}\n`);
    } else if (error.path !== undefined) {
      process.stderr.write(
        `identity provider: cannot keep the signing key in SIGNING_KEY_FILE ${config.signingKeyFile} ` +
          `(${error.code} on ${error.path}): point it at a file this user may create and read\n`,
      );
    } else {
      process.stderr.write(`identity provider: cannot start: ${error.message}\n`);
    }
    process.exit(1);
  });
  process.stdout.write(
    `identity provider listening on ${config.host}:${provider.port} (issuer ${provider.issuer}, audience ` +
      `${provider.audience}, signing key ${config.signingKeyFile ?? 'in memory'}): ` +
      'it issues tokens to anyone who asks, for development only\n',
  );
  const stop = () => void provider.close().then(() => process.exit(0));
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

void main();
